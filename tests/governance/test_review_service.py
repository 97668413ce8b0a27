"""The review cycle: scheduling from cadences, missed reviews, agendas, holding, decisions, sign-off and freezing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session

from tests.governance import factories
from tracker.audit import service as audit
from tracker.auth.models import Principal, Role
from tracker.errors import Conflict, Forbidden, NotFound, Stale
from tracker.governance import agenda, service
from tracker.governance.items import AgendaContext, AgendaItem, Severity
from tracker.governance.models import (
    ActionCreate,
    ActionStatus,
    ActionUpdate,
    AttendeeIn,
    BodyUpdate,
    DecisionCreate,
    DecisionUpdate,
    HoldRequest,
    LinkIn,
    LinkType,
    ReviewKind,
    ReviewUpdate,
    SignOffCapacity,
    SignOffRequest,
)
from tracker.governance.schedule import Frequency, ReviewStatus

TODAY = date(2026, 11, 21)


def _statuses(session: Session, body_id: int, today: date = TODAY) -> dict[date, ReviewStatus]:
    page = service.list_reviews(session=session, body_id=body_id, limit=1000, today=today)
    return {r.scheduled_on: r.status for r in page.items}


# --- scheduling ----------------------------------------------------------------------------------------------------


def test_schedule_creates_one_meeting_per_cadence_slot_across_the_year_end_and_is_idempotent(
    session: Session, actor: Principal
) -> None:
    tf = factories.body(session, actor, day=31, start=date(2026, 10, 1))
    first = service.schedule(session=session, until=date(2027, 2, 28), actor=actor, today=TODAY)
    assert [r.scheduled_on for r in first.reviews] == [
        date(2026, 10, 31),
        date(2026, 11, 30),
        date(2026, 12, 31),
        date(2027, 1, 31),
        date(2027, 2, 28),
    ]
    assert {r.period for r in first.reviews} == {"2026-10", "2026-11", "2026-12", "2027-01", "2027-02"}
    again = service.schedule(session=session, until=date(2027, 2, 28), actor=actor, today=TODAY)
    assert (again.created, again.existing) == (0, 5)
    assert len(_statuses(session, tf.id)) == 5


def test_schedule_counts_a_moved_meeting_as_filling_its_slot(session: Session, actor: Principal) -> None:
    tf = factories.body(session, actor, day=10, start=date(2026, 12, 1))
    service.schedule(session=session, until=date(2027, 1, 31), actor=actor, today=TODAY)
    december = service.list_reviews(session=session, body_id=tf.id, today=TODAY).items[0]
    service.update_review(
        session=session,
        review_id=december.id,
        data=ReviewUpdate(scheduled_on=date(2026, 12, 14)),
        if_match=december.version,
        actor=actor,
        today=TODAY,
    )
    again = service.schedule(session=session, until=date(2027, 1, 31), actor=actor, today=TODAY)
    assert again.created == 0
    assert sorted(_statuses(session, tf.id)) == [date(2026, 12, 14), date(2027, 1, 10)]


def test_schedule_for_board_quarterly_and_officer_without_cadence(session: Session, actor: Principal) -> None:
    board = factories.body(
        session, actor, code="board", freq=Frequency.quarterly, day=None, weekday=3, week=3, month_in_quarter=2
    )
    ciso = factories.body(session, actor, code="ciso", freq=Frequency.none, day=None)
    result = service.schedule(session=session, until=date(2026, 12, 31), actor=actor, today=TODAY)
    assert [r.scheduled_on for r in result.reviews] == [
        date(2026, 2, 19),
        date(2026, 5, 21),
        date(2026, 8, 20),
        date(2026, 11, 19),
    ]
    assert {r.body_id for r in result.reviews} == {board.id}
    assert _statuses(session, ciso.id) == {}


def test_schedule_refuses_a_horizon_years_away(session: Session, actor: Principal) -> None:
    factories.body(session, actor)
    with pytest.raises(Conflict, match="more than 6 years ahead"):
        service.schedule(session=session, until=date(2040, 1, 1), actor=actor, today=TODAY)


# --- missed reviews ------------------------------------------------------------------------------------------------


def test_meetings_not_held_by_their_day_are_missed_and_filterable(session: Session, actor: Principal) -> None:
    tf = factories.body(session, actor, day=12, start=date(2026, 9, 1))
    service.schedule(session=session, until=date(2026, 12, 31), actor=actor, today=TODAY)
    september = service.list_reviews(session=session, body_id=tf.id, today=TODAY).items[0]
    service.hold(
        session=session,
        review_id=september.id,
        data=HoldRequest(held_on=date(2026, 9, 14), attendees=[AttendeeIn(name="Chair", title="CISO")]),
        if_match=None,
        actor=actor,
        today=TODAY,
    )
    assert _statuses(session, tf.id) == {
        date(2026, 9, 12): ReviewStatus.held,
        date(2026, 10, 12): ReviewStatus.missed,
        date(2026, 11, 12): ReviewStatus.missed,
        date(2026, 12, 12): ReviewStatus.scheduled,
    }
    missed = service.list_reviews(session=session, status=ReviewStatus.missed, today=TODAY).items
    assert [(r.scheduled_on, r.days_late) for r in missed] == [(date(2026, 10, 12), 40), (date(2026, 11, 12), 9)]
    held = service.get_review(session=session, review_id=september.id, today=TODAY)
    assert held.days_late == 2
    # The same meeting, seen on its own day, was not yet missed.
    assert _statuses(session, tf.id, today=date(2026, 10, 12))[date(2026, 10, 12)] is ReviewStatus.scheduled


def test_a_missed_meeting_keeps_its_date_but_takes_a_reason(session: Session, actor: Principal) -> None:
    tf = factories.body(session, actor)
    missed = factories.review(session, actor, tf.id, date(2026, 8, 10))
    with pytest.raises(Conflict, match="missed; only a meeting still ahead can be moved"):
        service.update_review(
            session=session,
            review_id=missed.id,
            data=ReviewUpdate(scheduled_on=date(2026, 12, 1)),
            if_match=None,
            actor=actor,
            today=TODAY,
        )
    explained = service.update_review(
        session=session,
        review_id=missed.id,
        data=ReviewUpdate(missed_reason="Summer leave; items carried to September."),
        if_match=None,
        actor=actor,
        today=TODAY,
    )
    assert explained.status is ReviewStatus.missed and explained.missed_reason.startswith("Summer")


# --- cadence changes -----------------------------------------------------------------------------------------------


def test_changing_a_cadence_moves_future_unprepared_meetings_and_leaves_the_past(
    session: Session, actor: Principal
) -> None:
    tf = factories.body(session, actor, day=10, start=date(2026, 10, 1))
    service.schedule(session=session, until=date(2027, 1, 31), actor=actor, today=TODAY)
    january = service.list_reviews(session=session, body_id=tf.id, since=date(2027, 1, 1), today=TODAY).items[0]
    service.prepare(session=session, review_id=january.id, actor=actor, as_of=datetime(2026, 11, 21, 1, 0, tzinfo=UTC))
    result = service.update_body(
        session=session,
        body_id=tf.id,
        data=BodyUpdate(cadence_weekday=2, cadence_week=2),
        if_match=tf.version,
        actor=actor,
        today=TODAY,
    )
    assert result.body.cadence_day is None and result.body.cadence_weekday == 2
    assert result.moved_reviews == [date(2026, 12, 9)]
    assert sorted(_statuses(session, tf.id)) == [
        date(2026, 10, 10),  # past: untouched
        date(2026, 11, 10),  # past: untouched
        date(2026, 12, 9),  # second Wednesday
        date(2027, 1, 10),  # prepared: kept as planned
    ]


def test_switching_monthly_to_quarterly_removes_the_slots_the_new_cadence_lacks(
    session: Session, actor: Principal
) -> None:
    mc = factories.body(session, actor, code="management", day=25, start=date(2026, 11, 1))
    service.schedule(session=session, until=date(2027, 6, 30), actor=actor, today=TODAY)
    result = service.update_body(
        session=session,
        body_id=mc.id,
        data=BodyUpdate(cadence_freq=Frequency.quarterly, cadence_month_in_quarter=3),
        if_match=None,
        actor=actor,
        today=TODAY,
    )
    assert result.removed_reviews == [
        date(2026, 11, 25),
        date(2027, 1, 25),
        date(2027, 2, 25),
        date(2027, 4, 25),
        date(2027, 5, 25),
    ]
    assert sorted(_statuses(session, mc.id)) == [date(2026, 12, 25), date(2027, 3, 25), date(2027, 6, 25)]
    deleted = [e for e in audit.list_events(session, entity_type="review", action="delete", limit=100).items]
    assert len(deleted) == 5 and deleted[0].state["scheduled_on"] == "2026-11-25"


def test_a_cadence_change_never_doubles_this_months_meeting_nor_drops_it(session: Session, actor: Principal) -> None:
    held_this_month = factories.body(session, actor, code="held", day=5, start=date(2026, 11, 1))
    ahead_this_month = factories.body(session, actor, code="ahead", day=25, start=date(2026, 11, 1))
    service.schedule(session=session, until=date(2027, 1, 31), actor=actor, today=TODAY)
    november = service.list_reviews(session=session, body_id=held_this_month.id, today=TODAY).items[0]
    service.hold(
        session=session, review_id=november.id,
        data=HoldRequest(held_on=date(2026, 11, 5), attendees=[AttendeeIn(name="Chair", title="CISO")]),
        if_match=None, actor=actor, today=TODAY,
    )  # fmt: skip
    later = service.update_body(
        session=session, body_id=held_this_month.id, data=BodyUpdate(cadence_day=28), if_match=None, actor=actor,
        today=TODAY,
    )  # fmt: skip
    assert (later.moved_reviews, later.added_reviews) == ([date(2026, 12, 28), date(2027, 1, 28)], [])
    earlier = service.update_body(
        session=session, body_id=ahead_this_month.id, data=BodyUpdate(cadence_day=10), if_match=None, actor=actor,
        today=TODAY,
    )  # fmt: skip
    assert (earlier.moved_reviews, earlier.removed_reviews) == ([date(2026, 12, 10), date(2027, 1, 10)], [])
    assert sorted(_statuses(session, ahead_this_month.id)) == [
        date(2026, 11, 25),
        date(2026, 12, 10),
        date(2027, 1, 10),
    ]


def test_a_cadence_naming_both_rules_is_a_conflict(session: Session, actor: Principal) -> None:
    tf = factories.body(session, actor)
    with pytest.raises(Conflict, match="either a day of the month or a weekday"):
        service.update_body(
            session=session,
            body_id=tf.id,
            data=BodyUpdate(cadence_day=3, cadence_weekday=1, cadence_week=1),
            if_match=None,
            actor=actor,
        )


def test_stale_if_match_on_a_body_is_412(session: Session, actor: Principal) -> None:
    tf = factories.body(session, actor)
    with pytest.raises(Stale):
        service.update_body(session=session, body_id=tf.id, data=BodyUpdate(chair_title="CEO"), if_match=7, actor=actor)


# --- agenda --------------------------------------------------------------------------------------------------------


def test_agenda_snapshot_contains_what_was_due_from_every_source_worst_first(
    session: Session, actor: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    tf = factories.body(session, actor, day=10, start=date(2026, 9, 1))
    board = factories.body(session, actor, code="board", day=20)
    previous = factories.held(session, actor, tf.id, date(2026, 10, 10))
    factories.commitment(session, actor, code="dedicated_call_centre", due_on=date(2026, 11, 1))
    factories.commitment(session, actor, code="usim_replacement", due_on=date(2026, 11, 25))
    factories.commitment(session, actor, code="insurance_65_plus", due_on=date(2027, 12, 31))
    factories.action(session, actor, title="Very late", due_on=date(2026, 8, 1), raised_on=date(2026, 7, 1))
    factories.action(session, actor, title="Late", due_on=date(2026, 11, 1), raised_on=date(2026, 10, 1))
    factories.action(session, actor, title="Due soon", due_on=date(2026, 11, 30), raised_on=date(2026, 10, 1))
    carried = factories.action(
        session,
        actor,
        title="Carried over",
        due_on=date(2027, 2, 1),
        raised_on=date(2026, 10, 10),
        review_id=previous.id,
    )
    done = factories.action(session, actor, title="Done in time", due_on=date(2026, 11, 5), raised_on=date(2026, 10, 1))
    service.update_action(
        session=session,
        action_id=done,
        data=ActionUpdate(status=ActionStatus.done, closed_on=date(2026, 11, 4)),
        if_match=None,
        actor=actor,
        today=TODAY,
    )
    # Raised after the agenda's day: not on it.
    factories.action(session, actor, title="Raised later", due_on=date(2026, 11, 30), raised_on=date(2026, 11, 22))
    factories.review(session, actor, board.id, date(2026, 10, 20))  # missed by the board
    meeting = factories.review(session, actor, tf.id, date(2026, 11, 25))

    def failing_controls(session: Session, ctx: AgendaContext) -> Iterable[AgendaItem]:
        yield AgendaItem(
            kind="control_failing",
            title="Shared certificate found on 3 femtocells",
            severity=Severity.critical,
            ref_type="control",
            ref_id="MSIT-2",
        )

    monkeypatch.setattr(agenda, "AGENDA_SOURCES", [*agenda.AGENDA_SOURCES, failing_controls])
    prepared = service.prepare(
        session=session, review_id=meeting.id, actor=actor, as_of=datetime(2026, 11, 21, 0, 30, tzinfo=UTC)
    )
    lines = [(i.position, i.kind, i.title, i.severity) for i in prepared.agenda]
    assert lines == [
        (1, "action_overdue", "Very late", Severity.critical),
        (2, "control_failing", "Shared certificate found on 3 femtocells", Severity.critical),
        (3, "review_missed", "Missed: Board meeting of 2026-10-20", Severity.high),
        (4, "action_overdue", "Late", Severity.high),
        (5, "commitment_overdue", "Cancellation-fee refunds, batch 1 / 해지 위약금 환급 1차", Severity.high),
        (6, "commitment_due", "Cancellation-fee refunds, batch 1 / 해지 위약금 환급 1차", Severity.medium),
        (7, "action_due", "Due soon", Severity.medium),
        (8, "action_carried_over", "Carried over", Severity.low),
    ]
    assert prepared.agenda[1].source.endswith("failing_controls")
    assert prepared.agenda[7].ref_id == str(carried) and "review" in (prepared.agenda[7].detail or "")
    assert prepared.agenda[0].status == "112 days overdue"
    assert prepared.prepared_at == datetime(2026, 11, 21, 0, 30, tzinfo=UTC)
    assert audit.list_events(session, entity_type="agenda_item", limit=100).items[1].state["kind"] == "control_failing"


def test_agenda_of_a_past_day_counts_actions_as_they_stood_then(session: Session, actor: Principal) -> None:
    tf = factories.body(session, actor)
    action_id = factories.action(
        session, actor, title="Closed later", due_on=date(2026, 5, 1), raised_on=date(2026, 4, 1)
    )
    service.update_action(
        session=session,
        action_id=action_id,
        data=ActionUpdate(status=ActionStatus.done, closed_on=date(2026, 7, 1)),
        if_match=None,
        actor=actor,
        today=TODAY,
    )
    june = factories.review(session, actor, tf.id, date(2026, 6, 10))
    prepared = service.prepare(
        session=session, review_id=june.id, actor=actor, as_of=datetime(2026, 6, 9, 0, 0, tzinfo=UTC)
    )
    assert [(i.kind, i.title) for i in prepared.agenda] == [("action_overdue", "Closed later")]


def test_preparing_again_replaces_the_snapshot_but_a_held_meeting_keeps_its_agenda(
    session: Session, actor: Principal
) -> None:
    tf = factories.body(session, actor)
    meeting = factories.review(session, actor, tf.id, date(2026, 12, 10))
    service.prepare(session=session, review_id=meeting.id, actor=actor)
    assert service.get_review(session=session, review_id=meeting.id).agenda == []
    factories.action(session, actor, title="New", due_on=date(2026, 1, 20), raised_on=date(2026, 1, 10))
    again = service.prepare(session=session, review_id=meeting.id, actor=actor)
    assert [i.title for i in again.agenda] == ["New"]
    held = factories.held(session, actor, tf.id, date(2026, 11, 10))
    with pytest.raises(Conflict, match="agenda is the record of what was discussed"):
        service.prepare(session=session, review_id=held.id, actor=actor)


# --- holding, decisions, sign-off ----------------------------------------------------------------------------------


def test_hold_records_attendees_from_members_and_guests_and_refuses_the_future(
    session: Session, actor: Principal
) -> None:
    tf = factories.body(session, actor)
    member_id = service.get_body(session=session, body_id=tf.id).members[0].id
    meeting = factories.review(session, actor, tf.id, date(2026, 11, 20))
    with pytest.raises(Conflict, match="in the future"):
        service.hold(
            session=session,
            review_id=meeting.id,
            data=HoldRequest(held_on=date(2026, 11, 22), attendees=[AttendeeIn(member_id=member_id)]),
            if_match=None,
            actor=actor,
            today=TODAY,
        )
    with pytest.raises(NotFound, match="no member with id 999"):
        service.hold(
            session=session,
            review_id=meeting.id,
            data=HoldRequest(held_on=date(2026, 11, 20), attendees=[AttendeeIn(member_id=999)]),
            if_match=None,
            actor=actor,
            today=TODAY,
        )
    held = service.hold(
        session=session,
        review_id=meeting.id,
        data=HoldRequest(
            held_on=date(2026, 11, 20),
            attendees=[AttendeeIn(member_id=member_id), AttendeeIn(name="Kim (illustrative)", title="Internal audit")],
            minutes="Reviewed the certificate rotation.",
        ),
        if_match=meeting.version,
        actor=actor,
        today=TODAY,
    )
    assert held.status is ReviewStatus.held
    assert [(a.title, a.member_id is not None) for a in held.attendees] == [("CISO", True), ("Internal audit", False)]
    with pytest.raises(Conflict, match="already held"):
        service.hold(
            session=session,
            review_id=meeting.id,
            data=HoldRequest(held_on=date(2026, 11, 20), attendees=[AttendeeIn(member_id=member_id)]),
            if_match=None,
            actor=actor,
            today=TODAY,
        )


def test_decisions_need_a_held_meeting_and_are_numbered(session: Session, actor: Principal) -> None:
    tf = factories.body(session, actor)
    upcoming = factories.review(session, actor, tf.id, date(2026, 12, 10))
    with pytest.raises(Conflict, match="has not been held"):
        service.add_decision(session=session, review_id=upcoming.id, data=DecisionCreate(text="x"), actor=actor)
    held = factories.held(session, actor, tf.id, date(2026, 11, 10))
    first = service.add_decision(session=session, review_id=held.id, data=DecisionCreate(text="Approve"), actor=actor)
    second = service.add_decision(session=session, review_id=held.id, data=DecisionCreate(text="Defer"), actor=actor)
    service.create_action(
        session=session,
        data=ActionCreate(title="Do it", owner="CTO", due_on=date(2026, 12, 31), decision_id=second.id),
        actor=actor,
        today=TODAY,
    )
    decisions = service.list_decisions(session=session, review_id=held.id)
    assert [(d.number, d.text, d.open_actions) for d in decisions] == [(1, "Approve", 0), (2, "Defer", 1)]
    assert first.version == 1


def test_sign_off_needs_a_held_meeting_with_minutes(session: Session, actor: Principal) -> None:
    tf = factories.body(session, actor)
    upcoming = factories.review(session, actor, tf.id, date(2026, 12, 10))
    request = SignOffRequest(capacity=SignOffCapacity.chair)
    with pytest.raises(Conflict, match="has not been held"):
        service.sign_off(session=session, review_id=upcoming.id, data=request, if_match=None, actor=factories.CISO)
    no_minutes = factories.held(session, actor, tf.id, date(2026, 11, 10), minutes=None)
    with pytest.raises(Conflict, match="no minutes"):
        service.sign_off(session=session, review_id=no_minutes.id, data=request, if_match=None, actor=factories.CISO)


@pytest.mark.parametrize("role", [Role.staff, Role.board, Role.regulator])
def test_only_ciso_and_admin_may_sign_off(session: Session, actor: Principal, role: Role) -> None:
    tf = factories.body(session, actor)
    held = factories.held(session, actor, tf.id, date(2026, 11, 10))
    with pytest.raises(Forbidden, match=f"Role '{role}' may not sign off"):
        service.sign_off(
            session=session,
            review_id=held.id,
            data=SignOffRequest(capacity=SignOffCapacity.chair),
            if_match=None,
            actor=Principal(name="someone", role=role),
        )
    assert service.get_review(session=session, review_id=held.id).status is ReviewStatus.held


def test_sign_off_records_who_when_and_in_which_capacity(session: Session, actor: Principal) -> None:
    tf = factories.body(session, actor)
    held = factories.held(session, actor, tf.id, date(2026, 11, 10))
    at = datetime(2026, 11, 12, 9, 0, tzinfo=UTC)
    signed = service.sign_off(
        session=session,
        review_id=held.id,
        data=SignOffRequest(capacity=SignOffCapacity.ciso, note="Approved."),
        if_match=held.version,
        actor=factories.CISO,
        at=at,
    )
    assert signed.status is ReviewStatus.signed_off
    assert (signed.signed_off_by, signed.signed_off_role, signed.sign_off_capacity, signed.signed_off_at) == (
        "ciso-kim",
        "ciso",
        SignOffCapacity.ciso,
        at,
    )
    event = audit.list_events(session, entity_type="review", action="sign_off").items[0]
    assert event.actor == "ciso-kim" and event.state["state"] == "signed_off"


def test_a_signed_off_meeting_is_frozen_against_every_edit(session: Session, actor: Principal) -> None:
    tf = factories.body(session, actor)
    signed = factories.signed_off(session, actor, tf.id, date(2026, 11, 10))
    frozen = r"Review \d+ was signed off on \d{4}-\d\d-\d\d \d\d:\d\d \(Seoul\) by ciso-kim; it is frozen\."
    edits = [
        lambda: service.update_review(
            session=session,
            review_id=signed.id,
            data=ReviewUpdate(minutes="Changed."),
            if_match=None,
            actor=actor,
            today=TODAY,
        ),
        lambda: service.update_review(
            session=session,
            review_id=signed.id,
            data=ReviewUpdate(attendees=[AttendeeIn(name="X", title="Y")]),
            if_match=None,
            actor=actor,
            today=TODAY,
        ),
        lambda: service.add_decision(
            session=session, review_id=signed.id, data=DecisionCreate(text="Late"), actor=actor
        ),
        lambda: service.prepare(session=session, review_id=signed.id, actor=actor),
        lambda: service.sign_off(
            session=session,
            review_id=signed.id,
            data=SignOffRequest(capacity=SignOffCapacity.chair),
            if_match=None,
            actor=factories.CISO,
        ),
        lambda: service.create_action(
            session=session,
            data=ActionCreate(title="Late", owner="CTO", due_on=date(2026, 12, 31), review_id=signed.id),
            actor=actor,
            today=TODAY,
        ),
    ]
    for edit in edits:
        with pytest.raises(Conflict, match=frozen):
            edit()
    assert service.get_review(session=session, review_id=signed.id).minutes == "Minutes."


def test_decisions_of_a_signed_off_meeting_are_frozen_but_its_actions_carry_on(
    session: Session, actor: Principal
) -> None:
    tf = factories.body(session, actor)
    held = factories.held(session, actor, tf.id, date(2026, 11, 10))
    decision = service.add_decision(session=session, review_id=held.id, data=DecisionCreate(text="Act"), actor=actor)
    action = service.create_action(
        session=session,
        data=ActionCreate(title="Act", owner="CTO", due_on=date(2026, 12, 31), decision_id=decision.id),
        actor=actor,
        today=TODAY,
    )
    service.sign_off(
        session=session,
        review_id=held.id,
        data=SignOffRequest(capacity=SignOffCapacity.chair),
        if_match=None,
        actor=factories.CISO,
    )
    with pytest.raises(Conflict, match="frozen"):
        service.update_decision(
            session=session,
            review_id=held.id,
            decision_id=decision.id,
            data=DecisionUpdate(text="Reworded"),
            if_match=None,
            actor=actor,
        )
    done = service.update_action(
        session=session,
        action_id=action.id,
        data=ActionUpdate(status=ActionStatus.done),
        if_match=action.version,
        actor=actor,
        today=TODAY,
    )
    assert done.status is ActionStatus.done and done.closed_on == TODAY


def test_regular_meetings_fill_one_slot_each_and_extraordinary_ones_do_not(session: Session, actor: Principal) -> None:
    tf = factories.body(session, actor)
    factories.review(session, actor, tf.id, date(2026, 12, 10), kind=ReviewKind.regular)
    with pytest.raises(Conflict, match="already has its regular meeting for 2026-12"):
        factories.review(session, actor, tf.id, date(2026, 12, 20), kind=ReviewKind.regular)
    extra = factories.review(session, actor, tf.id, date(2026, 12, 10))
    assert extra.kind is ReviewKind.extraordinary and extra.period is None


def test_unknown_body_and_review_are_404(session: Session, actor: Principal) -> None:
    with pytest.raises(NotFound, match="No review with id 42"):
        service.get_review(session=session, review_id=42)
    with pytest.raises(NotFound, match="No governance body with id 7"):
        factories.review(session, actor, 7, date(2026, 12, 1))


def test_actions_refuse_unknown_commitment_links_and_filter_by_link(session: Session, actor: Principal) -> None:
    factories.commitment(session, actor, code="refund_batch_2", due_on=date(2026, 2, 5))
    with pytest.raises(NotFound, match="No commitment with code 'nope'"):
        factories.action(session, actor, links=[LinkIn(link_type=LinkType.commitment, link_ref="nope")])
    linked = factories.action(
        session,
        actor,
        links=[
            LinkIn(link_type=LinkType.commitment, link_ref="refund_batch_2"),
            LinkIn(link_type=LinkType.control, link_ref="MSIT-2"),
        ],
    )
    factories.action(session, actor, title="Unlinked")
    page = service.list_actions(session=session, link_type=LinkType.control, link_ref="MSIT-2", today=TODAY)
    assert [a.id for a in page.items] == [linked]
    assert [(link.link_type, link.link_ref) for link in page.items[0].links] == [
        (LinkType.commitment, "refund_batch_2"),
        (LinkType.control, "MSIT-2"),
    ]
