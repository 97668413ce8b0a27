"""Access events over HTTP: ingest a batch (JSON array, CSV or NDJSON), list events and batches."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status

from inventory.access_events import service
from inventory.access_events.models import (
    AccessEventBatchPublic,
    AccessEventFilter,
    AccessEventIn,
    AccessEventPublic,
    IngestResult,
)
from inventory.http import body_stream, json_array_body
from inventory.imports import format_for_content_type
from inventory.responses import json_page
from tracker.deps import Cursor, Limit, Reader, ReadSessionDep, SessionDep, Writer
from tracker.pagination import DEFAULT_LIMIT, Page

router = APIRouter(prefix="/access-events", tags=["access events"])


def _inline(schema: dict[str, Any]) -> Any:
    """A model's JSON schema with its $defs substituted in place (this body is documented by hand)."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return walk(defs[node["$ref"].rsplit("/", 1)[-1]])
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": (
            "Attach attempts as a JSON array, CSV (header: cell_id, subscriber_id, occurred_at, source_ip, result) "
            "or NDJSON. Subscriber ids are pseudonymized before storage and never returned."
        ),
        "content": {
            "application/json": {"schema": {"type": "array", "items": _inline(AccessEventIn.model_json_schema())}},
            "text/csv": {"schema": {"type": "string"}},
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    }
}


@router.post(
    "",
    response_model=IngestResult,
    status_code=status.HTTP_201_CREATED,
    summary="Ingest a batch of access events",
    openapi_extra=_BODY,
)
def ingest_access_events(
    request: Request,
    session: SessionDep,
    principal: Writer,
    dry_run: bool = False,
    source: Annotated[str, Query(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")] = "api",
) -> IngestResult:
    """Store one batch all-or-nothing (422 names every bad line, never a subscriber id); one audit event."""
    media = (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    if media == "application/json":
        items = json_array_body(request)
        return service.ingest_json_array(session=session, items=items, source=source, actor=principal, dry_run=dry_run)
    fmt = format_for_content_type(media)
    return service.ingest_stream(
        session=session, stream=body_stream(request), fmt=fmt, source=source, actor=principal, dry_run=dry_run
    )


@router.get("", response_model=Page[AccessEventPublic], summary="List access events")
def list_access_events(
    session: ReadSessionDep,
    _: Reader,
    filters: Annotated[AccessEventFilter, Query()],
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Response:
    """Stored events (pseudonymized) in insertion order, filtered by cell, result, batch or time."""
    return json_page(service.list_events(session=session, filters=filters, cursor=cursor, limit=limit))


@router.get("/batches", response_model=Page[AccessEventBatchPublic], summary="List ingestion batches")
def list_batches(session: ReadSessionDep, _: Reader, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT) -> Response:
    """Ingestion batches oldest first, each with its count, time span and digest."""
    return json_page(service.list_batches(session=session, cursor=cursor, limit=limit))


@router.get("/batches/{batch_id}", response_model=AccessEventBatchPublic, summary="Read an ingestion batch")
def get_batch(
    batch_id: Annotated[int, Path(ge=1, le=2_147_483_647)], session: ReadSessionDep, _: Reader
) -> AccessEventBatchPublic:
    """One ingestion batch."""
    return AccessEventBatchPublic.model_validate(
        service.get_batch(session=session, batch_id=batch_id), from_attributes=True
    )
