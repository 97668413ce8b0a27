"""The commitments register: overdue logic, status rules, measurements and evidence."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from tests.governance import factories
from tracker.audit import service as audit
from tracker.auth.models import Principal
from tracker.commitments import service
from tracker.commitments.models import (
    CommitmentStatus,
    CommitmentUpdate,
    DateSource,
    MeasurementCreate,
)
from tracker.errors import Conflict, NotFound

TODAY = date(2026, 2, 10)


def _status(session: Session, actor: Principal, commitment_id: int, status: CommitmentStatus, **kw: object) -> None:
    service.update(
        session=session,
        commitment_id=commitment_id,
        data=CommitmentUpdate(status=status, **kw),
        if_match=None,
        actor=actor,
        today=TODAY,
    )


def test_overdue_means_past_due_and_neither_met_nor_withdrawn(session: Session, actor: Principal) -> None:
    late = factories.commitment(session, actor, code="refund_batch_1", due_on=date(2026, 1, 22))
    met = factories.commitment(session, actor, code="refund_batch_2", due_on=date(2026, 2, 5), evidence=True)
    withdrawn = factories.commitment(session, actor, code="old_programme", due_on=date(2026, 1, 31))
    factories.commitment(session, actor, code="refund_batch_3", due_on=date(2026, 2, 19))
    factories.commitment(session, actor, code="due_today", due_on=TODAY)
    _status(session, actor, met, CommitmentStatus.met, met_on=date(2026, 2, 5))
    _status(session, actor, withdrawn, CommitmentStatus.withdrawn, status_note="Replaced by the data offer.")
    _status(session, actor, late, CommitmentStatus.in_progress)
    overdue = service.overdue(session=session, today=TODAY)
    assert [(o.code, o.days_overdue, o.status) for o in overdue] == [
        ("refund_batch_1", 19, CommitmentStatus.in_progress)
    ]
    listed = service.list(session=session, overdue=True, today=TODAY).items
    assert [(c.code, c.overdue, c.days_late) for c in listed] == [("refund_batch_1", True, 19)]
    assert {c.code for c in service.list(session=session, overdue=False, today=TODAY).items} == {
        "refund_batch_2",
        "old_programme",
        "refund_batch_3",
        "due_today",
    }


def test_a_commitment_met_late_was_overdue_on_the_days_before(session: Session, actor: Principal) -> None:
    commitment_id = factories.commitment(session, actor, due_on=date(2026, 1, 22), evidence=True)
    _status(session, actor, commitment_id, CommitmentStatus.met, met_on=date(2026, 2, 1))
    assert service.overdue(session=session, today=TODAY) == []
    # Agendas taken before it was met still see it overdue.
    assert [o.code for o in service.overdue(session=session, today=date(2026, 1, 30))] == ["refund_batch_1"]


def test_met_needs_evidence_and_withdrawn_needs_a_reason(session: Session, actor: Principal) -> None:
    commitment_id = factories.commitment(session, actor)
    with pytest.raises(Conflict, match="cannot be marked met without evidence"):
        _status(session, actor, commitment_id, CommitmentStatus.met)
    with pytest.raises(Conflict, match="cannot be withdrawn without a status_note"):
        _status(session, actor, commitment_id, CommitmentStatus.withdrawn)
    _status(session, actor, commitment_id, CommitmentStatus.withdrawn, status_note="Superseded.")
    with pytest.raises(Conflict, match="cannot go from withdrawn to met; allowed next states: planned"):
        _status(session, actor, commitment_id, CommitmentStatus.met)


def test_met_on_defaults_to_today_and_cannot_be_in_the_future(session: Session, actor: Principal) -> None:
    commitment_id = factories.commitment(session, actor, evidence=True)
    with pytest.raises(Conflict, match="met_on 2026-03-01 is in the future"):
        _status(session, actor, commitment_id, CommitmentStatus.met, met_on=date(2026, 3, 1))
    _status(session, actor, commitment_id, CommitmentStatus.met)
    detail = service.get(session=session, commitment_id=commitment_id, today=TODAY)
    assert (detail.status, detail.met_on, detail.evidence_count) == (CommitmentStatus.met, TODAY, 1)
    _status(session, actor, commitment_id, CommitmentStatus.in_progress)
    assert service.get(session=session, commitment_id=commitment_id).met_on is None


def test_a_window_must_end_on_or_after_it_starts(session: Session, actor: Principal) -> None:
    with pytest.raises(Conflict, match="window_start 2026-02-01 is after due_on 2026-01-13"):
        factories.commitment(session, actor, window_start=date(2026, 2, 1), due_on=date(2026, 1, 13))
    commitment_id = factories.commitment(session, actor, window_start=date(2025, 12, 31), due_on=date(2026, 1, 13))
    with pytest.raises(Conflict, match="window_start"):
        service.update(
            session=session, commitment_id=commitment_id, data=CommitmentUpdate(due_on=date(2025, 12, 1)),
            if_match=None, actor=actor,
        )  # fmt: skip


def test_codes_are_unique(session: Session, actor: Principal) -> None:
    factories.commitment(session, actor, code="usim_replacement")
    with pytest.raises(Conflict, match="already exists"):
        factories.commitment(session, actor, code="usim_replacement")


def test_measurements_keep_history_and_the_list_shows_the_newest_value_per_metric(
    session: Session, actor: Principal
) -> None:
    commitment_id = factories.commitment(session, actor, code="refund_batch_1")
    for day, value in ((date(2026, 1, 22), 1_000), (date(2026, 1, 25), 1_250)):
        service.add_measurement(
            session=session, commitment_id=commitment_id,
            data=MeasurementCreate(metric="customers_refunded", value=value, unit="customers", measured_on=day,
                                   source=DateSource.illustrative),
            actor=actor,
        )  # fmt: skip
    service.add_measurement(
        session=session, commitment_id=commitment_id,
        data=MeasurementCreate(metric="refunds_paid", value=310_000_000, unit="KRW", measured_on=date(2026, 1, 22)),
        actor=actor,
    )  # fmt: skip
    listed = service.list(session=session, today=TODAY).items[0]
    assert [(m.metric, m.value, m.source) for m in listed.measured] == [
        ("customers_refunded", 1_250, DateSource.illustrative),
        ("refunds_paid", 310_000_000, DateSource.reported),
    ]
    history = service.list_measurements(session=session, commitment_id=commitment_id)
    assert [m.value for m in history] == [1_000, 310_000_000, 1_250]
    assert len(audit.list_events(session, entity_type="commitment_measurement").items) == 3


def test_unknown_commitment_is_404(session: Session, actor: Principal) -> None:
    with pytest.raises(NotFound, match="No commitment with id 9"):
        service.get(session=session, commitment_id=9)
    with pytest.raises(NotFound):
        service.list_evidence(session=session, commitment_id=9)
