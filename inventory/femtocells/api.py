"""Femtocell inventory over HTTP: list, read, create, change, decommission, history, bulk import."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status

from inventory.femtocells import service
from inventory.femtocells.models import (
    FemtocellCreate,
    FemtocellFilter,
    FemtocellOrder,
    FemtocellPublic,
    FemtocellUpdate,
)
from inventory.http import body_stream
from inventory.imports import IMPORT_BODY, ImportResult, format_for_content_type
from inventory.responses import json_page
from tracker.audit.models import AuditEventPublic
from tracker.deps import Cursor, IfMatch, Limit, Reader, ReadSessionDep, SessionDep, Writer, etag
from tracker.pagination import DEFAULT_LIMIT, Page

router = APIRouter(prefix="/femtocells", tags=["femtocells"])

FemtocellId = Annotated[int, Path(ge=1, le=2_147_483_647, description="The femtocell's id.")]


@router.get("", response_model=Page[FemtocellPublic], summary="List femtocells")
def list_femtocells(
    session: ReadSessionDep,
    _: Reader,
    filters: Annotated[FemtocellFilter, Query()],
    order_by: FemtocellOrder = FemtocellOrder.id,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Response:
    """Femtocells matching every filter given, one keyset page at a time; `q` is a serial or cell-id prefix."""
    return json_page(
        service.list_femtocells(session=session, filters=filters, order=order_by, cursor=cursor, limit=limit)
    )


@router.post("", response_model=FemtocellPublic, status_code=status.HTTP_201_CREATED, summary="Add a femtocell")
def create_femtocell(
    data: FemtocellCreate, session: SessionDep, principal: Writer, response: Response
) -> FemtocellPublic:
    """Add one femtocell; 409 if its serial or cell id is taken."""
    record = service.create(session=session, data=data, actor=principal)
    response.headers["ETag"] = etag(record.version)
    return FemtocellPublic.model_validate(record, from_attributes=True)


@router.post(
    "/import",
    response_model=ImportResult,
    summary="Bulk import femtocells (CSV or NDJSON)",
    openapi_extra=IMPORT_BODY,
)
def import_femtocells(request: Request, session: SessionDep, principal: Writer, dry_run: bool = False) -> ImportResult:
    """Upsert by serial, all-or-nothing: 422 listing every bad line (line, field, message) and nothing written."""
    fmt = format_for_content_type(request.headers.get("content-type"))
    return service.import_file(session=session, stream=body_stream(request), fmt=fmt, actor=principal, dry_run=dry_run)


@router.get("/{femtocell_id}", response_model=FemtocellPublic, summary="Read a femtocell")
def get_femtocell(femtocell_id: FemtocellId, session: ReadSessionDep, _: Reader, response: Response) -> FemtocellPublic:
    """One femtocell, with its version as ETag."""
    record = service.get(session=session, femtocell_id=femtocell_id)
    response.headers["ETag"] = etag(record.version)
    return FemtocellPublic.model_validate(record, from_attributes=True)


@router.patch("/{femtocell_id}", response_model=FemtocellPublic, summary="Change a femtocell")
def update_femtocell(
    femtocell_id: FemtocellId,
    data: FemtocellUpdate,
    session: SessionDep,
    principal: Writer,
    if_match: IfMatch,
    response: Response,
) -> FemtocellPublic:
    """Change fields; a status change must follow the lifecycle (409 names the allowed next states)."""
    record = service.update(session=session, femtocell_id=femtocell_id, data=data, if_match=if_match, actor=principal)
    response.headers["ETag"] = etag(record.version)
    return FemtocellPublic.model_validate(record, from_attributes=True)


@router.delete("/{femtocell_id}", response_model=FemtocellPublic, summary="Decommission a femtocell")
def decommission_femtocell(
    femtocell_id: FemtocellId, session: SessionDep, principal: Writer, if_match: IfMatch, response: Response
) -> FemtocellPublic:
    """Decommission the unit (the record stays; its certificate must then be revoked). Final."""
    record = service.decommission(session=session, femtocell_id=femtocell_id, if_match=if_match, actor=principal)
    response.headers["ETag"] = etag(record.version)
    return FemtocellPublic.model_validate(record, from_attributes=True)


@router.get("/{femtocell_id}/history", response_model=list[AuditEventPublic], summary="A femtocell's change history")
def femtocell_history(femtocell_id: FemtocellId, session: ReadSessionDep, _: Reader) -> list[AuditEventPublic]:
    """Every audited change of the femtocell, oldest first, with who made it and the full state after."""
    return service.history(session=session, femtocell_id=femtocell_id)
