"""Governance services: bodies and cadence, the review cycle, decisions, action items, board packs, distribution.

The review cycle: `schedule` creates regular meetings from each body's cadence (idempotent: one meeting per cadence
slot); `prepare` snapshots the agenda from `agenda.AGENDA_SOURCES`; `hold` records date, attendees and minutes;
decisions and actions are added; `sign_off` (CISO or admin only) freezes the meeting: any later change to it, its
decisions, agenda or attendees is a 409 naming who signed it off and when. Action items keep their own lifecycle
after the meeting is frozen (they are how the board learns whether its decisions were carried out), and board packs
may still be archived and distributed (the pack of record is often re-issued after the meeting).

Rules between fields or against the stored state are 409 conflicts naming the field; malformed values are refused by
the API models (422). Everything that depends on "today" takes it as a parameter (default: today in Asia/Seoul).
"""

from __future__ import annotations

import builtins
import calendar
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import defer
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from tracker import canonical
from tracker.audit import service as audit
from tracker.audit.service import PendingEvent
from tracker.auth.models import APPROVERS, Principal
from tracker.commitments import service as commitments_service
from tracker.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from tracker.governance import agenda
from tracker.governance.fields import changes_of
from tracker.governance.items import AgendaContext, AgendaItem
from tracker.governance.models import (
    OPEN_ACTION_STATUSES,
    ActionCreate,
    ActionItem,
    ActionLink,
    ActionPublic,
    ActionStatus,
    ActionUpdate,
    AgendaEntry,
    AgendaEntryPublic,
    AttendeeIn,
    AttendeePublic,
    BoardPack,
    BoardPackPublic,
    Body,
    BodyCreate,
    BodyDetail,
    BodyKind,
    BodyMember,
    BodyMemberCreate,
    BodyMemberPublic,
    BodyPublic,
    BodyUpdate,
    BodyUpdateResult,
    Decision,
    DecisionCreate,
    DecisionPublic,
    DecisionUpdate,
    Distribution,
    DistributionCreate,
    DistributionPublic,
    HoldRequest,
    LinkIn,
    LinkType,
    Raci,
    RaciAssignment,
    RaciCreate,
    RaciPublic,
    Review,
    ReviewAttendee,
    ReviewCreate,
    ReviewDetail,
    ReviewKind,
    ReviewPublic,
    ReviewUpdate,
    ScheduleResult,
    SignOffRequest,
)
from tracker.governance.schedule import (
    Cadence,
    ReviewState,
    ReviewStatus,
    meeting_dates,
    review_status,
    seoul_today,
)
from tracker.pagination import DEFAULT_LIMIT, Page, build_page, keyset_page
from tracker.records import check_version, flush_versioned
from tracker.types import as_utc, now_utc, to_seoul

_body = Body.__table__.c  # type: ignore[attr-defined]
_member = BodyMember.__table__.c  # type: ignore[attr-defined]
_raci = RaciAssignment.__table__.c  # type: ignore[attr-defined]
_r = Review.__table__.c  # type: ignore[attr-defined]
_att = ReviewAttendee.__table__.c  # type: ignore[attr-defined]
_ag = AgendaEntry.__table__.c  # type: ignore[attr-defined]
_d = Decision.__table__.c  # type: ignore[attr-defined]
_a = ActionItem.__table__.c  # type: ignore[attr-defined]
_link = ActionLink.__table__.c  # type: ignore[attr-defined]
_bp = BoardPack.__table__.c  # type: ignore[attr-defined]
_dist = Distribution.__table__.c  # type: ignore[attr-defined]

# Scheduling further ahead than this is almost certainly a typo (and would create hundreds of meetings).
MAX_SCHEDULE_YEARS = 6
MAX_BOARD_PACK_BYTES = 50 * 1024 * 1024
_HASH = re.compile(r"^[0-9a-f]{64}$")

ACTION_TRANSITIONS: dict[ActionStatus, frozenset[ActionStatus]] = {
    ActionStatus.open: frozenset({ActionStatus.in_progress, ActionStatus.done, ActionStatus.cancelled}),
    ActionStatus.in_progress: frozenset({ActionStatus.open, ActionStatus.done, ActionStatus.cancelled}),
    ActionStatus.done: frozenset({ActionStatus.in_progress}),
    ActionStatus.cancelled: frozenset({ActionStatus.open}),
}


def _record(session: Session, actor: Principal, action: str, entity_type: str, row: object) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=getattr(row, "id", 0) or 0,
        state=row,  # type: ignore[arg-type]
    )


def _seoul_stamp(value: datetime) -> str:
    return f"{to_seoul(value):%Y-%m-%d %H:%M} (Seoul)"


# ---------------------------------------------------------------------------------------------------------------
# Bodies, members, RACI
# ---------------------------------------------------------------------------------------------------------------


def _load_body(session: Session, body_id: int) -> Body:
    body = session.get(Body, body_id)
    if body is None:
        raise NotFound(f"No governance body with id {body_id}.", field="body_id")
    return body


def get_body_by_code(*, session: Session, code: str) -> Body:
    """The body with this code (e.g. 'board'); NotFound naming the code otherwise."""
    body = session.scalars(select(Body).where(_body.code == code)).first()
    if body is None:
        raise NotFound(f"No governance body with code '{code}'.", field="code")
    return body


def _cadence_of(fields: BodyCreate | Body) -> Cadence:
    try:
        return fields.cadence()
    except ValueError as exc:
        raise Conflict(f"The cadence is inconsistent: {exc}.", field="cadence_freq") from exc


def create_body(*, session: Session, data: BodyCreate, actor: Principal) -> BodyPublic:
    """Add a governance body with its cadence; the code must be new."""
    if session.scalar(select(func.count()).select_from(Body).where(_body.code == data.code)):
        raise Conflict(f"A governance body with code '{data.code}' already exists.", field="code")
    _cadence_of(data)
    body = Body(**data.model_dump())
    session.add(body)
    flush_versioned(session, what=f"Body '{data.code}'")
    _record(session, actor, "create", "governance_body", body)
    return BodyPublic.model_validate(body, from_attributes=True)


def list_bodies(*, session: Session) -> builtins.list[BodyPublic]:
    """Every governance body (there are a handful), by id."""
    return [
        BodyPublic.model_validate(b, from_attributes=True) for b in session.scalars(select(Body).order_by(_body.id))
    ]


def get_body(*, session: Session, body_id: int) -> BodyDetail:
    """One body with its members and RACI assignments."""
    body = _load_body(session, body_id)
    members = session.scalars(select(BodyMember).where(_member.body_id == body_id).order_by(_member.id))
    return BodyDetail.model_validate(
        BodyPublic.model_validate(body, from_attributes=True).model_dump()
        | {
            "members": [BodyMemberPublic.model_validate(m, from_attributes=True) for m in members],
            "raci": list_raci(session=session, body_id=body_id),
        }
    )


def add_member(*, session: Session, body_id: int, data: BodyMemberCreate, actor: Principal) -> BodyMemberPublic:
    """Seat a member on a body."""
    _load_body(session, body_id)
    member = BodyMember(**data.model_dump(), body_id=body_id)
    session.add(member)
    flush_versioned(session, what=f"Member of body {body_id}")
    _record(session, actor, "create", "governance_body_member", member)
    return BodyMemberPublic.model_validate(member, from_attributes=True)


def assign_raci(*, session: Session, data: RaciCreate, actor: Principal) -> RaciPublic:
    """Assign a RACI letter for a workstream; a workstream has exactly one Accountable party."""
    _load_body(session, data.body_id)
    if data.member_id is not None:
        member = session.get(BodyMember, data.member_id)
        if member is None or member.body_id != data.body_id:
            raise NotFound(f"Body {data.body_id} has no member with id {data.member_id}.", field="member_id")
    same_party = and_(
        _raci.workstream == data.workstream.value,
        _raci.body_id == data.body_id,
        _raci.member_id.is_(None) if data.member_id is None else _raci.member_id == data.member_id,
    )
    if session.scalar(select(func.count()).select_from(RaciAssignment).where(same_party)):
        raise Conflict(f"That party already has a RACI role for workstream '{data.workstream}'.", field="role")
    if data.role is Raci.A and session.scalar(
        select(func.count())
        .select_from(RaciAssignment)
        .where(_raci.workstream == data.workstream.value, _raci.role == Raci.A.value)
    ):
        raise Conflict(f"Workstream '{data.workstream}' already has an Accountable party; only one.", field="role")
    row = RaciAssignment(**data.model_dump())
    session.add(row)
    session.flush()
    _record(session, actor, "create", "raci_assignment", row)
    return list_raci(session=session, raci_id=row.id)[0]


def list_raci(
    *,
    session: Session,
    workstream: str | None = None,
    body_id: int | None = None,
    raci_id: int | None = None,
) -> builtins.list[RaciPublic]:
    """RACI assignments with the parties' names, by workstream then R, A, C, I."""
    stmt = (
        select(RaciAssignment, _body.code, _member.title, _member.name)
        .join(Body, _body.id == _raci.body_id)
        .outerjoin(BodyMember, _member.id == _raci.member_id)
    )
    if workstream is not None:
        stmt = stmt.where(_raci.workstream == workstream)
    if body_id is not None:
        stmt = stmt.where(_raci.body_id == body_id)
    if raci_id is not None:
        stmt = stmt.where(_raci.id == raci_id)
    order = {letter.value: i for i, letter in enumerate(Raci)}
    rows = sorted(session.execute(stmt), key=lambda r: (str(r[0].workstream), order[str(r[0].role)], r[0].id))
    return [
        RaciPublic(
            id=row.id,
            workstream=row.workstream,
            role=row.role,
            body_id=row.body_id,
            body_code=code,
            member_id=row.member_id,
            member_title=title,
            member_name=name,
        )
        for row, code, title, name in rows
    ]


_CADENCE_FIELDS = frozenset(
    {
        "cadence_freq",
        "cadence_day",
        "cadence_weekday",
        "cadence_week",
        "cadence_month_in_quarter",
        "cadence_start",
    }
)


def update_body(
    *,
    session: Session,
    body_id: int,
    data: BodyUpdate,
    if_match: int | None,
    actor: Principal,
    today: date | None = None,
) -> BodyUpdateResult:
    """Change a body's officers or cadence. A new cadence re-plans the future, unprepared regular meetings.

    Each such meeting moves to the new date of its slot (month); meetings whose slot the new cadence no longer
    has are removed, and new slots up to the furthest meeting already planned are added. Past, prepared, held and
    signed-off meetings are never touched: what happened stays on record.
    """
    today = today or seoul_today()
    body = _load_body(session, body_id)
    what = f"Body '{body.code}'"
    check_version(body, if_match, what=what)
    changes = changes_of(data, required=frozenset({"chair_title", "secretary_title", "cadence_freq", "cadence_start"}))
    # Switching between "day of month" and "n-th weekday": naming one rule clears the other.
    if changes.get("cadence_day") is not None:
        changes.setdefault("cadence_weekday", None)
        changes.setdefault("cadence_week", None)
    if changes.get("cadence_weekday") is not None or changes.get("cadence_week") is not None:
        changes.setdefault("cadence_day", None)
    cadence_changed = any(getattr(body, k) != v for k, v in changes.items() if k in _CADENCE_FIELDS)
    for name, value in changes.items():
        setattr(body, name, value)
    _cadence_of(body)
    body.updated_at = now_utc()
    session.add(body)
    flush_versioned(session, what=what, expected=if_match)
    _record(session, actor, "update", "governance_body", body)
    moved: builtins.list[date] = []
    removed: builtins.list[date] = []
    added: builtins.list[date] = []
    if cadence_changed:
        moved, removed, added = _replan(session, body, today, actor)
    return BodyUpdateResult(
        body=get_body(session=session, body_id=body_id),
        moved_reviews=moved,
        removed_reviews=removed,
        added_reviews=added,
    )


def _period(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _replan(
    session: Session, body: Body, today: date, actor: Principal
) -> tuple[builtins.list[date], builtins.list[date], builtins.list[date]]:
    """Fit the body's future, untouched regular meetings to its new cadence (see `update_body`)."""
    future = builtins.list(
        session.scalars(
            select(Review)
            .where(
                _r.body_id == body.id,
                _r.kind == ReviewKind.regular.value,
                _r.state == ReviewState.scheduled.value,
                _r.scheduled_on >= today,
            )
            .order_by(_r.scheduled_on)
        )
    )
    if not future:
        return [], [], []
    # Up to the end of the month of the furthest meeting planned, so that month's slot is re-planned too.
    last = max(r.scheduled_on for r in future)
    horizon = date(last.year, last.month, calendar.monthrange(last.year, last.month)[1])
    # From the start of this month: this month's slot may already be filled, or its new day already past.
    start = max(today.replace(day=1), body.cadence_start)
    slots = {_period(d): d for d in meeting_dates(_cadence_of(body), start, horizon)}
    movable = {r.period: r for r in future if r.prepared_at is None and not _has_children(session, r)}
    moved, removed = [], []
    for period, review in sorted(movable.items(), key=lambda kv: kv[1].scheduled_on):
        if period in slots:
            new_day = slots[period]
            # The new cadence's day this month has passed: the meeting stays where it is rather than vanish.
            if new_day < today or review.scheduled_on == new_day:
                continue
            review.scheduled_on = new_day
            review.updated_at = now_utc()
            session.add(review)
            flush_versioned(session, what=f"Review {review.id}")
            _record(session, actor, "update", "review", review)
            moved.append(new_day)
        else:
            removed.append(review.scheduled_on)
            _record(session, actor, "delete", "review", review)
            session.delete(review)
    session.flush()
    filled = set(session.scalars(select(_r.period).where(_r.body_id == body.id, _r.period.in_(builtins.list(slots)))))
    added = []
    for period, day in sorted(slots.items()):
        if period not in filled and day >= today:
            _new_regular(session, body, day, actor)
            added.append(day)
    return moved, removed, added


def _has_children(session: Session, review: Review) -> bool:
    for columns in (_att, _ag, _d, _a, _bp):
        if session.execute(select(columns.review_id).where(columns.review_id == review.id).limit(1)).first():
            return True
    return False


# ---------------------------------------------------------------------------------------------------------------
# Reviews
# ---------------------------------------------------------------------------------------------------------------


def _body_codes(session: Session) -> dict[int, str]:
    return {int(i): str(c) for i, c in session.execute(select(_body.id, _body.code))}


def _days_late(review: Review, today: date) -> int:
    status = review_status(ReviewState(review.state), review.scheduled_on, today)
    if status is ReviewStatus.missed:
        return (today - review.scheduled_on).days
    if review.held_on is not None:
        return max(0, (review.held_on - review.scheduled_on).days)
    return 0


def _review_public(review: Review, body_code: str, today: date) -> ReviewPublic:
    return ReviewPublic.model_validate(
        review.model_dump()
        | {
            "body_code": body_code,
            "status": review_status(ReviewState(review.state), review.scheduled_on, today),
            "days_late": _days_late(review, today),
        }
    )


def _load_review(session: Session, review_id: int) -> Review:
    review = session.get(Review, review_id)
    if review is None:
        raise NotFound(f"No review with id {review_id}.", field="review_id")
    return review


def _ensure_not_frozen(review: Review) -> None:
    if ReviewState(review.state) is ReviewState.signed_off:
        assert review.signed_off_at is not None
        raise Conflict(
            f"Review {review.id} was signed off on {_seoul_stamp(review.signed_off_at)} by {review.signed_off_by}; "
            "it is frozen."
        )


def _title(body: Body, kind: ReviewKind, day: date) -> str:
    if kind is ReviewKind.regular:
        return f"{body.name_en} review {_period(day)}"
    return f"{body.name_en} extraordinary meeting {day.isoformat()}"


def _new_regular(session: Session, body: Body, day: date, actor: Principal) -> Review:
    review = Review(
        body_id=body.id or 0,
        kind=ReviewKind.regular,
        period=_period(day),
        title=_title(body, ReviewKind.regular, day),
        scheduled_on=day,
    )
    session.add(review)
    flush_versioned(session, what=f"Review of {body.code} for {_period(day)}")
    _record(session, actor, "create", "review", review)
    return review


def schedule(
    *,
    session: Session,
    until: date,
    actor: Principal,
    body_id: int | None = None,
    today: date | None = None,
) -> ScheduleResult:
    """Create the regular meetings every body's cadence calls for, from its start up to `until` (idempotent).

    One meeting per cadence slot (month): a slot that already has its meeting, even one moved to another day, is
    counted as existing. Slots in the past are created too, so a cadence adopted late shows the meetings it implies
    as missed until they are recorded as held.
    """
    today = today or seoul_today()
    limit = date(min(today.year + MAX_SCHEDULE_YEARS, date.max.year), 12, 31)
    if until > limit:
        raise Conflict(
            f"until {until.isoformat()} is more than {MAX_SCHEDULE_YEARS} years ahead; schedule up to "
            f"{limit.isoformat()} at most.",
            field="until",
        )
    bodies = (
        [_load_body(session, body_id)]
        if body_id is not None
        else builtins.list(session.scalars(select(Body).order_by(_body.id)))
    )
    created: builtins.list[Review] = []
    existing = 0
    for body in bodies:
        dates = meeting_dates(_cadence_of(body), body.cadence_start, until)
        if not dates:
            continue
        have = set(
            session.scalars(select(_r.period).where(_r.body_id == body.id, _r.period.in_([_period(d) for d in dates])))
        )
        for day in dates:
            if _period(day) in have:
                existing += 1
                continue
            created.append(_new_regular(session, body, day, actor))
    codes = _body_codes(session)
    return ScheduleResult(
        created=len(created),
        existing=existing,
        reviews=[_review_public(r, codes[r.body_id], today) for r in created],
    )


def create_review(*, session: Session, data: ReviewCreate, actor: Principal, today: date | None = None) -> ReviewDetail:
    """Call a meeting: extraordinary by default; a regular one fills its month's cadence slot if still free."""
    today = today or seoul_today()
    body = _load_body(session, data.body_id)
    kind = ReviewKind(data.kind)
    period = _period(data.scheduled_on) if kind is ReviewKind.regular else None
    if period is not None and session.scalar(
        select(func.count()).select_from(Review).where(_r.body_id == body.id, _r.period == period)
    ):
        raise Conflict(
            f"Body '{body.code}' already has its regular meeting for {period}; call an extraordinary one instead.",
            field="scheduled_on",
        )
    review = Review(
        body_id=body.id or 0,
        kind=kind,
        period=period,
        title=data.title or _title(body, kind, data.scheduled_on),
        scheduled_on=data.scheduled_on,
        location=data.location,
    )
    session.add(review)
    flush_versioned(session, what=f"Review of {body.code}")
    _record(session, actor, "create", "review", review)
    return get_review(session=session, review_id=review.id or 0, today=today)


def _status_filter(status: ReviewStatus, today: date) -> ColumnElement[bool]:
    if status is ReviewStatus.scheduled:
        return and_(_r.state == ReviewState.scheduled.value, _r.scheduled_on >= today)
    if status is ReviewStatus.missed:
        return and_(_r.state == ReviewState.scheduled.value, _r.scheduled_on < today)
    return _r.state == status.value


def list_reviews(
    *,
    session: Session,
    body_id: int | None = None,
    status: ReviewStatus | None = None,
    since: date | None = None,
    until: date | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    today: date | None = None,
) -> Page[ReviewPublic]:
    """Meetings by scheduled date, filtered by body, status (as of `today`) and date range (both included)."""
    today = today or seoul_today()
    stmt = select(Review)
    if body_id is not None:
        stmt = stmt.where(_r.body_id == body_id)
    if status is not None:
        stmt = stmt.where(_status_filter(status, today))
    if since is not None:
        stmt = stmt.where(_r.scheduled_on >= since)
    if until is not None:
        stmt = stmt.where(_r.scheduled_on <= until)
    kind = "review:scheduled_on:asc"
    stmt = keyset_page(stmt, kind=kind, sort_column=_r.scheduled_on, id_column=_r.id, cursor=cursor, limit=limit)
    page = build_page(builtins.list(session.scalars(stmt)), kind=kind, limit=limit, sort_attr="scheduled_on")
    codes = _body_codes(session)
    return Page[ReviewPublic](
        items=[_review_public(r, codes[r.body_id], today) for r in page.items], next_cursor=page.next_cursor
    )


def get_review(*, session: Session, review_id: int, today: date | None = None) -> ReviewDetail:
    """One meeting with its attendees, agenda snapshot, decisions and board-pack versions."""
    today = today or seoul_today()
    review = _load_review(session, review_id)
    attendees = session.scalars(select(ReviewAttendee).where(_att.review_id == review_id).order_by(_att.id))
    items = session.scalars(select(AgendaEntry).where(_ag.review_id == review_id).order_by(_ag.position))
    versions = session.scalars(select(_bp.pack_version).where(_bp.review_id == review_id).order_by(_bp.pack_version))
    public = _review_public(review, _body_codes(session)[review.body_id], today)
    return ReviewDetail.model_validate(
        public.model_dump()
        | {
            "attendees": [AttendeePublic.model_validate(a, from_attributes=True) for a in attendees],
            "agenda": [AgendaEntryPublic.model_validate(i, from_attributes=True) for i in items],
            "decisions": list_decisions(session=session, review_id=review_id),
            "board_pack_versions": builtins.list(versions),
        }
    )


def update_review(
    *,
    session: Session,
    review_id: int,
    data: ReviewUpdate,
    if_match: int | None,
    actor: Principal,
    today: date | None = None,
) -> ReviewDetail:
    """Edit a meeting. Its date moves only while it and the new date are still ahead; minutes, attendees and held
    date change only once held; a missed meeting takes a `missed_reason`. Frozen after sign-off."""
    today = today or seoul_today()
    review = _load_review(session, review_id)
    _ensure_not_frozen(review)
    what = f"Review {review_id}"
    check_version(review, if_match, what=what)
    changes = changes_of(data, required=frozenset({"title", "scheduled_on", "held_on", "attendees"}))
    state = ReviewState(review.state)
    status = review_status(state, review.scheduled_on, today)
    if "scheduled_on" in changes and changes["scheduled_on"] != review.scheduled_on:
        new_day: date = changes["scheduled_on"]
        if status is not ReviewStatus.scheduled:
            raise Conflict(
                f"{what} is {status}; only a meeting still ahead can be moved (a missed one keeps its date: "
                "hold it late or record a missed_reason).",
                field="scheduled_on",
            )
        if new_day < today:
            raise Conflict(f"scheduled_on {new_day.isoformat()} is in the past.", field="scheduled_on")
        review.scheduled_on = new_day
    for name in ("held_on", "minutes", "attendees"):
        if name in changes and state is not ReviewState.held:
            raise Conflict(f"{what} has not been held; record it with POST /reviews/{review_id}/hold.", field=name)
    if "held_on" in changes:
        _check_held_on(changes["held_on"], today)
        review.held_on = changes["held_on"]
    if "minutes" in changes:
        review.minutes = changes["minutes"]
    if "missed_reason" in changes:
        if status is not ReviewStatus.missed and changes["missed_reason"] is not None:
            raise Conflict(f"{what} is {status}, not missed; it needs no missed_reason.", field="missed_reason")
        review.missed_reason = changes["missed_reason"]
    for name in ("title", "location"):
        if name in changes:
            setattr(review, name, changes[name])
    if data.attendees is not None:
        _replace_attendees(session, review, data.attendees, actor)
    review.updated_at = now_utc()
    session.add(review)
    flush_versioned(session, what=what, expected=if_match)
    _record(session, actor, "update", "review", review)
    return get_review(session=session, review_id=review_id, today=today)


def _check_held_on(held_on: date, today: date) -> None:
    if held_on > today:
        raise Conflict(
            f"held_on {held_on.isoformat()} is in the future (today is {today.isoformat()} in Seoul).",
            field="held_on",
        )


def _replace_attendees(
    session: Session, review: Review, attendees: builtins.list[AttendeeIn], actor: Principal
) -> None:
    members = {m.id: m for m in session.scalars(select(BodyMember).where(_member.body_id == review.body_id))}
    rows = []
    for i, person in enumerate(attendees):
        if person.member_id is not None:
            member = members.get(person.member_id)
            if member is None:
                raise NotFound(
                    f"Body {review.body_id} has no member with id {person.member_id}.", field=f"attendees.{i}.member_id"
                )
            rows.append(
                ReviewAttendee(
                    review_id=review.id or 0,
                    member_id=member.id,
                    name=person.name or member.name,
                    title=person.title or member.title,
                )
            )
        else:
            if not person.name or not person.title:
                raise Invalid(
                    "An attendee who is not a body member needs both a name and a title.", field=f"attendees.{i}"
                )
            rows.append(ReviewAttendee(review_id=review.id or 0, name=person.name, title=person.title))
    for old in session.scalars(select(ReviewAttendee).where(_att.review_id == review.id)):
        _record(session, actor, "delete", "review_attendee", old)
        session.delete(old)
    session.flush()
    session.add_all(rows)
    session.flush()
    audit.record_many(
        session,
        actor=actor,
        events=[PendingEvent("create", "review_attendee", str(r.id), audit.state_of(r)) for r in rows],
    )


def prepare(*, session: Session, review_id: int, actor: Principal, as_of: datetime | None = None) -> ReviewDetail:
    """Snapshot the meeting's agenda from every agenda source as of `as_of` (default now), replacing any earlier
    snapshot. Only before the meeting is held: afterwards the agenda is the record of what was put to it."""
    as_of = as_utc(as_of) if as_of is not None else now_utc()
    review = _load_review(session, review_id)
    _ensure_not_frozen(review)
    if ReviewState(review.state) is ReviewState.held:
        raise Conflict(
            f"Review {review_id} was held on {review.held_on}; its agenda is the record of what was discussed."
        )
    body = _load_body(session, review.body_id)
    ctx = AgendaContext(
        review_id=review_id, body_id=body.id or 0, body_code=body.code, as_of=as_of, today=seoul_today(as_of)
    )
    for old in session.scalars(select(AgendaEntry).where(_ag.review_id == review_id)):
        _record(session, actor, "delete", "agenda_item", old)
        session.delete(old)
    session.flush()
    rows = [
        AgendaEntry(
            review_id=review_id,
            position=position,
            kind=item.kind[:40],
            title=item.title[:300],
            severity=item.severity,
            owner=item.owner[:100] if item.owner else None,
            due_on=item.due_on,
            status=item.status[:40],
            ref_type=item.ref_type[:40] if item.ref_type else None,
            ref_id=item.ref_id[:100] if item.ref_id else None,
            detail=item.detail[:1000] if item.detail else None,
            source=source[:100],
        )
        for position, (source, item) in enumerate(agenda.collect(session, ctx), start=1)
    ]
    session.add_all(rows)
    session.flush()
    audit.record_many(
        session, actor=actor, events=[PendingEvent("create", "agenda_item", str(r.id), audit.state_of(r)) for r in rows]
    )
    review.prepared_at = as_of
    review.updated_at = now_utc()
    session.add(review)
    flush_versioned(session, what=f"Review {review_id}")
    _record(session, actor, "prepare", "review", review)
    return get_review(session=session, review_id=review_id, today=seoul_today(as_of))


def hold(
    *,
    session: Session,
    review_id: int,
    data: HoldRequest,
    if_match: int | None,
    actor: Principal,
    today: date | None = None,
) -> ReviewDetail:
    """Record that a meeting took place: the day (not in the future), who attended, the minutes."""
    today = today or seoul_today()
    review = _load_review(session, review_id)
    _ensure_not_frozen(review)
    what = f"Review {review_id}"
    check_version(review, if_match, what=what)
    if ReviewState(review.state) is not ReviewState.scheduled:
        raise Conflict(f"{what} was already held on {review.held_on}; correct it with PATCH.", field="held_on")
    _check_held_on(data.held_on, today)
    _replace_attendees(session, review, data.attendees, actor)
    review.state = ReviewState.held
    review.held_on = data.held_on
    review.minutes = data.minutes
    if data.location is not None:
        review.location = data.location
    review.updated_at = now_utc()
    session.add(review)
    flush_versioned(session, what=what, expected=if_match)
    _record(session, actor, "hold", "review", review)
    return get_review(session=session, review_id=review_id, today=today)


def sign_off(
    *,
    session: Session,
    review_id: int,
    data: SignOffRequest,
    if_match: int | None,
    actor: Principal,
    at: datetime | None = None,
) -> ReviewDetail:
    """Sign off a held meeting with minutes, as its chair or the CISO (ciso and admin roles only); freezes it."""
    if actor.role not in APPROVERS:
        raise Forbidden(f"Role '{actor.role}' may not sign off a review; allowed: admin, ciso.")
    at = as_utc(at) if at is not None else now_utc()
    review = _load_review(session, review_id)
    _ensure_not_frozen(review)
    what = f"Review {review_id}"
    check_version(review, if_match, what=what)
    if ReviewState(review.state) is not ReviewState.held:
        raise Conflict(f"{what} has not been held; only a held meeting can be signed off.", field="state")
    if not review.minutes:
        raise Conflict(f"{what} has no minutes; record them before signing off.", field="minutes")
    review.state = ReviewState.signed_off
    review.signed_off_at = at
    review.signed_off_by = actor.name
    review.signed_off_role = str(actor.role)
    review.sign_off_capacity = data.capacity
    review.sign_off_note = data.note
    review.updated_at = now_utc()
    session.add(review)
    flush_versioned(session, what=what, expected=if_match)
    _record(session, actor, "sign_off", "review", review)
    return get_review(session=session, review_id=review_id, today=seoul_today(at))


# ---------------------------------------------------------------------------------------------------------------
# Decisions
# ---------------------------------------------------------------------------------------------------------------


def list_decisions(*, session: Session, review_id: int) -> builtins.list[DecisionPublic]:
    """A meeting's decisions in order, each with its count of open action items."""
    _load_review(session, review_id)
    open_counts = dict(
        session.execute(
            select(_a.decision_id, func.count())
            .where(_a.review_id == review_id, _a.status.in_([s.value for s in OPEN_ACTION_STATUSES]))
            .group_by(_a.decision_id)
        ).all()
    )
    rows = session.scalars(select(Decision).where(_d.review_id == review_id).order_by(_d.number))
    return [
        DecisionPublic.model_validate(d.model_dump() | {"open_actions": int(open_counts.get(d.id, 0))}) for d in rows
    ]


def _load_decision(session: Session, review_id: int, decision_id: int) -> Decision:
    decision = session.get(Decision, decision_id)
    if decision is None or decision.review_id != review_id:
        raise NotFound(f"Review {review_id} has no decision with id {decision_id}.", field="decision_id")
    return decision


def add_decision(*, session: Session, review_id: int, data: DecisionCreate, actor: Principal) -> DecisionPublic:
    """Record a decision of a held meeting (numbered 1, 2, ... within it)."""
    review = _load_review(session, review_id)
    _ensure_not_frozen(review)
    if ReviewState(review.state) is not ReviewState.held:
        raise Conflict(f"Review {review_id} has not been held; decisions are recorded once it is.", field="review_id")
    number = (session.scalar(select(func.max(_d.number)).where(_d.review_id == review_id)) or 0) + 1
    decision = Decision(review_id=review_id, number=number, text=data.text)
    session.add(decision)
    flush_versioned(session, what=f"Decision {number} of review {review_id}")
    _record(session, actor, "create", "review_decision", decision)
    return DecisionPublic.model_validate(decision.model_dump())


def update_decision(
    *,
    session: Session,
    review_id: int,
    decision_id: int,
    data: DecisionUpdate,
    if_match: int | None,
    actor: Principal,
) -> DecisionPublic:
    """Correct a decision's wording until the meeting is signed off."""
    review = _load_review(session, review_id)
    decision = _load_decision(session, review_id, decision_id)
    _ensure_not_frozen(review)
    what = f"Decision {decision.number} of review {review_id}"
    check_version(decision, if_match, what=what)
    changes = changes_of(data, required=frozenset({"text"}))
    if "text" in changes:
        decision.text = changes["text"]
    decision.updated_at = now_utc()
    session.add(decision)
    flush_versioned(session, what=what, expected=if_match)
    _record(session, actor, "update", "review_decision", decision)
    return list_decisions_by_id(session=session, decision_id=decision_id)


def list_decisions_by_id(*, session: Session, decision_id: int) -> DecisionPublic:
    """One decision with its open-action count."""
    decision = session.get(Decision, decision_id)
    if decision is None:
        raise NotFound(f"No decision with id {decision_id}.", field="decision_id")
    return next(d for d in list_decisions(session=session, review_id=decision.review_id) if d.id == decision_id)


# ---------------------------------------------------------------------------------------------------------------
# Action items
# ---------------------------------------------------------------------------------------------------------------


def _load_action(session: Session, action_id: int) -> ActionItem:
    action = session.get(ActionItem, action_id)
    if action is None:
        raise NotFound(f"No action item with id {action_id}.", field="id")
    return action


def _links_of(session: Session, ids: builtins.list[int]) -> dict[int, builtins.list[LinkIn]]:
    out: dict[int, builtins.list[LinkIn]] = {}
    if ids:
        rows = session.execute(
            select(_link.action_id, _link.link_type, _link.link_ref)
            .where(_link.action_id.in_(ids))
            .order_by(_link.action_id, _link.id)
        )
        for action_id, link_type, link_ref in rows:
            out.setdefault(action_id, []).append(LinkIn(link_type=link_type, link_ref=link_ref))
    return out


def _action_public(session: Session, rows: builtins.list[ActionItem], today: date) -> builtins.list[ActionPublic]:
    links = _links_of(session, [r.id for r in rows if r.id is not None])
    out = []
    for row in rows:
        overdue = ActionStatus(row.status) in OPEN_ACTION_STATUSES and row.due_on < today
        out.append(
            ActionPublic.model_validate(
                row.model_dump()
                | {
                    "overdue": overdue,
                    "days_late": (today - row.due_on).days if overdue else 0,
                    "links": links.get(row.id or 0, []),
                }
            )
        )
    return out


def _check_links(session: Session, links: builtins.list[LinkIn]) -> None:
    seen = set()
    for i, link in enumerate(links):
        key = (link.link_type, link.link_ref)
        if key in seen:
            raise Conflict(f"Link {link.link_type} '{link.link_ref}' is listed twice.", field=f"links.{i}")
        seen.add(key)
        # Only commitments live on this side; milestones, findings and controls are checked by their domains.
        if link.link_type is LinkType.commitment and not commitments_service.exists(
            session=session, code=link.link_ref
        ):
            raise NotFound(f"No commitment with code '{link.link_ref}'.", field=f"links.{i}.link_ref")


def _replace_links(session: Session, action: ActionItem, links: builtins.list[LinkIn], actor: Principal) -> None:
    for old in session.scalars(select(ActionLink).where(_link.action_id == action.id)):
        _record(session, actor, "delete", "action_item_link", old)
        session.delete(old)
    session.flush()
    for link in links:
        row = ActionLink(action_id=action.id or 0, link_type=link.link_type, link_ref=link.link_ref)
        session.add(row)
        session.flush()
        _record(session, actor, "create", "action_item_link", row)


def create_action(*, session: Session, data: ActionCreate, actor: Principal, today: date | None = None) -> ActionPublic:
    """Add an action item; raised by a decision (its meeting is implied) or a meeting that is not yet frozen."""
    today = today or seoul_today()
    review_id = data.review_id
    if data.decision_id is not None:
        decision = session.get(Decision, data.decision_id)
        if decision is None:
            raise NotFound(f"No decision with id {data.decision_id}.", field="decision_id")
        if review_id is not None and review_id != decision.review_id:
            raise Conflict(
                f"Decision {data.decision_id} belongs to review {decision.review_id}, not {review_id}.",
                field="review_id",
            )
        review_id = decision.review_id
    if review_id is not None:
        _ensure_not_frozen(_load_review(session, review_id))
    raised_on = data.raised_on or today
    if data.due_on < raised_on:
        raise Conflict(
            f"due_on {data.due_on.isoformat()} is before the action was raised ({raised_on.isoformat()}).",
            field="due_on",
        )
    _check_links(session, data.links)
    action = ActionItem(
        title=data.title,
        description=data.description,
        owner=data.owner,
        due_on=data.due_on,
        review_id=review_id,
        decision_id=data.decision_id,
        raised_on=raised_on,
    )
    session.add(action)
    flush_versioned(session, what="Action item")
    _record(session, actor, "create", "action_item", action)
    _replace_links(session, action, data.links, actor)
    return _action_public(session, [action], today)[0]


def get_action(*, session: Session, action_id: int, today: date | None = None) -> ActionPublic:
    """One action item with its links."""
    return _action_public(session, [_load_action(session, action_id)], today or seoul_today())[0]


def list_actions(
    *,
    session: Session,
    owner: str | None = None,
    status: ActionStatus | None = None,
    overdue: bool | None = None,
    review_id: int | None = None,
    link_type: LinkType | None = None,
    link_ref: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    today: date | None = None,
) -> Page[ActionPublic]:
    """Action items by due date, filtered; `overdue` means open and past due on `today` (Asia/Seoul)."""
    today = today or seoul_today()
    stmt = select(ActionItem)
    if owner is not None:
        stmt = stmt.where(_a.owner == owner)
    if status is not None:
        stmt = stmt.where(_a.status == status.value)
    is_overdue = and_(_a.status.in_([s.value for s in OPEN_ACTION_STATUSES]), _a.due_on < today)
    if overdue is True:
        stmt = stmt.where(is_overdue)
    elif overdue is False:
        stmt = stmt.where(~is_overdue)
    if review_id is not None:
        stmt = stmt.where(_a.review_id == review_id)
    if link_type is not None or link_ref is not None:
        linked = select(_link.action_id)
        if link_type is not None:
            linked = linked.where(_link.link_type == link_type.value)
        if link_ref is not None:
            linked = linked.where(_link.link_ref == link_ref)
        stmt = stmt.where(_a.id.in_(linked))
    kind = "action:due_on:asc"
    stmt = keyset_page(stmt, kind=kind, sort_column=_a.due_on, id_column=_a.id, cursor=cursor, limit=limit)
    page = build_page(builtins.list(session.scalars(stmt)), kind=kind, limit=limit, sort_attr="due_on")
    return Page[ActionPublic](items=_action_public(session, page.items, today), next_cursor=page.next_cursor)


def update_action(
    *,
    session: Session,
    action_id: int,
    data: ActionUpdate,
    if_match: int | None,
    actor: Principal,
    today: date | None = None,
) -> ActionPublic:
    """Progress, re-plan or close an action. Done and cancelled record `closed_on` (default today); reopening
    clears it. Allowed after the raising meeting is frozen: following decisions through is the point."""
    today = today or seoul_today()
    action = _load_action(session, action_id)
    what = f"Action item {action_id}"
    check_version(action, if_match, what=what)
    changes = changes_of(data, required=frozenset({"title", "owner", "due_on", "status", "links"}))
    new_status = changes.pop("status", None)
    closed_on = changes.pop("closed_on", None)
    changes.pop("links", None)
    for name, value in changes.items():
        setattr(action, name, value)
    if action.due_on < action.raised_on:
        raise Conflict(
            f"due_on {action.due_on.isoformat()} is before the action was raised ({action.raised_on.isoformat()}).",
            field="due_on",
        )
    current = ActionStatus(action.status)
    closing = (ActionStatus.done, ActionStatus.cancelled)
    if new_status is not None and ActionStatus(new_status) is not current:
        new = ActionStatus(new_status)
        if new not in ACTION_TRANSITIONS[current]:
            allowed = ", ".join(sorted(ACTION_TRANSITIONS[current]))
            raise Conflict(f"{what} cannot go from {current} to {new}; allowed next states: {allowed}.", field="status")
        action.status = new
        action.closed_on = (closed_on or today) if new in closing else None
    elif closed_on is not None:
        if current not in closing:
            raise Conflict(
                f"{what} is {current}; closed_on applies only to a done or cancelled action.", field="closed_on"
            )
        action.closed_on = closed_on
    if action.closed_on is not None:
        if action.closed_on > today:
            raise Conflict(f"closed_on {action.closed_on.isoformat()} is in the future.", field="closed_on")
        if action.closed_on < action.raised_on:
            raise Conflict(
                f"closed_on {action.closed_on.isoformat()} is before the action was raised.", field="closed_on"
            )
    if data.links is not None:
        _check_links(session, data.links)
    action.updated_at = now_utc()
    session.add(action)
    flush_versioned(session, what=what, expected=if_match)
    _record(session, actor, "update", "action_item", action)
    if data.links is not None:
        _replace_links(session, action, data.links, actor)
    return _action_public(session, [action], today)[0]


@dataclass(frozen=True)
class OverdueAction:
    """An open action item past its due date (the controls domain makes it a finding)."""

    action_id: int
    title: str
    owner: str
    due_on: date
    days_overdue: int
    review_id: int | None


@dataclass(frozen=True)
class MissedReview:
    """A meeting whose day passed without it being held (the controls domain makes it a finding)."""

    review_id: int
    body_code: str
    title: str
    scheduled_on: date
    days_missed: int
    missed_reason: str | None


def overdue_actions(*, session: Session, today: date | None = None) -> builtins.list[OverdueAction]:
    """Open action items past their due date on `today`, most overdue first: the hook for "overdue actions are
    findings" (the controls domain opens one finding per result and closes those that no longer appear)."""
    today = today or seoul_today()
    rows = session.scalars(
        select(ActionItem)
        .where(_a.status.in_([s.value for s in OPEN_ACTION_STATUSES]), _a.due_on < today)
        .order_by(_a.due_on, _a.id)
    )
    return [
        OverdueAction(
            action_id=a.id or 0,
            title=a.title,
            owner=a.owner,
            due_on=a.due_on,
            days_overdue=(today - a.due_on).days,
            review_id=a.review_id,
        )
        for a in rows
    ]


def missed_reviews(*, session: Session, today: date | None = None) -> builtins.list[MissedReview]:
    """Meetings missed as of `today`, oldest first: the hook for "missed reviews are findings". A recorded
    `missed_reason` explains a miss but does not undo it, so explained misses are listed too."""
    today = today or seoul_today()
    codes = _body_codes(session)
    rows = session.scalars(
        select(Review).where(_status_filter(ReviewStatus.missed, today)).order_by(_r.scheduled_on, _r.id)
    )
    return [
        MissedReview(
            review_id=r.id or 0,
            body_code=codes[r.body_id],
            title=r.title,
            scheduled_on=r.scheduled_on,
            days_missed=(today - r.scheduled_on).days,
            missed_reason=r.missed_reason,
        )
        for r in rows
    ]


# ---------------------------------------------------------------------------------------------------------------
# Board packs and distribution
# ---------------------------------------------------------------------------------------------------------------


def _pack_public(pack: BoardPack) -> BoardPackPublic:
    return BoardPackPublic(
        id=pack.id or 0,
        review_id=pack.review_id,
        pack_version=pack.pack_version,
        sha256=pack.sha256,
        size_bytes=pack.size_bytes,
        as_of=pack.as_of,
        chain_head_seq=pack.chain_head_seq,
        chain_head_hash=pack.chain_head_hash,
        generated_at=pack.generated_at,
        generated_by=pack.generated_by,
    )


def archive_board_pack(
    *,
    session: Session,
    meeting_id: int,
    pdf: bytes,
    as_of: datetime,
    chain_head_seq: int,
    chain_head_hash: str,
    actor: Principal,
) -> BoardPackPublic:
    """Store a rendered board pack as the review's next version, with its SHA-256 and the chain head it reflects.

    Allowed for a signed-off review too: a pack issued before sign-off is often archived or re-issued after it, and
    archiving never changes the meeting. The audit event carries the row without the PDF bytes (hash and size pin
    them; see `BoardPack`).
    """
    review = _load_review(session, meeting_id)
    if not pdf.startswith(b"%PDF-"):
        raise Invalid("The board pack is not a PDF (it does not start with %PDF-).", field="pdf")
    if len(pdf) > MAX_BOARD_PACK_BYTES:
        raise TooLarge(f"The board pack is {len(pdf)} bytes; the limit is {MAX_BOARD_PACK_BYTES}.", field="pdf")
    if chain_head_seq < 0 or not _HASH.match(chain_head_hash):
        raise Invalid("The chain head must be a sequence number >= 0 and a 64-hex-digit hash.", field="chain_head")
    if as_of.tzinfo is None:
        raise Invalid("as_of must be timezone-aware.", field="as_of")
    latest = session.scalar(select(func.max(_bp.pack_version)).where(_bp.review_id == review.id)) or 0
    pack = BoardPack(
        review_id=review.id or 0,
        pack_version=latest + 1,
        sha256=hashlib.sha256(pdf).hexdigest(),
        size_bytes=len(pdf),
        as_of=as_utc(as_of),
        chain_head_seq=chain_head_seq,
        chain_head_hash=chain_head_hash,
        generated_by=actor.name,
        pdf=pdf,
    )
    session.add(pack)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="create",
        entity_type="board_pack",
        entity_id=pack.id or 0,
        state=board_pack_state(pack),
    )
    return _pack_public(pack)


def board_pack_state(pack: BoardPack) -> dict[str, object]:
    """The audit state of a board pack: every column except the PDF bytes (see `BoardPack`)."""
    state = {c.name: getattr(pack, c.name) for c in _bp if c.name != "pdf"}
    loaded: dict[str, object] = json.loads(canonical.dumps(state))
    return loaded


def list_board_packs(*, session: Session, review_id: int) -> builtins.list[BoardPackPublic]:
    """Every archived version of a review's board pack, oldest first (metadata only)."""
    _load_review(session, review_id)
    rows = session.scalars(
        select(BoardPack).options(defer(BoardPack.pdf)).where(_bp.review_id == review_id).order_by(_bp.pack_version)  # type: ignore[arg-type]
    )
    return [_pack_public(p) for p in rows]


def _load_pack(session: Session, review_id: int, pack_version: int, *, field: str = "pack_version") -> BoardPack:
    _load_review(session, review_id)
    pack = session.scalars(
        select(BoardPack)
        .options(defer(BoardPack.pdf))  # type: ignore[arg-type]
        .where(_bp.review_id == review_id, _bp.pack_version == pack_version)
    ).first()
    if pack is None:
        raise NotFound(f"Review {review_id} has no board pack version {pack_version}.", field=field)
    return pack


def get_board_pack(*, session: Session, review_id: int, pack_version: int) -> BoardPackPublic:
    """One board-pack version's metadata."""
    return _pack_public(_load_pack(session, review_id, pack_version))


@dataclass(frozen=True)
class StoredPdf:
    """An archived PDF and what identifies it."""

    content: bytes
    sha256: str
    filename: str


def board_pack_pdf(*, session: Session, review_id: int, pack_version: int) -> StoredPdf:
    """The stored bytes of one board-pack version, exactly as archived."""
    pack = _load_pack(session, review_id, pack_version)
    content = session.scalar(select(_bp.pdf).where(_bp.id == pack.id))
    assert content is not None
    return StoredPdf(
        content=bytes(content), sha256=pack.sha256, filename=f"board-pack-review-{review_id}-v{pack_version}.pdf"
    )


def record_distribution(
    *,
    session: Session,
    review_id: int,
    data: DistributionCreate,
    actor: Principal,
    now: datetime | None = None,
) -> builtins.list[DistributionPublic]:
    """Log that a board-pack version reached each recipient (one row per recipient); the version must exist."""
    now = as_utc(now) if now is not None else now_utc()
    review = _load_review(session, review_id)
    pack = session.scalars(
        select(BoardPack)
        .options(defer(BoardPack.pdf))  # type: ignore[arg-type]
        .where(_bp.review_id == review_id, _bp.pack_version == data.pack_version)
    ).first()
    if pack is None:
        versions = builtins.list(session.scalars(select(_bp.pack_version).where(_bp.review_id == review_id)))
        have = ", ".join(str(v) for v in sorted(versions)) or "none yet"
        raise Conflict(
            f"Review {review_id} has no board pack version {data.pack_version} (versions: {have}).",
            field="pack_version",
        )
    sent_at = data.sent_at or now
    if sent_at > now + timedelta(minutes=5):
        raise Conflict(f"sent_at {sent_at.isoformat()} is in the future.", field="sent_at")
    if sent_at < pack.generated_at:
        raise Conflict(
            f"sent_at {sent_at.isoformat()} is before version {pack.pack_version} was generated "
            f"({pack.generated_at.isoformat()}).",
            field="sent_at",
        )
    rows = [
        Distribution(
            board_pack_id=pack.id or 0,
            review_id=review.id or 0,
            pack_version=pack.pack_version,
            recipient=recipient,
            channel=data.channel,
            sent_at=sent_at,
            note=data.note,
            recorded_by=actor.name,
        )
        for recipient in data.recipients
    ]
    session.add_all(rows)
    session.flush()
    audit.record_many(
        session,
        actor=actor,
        events=[PendingEvent("create", "board_pack_distribution", str(r.id), audit.state_of(r)) for r in rows],
    )
    return [DistributionPublic.model_validate(r, from_attributes=True) for r in rows]


def list_distributions(*, session: Session, review_id: int) -> builtins.list[DistributionPublic]:
    """The distribution log of a review's board packs, in the order sent."""
    _load_review(session, review_id)
    rows = session.scalars(select(Distribution).where(_dist.review_id == review_id).order_by(_dist.sent_at, _dist.id))
    return [DistributionPublic.model_validate(r, from_attributes=True) for r in rows]


# ---------------------------------------------------------------------------------------------------------------
# Reports: the governance record, the meeting a board pack is for, what it is asked to decide
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BodyRecord:
    """One body's review record up to a day: meetings due, held, missed, signed off, and its next meeting."""

    body_id: int
    code: str
    name_ko: str
    name_en: str
    due: int
    held: int
    missed: int
    signed_off: int
    next_meeting: date | None


@dataclass(frozen=True)
class BoardPackRecord:
    """Board packs archived up to a day: versions, meetings covered, and how many copies were distributed."""

    versions: int
    meetings: int
    distributions: int
    recipients: int
    latest_generated_at: datetime | None


def governance_record(*, session: Session, today: date | None = None) -> builtins.list[BodyRecord]:
    """Per body (in id order), counted in SQL: meetings scheduled on or before `today` and what became of them.

    Held and signed-off meetings count as held; a scheduled meeting whose day has passed is missed (a recorded
    reason explains a miss but does not undo it). Bodies with no cadence and no meetings are left out.
    """
    today = today or seoul_today()
    due = _r.scheduled_on <= today
    scheduled = _r.state == ReviewState.scheduled.value
    counts = {
        int(body_id): (int(n_due or 0), int(n_held or 0), int(n_missed or 0), int(n_signed or 0), upcoming)
        for body_id, n_due, n_held, n_missed, n_signed, upcoming in session.execute(
            select(
                _r.body_id,
                func.count().filter(due),
                func.count().filter(and_(due, ~scheduled)),
                func.count().filter(and_(scheduled, _r.scheduled_on < today)),
                func.count().filter(and_(due, _r.state == ReviewState.signed_off.value)),
                func.min(_r.scheduled_on).filter(and_(scheduled, _r.scheduled_on >= today)),
            ).group_by(_r.body_id)
        )
    }
    out = []
    for body in session.scalars(select(Body).order_by(_body.id)):
        n_due, n_held, n_missed, n_signed, upcoming = counts.get(body.id or 0, (0, 0, 0, 0, None))
        if n_due == 0 and upcoming is None:
            continue
        out.append(
            BodyRecord(
                body_id=body.id or 0,
                code=body.code,
                name_ko=body.name_ko,
                name_en=body.name_en,
                due=n_due,
                held=n_held,
                missed=n_missed,
                signed_off=n_signed,
                next_meeting=upcoming,
            )
        )
    return out


def board_pack_record(*, session: Session) -> BoardPackRecord:
    """Board-pack versions archived, the meetings they cover, and the distribution log's size (SQL counts)."""
    versions, meetings, latest = session.execute(
        select(func.count(_bp.id), func.count(func.distinct(_bp.review_id)), func.max(_bp.generated_at))
    ).one()
    sent, recipients = session.execute(select(func.count(_dist.id), func.count(func.distinct(_dist.recipient)))).one()
    latest_at = latest if isinstance(latest, datetime) or latest is None else datetime.fromisoformat(str(latest))
    return BoardPackRecord(
        versions=int(versions or 0),
        meetings=int(meetings or 0),
        distributions=int(sent or 0),
        recipients=int(recipients or 0),
        latest_generated_at=as_utc(latest_at) if latest_at is not None else None,
    )


def board_meeting_for_pack(*, session: Session, today: date | None = None) -> Review | None:
    """The board meeting a pack made on `today` is for: the next one not yet held, else the latest one."""
    today = today or seoul_today()
    board = select(_body.id).where(_body.kind == BodyKind.board.value).scalar_subquery()
    upcoming = session.scalars(
        select(Review)
        .where(_r.body_id.in_(board), _r.state == ReviewState.scheduled.value, _r.scheduled_on >= today)
        .order_by(_r.scheduled_on, _r.id)
        .limit(1)
    ).first()
    if upcoming is not None:
        return upcoming
    return session.scalars(
        select(Review)
        .where(_r.body_id.in_(board), _r.scheduled_on <= today)
        .order_by(_r.scheduled_on.desc(), _r.id.desc())
        .limit(1)
    ).first()


def latest_board_meeting(*, session: Session, today: date | None = None) -> Review | None:
    """The most recent board meeting scheduled on or before `today` (the demo archives its pack against it)."""
    today = today or seoul_today()
    board = select(_body.id).where(_body.kind == BodyKind.board.value).scalar_subquery()
    return session.scalars(
        select(Review)
        .where(_r.body_id.in_(board), _r.scheduled_on <= today)
        .order_by(_r.scheduled_on.desc(), _r.id.desc())
        .limit(1)
    ).first()


@dataclass(frozen=True)
class MeetingAgenda:
    """What a meeting is asked to consider: its prepared agenda snapshot, or the agenda as it would be now."""

    review: ReviewPublic
    body_name_ko: str
    body_name_en: str
    prepared: bool
    items: builtins.list[AgendaItem]


def meeting_agenda(*, session: Session, review_id: int, as_of: datetime, today: date) -> MeetingAgenda:
    """A meeting's agenda: the snapshot taken when it was prepared, else computed from the sources as of `as_of`."""
    review = _load_review(session, review_id)
    body = _load_body(session, review.body_id)
    entries = builtins.list(
        session.scalars(select(AgendaEntry).where(_ag.review_id == review_id).order_by(_ag.position))
    )
    if entries:
        items = [
            AgendaItem(
                kind=e.kind,
                title=e.title,
                severity=e.severity,
                owner=e.owner,
                due_on=e.due_on,
                status=e.status,
                ref_type=e.ref_type,
                ref_id=e.ref_id,
                detail=e.detail,
            )
            for e in entries
        ]
    else:
        ctx = AgendaContext(review_id=review_id, body_id=body.id or 0, body_code=body.code, as_of=as_of, today=today)
        items = [item for _, item in agenda.collect(session, ctx)]
    return MeetingAgenda(
        review=_review_public(review, body.code, today),
        body_name_ko=body.name_ko,
        body_name_en=body.name_en,
        prepared=bool(entries),
        items=items,
    )


def open_actions_counts(*, session: Session, today: date, horizon_days: int) -> tuple[int, int]:
    """(overdue, due within `horizon_days`) open action items on `today`, counted in SQL."""
    open_ = _a.status.in_([s.value for s in OPEN_ACTION_STATUSES])
    overdue, due_soon = session.execute(
        select(
            func.count().filter(_a.due_on < today),
            func.count().filter(_a.due_on >= today, _a.due_on <= today + timedelta(days=horizon_days)),
        ).where(open_)
    ).one()
    return int(overdue or 0), int(due_soon or 0)


def actions_due(*, session: Session, today: date, horizon_days: int, limit: int) -> builtins.list[ActionPublic]:
    """Open action items overdue on `today` or due within `horizon_days`, oldest due first, at most `limit`."""
    rows = builtins.list(
        session.scalars(
            select(ActionItem)
            .where(
                _a.status.in_([s.value for s in OPEN_ACTION_STATUSES]),
                _a.due_on <= today + timedelta(days=horizon_days),
            )
            .order_by(_a.due_on, _a.id)
            .limit(limit)
        )
    )
    return _action_public(session, rows, today)


def latest_decisions(
    *, session: Session, today: date, limit: int
) -> tuple[ReviewPublic | None, builtins.list[DecisionPublic]]:
    """The decisions of the latest board meeting held on or before `today`, with their open action counts."""
    board = select(_body.id).where(_body.kind == BodyKind.board.value).scalar_subquery()
    review = session.scalars(
        select(Review)
        .where(_r.body_id.in_(board), _r.held_on.is_not(None), _r.held_on <= today)
        .order_by(_r.held_on.desc(), _r.id.desc())
        .limit(1)
    ).first()
    if review is None:
        return None, []
    decisions = list_decisions(session=session, review_id=review.id or 0)[:limit]
    return _review_public(review, _body_codes(session)[review.body_id], today), decisions
