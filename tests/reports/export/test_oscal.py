"""The OSCAL POA&M: loads in compliance-trestle, references resolve, statuses and deadlines map, UUIDs are stable."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from trestle.oscal.poam import PlanOfActionAndMilestones

from reports.export import oscal, rules, service
from reports.export.verify import verify_bundle
from tests.reports.export.conftest import Exporter
from tests.reports.export.factories import CRAFTED_FINDINGS, finding, read_entries, resign, write_entries
from tracker.audit.models import ChainHead
from tracker.db import read_session
from tracker.errors import ConfigurationError

AS_OF = datetime.fromisoformat("2026-03-31T23:59:59+09:00")
HEAD = ChainHead(seq=42, hash="ab" * 32)


def _document(findings: list[oscal.PoamFinding]) -> dict[str, Any]:
    return oscal.build_poam(findings, as_of=AS_OF, head=HEAD)


def _uuids(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "uuid"] + [u for v in node.values() for u in _uuids(v)]
    if isinstance(node, list):
        return [u for v in node for u in _uuids(v)]
    return []


def test_poam_with_findings_loads_in_trestle_and_every_related_risk_resolves() -> None:
    document = _document(CRAFTED_FINDINGS)
    model = PlanOfActionAndMilestones.model_validate(document["plan-of-action-and-milestones"])
    assert model.metadata.oscal_version.root.root == oscal.OSCAL_VERSION
    assert model.system_id is not None and model.system_id.id == oscal.SYSTEM_ID
    risk_uuids = {risk.uuid for risk in model.risks or []}
    assert len(risk_uuids) == len(model.poam_items) == 3
    for item in model.poam_items:
        assert [ref.risk_uuid for ref in item.related_risks or []] and all(
            ref.risk_uuid in risk_uuids for ref in item.related_risks or []
        )
    assert oscal.check_poam(document) == []


def test_every_uuid_is_version_4_or_5_and_unique() -> None:
    uuids = _uuids(_document(CRAFTED_FINDINGS))
    assert len(uuids) == len(set(uuids)) > 10
    assert {uuid.UUID(u).version for u in uuids} == {5}


def test_statuses_deadlines_and_milestone_tasks_are_mapped() -> None:
    risks = _document(CRAFTED_FINDINGS)["plan-of-action-and-milestones"]["risks"]
    first, accepted, closed = risks
    assert [r["status"] for r in risks] == ["open", "deviation-approved", "closed"]
    assert first["deadline"] == "2026-06-30T23:59:59+09:00" and "deadline" not in closed
    (remediation,) = first["remediations"]
    assert remediation["lifecycle"] == "planned"
    tasks = remediation["tasks"]
    assert [t["type"] for t in tasks] == ["milestone", "milestone"]
    assert [t["title"] for t in tasks] == [f"Issue per-device certificates, wave {n}" for n in (3, 7)]
    # Milestone 3 has no forecast: its baseline date is the timing.
    assert tasks[0]["timing"] == {"on-date": {"date": "2026-04-30T23:59:59+09:00"}}
    assert tasks[1]["timing"] == {"on-date": {"date": "2026-05-31T23:59:59+09:00"}}
    assert accepted["remediations"][0]["lifecycle"] == "recommendation" and "tasks" not in accepted["remediations"][0]
    assert closed["remediations"][0]["lifecycle"] == "completed"
    assert "\n" not in first["title"]


def test_an_empty_poam_states_that_nothing_was_open_and_still_validates() -> None:
    document = _document([])
    poam = document["plan-of-action-and-milestones"]
    PlanOfActionAndMilestones.model_validate(poam)
    assert "risks" not in poam
    (item,) = poam["poam-items"]
    assert item["title"] == "No open findings" and "2026-03-31 23:59 KST" in item["description"]
    assert oscal.check_poam(document) == []


def test_the_same_findings_give_the_same_bytes() -> None:
    reordered = list(reversed(CRAFTED_FINDINGS))
    assert oscal.poam_bytes(_document(CRAFTED_FINDINGS)) == oscal.poam_bytes(_document(reordered))


def test_a_status_without_an_oscal_meaning_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationError, match="Finding 9 has status 'snoozed'"):
        _document([finding(9, status="snoozed")])


def test_check_poam_names_a_reference_to_a_missing_risk() -> None:
    document = _document(CRAFTED_FINDINGS)
    document["plan-of-action-and-milestones"]["risks"].pop()
    problems = oscal.check_poam(document)
    assert len(problems) == 1 and problems[0].startswith("poam-item 3 refers to risk ")


def test_export_poam_writes_a_file_trestle_reads(populated: Engine, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(oscal, "FINDINGS_PROVIDERS", ["tests.reports.export.factories:provide_findings"])
    out = tmp_path / "poam.json"
    with read_session(populated) as session:
        service.export_poam(session=session, out=out)
    model = PlanOfActionAndMilestones.oscal_read(out)
    assert isinstance(model, PlanOfActionAndMilestones) and len(model.risks or []) == 3


def test_the_bundle_carries_the_providers_findings_and_verify_checks_its_references(
    populated: Engine, export: Exporter, tmp_path: Path, monkeypatch: Any, signing_key: Any
) -> None:
    monkeypatch.setattr(oscal, "FINDINGS_PROVIDERS", ["tests.reports.export.factories:provide_findings"])
    result = export(populated)
    entries = read_entries(result.path)
    document = json.loads(entries[rules.POAM])
    assert len(document["plan-of-action-and-milestones"]["risks"]) == 3
    assert verify_bundle(result.path).ok
    document["plan-of-action-and-milestones"]["poam-items"][0]["related-risks"][0]["risk-uuid"] = str(uuid.uuid4())
    entries[rules.POAM] = oscal.poam_bytes(document)
    resign(entries, signing_key)
    altered = tmp_path / "altered.zip"
    write_entries(altered, entries)
    problems = [str(p) for p in verify_bundle(altered).problems]
    assert len(problems) == 1 and problems[0].startswith(f"{rules.POAM}: poam-item 1 refers to risk ")
