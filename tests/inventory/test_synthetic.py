"""The synthetic generator: deterministic, realistic in shape, and mirroring the incident (illustrative)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from itertools import islice

from seed import synthetic


def test_same_seed_and_size_give_identical_rows() -> None:
    assert list(synthetic.femtocell_rows(300, 7)) == list(synthetic.femtocell_rows(300, 7))
    assert list(synthetic.equipment_rows(100, 7)) == list(synthetic.equipment_rows(100, 7))
    assert list(synthetic.access_event_rows(200, 7)) == list(synthetic.access_event_rows(200, 7))


def test_another_seed_gives_another_fleet() -> None:
    assert list(synthetic.femtocell_rows(50, 1)) != list(synthetic.femtocell_rows(50, 2))


def test_a_larger_fleet_starts_with_the_smaller_one() -> None:
    assert list(synthetic.femtocell_rows(100, 3)) == list(islice(synthetic.femtocell_rows(1000, 3), 100))


def test_serials_and_cell_ids_are_unique_up_to_a_million_devices() -> None:
    assert len({synthetic.cell_id_for(i) for i in range(1_000_000)}) == 1_000_000
    serials = [r["serial"] for r in synthetic.femtocell_rows(5000, 11)]
    assert len(set(serials)) == len(serials)


def test_the_fleet_mirrors_the_incident_in_its_shares() -> None:
    rows = list(synthetic.femtocell_rows(5000, 2025))
    status = Counter(r["status"] for r in rows)
    shared = [r for r in rows if r["cert_fingerprint"] == synthetic.SHARED_CERT_FINGERPRINT]
    assert 0.25 < len(shared) / len(rows) < 0.35
    validity = datetime.fromisoformat(shared[0]["cert_not_after"]) - datetime.fromisoformat(
        shared[0]["cert_not_before"]
    )
    assert validity >= timedelta(days=365 * 10)
    own = Counter(
        (datetime.fromisoformat(r["cert_not_after"]) - datetime.fromisoformat(r["cert_not_before"])).days
        for r in rows
        if r["cert_fingerprint"] != synthetic.SHARED_CERT_FINGERPRINT
    )
    assert set(own) == {30, 365} and own[30] > own[365]  # most re-issued monthly after the order, some not yet
    assert 0.07 < status["lost"] / len(rows) < 0.13 and 0.07 < status["decommissioned"] / len(rows) < 0.13
    decommissioned = [r for r in rows if r["status"] == "decommissioned"]
    assert any(r["cert_revoked_at"] is None for r in decommissioned)
    assert any(r["recovered_at"] is not None for r in decommissioned)
    stale = [r for r in rows if r["status"] == "active" and r["last_seen_at"] < "2026-08-01"]
    assert len(stale) > 0.05 * status["active"]
    assert len({r["region"] for r in rows}) == 17 and len({r["vendor"] for r in rows}) == 4


def test_access_events_include_illegal_cells_and_decommissioned_units_still_seen() -> None:
    fleet = {r["cell_id"]: r for r in synthetic.femtocell_rows(3000, 5)}
    events = list(synthetic.access_event_rows(3000, 5))
    illegal = set(synthetic.illegal_cell_ids(5))
    assert len(illegal) == synthetic.ILLEGAL_CELLS == 20
    assert not illegal & set(fleet)
    from_illegal = [e for e in events if e["cell_id"] in illegal]
    assert {e["cell_id"] for e in from_illegal} == illegal
    assert any(e["result"] == "accepted" for e in from_illegal)
    assert not any(e["source_ip"].startswith(("10.", "172.")) for e in from_illegal)
    late = [
        e
        for e in events
        if e["cell_id"] in fleet
        and fleet[e["cell_id"]]["decommissioned_at"] is not None
        and e["occurred_at"] > fleet[e["cell_id"]]["decommissioned_at"]
    ]
    assert late


def test_equipment_has_personal_data_waves_and_end_of_support() -> None:
    items = list(synthetic.equipment_rows(2000, 9))
    assert {i["category"] for i in items} >= {"core router", "switch", "HSS/HLR", "firewall", "billing DB server"}
    assert any(i["holds_personal_data"] for i in items) and not all(i["holds_personal_data"] for i in items)
    assert {i["replacement_wave"] for i in items} == {None, "W1", "W2", "W3", "W4"}
    assert min(i["end_of_support"] for i in items) < "2021" and max(i["end_of_support"] for i in items) > "2027"
