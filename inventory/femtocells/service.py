"""Femtocell inventory: create, read, list, change (lifecycle rules), decommission, history and bulk import."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from inventory import imports
from inventory.femtocells.models import (
    ALLOWED_TRANSITIONS,
    REQUIRED_FIELDS,
    Femtocell,
    FemtocellCreate,
    FemtocellFilter,
    FemtocellOrder,
    FemtocellPublic,
    FemtocellStatus,
    FemtocellUpdate,
)
from inventory.fields import ipv4_as_int
from inventory.queries import prefix_match
from tracker.audit import service as audit
from tracker.audit.models import AuditEventPublic
from tracker.auth.models import Principal
from tracker.errors import Conflict, Invalid, NotFound
from tracker.pagination import DEFAULT_LIMIT, Page, build_page, keyset_page
from tracker.records import check_version, flush_versioned
from tracker.types import now_utc

ENTITY = "femtocell"
_table = Femtocell.__table__  # type: ignore[attr-defined]
_c = _table.c

# The timestamp a status change stamps (when the client did not give it).
_STAMPS = {"active": "activated_at", "blocked": "blocked_at", "lost": "lost_at", "decommissioned": "decommissioned_at"}
_ALLOWED = {str(s): frozenset(str(n) for n in nexts) for s, nexts in ALLOWED_TRANSITIONS.items()}


def allowed_next(status: FemtocellStatus | str) -> list[str]:
    """The states a femtocell in `status` may move to, sorted."""
    return sorted(str(s) for s in ALLOWED_TRANSITIONS[FemtocellStatus(status)])


def lifecycle_updates(
    *, serial: str, current: Mapping[str, Any] | None, changes: Mapping[str, Any], now: Any
) -> dict[str, Any]:
    """The fields a change implies besides itself (lifecycle timestamps, revocation flag); Conflict if illegal.

    Works on stored values or on JSON-ready values alike (`now` is copied as given), so the API and the bulk import
    apply the same rules. `current` is None for a new record, which may start in any state.
    """
    # Compared as plain strings: this runs once per imported row.
    old = str(current["status"]) if current is not None else None
    new = str(changes.get("status") or old or "registered")
    updates: dict[str, Any] = {}
    if old is None or new != old:
        if old is not None and new not in _ALLOWED[old]:
            allowed = ", ".join(allowed_next(old)) or "none"
            raise Conflict(
                f"Femtocell '{serial}' cannot go from {old} to {new}; allowed next states: {allowed}.", field="status"
            )
        stamp = _STAMPS.get(new)
        first_activation = not (stamp == "activated_at" and current is not None and current.get("activated_at"))
        if stamp is not None and changes.get(stamp) is None and first_activation:
            updates[stamp] = now
        if new == "decommissioned":
            updates["cert_revocation_required"] = True
    if changes.get("recovered_at") is not None:
        was_lost = changes.get("lost_at") or updates.get("lost_at") or (current or {}).get("lost_at")
        if not was_lost:
            raise Conflict(
                f"Femtocell '{serial}' was never lost, so it cannot be recovered; set lost_at or mark it lost first.",
                field="recovered_at",
            )
    return updates


def check_consistency(record: Mapping[str, Any]) -> None:
    """Invalid when the record contradicts itself (a certificate that ends before it starts)."""
    before, after = record.get("cert_not_before"), record.get("cert_not_after")
    if before is not None and after is not None and after <= before:
        raise Invalid("cert_not_after must be later than cert_not_before.", field="cert_not_after")


def _finish_row(
    current: Mapping[str, Any] | None, record: dict[str, Any], changes: Mapping[str, Any], now: str
) -> None:
    """Import hook: apply the same lifecycle and consistency rules as the API to one imported row."""
    try:
        check_consistency(record)
        record.update(lifecycle_updates(serial=record["serial"], current=current, changes=changes, now=now))
    except (Conflict, Invalid) as exc:
        raise imports.RowProblem(exc.field, exc.message) from exc
    record["last_source_ip_v4"] = ipv4_as_int(record["last_source_ip"])


COLUMNS = imports.Columns(
    allowed=tuple(FemtocellCreate.model_fields),
    required=REQUIRED_FIELDS,
    empty_means_absent=frozenset({"status"}),
)
IMPORT_SPEC = imports.UpsertSpec(
    table=_table,
    create_model=FemtocellCreate,
    natural_key="serial",
    unique_keys=("cell_id",),
    columns=COLUMNS,
    label="femtocell",
    finish=_finish_row,
    server_defaults={"last_source_ip_v4": None, "cert_revocation_required": False},
)


def _what(record: Femtocell) -> str:
    return f"Femtocell '{record.serial}' (id {record.id})"


def _check_unique(session: Session, *, serial: str | None, cell_id: str | None, exclude_id: int | None) -> None:
    for column, value in (("serial", serial), ("cell_id", cell_id)):
        if value is None:
            continue
        holder = session.execute(select(_c.id, _c.serial).where(_c[column] == value)).first()
        if holder is not None and holder.id != exclude_id:
            raise Conflict(
                f"{column} '{value}' already belongs to femtocell '{holder.serial}' (id {holder.id}).", field=column
            )


def _flush_new(session: Session, record: Femtocell) -> None:
    session.add(record)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"A femtocell with serial '{record.serial}' or cell_id '{record.cell_id}' exists.") from exc


def create(*, session: Session, data: FemtocellCreate, actor: Principal) -> Femtocell:
    """Add a femtocell; 409 if its serial or cell id is taken."""
    values = data.model_dump()
    check_consistency(values)
    _check_unique(session, serial=data.serial, cell_id=data.cell_id, exclude_id=None)
    now = now_utc()
    values.update(lifecycle_updates(serial=data.serial, current=None, changes=values, now=now))
    record = Femtocell(**values, last_source_ip_v4=ipv4_as_int(data.last_source_ip), created_at=now, updated_at=now)
    _flush_new(session, record)
    audit.record(session, actor=actor, action="create", entity_type=ENTITY, entity_id=record.id or 0, state=record)
    return record


def get(*, session: Session, femtocell_id: int) -> Femtocell:
    """One femtocell by id; 404 if there is none."""
    record = session.get(Femtocell, femtocell_id)
    if record is None:
        raise NotFound(f"No femtocell with id {femtocell_id}.", field="id")
    return record


_ORDER_COLUMNS = {
    "id": _c.id,
    "serial": _c.serial,
    "cell_id": _c.cell_id,
    "cert_not_after": _c.cert_not_after,
    "updated_at": _c.updated_at,
}


def list_femtocells(
    *,
    session: Session,
    filters: FemtocellFilter | None = None,
    order: FemtocellOrder = FemtocellOrder.id,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[FemtocellPublic]:
    """One keyset page of femtocells matching every given filter, in the given order."""
    f = filters or FemtocellFilter()
    stmt = select(*_table.c)
    for name in ("status", "region", "vendor", "model", "site_type"):
        value = getattr(f, name)
        if value is not None:
            stmt = stmt.where(_c[name] == value)
    if f.cert_fingerprint is not None:
        stmt = stmt.where(_c.cert_fingerprint == f.cert_fingerprint.strip().lower())
    if f.cert_not_after_before is not None:
        stmt = stmt.where(_c.cert_not_after < f.cert_not_after_before)
    if f.cert_not_after_after is not None:
        stmt = stmt.where(_c.cert_not_after > f.cert_not_after_after)
    if f.q is not None:
        stmt = stmt.where(or_(prefix_match(session, _c.serial, f.q), prefix_match(session, _c.cell_id, f.q)))
    key = order.value.lstrip("-")
    descending = order.value.startswith("-")
    kind = f"femtocell:{order.value}"
    stmt = keyset_page(
        stmt,
        kind=kind,
        sort_column=_ORDER_COLUMNS[key],
        id_column=_c.id,
        descending=descending,
        cursor=cursor,
        limit=limit,
    )
    # Rows straight from the table need no validation; skipping it is most of a page's cost on a big fleet.
    rows = [FemtocellPublic.model_construct(**r._mapping) for r in session.execute(stmt)]
    return build_page(rows, kind=kind, limit=limit, sort_attr=key)


def update(
    *, session: Session, femtocell_id: int, data: FemtocellUpdate, if_match: int | None, actor: Principal
) -> Femtocell:
    """Change fields of a femtocell; status changes follow the lifecycle (409 otherwise), If-Match → 412 if stale."""
    record = get(session=session, femtocell_id=femtocell_id)
    check_version(record, if_match, what=_what(record))
    changes = data.model_dump(exclude_unset=True)
    for name in REQUIRED_FIELDS + ("status",):
        if name in changes and changes[name] is None:
            raise Invalid(f"{name} may not be null.", field=name)
    current = record.model_dump()
    merged = {**current, **changes}
    check_consistency(merged)
    _check_unique(session, serial=changes.get("serial"), cell_id=changes.get("cell_id"), exclude_id=record.id)
    now = now_utc()
    merged.update(lifecycle_updates(serial=record.serial, current=current, changes=changes, now=now))
    merged["last_source_ip_v4"] = ipv4_as_int(merged["last_source_ip"])
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


def decommission(*, session: Session, femtocell_id: int, if_match: int | None, actor: Principal) -> Femtocell:
    """DELETE: decommission the unit (records are never removed; the certificate must then be revoked)."""
    return update(
        session=session,
        femtocell_id=femtocell_id,
        data=FemtocellUpdate(status=FemtocellStatus.decommissioned),
        if_match=if_match,
        actor=actor,
    )


def history(*, session: Session, femtocell_id: int) -> list[AuditEventPublic]:
    """Every audited change of one femtocell, oldest first (from the audit chain)."""
    return audit.history(session, entity_type=ENTITY, entity_id=femtocell_id)


def import_file(
    *,
    session: Session,
    stream: IO[bytes],
    fmt: imports.ImportFormat,
    actor: Principal,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> imports.ImportResult:
    """Upsert femtocells from CSV/JSONL by serial, all-or-nothing (see `inventory.imports`)."""
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
    """Upsert femtocells from a CSV/JSONL file by serial, all-or-nothing (what `sectrack import femtocells` runs)."""
    with path.open("rb") as stream:
        return import_file(session=session, stream=stream, fmt=fmt, actor=actor, dry_run=dry_run, progress=progress)


def import_records(
    *, session: Session, records: Iterable[Mapping[str, Any]], actor: Principal, what: str = "import"
) -> imports.ImportResult:
    """Upsert femtocells from field dicts (seed data) through the same validation and bulk path as files."""
    errors = imports.ErrorCollector()
    rows = ((n, dict(r)) for n, r in enumerate(records, start=1))
    return imports.upsert(session=session, rows=rows, spec=IMPORT_SPEC, actor=actor, errors=errors, what=what)
