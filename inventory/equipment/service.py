"""Legacy equipment: create, read, list, change (lifecycle rules), retire, history and bulk import."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from inventory import imports
from inventory.equipment.models import (
    ALLOWED_TRANSITIONS,
    REQUIRED_FIELDS,
    Equipment,
    EquipmentCreate,
    EquipmentFilter,
    EquipmentOrder,
    EquipmentPublic,
    EquipmentStatus,
    EquipmentUpdate,
)
from inventory.queries import prefix_match
from tracker.audit import service as audit
from tracker.audit.models import AuditEventPublic
from tracker.auth.models import Principal
from tracker.errors import Conflict, Invalid, NotFound
from tracker.pagination import DEFAULT_LIMIT, Page, build_page, keyset_page
from tracker.records import check_version, flush_versioned
from tracker.types import now_utc

ENTITY = "equipment"
_table = Equipment.__table__  # type: ignore[attr-defined]
_c = _table.c

_STAMPS = {EquipmentStatus.replaced: "replaced_at", EquipmentStatus.retired: "retired_at"}


def allowed_next(status: EquipmentStatus | str) -> list[str]:
    """The states an item in `status` may move to, sorted."""
    return sorted(str(s) for s in ALLOWED_TRANSITIONS[EquipmentStatus(status)])


def lifecycle_updates(
    *, asset_tag: str, current: Mapping[str, Any] | None, changes: Mapping[str, Any], now: Any
) -> dict[str, Any]:
    """The timestamps a status change stamps; Conflict naming the allowed next states if the move is illegal."""
    old = EquipmentStatus(current["status"]) if current is not None else None
    new = EquipmentStatus(changes.get("status") or old or EquipmentStatus.in_service)
    updates: dict[str, Any] = {}
    if old is None or new != old:
        if old is not None and new not in ALLOWED_TRANSITIONS[old]:
            allowed = ", ".join(allowed_next(old)) or "none"
            raise Conflict(
                f"Equipment '{asset_tag}' cannot go from {old} to {new}; allowed next states: {allowed}.",
                field="status",
            )
        stamp = _STAMPS.get(new)
        if stamp is not None and changes.get(stamp) is None:
            updates[stamp] = now
    return updates


def _finish_row(
    current: Mapping[str, Any] | None, record: dict[str, Any], changes: Mapping[str, Any], now: str
) -> None:
    """Import hook: the lifecycle rules of the API, applied to one imported row."""
    try:
        record.update(lifecycle_updates(asset_tag=record["asset_tag"], current=current, changes=changes, now=now))
    except Conflict as exc:
        raise imports.RowProblem(exc.field, exc.message) from exc


COLUMNS = imports.Columns(
    allowed=tuple(EquipmentCreate.model_fields),
    required=REQUIRED_FIELDS,
    empty_means_absent=frozenset({"status", "holds_personal_data"}),
)
IMPORT_SPEC = imports.UpsertSpec(
    table=_table,
    create_model=EquipmentCreate,
    natural_key="asset_tag",
    unique_keys=(),
    columns=COLUMNS,
    label="equipment",
    finish=_finish_row,
)


def _what(record: Equipment) -> str:
    return f"Equipment '{record.asset_tag}' (id {record.id})"


def _check_unique(session: Session, *, asset_tag: str | None, exclude_id: int | None) -> None:
    if asset_tag is None:
        return
    holder = session.execute(select(_c.id).where(_c.asset_tag == asset_tag)).first()
    if holder is not None and holder.id != exclude_id:
        raise Conflict(f"asset_tag '{asset_tag}' already belongs to equipment id {holder.id}.", field="asset_tag")


def create(*, session: Session, data: EquipmentCreate, actor: Principal) -> Equipment:
    """Add an item; 409 if its asset tag is taken."""
    _check_unique(session, asset_tag=data.asset_tag, exclude_id=None)
    values = data.model_dump()
    now = now_utc()
    values.update(lifecycle_updates(asset_tag=data.asset_tag, current=None, changes=values, now=now))
    record = Equipment(**values, created_at=now, updated_at=now)
    session.add(record)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"asset_tag '{data.asset_tag}' already exists.", field="asset_tag") from exc
    audit.record(session, actor=actor, action="create", entity_type=ENTITY, entity_id=record.id or 0, state=record)
    return record


def get(*, session: Session, equipment_id: int) -> Equipment:
    """One item by id; 404 if there is none."""
    record = session.get(Equipment, equipment_id)
    if record is None:
        raise NotFound(f"No equipment with id {equipment_id}.", field="id")
    return record


_ORDER_COLUMNS = {
    "id": _c.id,
    "asset_tag": _c.asset_tag,
    "end_of_support": _c.end_of_support,
    "criticality": _c.criticality,
    "updated_at": _c.updated_at,
}


def list_equipment(
    *,
    session: Session,
    filters: EquipmentFilter | None = None,
    order: EquipmentOrder = EquipmentOrder.id,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[EquipmentPublic]:
    """One keyset page of equipment matching every given filter, in the given order."""
    f = filters or EquipmentFilter()
    stmt = select(*_table.c)
    for name in ("status", "category", "vendor", "model", "criticality", "holds_personal_data", "replacement_wave"):
        value = getattr(f, name)
        if value is not None:
            stmt = stmt.where(_c[name] == value)
    if f.end_of_support_before is not None:
        stmt = stmt.where(_c.end_of_support < f.end_of_support_before)
    if f.end_of_support_after is not None:
        stmt = stmt.where(_c.end_of_support > f.end_of_support_after)
    if f.q is not None:
        stmt = stmt.where(prefix_match(session, _c.asset_tag, f.q))
    key = order.value.lstrip("-")
    kind = f"equipment:{order.value}"
    stmt = keyset_page(
        stmt,
        kind=kind,
        sort_column=_ORDER_COLUMNS[key],
        id_column=_c.id,
        descending=order.value.startswith("-"),
        cursor=cursor,
        limit=limit,
    )
    rows = [EquipmentPublic.model_construct(**r._mapping) for r in session.execute(stmt)]
    return build_page(rows, kind=kind, limit=limit, sort_attr=key)


def update(
    *, session: Session, equipment_id: int, data: EquipmentUpdate, if_match: int | None, actor: Principal
) -> Equipment:
    """Change fields of an item; status changes follow the lifecycle (409 otherwise), If-Match → 412 if stale."""
    record = get(session=session, equipment_id=equipment_id)
    check_version(record, if_match, what=_what(record))
    changes = data.model_dump(exclude_unset=True)
    for name in REQUIRED_FIELDS + ("status", "holds_personal_data"):
        if name in changes and changes[name] is None:
            raise Invalid(f"{name} may not be null.", field=name)
    _check_unique(session, asset_tag=changes.get("asset_tag"), exclude_id=record.id)
    current = record.model_dump()
    merged = {**current, **changes}
    now = now_utc()
    merged.update(lifecycle_updates(asset_tag=record.asset_tag, current=current, changes=changes, now=now))
    if merged == current:
        return record
    for name, value in merged.items():
        if current[name] != value:
            setattr(record, name, value)
    record.updated_at = now
    session.add(record)
    flush_versioned(session, what=_what(record), expected=if_match)
    audit.record(session, actor=actor, action="update", entity_type=ENTITY, entity_id=record.id or 0, state=record)
    return record


def retire(*, session: Session, equipment_id: int, if_match: int | None, actor: Principal) -> Equipment:
    """DELETE: retire the item (records are never removed); only from in_service or replaced."""
    return update(
        session=session,
        equipment_id=equipment_id,
        data=EquipmentUpdate(status=EquipmentStatus.retired),
        if_match=if_match,
        actor=actor,
    )


def history(*, session: Session, equipment_id: int) -> list[AuditEventPublic]:
    """Every audited change of one item, oldest first (from the audit chain)."""
    return audit.history(session, entity_type=ENTITY, entity_id=equipment_id)


def import_file(
    *,
    session: Session,
    stream: IO[bytes],
    fmt: imports.ImportFormat,
    actor: Principal,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> imports.ImportResult:
    """Upsert equipment from CSV/JSONL by asset tag, all-or-nothing (see `inventory.imports`)."""
    return imports.import_stream(
        session=session, stream=stream, fmt=fmt, spec=IMPORT_SPEC, actor=actor, dry_run=dry_run, progress=progress
    )


def import_path(
    *,
    session: Session,
    path: Path,
    fmt: imports.ImportFormat,
    actor: Principal,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> imports.ImportResult:
    """Upsert equipment from a CSV/JSONL file by asset tag, all-or-nothing (what `sectrack import equipment` runs)."""
    with path.open("rb") as stream:
        return import_file(session=session, stream=stream, fmt=fmt, actor=actor, dry_run=dry_run, progress=progress)


def import_records(
    *, session: Session, records: Iterable[Mapping[str, Any]], actor: Principal, what: str = "import"
) -> imports.ImportResult:
    """Upsert equipment from field dicts (seed data) through the same validation and bulk path as files."""
    errors = imports.ErrorCollector()
    rows = ((n, dict(r)) for n, r in enumerate(records, start=1))
    return imports.upsert(session=session, rows=rows, spec=IMPORT_SPEC, actor=actor, errors=errors, what=what)
