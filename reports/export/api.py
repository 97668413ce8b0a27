"""The audit export and the OSCAL POA&M over HTTP."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, Response
from pydantic import BeforeValidator, WithJsonSchema
from starlette.background import BackgroundTask

from reports.export import service
from tracker.deps import Auditor, Reader, ReadSessionDep

router = APIRouter(prefix="/exports", tags=["exports"])


def _as_of(value: object) -> object:
    # A bare date means the end of that day in Seoul, as on the command line; pydantic would read it as midnight.
    return service.parse_as_of(value) if isinstance(value, str) else value


AsOf = Annotated[
    Annotated[
        datetime | None,
        BeforeValidator(_as_of),
        WithJsonSchema({"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}),
    ],
    Query(
        description="The instant to export as of: an ISO date (the end of that day in Seoul) or datetime (Seoul time "
        "without a zone). Default, or an instant not yet past: now.",
    ),
]


@router.get(
    "/audit.zip",
    response_class=FileResponse,
    summary="The signed, verifiable audit export (ZIP)",
    responses={200: {"content": {"application/zip": {}}, "description": "The bundle; check it with sectrack verify."}},
)
def audit_export(session: ReadSessionDep, _: Auditor, as_of: AsOf = None) -> FileResponse:
    """Every entity as the audit chain implies it at `as_of`, the chain itself, the POA&M and registers, signed."""
    path, filename = service.export_audit_file(session=session, as_of=as_of)
    # The bundle is written to a temporary file first (it can be large) and deleted once sent.
    return FileResponse(
        path, media_type="application/zip", filename=filename, background=BackgroundTask(path.unlink, missing_ok=True)
    )


@router.get(
    "/poam.json",
    response_class=Response,
    summary="The OSCAL 1.2.1 plan of action and milestones",
    responses={200: {"content": {"application/json": {"schema": {"type": "object"}}}, "description": "OSCAL JSON."}},
)
def poam(session: ReadSessionDep, _: Reader, as_of: AsOf = None) -> Response:
    """One risk and one poam-item per finding, remediation tasks from the linked milestones."""
    return Response(service.poam_bytes(session=session, as_of=as_of), media_type="application/json")
