"""Failing controls and overdue findings reach meeting agendas; findings due reach the reminders, by owner."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from tests.controls.factories import load_catalog, plant
from tracker.auth.models import Principal
from tracker.controls import service
from tracker.governance import agenda
from tracker.governance.due import due_report
from tracker.governance.items import AgendaContext, Severity
from tracker.governance.schedule import seoul_today
from tracker.types import now_utc


def _context(days_ahead: int = 0) -> AgendaContext:
    return AgendaContext(
        review_id=0,
        body_id=0,
        body_code="board",
        as_of=now_utc() + timedelta(days=days_ahead),
        today=seoul_today() + timedelta(days=days_ahead),
    )


def test_failing_controls_and_overdue_findings_are_on_the_agenda(session: Session, actor: Principal) -> None:
    load_catalog(session, actor)
    plant(session, actor)
    run = service.run(session=session, actor=actor)
    items = [item for _, item in agenda.collect(session, _context())]
    failing = [i for i in items if i.kind == "control_failing"]
    assert {i.ref_id for i in failing} == {r.control_id for r in run.results if r.status == "fail"}
    assert next(i for i in failing if i.ref_id == "MSIT-2").severity is Severity.critical
    assert not [i for i in items if i.kind == "finding_overdue"]
    later = [item for _, item in agenda.collect(session, _context(days_ahead=8))]
    overdue = [i for i in later if i.kind == "finding_overdue"]
    assert overdue and {i.severity for i in overdue} == {Severity.critical}


def test_findings_due_are_reminded_to_their_owners(session: Session, actor: Principal) -> None:
    load_catalog(session, actor)
    plant(session, actor)
    service.run(session=session, actor=actor)
    report = due_report(session=session, today=seoul_today(), days=7)
    findings = [e for o in report.owners for e in o.items if e.kind == "finding"]
    assert findings and all(e.ref_type == "finding" for e in findings)
    owners = {e.owner for e in findings}
    assert "네트워크보안팀 (Network Security)" in owners
    late = due_report(session=session, today=seoul_today() + timedelta(days=40), days=0)
    # Past the critical (7 days) and high (30) SLAs; MSIT-6 is medium (90 days) and not yet overdue.
    overdue = {e.title.split(":")[0] for o in late.owners for e in o.items if e.kind == "finding" and e.overdue}
    assert len(overdue) == 9 and "MSIT-6" not in overdue
