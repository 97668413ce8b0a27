"""What the reports read of the controls domain, checked on hand-made records."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from tests.controls.factories import load_catalog
from tests.inventory.factories import make_femtocell
from tracker.audit import service as audit
from tracker.auth.models import Principal
from tracker.controls import report, service


def test_monthly_remediation_counts_each_timestamp_in_its_own_month_within_the_range(
    session: Session, actor: Principal
) -> None:
    make_femtocell(session, actor, status="blocked", blocked_at="2025-10-03T01:00:00Z")
    make_femtocell(session, actor, status="blocked", blocked_at="2025-10-30T23:00:00Z")
    make_femtocell(
        session,
        actor,
        status="decommissioned",
        decommissioned_at="2025-11-02T00:00:00Z",
        cert_revoked_at="2025-12-01T00:00:00Z",
    )
    make_femtocell(session, actor, status="blocked", blocked_at="2025-08-31T00:00:00Z")  # before the range
    make_femtocell(session, actor, status="active")
    months = report.monthly_remediation(
        session, since=datetime(2025, 9, 1, tzinfo=UTC), until=datetime(2026, 1, 1, tzinfo=UTC)
    )
    assert months["blocked"] == {"2025-10": 2}
    assert months["decommissioned"] == {"2025-11": 1}
    assert months["revoked"] == {"2025-12": 1}
    assert report.fleet_by_status(session) == {"blocked": 3, "decommissioned": 1, "active": 1}


def test_a_run_keeps_the_fleet_figures_it_saw(session: Session, actor: Principal) -> None:
    load_catalog(session, actor)
    make_femtocell(session, actor, status="blocked", blocked_at="2025-10-03T01:00:00Z")
    make_femtocell(session, actor, status="decommissioned", decommissioned_at="2019-05-02T00:00:00Z")
    make_femtocell(session, actor, status="active")
    run = service.run(session=session, actor=actor)
    # Every month since the first record, not just since the incident: the figures outlive any report's range.
    assert run.fleet is not None
    assert run.fleet.by_status == {"blocked": 1, "decommissioned": 1, "active": 1}
    assert run.fleet.monthly == {"blocked": {"2025-10": 1}, "revoked": {}, "decommissioned": {"2019-05": 1}}
    # What the reports read back is what the run recorded, and the audit chain holds it too.
    latest = report.latest_run(session)
    assert latest is not None and latest.fleet == run.fleet.model_dump()
    event = audit.history(session, entity_type="control_run", entity_id=str(run.id))[-1]
    assert event.state["fleet"] == run.fleet.model_dump()
