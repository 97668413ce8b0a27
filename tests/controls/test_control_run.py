"""A control run over a crafted fleet: each control fails for exactly the planted records, findings open, and after
the fixes every control passes and its finding closes by itself; the audit chain shows both."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlmodel import Session

from tests.controls.factories import fix, load_catalog, plant
from tracker.audit import service as audit
from tracker.auth.models import Principal
from tracker.controls import report, service
from tracker.controls.models import Closure, ControlRun, FindingStatus, ResultStatus, Severity


def _by_control(run: object) -> dict[str, object]:
    return {r.control_id: r for r in run.results}  # type: ignore[attr-defined]


def test_each_control_fails_for_exactly_the_planted_records_then_passes_after_the_fixes(
    session: Session, actor: Principal
) -> None:
    load_catalog(session, actor)
    fleet = plant(session, actor)

    first = service.run(session=session, actor=actor)
    results = _by_control(first)
    for control_id, planted in fleet.planted.items():
        result = results[control_id]
        assert result.status is ResultStatus.failed, (control_id, result.summary)
        assert set(result.sample) == planted, control_id
    assert results["MSIT-1"].details["absent_from_inventory"] == 1
    assert results["MSIT-2"].details["groups"] == 1
    assert results["MSIT-2"].details["group_sizes"] == {"2": 1}
    assert results["MSIT-3"].details["expired_on_active"] == 1
    assert results["MSIT-3"].details["validity_over_policy"] == 1
    assert results["MSIT-7A"].details["lost"] == 1
    assert results["ISMS-1.1.2"].status is ResultStatus.manual
    assert results["PLAN-2"].status is ResultStatus.not_applicable
    assert first.failed == len(fleet.planted)
    assert first.findings_opened == len(fleet.planted)
    opened = service.list_findings(session=session, status=FindingStatus.open, limit=100).items
    assert {f.control_id for f in opened} == set(fleet.planted)

    fix(session, actor, fleet)
    second = service.run(session=session, actor=actor)
    results = _by_control(second)
    for control_id in fleet.planted:
        assert results[control_id].status is ResultStatus.passed, (control_id, results[control_id].summary)
        assert results[control_id].sample == []
    assert second.findings_closed == len(fleet.planted)
    assert second.findings_opened == 0
    for finding in service.list_findings(session=session, limit=100).items:
        assert finding.status is FindingStatus.closed
        assert finding.closure is Closure.automatic
        assert finding.last_run_id == second.id
        history = service.finding_history(session=session, finding_id=finding.id)
        assert [e.state["status"] for e in history] == ["open", "closed"]
        assert history[0].state["opened_run_id"] == first.id
    assert audit.verify(session).ok


def test_runs_and_results_are_audited_with_their_full_rows(session: Session, actor: Principal) -> None:
    load_catalog(session, actor)
    plant(session, actor)
    before = audit.head(session)
    run = service.run(session=session, actor=actor)
    events = audit.list_events(session, since=None, limit=1000).items
    after = [e for e in events if e.seq > before.seq]
    kinds = [e.entity_type for e in after]
    assert kinds.count("control_run") == 1
    assert kinds.count("control_result") == run.evaluated
    assert kinds.count("finding") == run.findings_opened
    run_event = next(e for e in after if e.entity_type == "control_run")
    row = session.get(ControlRun, run.id)
    assert run_event.state == audit.state_of(row)  # type: ignore[arg-type]
    assert run.chain_head_seq == before.seq and run.chain_head_hash == before.hash


def test_a_still_failing_control_updates_its_finding_instead_of_opening_another(
    session: Session, actor: Principal
) -> None:
    load_catalog(session, actor)
    plant(session, actor)
    first = service.run(session=session, actor=actor)
    second = service.run(session=session, actor=actor)
    assert second.findings_opened == 0
    assert second.findings_updated == first.findings_opened
    findings = service.list_findings(session=session, control_id="MSIT-2").items
    assert len(findings) == 1
    assert findings[0].opened_run_id == first.id and findings[0].last_run_id == second.id


def test_legacy_equipment_with_personal_data_escalates_the_finding(session: Session, actor: Principal) -> None:
    load_catalog(session, actor)
    plant(session, actor)
    service.run(session=session, actor=actor)
    (finding,) = service.list_findings(session=session, control_id="PLAN-1").items
    assert finding.severity is Severity.critical  # the catalog says high; personal data raises it


def test_due_dates_follow_the_severity_sla(session: Session, actor: Principal) -> None:
    load_catalog(session, actor)
    plant(session, actor)
    run = service.run(session=session, actor=actor)
    from tracker.types import to_seoul

    opened = to_seoul(run.started_at).date()
    expected = {"critical": 7, "high": 30, "medium": 90, "low": 180}
    for finding in service.list_findings(session=session, limit=100).items:
        assert finding.due_on == opened + timedelta(days=expected[finding.severity]), finding.control_id


def test_the_sla_is_configurable(session: Session, actor: Principal, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.settings import get_settings

    monkeypatch.setenv("SECTRACK_FINDING_SLA_DAYS", '{"critical": 3}')
    get_settings.cache_clear()
    load_catalog(session, actor)
    plant(session, actor)
    run = service.run(session=session, actor=actor)
    from tracker.types import to_seoul

    opened = to_seoul(run.started_at).date()
    (critical,) = service.list_findings(session=session, control_id="MSIT-2").items
    (high,) = service.list_findings(session=session, control_id="MSIT-3").items
    assert critical.due_on == opened + timedelta(days=3)
    assert high.due_on == opened + timedelta(days=30)


def test_disabled_controls_are_not_run(session: Session, actor: Principal) -> None:
    from tracker.controls.models import ControlUpdate

    load_catalog(session, actor)
    service.update_control(
        session=session, control_id="MSIT-2", data=ControlUpdate(enabled=False), if_match=None, actor=actor
    )
    run = service.run(session=session, actor=actor)
    assert "MSIT-2" not in _by_control(run)
    assert session.scalar(select(ControlRun.id)) == run.id


def test_each_order_has_its_controls_in_the_newest_run_for_the_regulator_report(
    session: Session, actor: Principal
) -> None:
    load_catalog(session, actor)
    assert report.latest_run(session) is None
    plant(session, actor)
    service.run(session=session, actor=actor)
    by_order: dict[str, list[report.ControlStatus]] = {}
    for status in report.control_statuses(session, report.latest_run(session)):
        if status.reference and status.reference.startswith("order-"):
            by_order.setdefault(status.reference, []).append(status)
    assert [c.control_id for c in by_order["order-7-stale-moved-decommissioned"]] == ["MSIT-7A", "MSIT-7B"]
    assert by_order["order-2-one-certificate-per-device"][0].status == ResultStatus.failed.value
    assert len(by_order) == 8


def test_order_1_and_the_exposure_analysis_count_the_same_unauthorized_cells(
    session: Session, actor: Principal
) -> None:
    """Registered and suspended units carrying traffic fail order 1 as they count in the exposure figures."""
    from inventory.access_events import exposure
    from tests.inventory import exposure_data

    exposure_data.load(session, actor)
    load_catalog(session, actor)
    run = service.run(session=session, actor=actor)
    msit1 = _by_control(run)["MSIT-1"]
    days = msit1.details["lookback_days"]  # type: ignore[attr-defined]
    window = exposure.ExposureWindow(since=run.started_at - timedelta(days=days), until=run.started_at)
    totals = exposure.totals(session=session, window=window)
    assert msit1.details["unauthorized_ids"] == totals.cells_with_accepted_attaches == 6  # type: ignore[attr-defined]
    assert exposure_data.REGISTERED in msit1.sample and exposure_data.SUSPENDED in msit1.sample  # type: ignore[attr-defined]
