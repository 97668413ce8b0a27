"""seed/incident.yaml carries FACTS.md's figures, dates and sources faithfully."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from reports.facts import IncidentFacts, load_facts


def test_incident_figures_are_the_published_ones() -> None:
    facts = load_facts()
    values = {f.id: f.value for f in facts.incident.figures}
    assert values == {
        "exposed_subscribers": 22_227,
        "micropayment_victims": 368,
        "micropayment_losses": 243_190_000,
        "illegal_femtocell_ids": 20,
        "access_records_analysed": 4_030_000_000_000,
        "infected_servers": 94,
        "malware_kinds": 103,
        "unreported_infected_servers": 43,
        "femtocell_fleet": 157_000,
    }
    approximate = {f.id for f in facts.incident.figures if f.approximate}
    assert approximate == {"access_records_analysed", "femtocell_fleet"}
    assert facts.incident.analysis_period.start == date(2024, 8, 1)
    assert facts.incident.analysis_period.end == date(2025, 9, 10)
    assert facts.incident.investigation_reported == date(2025, 12, 29)


def test_the_regulators_orders_carry_their_dates() -> None:
    orders = {o.number: o for o in load_facts().orders}
    assert sorted(orders) == list(range(1, 9))
    assert orders[2].dated == date(2025, 11, 5)
    assert orders[3].dated == date(2025, 9, 10)
    assert orders[4].dated == date(2025, 9, 23)
    assert orders[5].dated == date(2025, 10, 3)
    assert (orders[8].deadline_month, orders[8].check_month) == ("2026-01", "2026-06")


def test_the_plan_is_one_trillion_won_over_2026_to_2030_in_the_seven_workstreams() -> None:
    plan = load_facts().plan
    assert (plan.amount_won, plan.start_year, plan.end_year) == (1_000_000_000_000, 2026, 2030)
    assert [w.code for w in plan.workstreams] == [
        "zero_trust",
        "security_monitoring",
        "access_privilege",
        "encryption",
        "legacy_replacement",
        "femtocell_security",
        "governance",
    ]


def test_customer_measures_carry_the_announced_dates() -> None:
    measures = {m.id: m for m in load_facts().customer_measures}
    waiver = measures["cancellation_fee_waiver"]
    assert (waiver.start, waiver.end) == (date(2025, 12, 31), date(2026, 1, 13))
    refunds = measures["waiver_refunds"]
    assert refunds.start == date(2026, 1, 14) and refunds.end == date(2026, 2, 19)
    assert "2026-01-22" in refunds.when.en and "02-05" in refunds.when.en
    assert measures["roaming"].end == date(2026, 8, 31)


def test_every_fact_names_a_listed_source_with_a_url_for_the_articles() -> None:
    facts = load_facts()
    for source in facts.sources:
        if source.scope == "article":
            assert source.url and source.url.startswith("https://")
    for figure in facts.incident.figures:
        assert all(facts.source(s) for s in figure.sources)


def test_a_fact_citing_an_unknown_source_is_refused() -> None:
    from importlib import resources

    raw: dict[str, Any] = yaml.safe_load(resources.files("seed").joinpath("incident.yaml").read_text("utf-8"))
    raw["incident"]["figures"][0]["sources"] = ["made-up-source"]
    with pytest.raises(ValidationError, match="made-up-source"):
        IncidentFacts.model_validate(raw)
