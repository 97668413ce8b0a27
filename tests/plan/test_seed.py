"""The seeded plan is coherent (1 trillion won exactly, acyclic, weights = budget) and the demo state as of
2026-11-21 is plausible (some done, some late, spend behind in some workstreams and ahead in others)."""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from sqlmodel import Session

from tracker.auth.models import Principal
from tracker.errors import ConfigurationError
from tracker.flows import SeedContext
from tracker.kpis import seed as kpi_seed
from tracker.kpis import service as kpis
from tracker.milestones import graph as graphs
from tracker.milestones import seed as milestone_seed
from tracker.milestones import service as milestones
from tracker.milestones.models import Milestone, MilestoneStatus
from tracker.plan import seed as plan_seed
from tracker.plan import service as plan
from tracker.plan.models import WorkstreamCode
from tracker.zero_trust import seed as zero_trust_seed
from tracker.zero_trust import service as zero_trust
from tracker.zero_trust.models import ZtPillar

DEMO_DAY = date(2026, 11, 21)
TRILLION = 1_000_000_000_000


def run_seed(session: Session, actor: Principal) -> dict[str, int]:
    ctx = SeedContext(devices=0, random_seed=1, actor=actor)
    counts: dict[str, int] = {}
    for step in (plan_seed.load, milestone_seed.load, zero_trust_seed.load, kpi_seed.load):
        counts |= step(session, ctx)
    return counts


@pytest.fixture
def seeded(session: Session, actor: Principal) -> Session:
    run_seed(session, actor)
    return session


def test_budget_lines_sum_to_exactly_one_trillion_won_over_2026_to_2030(seeded: Session) -> None:
    lines = plan.list_budget_lines(session=seeded, limit=1000).items
    assert sum(line.amount_krw for line in lines) == TRILLION
    assert {line.year for line in lines} == {2026, 2027, 2028, 2029, 2030}
    assert {line.workstream for line in lines} == set(WorkstreamCode)
    assert all(line.source == "illustrative" for line in lines)
    summary = plan.summary(session=seeded, as_of=DEMO_DAY)
    assert summary.program.total_krw == TRILLION and summary.unallocated_krw == 0
    assert sum(y.budget_krw for y in summary.years) == TRILLION


def test_milestone_graph_is_acyclic_and_forecasts_respect_every_dependency(seeded: Session) -> None:
    schedule = milestones._load(seeded)
    assert graphs.find_cycle(schedule.graph) is None
    assert graphs.inconsistent_edges(schedule.nodes, schedule.graph) == []
    # Propagating the current schedule moves nothing: the seed is already consistent.
    for code, node in schedule.nodes.items():
        assert graphs.propagate(schedule.nodes, schedule.graph, {code: node.finish}) == {}


def test_each_workstreams_milestone_weights_equal_its_budget(seeded: Session) -> None:
    summary = plan.summary(session=seeded, as_of=DEMO_DAY)
    assert all(w.weights_match_budget for w in summary.workstreams)
    assert summary.evm.bac == TRILLION


def test_seed_holds_the_regulators_orders_and_plan_milestones_with_their_public_dates(seeded: Session) -> None:
    by_code = {m.code: m for m in milestones.list_milestones(session=seeded, limit=1000).items}
    assert by_code["REG-2"].baseline_date == date(2025, 11, 5)  # per-device certificates ordered
    assert by_code["REG-3"].baseline_date == date(2025, 9, 10)  # validity cut to one month
    assert by_code["REG-4"].baseline_date == date(2025, 9, 23)  # operator wired IP only
    assert by_code["REG-5"].baseline_date == date(2025, 10, 3)  # check and authenticate every connection
    assert (by_code["REG-8"].baseline_date.year, by_code["REG-8"].baseline_date.month) == (2026, 1)  # plan due
    assert (by_code["REG-9"].baseline_date.year, by_code["REG-9"].baseline_date.month) == (2026, 6)  # check
    for code in ("REG-1", "REG-6", "REG-7", "FEM-01", "FEM-02", "PAM-1", "PAM-2", "ENC-2", "MON-2", "MON-3"):
        assert code in by_code
    assert {"ZT-1", "ZT-2", "ZT-3", "ZT-4"} <= set(by_code)
    assert [by_code[w].workstream for w in ("W1", "W2", "W3", "W4")] == [WorkstreamCode.legacy_replacement] * 4
    assert all(m.title_ko and m.title_en and m.source for m in by_code.values())
    assert "detection and blocking" in by_code["FEM-02"].title_en


def test_demo_state_as_of_2026_11_21_is_plausible(seeded: Session) -> None:
    summary = plan.summary(session=seeded, as_of=DEMO_DAY)
    assert 0 < summary.milestones.done < summary.milestones.total
    assert summary.milestones.late > 0
    statuses = {m.status for m in milestones.list_milestones(session=seeded, limit=1000).items}
    assert statuses == {MilestoneStatus.done, MilestoneStatus.in_progress, MilestoneStatus.planned}
    cpis = {w.code: w.evm.cpi for w in summary.workstreams}
    assert any(c is not None and c > 1 for c in cpis.values())  # spend behind earned value somewhere
    assert any(c is not None and c < 1 for c in cpis.values())  # and ahead of it elsewhere
    assert 0.7 < (summary.evm.spi or 0) < 1
    rags = {w.rag for w in summary.workstreams}
    assert {"green", "red"} <= rags
    late = milestones.late(session=seeded, as_of=DEMO_DAY)
    w1 = next(x for x in late if x.milestone.code == "W1")
    assert [d.code for d in w1.delays][:3] == ["W2", "W3", "W4"]
    path = milestones.critical_path(session=seeded)
    assert path.target_code == "PGM-END" and len(path.steps) > 2


def test_zero_trust_catalog_is_ztmm_v2_as_facts_lists_it(seeded: Session) -> None:
    names = {p: [f.name_en for f in zero_trust.list_functions(session=seeded, pillar=p)] for p in ZtPillar}
    assert names[ZtPillar.identity] == ["Authentication", "Identity Stores", "Risk Assessments", "Access Management"]
    assert names[ZtPillar.devices] == [
        "Policy Enforcement & Compliance Monitoring",
        "Asset & Supply Chain Risk Management",
        "Resource Access",
        "Device Threat Protection",
    ]
    assert names[ZtPillar.networks] == [
        "Network Segmentation",
        "Network Traffic Management",
        "Traffic Encryption",
        "Network Resilience",
    ]
    assert names[ZtPillar.applications_workloads] == [
        "Application Access",
        "Application Threat Protections",
        "Accessible Applications",
        "Secure Application Development and Deployment Workflow",
        "Application Security Testing",
    ]
    assert names[ZtPillar.data] == [
        "Data Inventory Management",
        "Data Categorization",
        "Data Availability",
        "Data Access",
        "Data Encryption",
    ]
    assert names[ZtPillar.visibility_analytics] == ["Visibility & Analytics"]
    assert names[ZtPillar.automation_orchestration] == ["Automation & Orchestration"]
    assert names[ZtPillar.governance] == ["Governance"]


def test_zero_trust_demo_summary_shows_gaps_to_this_years_targets(seeded: Session) -> None:
    summary = zero_trust.summary(session=seeded, year=2026, as_of=DEMO_DAY)
    gaps = {p.pillar: p.gap_steps for p in summary.pillars}
    assert all(gap is not None for gap in gaps.values())
    assert 0 < sum(1 for g in gaps.values() if g) < len(gaps)
    assert all(p.unassessed_pairs == 0 for p in summary.pillars)
    start = zero_trust.summary(session=seeded, year=2026, as_of=date(2026, 2, 1))
    assert sum(p.mean_level or 0 for p in start.pillars) < sum(p.mean_level or 0 for p in summary.pillars)


def test_kpis_have_measurements_and_this_years_targets(seeded: Session) -> None:
    status = kpis.latest(session=seeded, as_of=DEMO_DAY)
    assert {s.kpi.code for s in status} >= {"MFA-PRIV", "ENC-PDS", "RT-MON", "FEMTO-CERT"}
    assert all(s.latest is not None and s.target is not None for s in status)
    assert {s.met for s in status} == {True, False}


def test_seeding_twice_changes_nothing(seeded: Session, actor: Principal) -> None:
    assert run_seed(seeded, actor) == {}
    assert seeded.exec(Milestone.__table__.select()).all()  # type: ignore[attr-defined]


def test_the_loader_refuses_a_cycle_or_weights_that_miss_the_budget() -> None:
    entries = yaml.safe_load(plan_seed.seed_file("milestones.yaml").read_text(encoding="utf-8"))["milestones"]
    rows = [
        Milestone(
            code=e["code"],
            title_ko="t",
            title_en="t",
            workstream=WorkstreamCode(e["workstream"]),
            owner="o",
            baseline_start=e.get("baseline_start"),
            baseline_date=e["baseline_date"],
            forecast_date=e.get("actual_date") or e.get("forecast_date") or e["baseline_date"],
            actual_date=e.get("actual_date"),
            status=MilestoneStatus.done if e.get("actual_date") else MilestoneStatus.planned,
            weight_krw=e["weight_krw"],
        )
        for e in entries
    ]
    edges = [(pred, e["code"]) for e in entries for pred in e.get("depends_on") or []]
    budgets: dict[str, int] = {}
    for row in rows:
        budgets[str(row.workstream)] = budgets.get(str(row.workstream), 0) + row.weight_krw
    milestone_seed.check_coherence(rows, edges, budgets)
    with pytest.raises(ConfigurationError, match="cycle W1 → W2 → W1|cycle W2 → W1 → W2"):
        milestone_seed.check_coherence(rows, [*edges, ("W2", "W1")], budgets)
    with pytest.raises(ConfigurationError, match="zero_trust milestones weigh"):
        milestone_seed.check_coherence(rows, edges, budgets | {"zero_trust": 1})
