"""Pure parts of the evaluators: operator ranges as merged integer spans, parameter checking."""

from __future__ import annotations

import ipaddress

import pytest

from tracker.controls.evaluators import EVALUATORS, check_parameters, v4_ranges
from tracker.errors import Invalid


def test_ranges_merge_overlapping_and_adjacent_blocks() -> None:
    spans = v4_ranges(["10.0.1.0/24", "10.0.0.0/24", "10.0.0.128/25", "192.168.0.0/16"])
    first, last = int(ipaddress.ip_address("10.0.0.0")), int(ipaddress.ip_address("10.0.1.255"))
    assert spans == [
        (first, last),
        (int(ipaddress.ip_address("192.168.0.0")), int(ipaddress.ip_address("192.168.255.255"))),
    ]


def test_ipv6_operator_ranges_are_refused() -> None:
    with pytest.raises(Invalid):
        v4_ranges(["2001:db8::/32"])


def test_parameters_merge_over_defaults_and_refuse_unknown_names_and_types() -> None:
    assert check_parameters("certificate_validity", {"max_validity_days": 45}) == {"max_validity_days": 45}
    assert check_parameters("operator_ip_ranges", {"cidrs": ["10.0.0.0/8"]})["lookback_days"] == 365
    for bad in ({"max_days": 3}, {"max_validity_days": "31"}, {"max_validity_days": True}, {"max_validity_days": -1}):
        with pytest.raises(Invalid) as info:
            check_parameters("certificate_validity", bad)
        assert info.value.errors[0].field.startswith("parameters.")
    with pytest.raises(Invalid):
        check_parameters("operator_ip_ranges", {"cidrs": ["10.0.0.0/33"]})
    with pytest.raises(Invalid):
        check_parameters("manual", {"due_on": "January"})
    assert check_parameters("manual", {"due_on": "2026-01-31"}) == {"due_on": "2026-01-31"}


def test_every_catalog_evaluator_is_registered() -> None:
    from tracker.controls import seed

    keys = {c["evaluator"] for c in seed.read()["controls"]}
    assert keys - {"manual"} <= set(EVALUATORS)
    assert {c["source"] for c in seed.read()["controls"]} == {"regulator_order", "plan_commitment", "isms_p"}


def test_regulator_controls_name_an_order_of_the_incident_facts() -> None:
    import yaml

    from seed import SEED_DIR
    from tracker.controls import seed

    orders = {o["id"] for o in yaml.safe_load((SEED_DIR / "incident.yaml").read_text(encoding="utf-8"))["orders"]}
    regulator = [c for c in seed.read()["controls"] if c["source"] == "regulator_order"]
    assert {c["reference"] for c in regulator} == orders
