"""Seed step: governance bodies, members, RACI and cadences from seed/governance.yaml, and a year of demo history.

The history is replayed through the services as it would have been recorded: meetings are scheduled from the
cadences, each past meeting's agenda is snapshotted the day before it (the agenda sources answer as of that day),
then it is held, its decisions and actions recorded, and it is signed off a few days later. Everything is anchored
to the file's `as_of` day, not the wall clock, so the demo database is the same whenever it is built.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import yaml
from sqlalchemy import select
from sqlmodel import Session

from seed import SEED_DIR
from tracker.errors import ConfigurationError
from tracker.governance import service
from tracker.governance.models import (
    ActionCreate,
    ActionStatus,
    ActionUpdate,
    AttendeeIn,
    BodyCreate,
    BodyMember,
    BodyMemberCreate,
    DecisionCreate,
    HoldRequest,
    LinkIn,
    LinkType,
    Raci,
    RaciCreate,
    Review,
    ReviewCreate,
    ReviewKind,
    ReviewUpdate,
    SignOffCapacity,
    SignOffRequest,
    Source,
    Workstream,
)
from tracker.governance.schedule import Frequency
from tracker.types import SEOUL

if TYPE_CHECKING:
    from tracker.auth.models import Principal
    from tracker.flows import SeedContext

SEED_FILE = SEED_DIR / "governance.yaml"
# A held meeting is signed off this many days later, if at least SIGN_OFF_AFTER days before as_of.
SIGN_OFF_DELAY_DAYS = 5
SIGN_OFF_AFTER_DAYS = 14

_r = Review.__table__.c  # type: ignore[attr-defined]


def read(path: Any = SEED_FILE) -> dict[str, Any]:
    """The parsed seed file."""
    with open(path, encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def _seoul(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SEOUL)


def load(session: Session, ctx: SeedContext) -> dict[str, int]:
    """Create the bodies, members, RACI and the demo year of reviews, decisions and actions."""
    data = read()
    as_of: date = data["as_of"]
    actor = ctx.actor
    bodies: dict[str, int] = {}
    members: dict[tuple[str, str], int] = {}
    seats = 0
    for entry in data["bodies"]:
        cadence = entry["cadence"]
        body = service.create_body(
            session=session,
            data=BodyCreate(
                code=entry["code"],
                kind=entry["kind"],
                name_ko=entry["name_ko"],
                name_en=entry["name_en"],
                chair_title=entry["chair_title"],
                secretary_title=entry["secretary_title"],
                cadence_freq=Frequency(cadence["freq"]),
                cadence_day=cadence.get("day"),
                cadence_weekday=cadence.get("weekday"),
                cadence_week=cadence.get("week"),
                cadence_month_in_quarter=cadence.get("month_in_quarter", 1),
                cadence_start=cadence["start"],
            ),
            actor=actor,
        )
        bodies[body.code] = body.id
        for member in entry["members"]:
            seated = service.add_member(
                session=session,
                body_id=body.id,
                data=BodyMemberCreate(**member, source=Source.illustrative),
                actor=actor,
            )
            members[(body.code, seated.title)] = seated.id
            seats += 1
    raci = 0
    for workstream, parties in data["raci"].items():
        for party in parties:
            member = party.get("member")
            service.assign_raci(
                session=session,
                data=RaciCreate(
                    workstream=Workstream(workstream),
                    body_id=bodies[party["body"]],
                    member_id=members[(party["body"], member)] if member else None,
                    role=Raci(party["role"]),
                ),
                actor=actor,
            )
            raci += 1
    until = as_of + timedelta(days=int(data["schedule_ahead_days"]))
    scheduled = service.schedule(session=session, until=until, actor=actor, today=as_of)
    counts = _replay_history(session, data["history"], bodies, as_of, actor)
    for code in data.get("prepare_upcoming", []):
        upcoming = session.scalars(
            select(Review).where(_r.body_id == bodies[code], _r.scheduled_on >= as_of).order_by(_r.scheduled_on)
        ).first()
        if upcoming is not None:
            service.prepare(session=session, review_id=upcoming.id or 0, actor=actor, as_of=_seoul(as_of, 9))
    return {
        "governance bodies": len(bodies),
        "body members (illustrative)": seats,
        "RACI assignments": raci,
        "reviews scheduled": scheduled.created,
        **counts,
    }


def _replay_history(
    session: Session, history: list[dict[str, Any]], bodies: dict[str, int], as_of: date, actor: Principal
) -> dict[str, int]:
    counts = {"reviews held (illustrative)": 0, "reviews missed (illustrative)": 0, "decisions": 0, "action items": 0}
    listed: set[int] = set()
    for entry in sorted(history, key=lambda e: e["day"]):
        body_id = bodies[entry["body"]]
        day: date = entry["day"]
        review_id = _meeting(session, entry, body_id, day, as_of, actor)
        listed.add(review_id)
        service.prepare(session=session, review_id=review_id, actor=actor, as_of=_seoul(day - timedelta(days=1), 9))
        if entry.get("missed"):
            if entry.get("reason"):
                service.update_review(
                    session=session,
                    review_id=review_id,
                    data=ReviewUpdate(missed_reason=entry["reason"]),
                    if_match=None,
                    actor=actor,
                    today=as_of,
                )
            counts["reviews missed (illustrative)"] += 1
            continue
        held_on: date = entry.get("held", day)
        _hold(session, entry, body_id, review_id, held_on, as_of, actor)
        counts["reviews held (illustrative)"] += 1
        for decision_entry in entry.get("decisions", []):
            decision = service.add_decision(
                session=session, review_id=review_id, data=DecisionCreate(text=decision_entry["text"]), actor=actor
            )
            counts["decisions"] += 1
            for action_entry in decision_entry.get("actions", []):
                _action(session, action_entry, decision.id, held_on, as_of, actor)
                counts["action items"] += 1
        if entry.get("signed_off", True) and held_on <= as_of - timedelta(days=SIGN_OFF_AFTER_DAYS):
            capacity = SignOffCapacity.ciso if entry["body"] == "task_force" else SignOffCapacity.chair
            service.sign_off(
                session=session,
                review_id=review_id,
                data=SignOffRequest(capacity=capacity, note="Illustrative demo sign-off."),
                if_match=None,
                actor=actor,
                at=_seoul(held_on + timedelta(days=SIGN_OFF_DELAY_DAYS), 18),
            )
    unlisted = session.scalars(
        select(Review).where(_r.scheduled_on < as_of, _r.id.not_in(listed)).order_by(_r.scheduled_on)
    ).first()
    if unlisted is not None:
        raise ConfigurationError(
            f"seed/governance.yaml: the history has no entry for the meeting of body {unlisted.body_id} on "
            f"{unlisted.scheduled_on}; every past meeting must be listed as held or missed."
        )
    return counts


def _meeting(session: Session, entry: dict[str, Any], body_id: int, day: date, as_of: date, actor: Principal) -> int:
    if entry.get("extraordinary"):
        created = service.create_review(
            session=session,
            data=ReviewCreate(body_id=body_id, scheduled_on=day, kind=ReviewKind.extraordinary),
            actor=actor,
            today=as_of,
        )
        return created.id
    review = session.scalars(
        select(Review).where(_r.body_id == body_id, _r.kind == ReviewKind.regular.value, _r.scheduled_on == day)
    ).first()
    if review is None:
        raise ConfigurationError(
            f"seed/governance.yaml: {entry['body']} has no regular meeting on {day}; check the day against its cadence."
        )
    return review.id or 0


def _hold(
    session: Session,
    entry: dict[str, Any],
    body_id: int,
    review_id: int,
    held_on: date,
    as_of: date,
    actor: Principal,
) -> None:
    absent = set(entry.get("absent", []))
    seated = session.scalars(select(BodyMember).where(BodyMember.body_id == body_id).order_by(BodyMember.id))  # type: ignore[arg-type]
    attendees = [AttendeeIn(member_id=m.id) for m in seated if m.name not in absent]
    decisions = " ".join(f"({i}) {d['text']}" for i, d in enumerate(entry.get("decisions", []), start=1))
    minutes = (
        f"[Illustrative demo minutes] {len(attendees)} members present"
        + (f"; apologies: {', '.join(sorted(absent))}" if absent else "")
        + f". Agenda reviewed as prepared. Decisions: {decisions or 'none'}"
    )
    service.hold(
        session=session,
        review_id=review_id,
        data=HoldRequest(held_on=held_on, attendees=attendees, minutes=minutes, location="Headquarters (illustrative)"),
        if_match=None,
        actor=actor,
        today=as_of,
    )


def _action(
    session: Session, entry: dict[str, Any], decision_id: int, raised_on: date, as_of: date, actor: Principal
) -> None:
    action = service.create_action(
        session=session,
        data=ActionCreate(
            title=entry["title"],
            owner=entry["owner"],
            due_on=entry["due"],
            decision_id=decision_id,
            raised_on=raised_on,
            links=[LinkIn(link_type=LinkType.commitment, link_ref=code) for code in entry.get("links", [])],
        ),
        actor=actor,
        today=raised_on,
    )
    if entry.get("closed"):
        update = ActionUpdate(status=ActionStatus.done, closed_on=entry["closed"])
    elif entry.get("status"):
        update = ActionUpdate(status=ActionStatus(entry["status"]))
    else:
        return
    service.update_action(session=session, action_id=action.id, data=update, if_match=None, actor=actor, today=as_of)
