"""The controls domain's POA&M provider: real findings with their milestones, as of any instant, in a bundle that
verifies."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from trestle.oscal.poam import PlanOfActionAndMilestones

from reports.export import oscal, rules, service
from reports.export.verify import verify_bundle
from tests.controls.factories import fix, load_catalog, plant
from tests.plan import factories as plan_factories
from tests.reports.export.factories import read_entries
from tracker.auth.models import Principal
from tracker.controls import service as controls
from tracker.db import read_session, write_session
from tracker.types import now_utc


def test_findings_become_risks_with_milestone_tasks_and_stay_as_they_were_at_a_past_instant(
    engine: Engine, actor: Principal, tmp_path: Path
) -> None:
    with write_session(engine) as session:
        load_catalog(session, actor)
        fleet = plant(session, actor)
        plan_factories.program(session, actor)
        milestone = plan_factories.milestone(session, actor, "FEM-Z", baseline_date=date(2027, 6, 30))
        controls.run(session=session, actor=actor)
        (finding,) = controls.list_findings(session=session, control_id="MSIT-2").items
        controls.link_milestone(session=session, finding_id=finding.id, milestone_id=milestone.id, actor=actor)
    while_open = now_utc()
    with write_session(engine) as session:
        fix(session, actor, fleet)
        controls.run(session=session, actor=actor)

    with read_session(engine) as session:
        then = json.loads(service.poam_bytes(session=session, as_of=while_open))
        now = json.loads(service.poam_bytes(session=session))
    for document in (then, now):
        assert oscal.check_poam(document) == []
        path = tmp_path / "poam.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        assert isinstance(PlanOfActionAndMilestones.oscal_read(path), PlanOfActionAndMilestones)
    risks_then = {r["title"]: r for r in then["plan-of-action-and-milestones"]["risks"]}
    risks_now = {r["title"]: r for r in now["plan-of-action-and-milestones"]["risks"]}
    assert len(risks_then) == len(fleet.planted)
    assert {r["status"] for r in risks_then.values()} == {"open"}
    assert {r["status"] for r in risks_now.values()} == {"closed"}
    shared = risks_then[finding.title]
    assert [t["title"] for t in shared["remediations"][0]["tasks"]] == ["FEM-Z FEM-Z title"]
    assert shared["deadline"].startswith(finding.due_on.isoformat())
    with read_session(engine) as session:
        again = json.loads(service.poam_bytes(session=session, as_of=while_open))
    assert again == then


def test_an_audit_export_with_real_findings_verifies(engine: Engine, actor: Principal, tmp_path: Path) -> None:
    with write_session(engine) as session:
        load_catalog(session, actor)
        fleet = plant(session, actor)
        controls.run(session=session, actor=actor)
        fix(session, actor, fleet)
        controls.run(session=session, actor=actor)
    out = tmp_path / "bundle.zip"
    with read_session(engine) as session:
        service.export_audit(session=session, out=out)
    report = verify_bundle(out)
    assert report.ok, [str(p) for p in report.problems]
    entries = read_entries(out)
    for table in ("control", "control_run", "control_result", "finding", "auth_server_rotation"):
        assert rules.data_paths(table)[0] in entries
    poam = json.loads(entries[rules.POAM])
    assert len(poam["plan-of-action-and-milestones"]["risks"]) == len(fleet.planted)
