"""Findings: risk acceptance (ciso/admin, with an expiry that reopens the finding), manual closure, due-date moves,
milestone links, and manual attestations."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session

from tests.controls.factories import load_catalog, plant
from tests.plan import factories as plan_factories
from tracker.auth.models import Principal, Role
from tracker.controls import service
from tracker.controls.models import (
    AttestationCreate,
    ControlCreate,
    ControlSource,
    FindingStatus,
    FindingUpdate,
    ResultStatus,
    Severity,
)
from tracker.errors import Conflict, Forbidden
from tracker.governance.schedule import seoul_today
from tracker.types import now_utc

STAFF = Principal(name="analyst", role=Role.staff)
CISO = Principal(name="ciso", role=Role.ciso)


def _failing_finding(session: Session, actor: Principal) -> int:
    load_catalog(session, actor)
    plant(session, actor)
    service.run(session=session, actor=actor)
    (finding,) = service.list_findings(session=session, control_id="MSIT-2").items
    return finding.id


def _update(session: Session, finding_id: int, actor: Principal, **changes: object):  # type: ignore[no-untyped-def]
    return service.update_finding(
        session=session, finding_id=finding_id, data=FindingUpdate.model_validate(changes), if_match=None, actor=actor
    )


def test_only_ciso_or_admin_may_accept_a_risk(session: Session, actor: Principal) -> None:
    finding_id = _failing_finding(session, actor)
    until = (seoul_today() + timedelta(days=30)).isoformat()
    with pytest.raises(Forbidden):
        _update(session, finding_id, STAFF, status="risk_accepted", risk_accepted_until=until)
    accepted = _update(session, finding_id, CISO, status="risk_accepted", risk_accepted_until=until)
    assert accepted.status is FindingStatus.risk_accepted
    assert accepted.risk_accepted_by == "ciso"
    assert accepted.risk_accepted_until == date.fromisoformat(until)
    assert accepted.overdue is False


def test_accepting_a_risk_needs_a_future_expiry_within_a_year(session: Session, actor: Principal) -> None:
    finding_id = _failing_finding(session, actor)
    with pytest.raises(Conflict) as missing:
        _update(session, finding_id, CISO, status="risk_accepted")
    assert missing.value.field == "risk_accepted_until"
    for days in (0, 400):
        with pytest.raises(Conflict):
            _update(
                session,
                finding_id,
                CISO,
                status="risk_accepted",
                risk_accepted_until=(seoul_today() + timedelta(days=days)).isoformat(),
            )


def test_an_accepted_risk_holds_until_it_expires_then_the_next_run_reopens_it(
    session: Session, actor: Principal
) -> None:
    finding_id = _failing_finding(session, actor)
    until = seoul_today() + timedelta(days=10)
    _update(session, finding_id, CISO, status="risk_accepted", risk_accepted_until=until.isoformat())
    service.run(session=session, actor=actor)
    assert service.get_finding(session=session, finding_id=finding_id).status is FindingStatus.risk_accepted
    service.run(session=session, actor=actor, now=now_utc() + timedelta(days=12))
    reopened = service.get_finding(session=session, finding_id=finding_id)
    assert reopened.status is FindingStatus.open
    history = service.finding_history(session=session, finding_id=finding_id)
    assert [e.state["status"] for e in history][-3:] == ["risk_accepted", "risk_accepted", "open"]


def test_only_ciso_or_admin_may_close_by_hand_and_closed_is_final(session: Session, actor: Principal) -> None:
    finding_id = _failing_finding(session, actor)
    with pytest.raises(Forbidden):
        _update(session, finding_id, STAFF, status="closed", closed_reason="fixed")
    with pytest.raises(Conflict) as no_reason:
        _update(session, finding_id, CISO, status="closed")
    assert no_reason.value.field == "closed_reason"
    closed = _update(session, finding_id, CISO, status="closed", closed_reason="Certificates re-issued off-line.")
    assert closed.status is FindingStatus.closed and closed.closure == "manual" and closed.closed_by == "ciso"
    with pytest.raises(Conflict):
        _update(session, finding_id, CISO, status="open")
    # Still failing: the next run opens a new finding rather than reviving the closed one.
    run = service.run(session=session, actor=actor)
    assert run.findings_opened == 1
    assert len(service.list_findings(session=session, control_id="MSIT-2").items) == 2


def test_staff_may_take_a_finding_in_hand_but_not_move_its_due_date(session: Session, actor: Principal) -> None:
    finding_id = _failing_finding(session, actor)
    taken = _update(session, finding_id, STAFF, status="in_progress", owner="PKI team", note="Re-issuing.")
    assert taken.status is FindingStatus.in_progress and taken.owner == "PKI team"
    with pytest.raises(Forbidden):
        _update(session, finding_id, STAFF, due_on=(taken.due_on + timedelta(days=30)).isoformat())
    moved = _update(session, finding_id, CISO, due_on=(taken.due_on + timedelta(days=30)).isoformat())
    assert moved.due_on == taken.due_on + timedelta(days=30)


def test_overdue_findings_are_listed_by_filter(session: Session, actor: Principal) -> None:
    _failing_finding(session, actor)
    later = seoul_today() + timedelta(days=8)  # past every critical SLA (7 days), within the high ones (30)
    overdue = service.list_findings(session=session, overdue=True, today=later, limit=100).items
    assert overdue and all(f.severity is Severity.critical for f in overdue)
    assert all(f.overdue for f in overdue)
    not_overdue = service.list_findings(session=session, overdue=False, today=later, limit=100).items
    assert not any(f.severity is Severity.critical for f in not_overdue)


def test_findings_list_pages_by_keyset(session: Session, actor: Principal) -> None:
    _failing_finding(session, actor)
    seen: list[int] = []
    cursor = None
    while True:
        page = service.list_findings(session=session, cursor=cursor, limit=3)
        seen += [f.id for f in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 10


def test_milestones_link_and_unlink(session: Session, actor: Principal) -> None:
    finding_id = _failing_finding(session, actor)
    plan_factories.program(session, actor)
    milestone = plan_factories.milestone(session, actor, "FEM-X", baseline_date=date(2027, 6, 30))
    linked = service.link_milestone(session=session, finding_id=finding_id, milestone_id=milestone.id, actor=actor)
    assert linked.milestone_ids == [milestone.id]
    with pytest.raises(Conflict):
        service.link_milestone(session=session, finding_id=finding_id, milestone_id=milestone.id, actor=actor)
    service.unlink_milestone(session=session, finding_id=finding_id, milestone_id=milestone.id, actor=actor)
    assert service.get_finding(session=session, finding_id=finding_id).milestone_ids == []


def test_a_manual_control_passes_on_an_attestation_with_evidence(session: Session, actor: Principal) -> None:
    service.create_control(
        session=session,
        data=ControlCreate(
            id="ISMS-2.5.1",
            title_ko="사용자 계정 관리",
            title_en="User account management",
            source=ControlSource.isms_p,
            severity=Severity.medium,
            owner="Identity team",
            due_on=seoul_today() - timedelta(days=1),
        ),
        actor=actor,
    )
    first = service.run(session=session, actor=actor)
    assert first.results[0].status is ResultStatus.failed  # due yesterday, not attested
    data = AttestationCreate(statement="Reviewed all accounts.", evidence_refs=["IAM review 2026-11"])
    with pytest.raises(Forbidden):
        service.attest(session=session, control_id="ISMS-2.5.1", data=data, actor=STAFF)
    attestation = service.attest(session=session, control_id="ISMS-2.5.1", data=data, actor=CISO)
    assert attestation.attested_by == "ciso" and attestation.evidence_refs == ["IAM review 2026-11"]
    second = service.run(session=session, actor=actor)
    assert second.results[0].status is ResultStatus.passed
    assert second.results[0].evidence_count == 1
    assert second.findings_closed == 1


def test_a_lapsed_attestation_no_longer_counts(session: Session, actor: Principal) -> None:
    load_catalog(session, actor)
    service.attest(
        session=session,
        control_id="MSIT-8",
        data=AttestationCreate(
            statement="Submitted.",
            evidence_refs=["receipt"],
            attested_on=seoul_today() - timedelta(days=20),
            valid_until=seoul_today() - timedelta(days=1),
        ),
        actor=CISO,
    )
    run = service.run(session=session, actor=actor)
    assert {r.control_id: r.status for r in run.results}["MSIT-8"] is ResultStatus.failed


def test_automated_controls_cannot_be_attested(session: Session, actor: Principal) -> None:
    load_catalog(session, actor)
    with pytest.raises(Conflict):
        service.attest(
            session=session,
            control_id="MSIT-2",
            data=AttestationCreate(statement="Trust me.", evidence_refs=["none"]),
            actor=CISO,
        )
