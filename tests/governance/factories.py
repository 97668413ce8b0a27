"""Valid governance records for tests: bodies, meetings in each state, actions, commitments."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from tracker.auth.models import Principal, Role
from tracker.commitments import service as commitments
from tracker.commitments.models import CommitmentCreate, EvidenceCreate, EvidenceKind
from tracker.governance import service
from tracker.governance.models import (
    ActionCreate,
    AttendeeIn,
    BodyCreate,
    BodyKind,
    BodyMemberCreate,
    BodyPublic,
    HoldRequest,
    LinkIn,
    MemberRole,
    ReviewCreate,
    ReviewDetail,
    ReviewKind,
    SignOffCapacity,
    SignOffRequest,
)
from tracker.governance.schedule import Frequency

CISO = Principal(name="ciso-kim", role=Role.ciso, request_id="test-ciso")


def body(
    session: Session,
    actor: Principal,
    *,
    code: str = "task_force",
    freq: Frequency = Frequency.monthly,
    day: int | None = 10,
    weekday: int | None = None,
    week: int | None = None,
    month_in_quarter: int = 1,
    start: date = date(2026, 1, 1),
    kind: BodyKind = BodyKind.task_force,
) -> BodyPublic:
    """A body meeting on the given cadence, with a chair and one member."""
    created = service.create_body(
        session=session,
        data=BodyCreate(
            code=code,
            kind=kind,
            name_ko=f"{code} 회의체",
            name_en=f"{code.replace('_', ' ').title()}",
            chair_title="CISO",
            secretary_title="TF secretariat",
            cadence_freq=freq,
            cadence_day=day,
            cadence_weekday=weekday,
            cadence_week=week,
            cadence_month_in_quarter=month_in_quarter,
            cadence_start=start,
        ),
        actor=actor,
    )
    for title, role in (("CISO", MemberRole.chair), ("Head of Network Security", MemberRole.member)):
        service.add_member(
            session=session,
            body_id=created.id,
            data=BodyMemberCreate(name=f"{title} (test)", title=title, role=role),
            actor=actor,
        )
    return created


def review(
    session: Session, actor: Principal, body_id: int, day: date, *, kind: ReviewKind = ReviewKind.extraordinary
) -> ReviewDetail:
    """A scheduled meeting on `day`."""
    return service.create_review(
        session=session, data=ReviewCreate(body_id=body_id, scheduled_on=day, kind=kind), actor=actor, today=day
    )


def held(
    session: Session, actor: Principal, body_id: int, day: date, *, minutes: str | None = "Minutes."
) -> ReviewDetail:
    """A meeting held on its day with one outside attendee and minutes."""
    created = review(session, actor, body_id, day)
    return service.hold(
        session=session,
        review_id=created.id,
        data=HoldRequest(held_on=day, attendees=[AttendeeIn(name="Auditor", title="Internal audit")], minutes=minutes),
        if_match=None,
        actor=actor,
        today=day,
    )


def signed_off(session: Session, actor: Principal, body_id: int, day: date) -> ReviewDetail:
    """A meeting held on `day` and signed off by the CISO."""
    meeting = held(session, actor, body_id, day)
    return service.sign_off(
        session=session,
        review_id=meeting.id,
        data=SignOffRequest(capacity=SignOffCapacity.ciso),
        if_match=None,
        actor=CISO,
    )


def action(
    session: Session,
    actor: Principal,
    *,
    title: str = "Revoke the shared femtocell certificate",
    owner: str = "Head of Network Security",
    due_on: date = date(2026, 3, 31),
    raised_on: date = date(2026, 1, 15),
    review_id: int | None = None,
    links: list[LinkIn] | None = None,
) -> int:
    """An open action item; returns its id."""
    created = service.create_action(
        session=session,
        data=ActionCreate(
            title=title,
            owner=owner,
            due_on=due_on,
            raised_on=raised_on,
            review_id=review_id,
            links=links or [],
        ),
        actor=actor,
        today=raised_on,
    )
    return created.id


def commitment(
    session: Session,
    actor: Principal,
    *,
    code: str = "refund_batch_1",
    due_on: date = date(2026, 1, 22),
    window_start: date | None = None,
    owner: str = "Customer Experience Division",
    evidence: bool = False,
) -> int:
    """A planned commitment (optionally with evidence on file); returns its id."""
    created = commitments.create(
        session=session,
        data=CommitmentCreate(
            code=code,
            category="cancellation_refund",
            title_ko="해지 위약금 환급 1차",
            title_en="Cancellation-fee refunds, batch 1",
            window_start=window_start,
            due_on=due_on,
            owner=owner,
        ),
        actor=actor,
        today=due_on,
    )
    if evidence:
        commitments.add_evidence(
            session=session,
            commitment_id=created.id,
            data=EvidenceCreate(kind=EvidenceKind.report, reference="REF-1", description="Payment file"),
            actor=actor,
        )
    return created.id
