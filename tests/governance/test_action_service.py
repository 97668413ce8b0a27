"""Action items: lifecycle, overdue as of a day, filters, and the reminders grouped by owner."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pytest
from sqlmodel import Session

from tests.governance import factories
from tracker.auth.models import Principal
from tracker.errors import Conflict, Invalid
from tracker.governance import due, service
from tracker.governance.items import DueItem
from tracker.governance.models import ActionStatus, ActionUpdate, ReviewUpdate

TODAY = date(2026, 11, 21)


def test_actions_move_through_their_states_and_record_when_closed(session: Session, actor: Principal) -> None:
    action_id = factories.action(session, actor, due_on=date(2026, 12, 31), raised_on=date(2026, 11, 1))

    def move(status: ActionStatus, **kwargs: object) -> object:
        return service.update_action(
            session=session, action_id=action_id, data=ActionUpdate(status=status, **kwargs), if_match=None,
            actor=actor, today=TODAY,
        )  # fmt: skip

    assert move(ActionStatus.in_progress).closed_on is None  # type: ignore[attr-defined]
    done = move(ActionStatus.done, closed_on=date(2026, 11, 20))
    assert (done.status, done.closed_on) == (ActionStatus.done, date(2026, 11, 20))  # type: ignore[attr-defined]
    with pytest.raises(Conflict, match="cannot go from done to cancelled; allowed next states: in_progress"):
        move(ActionStatus.cancelled)
    reopened = move(ActionStatus.in_progress)
    assert reopened.closed_on is None  # type: ignore[attr-defined]
    with pytest.raises(Conflict, match="closed_on 2026-11-30 is in the future"):
        move(ActionStatus.cancelled, closed_on=date(2026, 11, 30))


def test_due_date_cannot_precede_the_day_the_action_was_raised(session: Session, actor: Principal) -> None:
    with pytest.raises(Conflict, match="before the action was raised"):
        factories.action(session, actor, due_on=date(2026, 1, 1), raised_on=date(2026, 1, 15))
    action_id = factories.action(session, actor)
    with pytest.raises(Invalid, match="owner cannot be null"):
        service.update_action(
            session=session, action_id=action_id, data=ActionUpdate(owner=None), if_match=None, actor=actor
        )


def test_overdue_filter_means_open_and_past_due_today(session: Session, actor: Principal) -> None:
    late = factories.action(session, actor, title="late", due_on=date(2026, 11, 20), raised_on=date(2026, 11, 1))
    factories.action(session, actor, title="due today", due_on=TODAY, raised_on=date(2026, 11, 1))
    closed = factories.action(session, actor, title="closed", due_on=date(2026, 11, 2), raised_on=date(2026, 11, 1))
    service.update_action(
        session=session, action_id=closed, data=ActionUpdate(status=ActionStatus.done), if_match=None, actor=actor,
        today=TODAY,
    )  # fmt: skip
    overdue = service.list_actions(session=session, overdue=True, today=TODAY).items
    assert [(a.id, a.days_late) for a in overdue] == [(late, 1)]
    assert {a.title for a in service.list_actions(session=session, overdue=False, today=TODAY).items} == {
        "due today",
        "closed",
    }


def test_action_list_pages_by_due_date_with_a_cursor(session: Session, actor: Principal) -> None:
    for day in (5, 3, 9, 1):
        factories.action(session, actor, title=f"d{day}", due_on=date(2026, 12, day), raised_on=date(2026, 11, 1))
    first = service.list_actions(session=session, limit=3, today=TODAY)
    second = service.list_actions(session=session, limit=3, cursor=first.next_cursor, today=TODAY)
    assert [a.title for a in first.items + second.items] == ["d1", "d3", "d5", "d9"]
    assert second.next_cursor is None


def test_due_report_groups_by_owner_with_overdue_first(
    session: Session, actor: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    tf = factories.body(session, actor, day=10, start=date(2026, 10, 1))
    service.schedule(session=session, until=date(2026, 12, 31), actor=actor, today=TODAY)
    october, november, december = service.list_reviews(session=session, body_id=tf.id, today=TODAY).items
    service.update_review(
        session=session, review_id=october.id, data=ReviewUpdate(missed_reason="Rescheduled into November."),
        if_match=None, actor=actor, today=TODAY,
    )  # fmt: skip
    held = factories.held(session, actor, tf.id, date(2026, 11, 3))
    factories.action(session, actor, title="Rotate cert", owner="NetSec", due_on=date(2026, 11, 1),
                     raised_on=date(2026, 10, 1))  # fmt: skip
    factories.action(session, actor, title="Audit logs", owner="NetSec", due_on=date(2026, 11, 28),
                     raised_on=date(2026, 10, 1))  # fmt: skip
    factories.action(session, actor, title="Far away", owner="NetSec", due_on=date(2027, 3, 1),
                     raised_on=date(2026, 10, 1))  # fmt: skip
    factories.commitment(session, actor, code="notices_round_3", due_on=date(2026, 11, 10), owner="CX")

    def findings(session: Session, today: date, until: date) -> Iterable[DueItem]:
        yield DueItem(kind="finding", title="Shared certificate", owner="NetSec", due_on=date(2026, 11, 15),
                      status="open", ref_type="finding", ref_id="F-1")  # fmt: skip

    monkeypatch.setattr(due, "DUE_SOURCES", [*due.DUE_SOURCES, findings])
    report = due.due_report(session=session, today=TODAY, days=14)
    assert (report.until, report.overdue, report.due) == (date(2026, 12, 5), 5, 1)
    by_owner = {o.owner: [(e.kind, e.title, e.days_late) for e in o.items] for o in report.owners}
    assert [o.owner for o in report.owners] == ["NetSec", "CX", "TF secretariat", "CISO"]
    assert by_owner["NetSec"] == [
        ("action", "Rotate cert", 20),
        ("finding", "Shared certificate", 6),
        ("action", "Audit logs", -7),
    ]
    assert by_owner["CX"] == [("commitment", "Cancellation-fee refunds, batch 1", 11)]
    # October's miss is explained, so only November's remains; December's meeting is outside 14 days.
    assert by_owner["TF secretariat"] == [
        ("review_missed", f"{tf.name_en} meeting of 2026-11-10 was missed: hold it or record why", 11)
    ]
    assert by_owner["CISO"] == [("review_sign_off", f"Sign off the {tf.name_en} meeting held 2026-11-03", 4)]
    assert held.id not in (october.id, november.id, december.id)
    wider = due.due_report(session=session, today=TODAY, days=30)
    assert ("review", f"{tf.name_en} meeting: {december.title}", -19) in [
        (e.kind, e.title, e.days_late) for o in wider.owners for e in o.items
    ]


def test_finding_hooks_list_overdue_actions_and_missed_reviews(session: Session, actor: Principal) -> None:
    tf = factories.body(session, actor)
    factories.review(session, actor, tf.id, date(2026, 11, 10))
    factories.review(session, actor, tf.id, date(2026, 11, 30))
    late = factories.action(session, actor, title="late", due_on=date(2026, 11, 1), raised_on=date(2026, 10, 1))
    factories.action(session, actor, title="not yet", due_on=date(2026, 12, 1), raised_on=date(2026, 10, 1))
    assert [(a.action_id, a.days_overdue) for a in service.overdue_actions(session=session, today=TODAY)] == [
        (late, 20)
    ]
    missed = service.missed_reviews(session=session, today=TODAY)
    assert [(m.body_code, m.scheduled_on, m.days_missed) for m in missed] == [("task_force", date(2026, 11, 10), 11)]
