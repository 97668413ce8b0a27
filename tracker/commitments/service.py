"""The commitments register: create, list, change status, record measurements and evidence; what is overdue.

Rules between fields or against the stored state (a window that ends before it starts, "met" without evidence)
are 409 conflicts naming the field; malformed values are refused by the API models (422).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from tracker.audit import service as audit
from tracker.auth.models import Principal
from tracker.commitments.models import (
    OPEN_COMMITMENT_STATUSES,
    Commitment,
    CommitmentCreate,
    CommitmentDetail,
    CommitmentEvidence,
    CommitmentMeasurement,
    CommitmentPublic,
    CommitmentStatus,
    CommitmentUpdate,
    EvidenceCreate,
    EvidencePublic,
    MeasurementCreate,
    MeasurementPublic,
    MeasurementValue,
)
from tracker.errors import Conflict, NotFound
from tracker.governance.fields import changes_of
from tracker.governance.items import AgendaContext, AgendaItem, DueItem, Severity
from tracker.governance.schedule import seoul_today
from tracker.pagination import DEFAULT_LIMIT, Page, build_page, keyset_page
from tracker.records import check_version, flush_versioned
from tracker.types import now_utc

_c = Commitment.__table__.c  # type: ignore[attr-defined]
_m = CommitmentMeasurement.__table__.c  # type: ignore[attr-defined]
_e = CommitmentEvidence.__table__.c  # type: ignore[attr-defined]

# A status may move to these next; "met" additionally needs evidence, "withdrawn" a status note.
TRANSITIONS: dict[CommitmentStatus, frozenset[CommitmentStatus]] = {
    CommitmentStatus.planned: frozenset(
        {CommitmentStatus.in_progress, CommitmentStatus.met, CommitmentStatus.withdrawn}
    ),
    CommitmentStatus.in_progress: frozenset(
        {CommitmentStatus.planned, CommitmentStatus.met, CommitmentStatus.withdrawn}
    ),
    CommitmentStatus.met: frozenset({CommitmentStatus.in_progress}),
    CommitmentStatus.withdrawn: frozenset({CommitmentStatus.planned}),
}

# How far ahead a commitment counts as "due soon" on an agenda.
AGENDA_HORIZON_DAYS = 30


@dataclass(frozen=True)
class OverdueCommitment:
    """A commitment past its due date that is neither met nor withdrawn (the controls domain makes it a finding)."""

    commitment_id: int
    code: str
    title_ko: str
    title_en: str
    owner: str
    due_on: date
    days_overdue: int
    status: CommitmentStatus


def _unmet_by(day: date) -> ColumnElement[bool]:
    """Commitments not kept by `day`: still open, or met only after it (for agendas taken in the past)."""
    return or_(
        _c.status.in_([s.value for s in OPEN_COMMITMENT_STATUSES]),
        and_(_c.status == CommitmentStatus.met.value, _c.met_on > day),
    )


def _overdue_on(today: date) -> ColumnElement[bool]:
    return and_(_c.due_on < today, _unmet_by(today))


def _is_overdue(commitment: Commitment, today: date) -> bool:
    return commitment.due_on < today and CommitmentStatus(commitment.status) in OPEN_COMMITMENT_STATUSES


def _load(session: Session, commitment_id: int) -> Commitment:
    commitment = session.get(Commitment, commitment_id)
    if commitment is None:
        raise NotFound(f"No commitment with id {commitment_id}.", field="id")
    return commitment


def get_by_code(*, session: Session, code: str) -> Commitment:
    """The commitment with this code; NotFound naming the code otherwise."""
    commitment = session.scalars(select(Commitment).where(_c.code == code)).first()
    if commitment is None:
        raise NotFound(f"No commitment with code '{code}'.", field="code")
    return commitment


def exists(*, session: Session, code: str) -> bool:
    """True when a commitment with this code is in the register."""
    return session.scalar(select(func.count()).select_from(Commitment).where(_c.code == code)) == 1


def _public(session: Session, rows: builtins.list[Commitment], today: date) -> builtins.list[CommitmentPublic]:
    """API forms of a page of commitments, with their evidence counts and newest measured values (two queries)."""
    ids = [r.id for r in rows]
    evidence_counts: dict[int, int] = {}
    latest: dict[int, dict[str, MeasurementValue]] = {}
    if ids:
        evidence_counts = {
            cid: int(n)
            for cid, n in session.execute(
                select(_e.commitment_id, func.count()).where(_e.commitment_id.in_(ids)).group_by(_e.commitment_id)
            )
        }
        measurements = session.execute(
            select(_m.commitment_id, _m.metric, _m.value, _m.unit, _m.measured_on, _m.source)
            .where(_m.commitment_id.in_(ids))
            .order_by(_m.measured_on, _m.id)
        )
        for cid, metric, value, unit, measured_on, source in measurements:
            # Ordered oldest first, so the newest value of each metric is the one left standing.
            latest.setdefault(cid, {})[metric] = MeasurementValue(
                metric=metric, value=value, unit=unit, measured_on=measured_on, source=source
            )
    out = []
    for row in rows:
        overdue = _is_overdue(row, today)
        out.append(
            CommitmentPublic.model_validate(
                row.model_dump()
                | {
                    "overdue": overdue,
                    "days_late": (today - row.due_on).days if overdue else 0,
                    "evidence_count": evidence_counts.get(row.id or 0, 0),
                    "measured": sorted(latest.get(row.id or 0, {}).values(), key=lambda m: m.metric),
                }
            )
        )
    return out


def _check_dates(window_start: date | None, due_on: date, retroactive_from: date | None) -> None:
    if window_start is not None and window_start > due_on:
        raise Conflict(
            f"window_start {window_start.isoformat()} is after due_on {due_on.isoformat()}; "
            "a window ends on its due date.",
            field="window_start",
        )
    if retroactive_from is not None and retroactive_from > due_on:
        raise Conflict(
            f"retroactive_from {retroactive_from.isoformat()} is after due_on {due_on.isoformat()}.",
            field="retroactive_from",
        )


def create(
    *, session: Session, data: CommitmentCreate, actor: Principal, today: date | None = None
) -> CommitmentPublic:
    """Add a commitment to the register (status planned); the code must be new."""
    if exists(session=session, code=data.code):
        raise Conflict(f"A commitment with code '{data.code}' already exists.", field="code")
    _check_dates(data.window_start, data.due_on, data.retroactive_from)
    commitment = Commitment(**data.model_dump())
    session.add(commitment)
    flush_versioned(session, what=f"Commitment '{data.code}'")
    audit.record(
        session, actor=actor, action="create", entity_type="commitment", entity_id=commitment.id or 0, state=commitment
    )
    return _public(session, [commitment], today or seoul_today())[0]


def get(*, session: Session, commitment_id: int, today: date | None = None) -> CommitmentDetail:
    """One commitment with its measurements and evidence."""
    commitment = _load(session, commitment_id)
    public = _public(session, [commitment], today or seoul_today())[0]
    return CommitmentDetail.model_validate(
        public.model_dump()
        | {
            "measurements": list_measurements(session=session, commitment_id=commitment_id),
            "evidence": list_evidence(session=session, commitment_id=commitment_id),
        }
    )


def list(  # noqa: A001 - the service verb every domain uses
    *,
    session: Session,
    status: CommitmentStatus | None = None,
    owner: str | None = None,
    category: str | None = None,
    overdue: bool | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    today: date | None = None,
) -> Page[CommitmentPublic]:
    """Commitments by due date, filtered; `overdue` is judged on `today` (Asia/Seoul)."""
    today = today or seoul_today()
    stmt = select(Commitment)
    if status is not None:
        stmt = stmt.where(_c.status == status.value)
    if owner is not None:
        stmt = stmt.where(_c.owner == owner)
    if category is not None:
        stmt = stmt.where(_c.category == category)
    if overdue is True:
        stmt = stmt.where(_overdue_on(today))
    elif overdue is False:
        stmt = stmt.where(~_overdue_on(today))
    kind = "commitment:due_on:asc"
    stmt = keyset_page(stmt, kind=kind, sort_column=_c.due_on, id_column=_c.id, cursor=cursor, limit=limit)
    rows = builtins.list(session.scalars(stmt))
    page = build_page(rows, kind=kind, limit=limit, sort_attr="due_on")
    return Page[CommitmentPublic](items=_public(session, page.items, today), next_cursor=page.next_cursor)


_REQUIRED = frozenset({"title_ko", "title_en", "due_on", "owner", "status"})


def update(
    *,
    session: Session,
    commitment_id: int,
    data: CommitmentUpdate,
    if_match: int | None,
    actor: Principal,
    today: date | None = None,
) -> CommitmentDetail:
    """Change a commitment; status moves follow TRANSITIONS, "met" needs evidence, "withdrawn" a status note."""
    today = today or seoul_today()
    commitment = _load(session, commitment_id)
    what = f"Commitment '{commitment.code}'"
    check_version(commitment, if_match, what=what)
    changes = changes_of(data, required=_REQUIRED)
    new_status = changes.pop("status", None)
    met_on = changes.pop("met_on", None)
    for name, value in changes.items():
        setattr(commitment, name, value)
    _check_dates(commitment.window_start, commitment.due_on, commitment.retroactive_from)
    current = CommitmentStatus(commitment.status)
    if new_status is not None and new_status != current:
        _change_status(session, commitment, CommitmentStatus(new_status), met_on, today)
    elif met_on is not None:
        if current is not CommitmentStatus.met:
            raise Conflict(f"{what} is {current}; met_on applies only to a met commitment.", field="met_on")
        _check_met_on(met_on, today)
        commitment.met_on = met_on
    commitment.updated_at = now_utc()
    session.add(commitment)
    flush_versioned(session, what=what, expected=if_match)
    audit.record(
        session, actor=actor, action="update", entity_type="commitment", entity_id=commitment.id or 0, state=commitment
    )
    return get(session=session, commitment_id=commitment_id, today=today)


def _check_met_on(met_on: date, today: date) -> None:
    if met_on > today:
        raise Conflict(f"met_on {met_on.isoformat()} is in the future (today is {today.isoformat()}).", field="met_on")


def _change_status(
    session: Session, commitment: Commitment, new: CommitmentStatus, met_on: date | None, today: date
) -> None:
    current = CommitmentStatus(commitment.status)
    what = f"Commitment '{commitment.code}'"
    if new not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none"
        raise Conflict(f"{what} cannot go from {current} to {new}; allowed next states: {allowed}.", field="status")
    if new is CommitmentStatus.met:
        evidence = session.scalar(
            select(func.count()).select_from(CommitmentEvidence).where(_e.commitment_id == commitment.id)
        )
        if not evidence:
            raise Conflict(f"{what} cannot be marked met without evidence; file evidence first.", field="status")
        commitment.met_on = met_on or today
        _check_met_on(commitment.met_on, today)
    else:
        commitment.met_on = None
    if new is CommitmentStatus.withdrawn and not commitment.status_note:
        raise Conflict(f"{what} cannot be withdrawn without a status_note saying why.", field="status_note")
    commitment.status = new


def add_measurement(
    *, session: Session, commitment_id: int, data: MeasurementCreate, actor: Principal
) -> MeasurementPublic:
    """Record a measured value of a commitment (append-only)."""
    _load(session, commitment_id)
    row = CommitmentMeasurement(**data.model_dump(), commitment_id=commitment_id, recorded_by=actor.name)
    session.add(row)
    session.flush()
    audit.record(
        session, actor=actor, action="create", entity_type="commitment_measurement", entity_id=row.id or 0, state=row
    )
    return MeasurementPublic.model_validate(row, from_attributes=True)


def list_measurements(*, session: Session, commitment_id: int) -> builtins.list[MeasurementPublic]:
    """Every measurement of a commitment, oldest first."""
    _load(session, commitment_id)
    rows = session.scalars(
        select(CommitmentMeasurement).where(_m.commitment_id == commitment_id).order_by(_m.measured_on, _m.id)
    )
    return [MeasurementPublic.model_validate(r, from_attributes=True) for r in rows]


def add_evidence(*, session: Session, commitment_id: int, data: EvidenceCreate, actor: Principal) -> EvidencePublic:
    """File evidence for a commitment (append-only)."""
    _load(session, commitment_id)
    row = CommitmentEvidence(**data.model_dump(), commitment_id=commitment_id, recorded_by=actor.name)
    session.add(row)
    session.flush()
    audit.record(
        session, actor=actor, action="create", entity_type="commitment_evidence", entity_id=row.id or 0, state=row
    )
    return EvidencePublic.model_validate(row, from_attributes=True)


def list_evidence(*, session: Session, commitment_id: int) -> builtins.list[EvidencePublic]:
    """Every piece of evidence of a commitment, oldest first."""
    _load(session, commitment_id)
    rows = session.scalars(select(CommitmentEvidence).where(_e.commitment_id == commitment_id).order_by(_e.id))
    return [EvidencePublic.model_validate(r, from_attributes=True) for r in rows]


def overdue(*, session: Session, today: date | None = None) -> builtins.list[OverdueCommitment]:
    """Commitments past their due date on `today` that are neither met nor withdrawn, most overdue first.

    This is the hook for "overdue commitments are findings": the controls domain calls it during a control run
    and opens (or keeps open) one finding per result, closing findings whose commitment no longer appears.
    """
    today = today or seoul_today()
    rows = session.scalars(select(Commitment).where(_overdue_on(today)).order_by(_c.due_on, _c.id))
    return [
        OverdueCommitment(
            commitment_id=r.id or 0,
            code=r.code,
            title_ko=r.title_ko,
            title_en=r.title_en,
            owner=r.owner,
            due_on=r.due_on,
            days_overdue=(today - r.due_on).days,
            status=CommitmentStatus(r.status),
        )
        for r in rows
    ]


def agenda_items(session: Session, ctx: AgendaContext) -> Iterable[AgendaItem]:
    """Agenda source: commitments overdue on the meeting's day (high) or due within 30 days (medium)."""
    horizon = date.fromordinal(ctx.today.toordinal() + AGENDA_HORIZON_DAYS)
    rows = session.scalars(
        select(Commitment)
        .where(_unmet_by(ctx.today), _c.due_on <= horizon, _c.status != CommitmentStatus.withdrawn.value)
        .order_by(_c.due_on, _c.id)
    )
    for r in rows:
        late = (ctx.today - r.due_on).days
        yield AgendaItem(
            kind="commitment_overdue" if late > 0 else "commitment_due",
            title=f"{r.title_en} / {r.title_ko}",
            severity=Severity.high if late > 0 else Severity.medium,
            owner=r.owner,
            due_on=r.due_on,
            status=f"{late} days overdue" if late > 0 else f"due in {-late} days",
            ref_type="commitment",
            ref_id=r.code,
        )


def due_items(session: Session, today: date, until: date) -> Iterable[DueItem]:
    """Reminder source: open commitments due by `until`, overdue ones included."""
    rows = session.scalars(
        select(Commitment)
        .where(_c.status.in_([s.value for s in OPEN_COMMITMENT_STATUSES]), _c.due_on <= until)
        .order_by(_c.due_on, _c.id)
    )
    for r in rows:
        yield DueItem(
            kind="commitment",
            title=r.title_en,
            owner=r.owner,
            due_on=r.due_on,
            status=str(r.status),
            ref_type="commitment",
            ref_id=r.code,
        )
