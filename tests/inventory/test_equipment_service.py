"""Legacy equipment service: lifecycle rules, filters, ordering, retirement, versions."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import product

import pytest
from pydantic import ValidationError
from sqlmodel import Session

from inventory.equipment import service
from inventory.equipment.models import (
    ALLOWED_TRANSITIONS,
    EquipmentCreate,
    EquipmentFilter,
    EquipmentOrder,
    EquipmentStatus,
    EquipmentUpdate,
)
from tests.inventory.factories import equipment_data, make_equipment
from tracker.auth.models import Principal
from tracker.errors import Conflict, Invalid, Stale

E = EquipmentStatus
PAIRS = [(a, b) for a, b in product(E, E) if a != b]


@pytest.mark.parametrize(("old", "new"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_every_status_change_is_allowed_exactly_when_the_lifecycle_says(
    session: Session, actor: Principal, old: E, new: E
) -> None:
    item = make_equipment(session, actor, status=old.value)
    change = EquipmentUpdate(status=new)
    if new in ALLOWED_TRANSITIONS[old]:
        updated = service.update(session=session, equipment_id=item.id or 0, data=change, if_match=1, actor=actor)
        assert updated.status == new and updated.version == 2
    else:
        with pytest.raises(Conflict) as info:
            service.update(session=session, equipment_id=item.id or 0, data=change, if_match=1, actor=actor)
        allowed = ", ".join(sorted(ALLOWED_TRANSITIONS[old])) or "none"
        assert info.value.message.endswith(f"allowed next states: {allowed}.")


def test_the_replacement_path_is_the_one_the_issue_describes() -> None:
    path = [E.in_service, E.replacement_planned, E.replacing, E.replaced, E.retired]
    for old, new in zip(path, path[1:], strict=False):
        assert new in ALLOWED_TRANSITIONS[old]
    assert ALLOWED_TRANSITIONS[E.retired] == frozenset()
    assert ALLOWED_TRANSITIONS[E.replacing] == frozenset({E.replaced})


def test_replacing_and_retiring_stamp_their_times(session: Session, actor: Principal) -> None:
    item = make_equipment(session, actor, status="replacing")
    replaced = service.update(
        session=session, equipment_id=item.id or 0, data=EquipmentUpdate(status=E.replaced), if_match=None, actor=actor
    )
    assert replaced.replaced_at is not None and replaced.retired_at is None
    retired = service.retire(session=session, equipment_id=item.id or 0, if_match=2, actor=actor)
    assert retired.status == E.retired and retired.retired_at is not None


def test_retiring_equipment_under_replacement_is_refused(session: Session, actor: Principal) -> None:
    item = make_equipment(session, actor, status="replacing")
    with pytest.raises(Conflict, match="allowed next states: replaced"):
        service.retire(session=session, equipment_id=item.id or 0, if_match=None, actor=actor)


def test_an_explicit_replacement_time_is_kept(session: Session, actor: Principal) -> None:
    item = make_equipment(session, actor, status="replacing")
    when = datetime(2026, 7, 1, tzinfo=UTC)
    done = service.update(
        session=session,
        equipment_id=item.id or 0,
        data=EquipmentUpdate(status=E.replaced, replaced_at=when),
        if_match=None,
        actor=actor,
    )
    assert done.replaced_at == when


def test_criticality_is_one_to_four_and_waves_are_codes() -> None:
    for bad in (0, 5):
        with pytest.raises(ValidationError):
            EquipmentCreate.model_validate(equipment_data(criticality=bad))
    with pytest.raises(ValidationError):
        EquipmentCreate.model_validate(equipment_data(replacement_wave="wave one"))
    assert EquipmentCreate.model_validate(equipment_data(replacement_wave="W2")).replacement_wave == "W2"


def test_asset_tags_are_unique(session: Session, actor: Principal) -> None:
    first = make_equipment(session, actor)
    with pytest.raises(Conflict, match="asset_tag"):
        make_equipment(session, actor, asset_tag=first.asset_tag)


def test_stale_if_match_is_refused(session: Session, actor: Principal) -> None:
    item = make_equipment(session, actor)
    service.update(session=session, equipment_id=item.id or 0, data=EquipmentUpdate(note="x"), if_match=1, actor=actor)
    with pytest.raises(Stale):
        service.update(
            session=session, equipment_id=item.id or 0, data=EquipmentUpdate(note="y"), if_match=1, actor=actor
        )


def test_required_fields_cannot_be_cleared(session: Session, actor: Principal) -> None:
    item = make_equipment(session, actor)
    with pytest.raises(Invalid, match="end_of_support may not be null"):
        service.update(
            session=session,
            equipment_id=item.id or 0,
            data=EquipmentUpdate(end_of_support=None),
            if_match=None,
            actor=actor,
        )


@pytest.fixture
def racks(session: Session, actor: Principal) -> dict[str, str]:
    """Five items differing in every filterable field; name → asset tag."""
    items = {
        "router-old": dict(category="core router", criticality=1, end_of_support="2020-12-31"),
        "switch": dict(category="switch", criticality=3, end_of_support="2026-06-30", vendor="Hallasan Switching"),
        "hss": dict(
            category="HSS/HLR",
            criticality=1,
            holds_personal_data=True,
            end_of_support="2028-01-31",
            status="replacement_planned",
            replacement_wave="W1",
            model="BH-HSS 5",
        ),
        "billing": dict(
            category="billing DB server",
            criticality=2,
            holds_personal_data=True,
            end_of_support="2031-03-31",
            replacement_wave="W3",
        ),
        "firewall": dict(category="firewall", criticality=4, end_of_support="2027-09-30", status="retired"),
    }
    return {name: make_equipment(session, actor, **fields).asset_tag for name, fields in items.items()}


FILTER_CASES = {
    "status": ({"status": "replacement_planned"}, {"hss"}),
    "category": ({"category": "switch"}, {"switch"}),
    "vendor": ({"vendor": "Hallasan Switching"}, {"switch"}),
    "model": ({"model": "BH-HSS 5"}, {"hss"}),
    "criticality": ({"criticality": 1}, {"router-old", "hss"}),
    "holds_personal_data": ({"holds_personal_data": True}, {"hss", "billing"}),
    "replacement_wave": ({"replacement_wave": "W3"}, {"billing"}),
    "end_of_support_before": ({"end_of_support_before": "2027-01-01"}, {"router-old", "switch"}),
    "end_of_support_after": ({"end_of_support_after": "2027-12-31"}, {"hss", "billing"}),
    "eos_window": (
        {"end_of_support_after": "2026-01-01", "end_of_support_before": "2028-01-01"},
        {"switch", "firewall"},
    ),
}


@pytest.mark.parametrize("case", sorted(FILTER_CASES))
def test_each_filter_returns_exactly_the_matching_items(session: Session, racks: dict[str, str], case: str) -> None:
    params, expected = FILTER_CASES[case]
    page = service.list_equipment(session=session, filters=EquipmentFilter.model_validate(params), limit=100)
    assert {r.asset_tag for r in page.items} == {racks[name] for name in expected}


def test_q_matches_an_asset_tag_prefix(session: Session, actor: Principal) -> None:
    make_equipment(session, actor, asset_tag="DC1-R-01")
    make_equipment(session, actor, asset_tag="DC1-R-02")
    make_equipment(session, actor, asset_tag="DC2-R-01")
    page = service.list_equipment(session=session, filters=EquipmentFilter(q="DC1-"))
    assert [r.asset_tag for r in page.items] == ["DC1-R-01", "DC1-R-02"]


@pytest.mark.parametrize("order", list(EquipmentOrder), ids=lambda o: o.value)
def test_every_ordering_pages_through_all_items_once_in_order(
    session: Session, racks: dict[str, str], order: EquipmentOrder
) -> None:
    seen = []
    cursor = None
    while True:
        page = service.list_equipment(session=session, order=order, cursor=cursor, limit=2)
        seen.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    key = order.value.lstrip("-")
    values = [(getattr(r, key), r.id) for r in seen]
    assert values == sorted(values, reverse=order.value.startswith("-"))
    assert sorted(r.asset_tag for r in seen) == sorted(racks.values())
