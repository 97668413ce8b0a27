"""The FastAPI application factory: routers under /api/v1, request ids, body limits, one error mapping."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inventory.access_events.api import router as access_events_router
from inventory.access_events.exposure_api import router as exposure_router
from inventory.equipment.api import router as equipment_router
from inventory.femtocells.api import router as femtocells_router
from inventory.replacement.api import router as replacement_router
from reports.api import board_pack_router
from reports.api import router as reports_router
from reports.export.api import router as export_router
from tracker import __version__
from tracker.audit.api import router as audit_router
from tracker.auth.api import router as auth_router
from tracker.commitments.api import router as commitments_router
from tracker.controls.api import router as controls_router
from tracker.db import get_engine
from tracker.errors import ERROR_RESPONSES, ErrorDetail, SectrackError, TooLarge
from tracker.governance.api import router as governance_router
from tracker.kpis.api import router as kpis_router
from tracker.milestones.api import router as milestones_router
from tracker.plan.api import router as plan_router
from tracker.settings import get_settings
from tracker.zero_trust.api import router as zero_trust_router

log = logging.getLogger("sectrack")

API_PREFIX = "/api/v1"

TAGS: list[dict[str, str]] = [
    {"name": "health", "description": "Liveness; the only endpoint that needs no token."},
    {"name": "audit", "description": "The hash-chained audit log of every change (regulator, admin)."},
    {"name": "tokens", "description": "API tokens and their roles (admin)."},
    {
        "name": "governance",
        "description": "Bodies and cadences, review meetings, agendas, decisions, action items, sign-off, board "
        "packs and their distribution, reminders.",
    },
    {"name": "commitments", "description": "The public commitments register: due dates, owners, evidence, measures."},
    {
        "name": "plan",
        "description": "The five-year plan: earned value, workstreams, budget lines, re-baselines, spend.",
    },
    {"name": "milestones", "description": "Milestones, their dependency graph, slips, critical path, lateness."},
    {"name": "zero-trust", "description": "Zero-trust maturity (CISA ZTMM v2): systems, assessments, targets."},
    {"name": "kpis", "description": "KPIs the plan promises: targets per year and measurements."},
    {"name": "reports", "description": "PDF reports: board pack, regulator report, management report."},
    {"name": "exports", "description": "Signed, verifiable audit export (regulator, admin) and the OSCAL POA&M."},
    {"name": "femtocells", "description": "The femtocell inventory: lifecycle, certificates, bulk import."},
    {"name": "equipment", "description": "Legacy equipment: end of support, replacement status, bulk import."},
    {"name": "access events", "description": "Femtocell attach attempts, pseudonymized on ingestion."},
    {
        "name": "controls",
        "description": "The regulator's orders as automated controls: catalog, runs, results, findings with SLA due "
        "dates, risk acceptance, attestations, authentication-server rotations.",
    },
    {
        "name": "exposure",
        "description": "Subscribers exposed through unauthorized cells: totals, cells, and (investigators) pseudonyms.",
    },
    {"name": "replacement", "description": "Legacy-equipment replacement waves: plan vs actual, burn-down, forecast."},
]

# Every domain router, mounted under /api/v1. A new domain adds one line here.
ROUTERS: list[APIRouter] = [
    audit_router,
    auth_router,
    governance_router,
    commitments_router,
    plan_router,
    milestones_router,
    zero_trust_router,
    kpis_router,
    reports_router,
    board_pack_router,
    export_router,
    femtocells_router,
    equipment_router,
    access_events_router,
    controls_router,
    exposure_router,
    replacement_router,
]

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class RequestContextMiddleware:
    """Give every request an id (echoed as X-Request-ID) and refuse bodies over the size limit with 413."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await _send_json(send, TooLarge(self._too_large()).as_dict(), 413, rid)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    # FastAPI turns errors while parsing a body into 400; the flag lets the handler say 413.
                    scope["state"]["body_too_large"] = self._too_large()
                    raise TooLarge(self._too_large())
            return message

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                headers.append((b"x-request-id", rid.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, limited_receive, send_with_id)

    def _too_large(self) -> str:
        return f"The request body exceeds the limit of {self.max_body_bytes} bytes."


async def _send_json(send: Send, body: dict[str, Any], status: int, rid: str) -> None:
    response = JSONResponse(body | {"request_id": rid}, status_code=status, headers={"X-Request-ID": rid})
    await response({"type": "http"}, _noop_receive, send)


async def _noop_receive() -> Message:
    return {"type": "http.disconnect"}


def _rid(request: Request) -> str:
    return str(request.scope.get("state", {}).get("request_id", ""))


def _error_response(request: Request, error: SectrackError, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        error.as_dict() | {"request_id": _rid(request)},
        status_code=error.status_code,
        headers=headers,
    )


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    # Drop the request part ("body", "query"...) so clients see the field as they named it.
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def install_error_handlers(app: FastAPI) -> None:
    """Map domain, validation, HTTP and database errors to JSON once, for every route."""

    @app.exception_handler(SectrackError)
    async def _domain(request: Request, exc: SectrackError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return _error_response(request, exc, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            ErrorDetail(message=str(e.get("msg", "invalid")), field=_field_name(e.get("loc", ()))) for e in exc.errors()
        ]
        first = details[0] if details else ErrorDetail(message="invalid input")
        message = f"Invalid {first.field}: {first.message}" if first.field else first.message
        from tracker.errors import Invalid

        return _error_response(request, Invalid(message, errors=details))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        too_large = request.scope.get("state", {}).get("body_too_large")
        if too_large:
            return _error_response(request, TooLarge(too_large))
        codes = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}
        body = {"error": codes.get(exc.status_code, "http_error"), "message": str(exc.detail), "errors": []}
        return JSONResponse(
            body | {"request_id": _rid(request)}, status_code=exc.status_code, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # Services check natural keys first; this only catches a concurrent writer winning the race.
        from tracker.errors import Conflict

        log.info("integrity conflict request_id=%s: %s", _rid(request), exc.orig)
        return _error_response(request, Conflict("The change conflicts with an existing record; reload and retry."))

    @app.exception_handler(StaleDataError)
    async def _stale(request: Request, exc: StaleDataError) -> JSONResponse:
        from tracker.errors import Conflict

        return _error_response(request, Conflict("The record was changed concurrently; reload and retry."))

    @app.exception_handler(OperationalError)
    async def _operational(request: Request, exc: OperationalError) -> JSONResponse:
        log.error("database unavailable request_id=%s: %s", _rid(request), exc.orig)
        body = {
            "error": "unavailable",
            "message": "The database is busy or unavailable; retry shortly.",
            "errors": [],
            "request_id": _rid(request),
        }
        return JSONResponse(body, status_code=503, headers={"Retry-After": "2"})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        rid = _rid(request)
        log.exception("unhandled error request_id=%s", rid)
        body = {
            "error": "internal",
            "message": f"Internal error; quote request id {rid}.",
            "errors": [],
            "request_id": rid,
        }
        return JSONResponse(body, status_code=500, headers={"X-Request-ID": rid})


def create_app(engine: Engine | None = None) -> FastAPI:
    """Build the API bound to `engine` (default: the configured database)."""
    settings = get_settings()
    bound = engine if engine is not None else get_engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if engine is None:
            bound.dispose()

    app = FastAPI(
        title="sectrack",
        version=__version__,
        summary="Security remediation tracking for a telecom operator's post-breach security plan.",
        description=(
            "Femtocell and legacy-equipment inventory, the regulator's orders as automated controls, the five-year "
            "plan with earned value, governance reviews, PDF reports and verifiable audit exports. Every request "
            "except /healthz needs `Authorization: Bearer <token>`; every change is written to a hash-chained "
            "audit log."
        ),
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    app.state.engine = bound
    app.add_middleware(RequestContextMiddleware, max_body_bytes=settings.max_body_bytes)
    install_error_handlers(app)

    @app.get("/healthz", tags=["health"], summary="Liveness and database reachability")
    def healthz() -> dict[str, str]:
        """Answer without a token; reports whether the database answers."""
        from sqlalchemy import text

        from tracker.db import read_session

        with read_session(bound) as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX, responses=ERROR_RESPONSES)
    return app
