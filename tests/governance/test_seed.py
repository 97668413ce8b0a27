"""The demo seed: a year of governance history as of 2026-11-21 and the commitments with their public dates."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from tracker.audit import service as audit
from tracker.auth.models import Principal
from tracker.commitments import seed as commitments_seed
from tracker.commitments import service as commitments
from tracker.commitments.models import CommitmentStatus, DateSource
from tracker.flows import SeedContext
from tracker.governance import due, service
from tracker.governance import seed as governance_seed
from tracker.governance.models import ActionStatus, ReviewKind
from tracker.governance.schedule import ReviewStatus

AS_OF = date(2026, 11, 21)


@pytest.fixture
def seeded(session: Session, actor: Principal) -> dict[str, int]:
    ctx = SeedContext(devices=0, random_seed=2025, actor=actor)
    return commitments_seed.load(session, ctx) | governance_seed.load(session, ctx)


def _reviews(session: Session, status: ReviewStatus | None = None) -> list:  # type: ignore[type-arg]
    return service.list_reviews(session=session, status=status, limit=1000, today=AS_OF).items


def test_seed_builds_a_year_of_reviews_held_missed_and_signed_off(session: Session, seeded: dict[str, int]) -> None:
    assert seeded["reviews held (illustrative)"] == 24 and seeded["reviews missed (illustrative)"] == 2
    missed = _reviews(session, ReviewStatus.missed)
    assert [(r.body_code, r.scheduled_on) for r in missed] == [
        ("task_force", date(2026, 8, 12)),
        ("management", date(2026, 10, 29)),
    ]
    assert missed[0].missed_reason and missed[1].missed_reason is None
    signed = _reviews(session, ReviewStatus.signed_off)
    held = _reviews(session, ReviewStatus.held)
    assert len(signed) == 21
    assert {(r.body_code, r.scheduled_on) for r in held} == {
        ("management", date(2026, 9, 24)),
        ("task_force", date(2026, 11, 11)),
        ("board", date(2026, 11, 19)),
    }
    task_force = [r for r in _reviews(session) if r.body_code == "task_force" and r.scheduled_on < AS_OF]
    assert [r.scheduled_on.month for r in task_force] == list(range(1, 12))
    board = [r for r in _reviews(session) if r.body_code == "board" and r.scheduled_on < AS_OF]
    assert [(r.scheduled_on, r.kind) for r in board] == [
        (date(2026, 1, 27), ReviewKind.extraordinary),
        (date(2026, 2, 19), ReviewKind.regular),
        (date(2026, 5, 21), ReviewKind.regular),
        (date(2026, 8, 20), ReviewKind.regular),
        (date(2026, 11, 19), ReviewKind.regular),
    ]
    late = next(r for r in _reviews(session) if r.scheduled_on == date(2026, 4, 30))
    assert (late.held_on, late.days_late) == (date(2026, 5, 4), 4)
    assert any(r.scheduled_on > AS_OF for r in _reviews(session, ReviewStatus.scheduled))


def test_seeded_meetings_carry_agendas_attendees_decisions_and_actions(
    session: Session, seeded: dict[str, int]
) -> None:
    august_board = next(r for r in _reviews(session) if r.scheduled_on == date(2026, 8, 20))
    detail = service.get_review(session=session, review_id=august_board.id, today=AS_OF)
    assert len(detail.attendees) == 6 and detail.agenda and detail.decisions
    assert "Illustrative" in (detail.minutes or "")
    actions = service.list_actions(session=session, limit=1000, today=AS_OF).items
    assert len(actions) == seeded["action items"] == 28
    statuses = {a.status for a in actions}
    assert {ActionStatus.done, ActionStatus.open, ActionStatus.in_progress} <= statuses
    assert sum(a.overdue for a in actions) == 4
    next_tf = next(r for r in _reviews(session, ReviewStatus.scheduled) if r.body_code == "task_force")
    upcoming = service.get_review(session=session, review_id=next_tf.id, today=AS_OF)
    assert upcoming.prepared_at is not None and upcoming.agenda[0].kind == "commitment_overdue"


def test_seeded_commitments_keep_the_public_dates(session: Session, seeded: dict[str, int]) -> None:
    register = {c.code: c for c in commitments.list(session=session, limit=100, today=AS_OF).items}
    assert len(register) == 14
    waiver = register["cancellation_fee_waiver"]
    assert (waiver.window_start, waiver.due_on, waiver.retroactive_from) == (
        date(2025, 12, 31),
        date(2026, 1, 13),
        date(2025, 9, 1),
    )
    assert "MVNO" in (waiver.conditions or "") and waiver.date_source is DateSource.facts
    applications = register["refund_applications"]
    assert (applications.window_start, applications.due_on) == (date(2026, 1, 14), date(2026, 1, 31))
    assert [register[f"refund_batch_{n}"].due_on for n in (1, 2, 3)] == [
        date(2026, 1, 22),
        date(2026, 2, 5),
        date(2026, 2, 19),
    ]
    assert (register["free_data_100gb"].window_start, register["free_data_100gb"].due_on) == (
        date(2026, 1, 1),
        date(2026, 6, 30),
    )
    assert register["roaming_data_bonus"].due_on == date(2026, 8, 31)
    assert register["refund_notices"].date_source is DateSource.illustrative
    assert all(m.source is DateSource.illustrative for c in register.values() for m in c.measured)
    assert register["refund_batch_1"].status is CommitmentStatus.met
    assert [o.code for o in commitments.overdue(session=session, today=AS_OF)] == ["refund_notices"]


def test_seeded_reminders_and_audit_chain(session: Session, seeded: dict[str, int]) -> None:
    report = due.due_report(session=session, today=AS_OF, days=14)
    assert report.overdue == 7
    assert report.owners[0].owner == "Customer Experience Division"
    assert audit.verify(session).ok
