"""Legacy equipment over HTTP: list, read, create, change, retire, history, bulk import."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status

from inventory.equipment import service
from inventory.equipment.models import (
    EquipmentCreate,
    EquipmentFilter,
    EquipmentOrder,
    EquipmentPublic,
    EquipmentUpdate,
)
from inventory.http import body_stream
from inventory.imports import IMPORT_BODY, ImportResult, format_for_content_type
from inventory.responses import json_page
from tracker.audit.models import AuditEventPublic
from tracker.deps import Cursor, IfMatch, Limit, Reader, ReadSessionDep, SessionDep, Writer, etag
from tracker.pagination import DEFAULT_LIMIT, Page

router = APIRouter(prefix="/equipment", tags=["equipment"])

EquipmentId = Annotated[int, Path(ge=1, le=2_147_483_647, description="The equipment's id.")]


@router.get("", response_model=Page[EquipmentPublic], summary="List equipment")
def list_equipment(
    session: ReadSessionDep,
    _: Reader,
    filters: Annotated[EquipmentFilter, Query()],
    order_by: EquipmentOrder = EquipmentOrder.id,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Response:
    """Equipment matching every filter given, one keyset page at a time; `q` is an asset-tag prefix."""
    return json_page(
        service.list_equipment(session=session, filters=filters, order=order_by, cursor=cursor, limit=limit)
    )


@router.post("", response_model=EquipmentPublic, status_code=status.HTTP_201_CREATED, summary="Add an equipment item")
def create_equipment(
    data: EquipmentCreate, session: SessionDep, principal: Writer, response: Response
) -> EquipmentPublic:
    """Add one item; 409 if its asset tag is taken."""
    record = service.create(session=session, data=data, actor=principal)
    response.headers["ETag"] = etag(record.version)
    return EquipmentPublic.model_validate(record, from_attributes=True)


@router.post(
    "/import",
    response_model=ImportResult,
    summary="Bulk import equipment (CSV or NDJSON)",
    openapi_extra=IMPORT_BODY,
)
def import_equipment(request: Request, session: SessionDep, principal: Writer, dry_run: bool = False) -> ImportResult:
    """Upsert by asset tag, all-or-nothing: 422 listing every bad line (line, field, message) and nothing written."""
    fmt = format_for_content_type(request.headers.get("content-type"))
    return service.import_file(session=session, stream=body_stream(request), fmt=fmt, actor=principal, dry_run=dry_run)


@router.get("/{equipment_id}", response_model=EquipmentPublic, summary="Read an equipment item")
def get_equipment(equipment_id: EquipmentId, session: ReadSessionDep, _: Reader, response: Response) -> EquipmentPublic:
    """One item, with its version as ETag."""
    record = service.get(session=session, equipment_id=equipment_id)
    response.headers["ETag"] = etag(record.version)
    return EquipmentPublic.model_validate(record, from_attributes=True)


@router.patch("/{equipment_id}", response_model=EquipmentPublic, summary="Change an equipment item")
def update_equipment(
    equipment_id: EquipmentId,
    data: EquipmentUpdate,
    session: SessionDep,
    principal: Writer,
    if_match: IfMatch,
    response: Response,
) -> EquipmentPublic:
    """Change fields; a status change must follow the lifecycle (409 names the allowed next states)."""
    record = service.update(session=session, equipment_id=equipment_id, data=data, if_match=if_match, actor=principal)
    response.headers["ETag"] = etag(record.version)
    return EquipmentPublic.model_validate(record, from_attributes=True)


@router.delete("/{equipment_id}", response_model=EquipmentPublic, summary="Retire an equipment item")
def retire_equipment(
    equipment_id: EquipmentId, session: SessionDep, principal: Writer, if_match: IfMatch, response: Response
) -> EquipmentPublic:
    """Retire the item (the record stays); allowed from in_service or replaced. Final."""
    record = service.retire(session=session, equipment_id=equipment_id, if_match=if_match, actor=principal)
    response.headers["ETag"] = etag(record.version)
    return EquipmentPublic.model_validate(record, from_attributes=True)


@router.get(
    "/{equipment_id}/history", response_model=list[AuditEventPublic], summary="An equipment item's change history"
)
def equipment_history(equipment_id: EquipmentId, session: ReadSessionDep, _: Reader) -> list[AuditEventPublic]:
    """Every audited change of the item, oldest first, with who made it and the full state after."""
    return service.history(session=session, equipment_id=equipment_id)
