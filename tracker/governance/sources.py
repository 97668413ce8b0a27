"""Governance's own agenda and reminder sources: action items and review meetings.

Agenda sources answer as of the context's day: an action closed after that day, or a meeting held after it, counts
as it stood then, so the agenda of a past meeting can be rebuilt.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from tracker.governance.items import AgendaContext, AgendaItem, DueItem, Severity
from tracker.governance.models import OPEN_ACTION_STATUSES, ActionItem, Body, Review
from tracker.governance.schedule import ReviewState

_a = ActionItem.__table__.c  # type: ignore[attr-defined]
_r = Review.__table__.c  # type: ignore[attr-defined]
_b = Body.__table__.c  # type: ignore[attr-defined]

# An action due within this many days of a meeting is put before it.
DUE_SOON_DAYS = 14
# Overdue by more than this is critical rather than high.
CRITICAL_AFTER_DAYS = 60
# Meetings missed within this many days before a meeting are reported to it.
MISSED_LOOKBACK_DAYS = 180
# A held meeting should be signed off within this many days.
SIGN_OFF_DAYS = 14


def _open_on(day: date) -> ColumnElement[bool]:
    """Actions raised by `day` and not closed by then."""
    return and_(
        _a.raised_on <= day,
        or_(_a.status.in_([s.value for s in OPEN_ACTION_STATUSES]), _a.closed_on > day),
    )


def _action_item(action: ActionItem, today: date, kind: str, severity: Severity) -> AgendaItem:
    late = (today - action.due_on).days
    return AgendaItem(
        kind=kind,
        title=action.title,
        severity=severity,
        owner=action.owner,
        due_on=action.due_on,
        status=f"{late} days overdue" if late > 0 else f"due in {-late} days",
        ref_type="action_item",
        ref_id=str(action.id),
    )


def overdue_actions(session: Session, ctx: AgendaContext) -> Iterable[AgendaItem]:
    """Actions past their due date on the meeting's day: high, critical beyond 60 days."""
    rows = session.scalars(
        select(ActionItem).where(_open_on(ctx.today), _a.due_on < ctx.today).order_by(_a.due_on, _a.id)
    )
    for action in rows:
        late = (ctx.today - action.due_on).days
        severity = Severity.critical if late > CRITICAL_AFTER_DAYS else Severity.high
        yield _action_item(action, ctx.today, "action_overdue", severity)


def actions_due_soon(session: Session, ctx: AgendaContext) -> Iterable[AgendaItem]:
    """Actions due within 14 days of the meeting (medium)."""
    horizon = ctx.today + timedelta(days=DUE_SOON_DAYS)
    rows = session.scalars(
        select(ActionItem)
        .where(_open_on(ctx.today), _a.due_on >= ctx.today, _a.due_on <= horizon)
        .order_by(_a.due_on, _a.id)
    )
    for action in rows:
        yield _action_item(action, ctx.today, "action_due", Severity.medium)


def carried_over_actions(session: Session, ctx: AgendaContext) -> Iterable[AgendaItem]:
    """Matters arising: actions from this body's previous held meeting still open and not yet due (low)."""
    previous = session.scalars(
        select(Review)
        .where(
            _r.body_id == ctx.body_id,
            _r.id != ctx.review_id,
            _r.held_on.is_not(None),
            _r.held_on <= ctx.today,
        )
        .order_by(_r.held_on.desc(), _r.id.desc())
        .limit(1)
    ).first()
    if previous is None:
        return
    horizon = ctx.today + timedelta(days=DUE_SOON_DAYS)
    rows = session.scalars(
        select(ActionItem)
        .where(_a.review_id == previous.id, _open_on(ctx.today), _a.due_on > horizon)
        .order_by(_a.due_on, _a.id)
    )
    for action in rows:
        item = _action_item(action, ctx.today, "action_carried_over", Severity.low)
        yield AgendaItem(**{**item.__dict__, "detail": f"Raised at review {previous.id} ({previous.held_on})."})


def missed_reviews(session: Session, ctx: AgendaContext) -> Iterable[AgendaItem]:
    """Meetings of any body missed in the 180 days before this one (high)."""
    since = ctx.today - timedelta(days=MISSED_LOOKBACK_DAYS)
    rows = session.execute(
        select(Review, _b.name_en, _b.secretary_title)
        .join(Body, _b.id == _r.body_id)
        .where(
            _r.id != ctx.review_id,
            _r.scheduled_on < ctx.today,
            _r.scheduled_on >= since,
            or_(_r.held_on.is_(None), _r.held_on > ctx.today),
        )
        .order_by(_r.scheduled_on, _r.id)
    )
    for review, body_name, secretary in rows:
        yield AgendaItem(
            kind="review_missed",
            title=f"Missed: {body_name} meeting of {review.scheduled_on.isoformat()}",
            severity=Severity.high,
            owner=secretary,
            due_on=review.scheduled_on,
            status=f"{(ctx.today - review.scheduled_on).days} days ago",
            ref_type="review",
            ref_id=str(review.id),
            detail=review.missed_reason,
        )


def due_actions(session: Session, today: date, until: date) -> Iterable[DueItem]:
    """Reminder source: open actions due by `until`, overdue ones included."""
    rows = session.scalars(
        select(ActionItem)
        .where(_a.status.in_([s.value for s in OPEN_ACTION_STATUSES]), _a.due_on <= until)
        .order_by(_a.due_on, _a.id)
    )
    for action in rows:
        yield DueItem(
            kind="action",
            title=action.title,
            owner=action.owner,
            due_on=action.due_on,
            status=str(action.status),
            ref_type="action_item",
            ref_id=str(action.id),
        )


def due_reviews(session: Session, today: date, until: date) -> Iterable[DueItem]:
    """Reminder source: meetings to hold by `until`, missed ones with no reason on file, sign-offs due."""
    rows = session.execute(
        select(Review, _b.name_en, _b.secretary_title, _b.chair_title)
        .join(Body, _b.id == _r.body_id)
        .where(
            or_(
                and_(
                    _r.state == ReviewState.scheduled.value,
                    _r.scheduled_on <= until,
                    or_(_r.scheduled_on >= today, _r.missed_reason.is_(None)),
                ),
                and_(
                    _r.state == ReviewState.held.value,
                    _r.held_on <= until - timedelta(days=SIGN_OFF_DAYS),
                ),
            )
        )
        .order_by(_r.scheduled_on, _r.id)
    )
    for review, body_name, secretary, chair in rows:
        if ReviewState(review.state) is ReviewState.held:
            yield DueItem(
                kind="review_sign_off",
                title=f"Sign off the {body_name} meeting held {review.held_on.isoformat()}",
                owner=chair,
                due_on=review.held_on + timedelta(days=SIGN_OFF_DAYS),
                status="held",
                ref_type="review",
                ref_id=str(review.id),
            )
        elif review.scheduled_on < today:
            yield DueItem(
                kind="review_missed",
                title=f"{body_name} meeting of {review.scheduled_on.isoformat()} was missed: hold it or record why",
                owner=secretary,
                due_on=review.scheduled_on,
                status="missed",
                ref_type="review",
                ref_id=str(review.id),
            )
        else:
            yield DueItem(
                kind="review",
                title=f"{body_name} meeting: {review.title}",
                owner=secretary,
                due_on=review.scheduled_on,
                status="scheduled",
                ref_type="review",
                ref_id=str(review.id),
            )
