"""KPIs: definitions, yearly targets, measurements over time, and the latest status against this year's target."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from tracker.audit import service as audit
from tracker.auth.models import Principal
from tracker.errors import Conflict, NotFound
from tracker.kpis.models import (
    PERCENT_SCALE,
    Kpi,
    KpiCreate,
    KpiDirection,
    KpiMeasurement,
    KpiMeasurementCreate,
    KpiMeasurementPublic,
    KpiPublic,
    KpiStatus,
    KpiTarget,
    KpiTargetPublic,
    KpiTargetPut,
    KpiUnit,
    KpiUpdate,
)
from tracker.pagination import DEFAULT_LIMIT, Page, build_page, keyset_page
from tracker.plan.calendar import today_seoul
from tracker.plan.fields import changes_of
from tracker.plan.models import Workstream
from tracker.records import check_version, flush_versioned
from tracker.types import now_utc

_K = Kpi.__table__.c  # type: ignore[attr-defined]
_MEAS = KpiMeasurement.__table__.c  # type: ignore[attr-defined]


def display(value: int | None, unit: KpiUnit) -> str | None:
    """A value as people read it: '99.50%' for basis points, '1,234' for numbers."""
    if value is None:
        return None
    if unit == KpiUnit.percent:
        return f"{value / 100:.2f}%"
    return f"{value:,}"


def meets(value: int, target: int, direction: KpiDirection) -> bool:
    """Whether a value meets a target in the KPI's direction."""
    return value >= target if direction == KpiDirection.higher_is_better else value <= target


def _row(session: Session, id: int) -> Kpi:
    kpi = session.get(Kpi, id)
    if kpi is None:
        raise NotFound(f"No KPI with id {id}.", field="id")
    return kpi


def _targets(session: Session, ids: list[int]) -> dict[int, list[KpiTargetPublic]]:
    out: dict[int, list[KpiTargetPublic]] = defaultdict(list)
    if not ids:
        return out
    stmt = select(KpiTarget).where(col(KpiTarget.kpi_id).in_(ids)).order_by(col(KpiTarget.year))
    for target in session.exec(stmt):
        out[target.kpi_id].append(KpiTargetPublic.model_validate(target, from_attributes=True))
    return out


def _public(kpi: Kpi, targets: list[KpiTargetPublic]) -> KpiPublic:
    return KpiPublic.model_validate(kpi, from_attributes=True, update={"targets": targets})


def _check_value(kpi: Kpi, value: int, field: str) -> None:
    if kpi.unit == KpiUnit.percent and value > PERCENT_SCALE:
        raise Conflict(
            f"{value} is more than 100 % for KPI '{kpi.code}': percent values are basis points (0..10000).",
            field=field,
        )


def list_kpis(*, session: Session, cursor: str | None = None, limit: int = DEFAULT_LIMIT) -> Page[KpiPublic]:
    """KPIs by code with their targets."""
    kind = "kpi:code:asc"
    paged = keyset_page(select(Kpi), kind=kind, sort_column=_K.code, id_column=_K.id, cursor=cursor, limit=limit)
    page = build_page(list(session.execute(paged).scalars()), kind=kind, limit=limit, sort_attr="code")
    targets = _targets(session, [k.id for k in page.items])
    return Page(items=[_public(k, targets.get(k.id, [])) for k in page.items], next_cursor=page.next_cursor)


def get(*, session: Session, id: int) -> KpiPublic:
    """One KPI with its targets."""
    kpi = _row(session, id)
    return _public(kpi, _targets(session, [id]).get(id, []))


def create(*, session: Session, data: KpiCreate, actor: Principal) -> KpiPublic:
    """Define a KPI."""
    if session.exec(select(Kpi.id).where(col(Kpi.code) == data.code)).first() is not None:
        raise Conflict(f"A KPI with code '{data.code}' already exists.", field="code")
    if session.exec(select(Workstream.id).where(col(Workstream.code) == data.workstream)).first() is None:
        raise NotFound(f"Workstream '{data.workstream}' is not loaded; run 'sectrack seed' first.", field="workstream")
    kpi = Kpi.model_validate(data)
    session.add(kpi)
    session.flush()
    audit.record(session, actor=actor, action="create", entity_type="kpi", entity_id=kpi.id or 0, state=kpi)
    return _public(kpi, [])


def update(*, session: Session, id: int, data: KpiUpdate, if_match: int | None, actor: Principal) -> KpiPublic:
    """Change a KPI's names, description, direction or source."""
    kpi = _row(session, id)
    check_version(kpi, if_match, what=f"KPI '{kpi.code}'")
    changes = changes_of(data)
    for key, value in changes.items():
        setattr(kpi, key, value)
    if changes:
        kpi.updated_at = now_utc()
        session.add(kpi)
        flush_versioned(session, what=f"KPI '{kpi.code}'", expected=if_match)
        audit.record(session, actor=actor, action="update", entity_type="kpi", entity_id=kpi.id or 0, state=kpi)
    return get(session=session, id=id)


def put_target(*, session: Session, id: int, year: int, data: KpiTargetPut, actor: Principal) -> KpiTargetPublic:
    """Set (create or replace) a KPI's target for a year."""
    kpi = _row(session, id)
    _check_value(kpi, data.value, "value")
    target = session.exec(select(KpiTarget).where(col(KpiTarget.kpi_id) == id, col(KpiTarget.year) == year)).first()
    if target is None:
        target = KpiTarget(kpi_id=id, year=year, value=data.value, source=data.source)
        action = "create"
    elif target.value == data.value and target.source == data.source:
        return KpiTargetPublic.model_validate(target, from_attributes=True)
    else:
        target.value, target.source, target.updated_at = data.value, data.source, now_utc()
        action = "update"
    session.add(target)
    flush_versioned(session, what=f"The {year} target of KPI '{kpi.code}'")
    audit.record(session, actor=actor, action=action, entity_type="kpi_target", entity_id=target.id or 0, state=target)
    return KpiTargetPublic.model_validate(target, from_attributes=True)


def list_measurements(
    *,
    session: Session,
    id: int,
    since: date | None = None,
    until: date | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[KpiMeasurementPublic]:
    """A KPI's measurements, oldest first, optionally within dates (inclusive)."""
    _row(session, id)
    stmt = select(KpiMeasurement).where(col(KpiMeasurement.kpi_id) == id)
    if since is not None:
        stmt = stmt.where(col(KpiMeasurement.measured_on) >= since)
    if until is not None:
        stmt = stmt.where(col(KpiMeasurement.measured_on) <= until)
    kind = "kpi_measurement:measured_on:asc"
    paged = keyset_page(stmt, kind=kind, sort_column=_MEAS.measured_on, id_column=_MEAS.id, cursor=cursor, limit=limit)
    page = build_page(list(session.execute(paged).scalars()), kind=kind, limit=limit, sort_attr="measured_on")
    return Page(
        items=[KpiMeasurementPublic.model_validate(m, from_attributes=True) for m in page.items],
        next_cursor=page.next_cursor,
    )


def add_measurement(
    *, session: Session, id: int, data: KpiMeasurementCreate, actor: Principal, today: date | None = None
) -> KpiMeasurementPublic:
    """Record a KPI's value on a date (not in the future)."""
    today = today or today_seoul()
    kpi = _row(session, id)
    _check_value(kpi, data.value, "value")
    if data.measured_on > today:
        raise Conflict(f"measured_on {data.measured_on} is in the future.", field="measured_on")
    measurement = KpiMeasurement.model_validate(data.model_dump() | {"kpi_id": id, "created_by": actor.name})
    session.add(measurement)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="create",
        entity_type="kpi_measurement",
        entity_id=measurement.id or 0,
        state=measurement,
    )
    return KpiMeasurementPublic.model_validate(measurement, from_attributes=True)


def latest(*, session: Session, as_of: date | None = None) -> list[KpiStatus]:
    """Every KPI's latest measurement on or before `as_of` (default today) against that year's target."""
    as_of = as_of or today_seoul()
    kpis = list(session.exec(select(Kpi).order_by(col(Kpi.code))))
    ranked = (
        sa_select(
            _MEAS.id,
            func.row_number()
            .over(partition_by=_MEAS.kpi_id, order_by=(_MEAS.measured_on.desc(), _MEAS.id.desc()))
            .label("rank"),
        )
        .where(_MEAS.measured_on <= as_of)
        .subquery()
    )
    newest = {
        m.kpi_id: m
        for m in session.exec(
            select(KpiMeasurement).where(col(KpiMeasurement.id).in_(sa_select(ranked.c.id).where(ranked.c.rank == 1)))
        )
    }
    targets = _targets(session, [k.id for k in kpis if k.id is not None])
    out: list[KpiStatus] = []
    for kpi in kpis:
        kpi_targets = targets.get(kpi.id or 0, [])
        target = next((t.value for t in kpi_targets if t.year == as_of.year), None)
        measurement = newest.get(kpi.id or 0)
        out.append(
            KpiStatus(
                kpi=_public(kpi, kpi_targets),
                as_of=as_of,
                latest=None
                if measurement is None
                else KpiMeasurementPublic.model_validate(measurement, from_attributes=True),
                target=target,
                met=None if measurement is None or target is None else meets(measurement.value, target, kpi.direction),
                latest_display=None if measurement is None else display(measurement.value, kpi.unit),
                target_display=display(target, kpi.unit),
            )
        )
    return out
