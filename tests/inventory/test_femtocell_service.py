"""Femtocell service: lifecycle rules, filters, ordering, pagination, versions, uniqueness, history."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import product

import pytest
from pydantic import ValidationError
from sqlmodel import Session

from inventory.femtocells import service
from inventory.femtocells.models import (
    ALLOWED_TRANSITIONS,
    FemtocellCreate,
    FemtocellFilter,
    FemtocellOrder,
    FemtocellStatus,
    FemtocellUpdate,
)
from tests.inventory.factories import femtocell_data, make_femtocell
from tracker.audit import service as audit
from tracker.auth.models import Principal
from tracker.errors import Conflict, Invalid, NotFound, Stale

S = FemtocellStatus
PAIRS = [(a, b) for a, b in product(S, S) if a != b]


@pytest.mark.parametrize(("old", "new"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_every_status_change_is_allowed_exactly_when_the_lifecycle_says(
    session: Session, actor: Principal, old: S, new: S
) -> None:
    record = make_femtocell(session, actor, status=old.value)
    change = FemtocellUpdate(status=new)
    if new in ALLOWED_TRANSITIONS[old]:
        updated = service.update(session=session, femtocell_id=record.id or 0, data=change, if_match=None, actor=actor)
        assert updated.status == new and updated.version == 2
    else:
        with pytest.raises(Conflict) as info:
            service.update(session=session, femtocell_id=record.id or 0, data=change, if_match=None, actor=actor)
        allowed = ", ".join(sorted(ALLOWED_TRANSITIONS[old])) or "none"
        assert info.value.message.endswith(f"allowed next states: {allowed}.")
        assert f"from {old} to {new}" in info.value.message
        assert info.value.field == "status"


def test_the_lifecycle_is_the_one_the_issue_describes() -> None:
    assert ALLOWED_TRANSITIONS[S.registered] >= {S.active}
    assert ALLOWED_TRANSITIONS[S.active] >= {S.suspended, S.blocked, S.lost, S.decommissioned}
    assert ALLOWED_TRANSITIONS[S.suspended] >= {S.active, S.blocked, S.lost, S.decommissioned}
    assert ALLOWED_TRANSITIONS[S.decommissioned] == frozenset()
    assert S.active not in ALLOWED_TRANSITIONS[S.blocked] and S.active not in ALLOWED_TRANSITIONS[S.lost]


def test_decommissioned_is_final_and_decommissioning_again_changes_nothing(session: Session, actor: Principal) -> None:
    record = make_femtocell(session, actor, status="active")
    done = service.decommission(session=session, femtocell_id=record.id or 0, if_match=None, actor=actor)
    again = service.decommission(session=session, femtocell_id=record.id or 0, if_match=None, actor=actor)
    assert again.version == done.version == 2
    with pytest.raises(Conflict, match="allowed next states: none"):
        service.update(
            session=session,
            femtocell_id=record.id or 0,
            data=FemtocellUpdate(status=S.active),
            if_match=None,
            actor=actor,
        )


def test_decommissioning_requires_certificate_revocation_and_stamps_the_time(
    session: Session, actor: Principal
) -> None:
    record = make_femtocell(session, actor, status="active")
    assert record.cert_revocation_required is False
    done = service.decommission(session=session, femtocell_id=record.id or 0, if_match=None, actor=actor)
    assert done.status == S.decommissioned
    assert done.cert_revocation_required is True
    assert done.decommissioned_at is not None and done.cert_revoked_at is None
    revoked = service.update(
        session=session,
        femtocell_id=done.id or 0,
        data=FemtocellUpdate(cert_revoked_at=datetime(2026, 11, 2, tzinfo=UTC)),
        if_match=done.version,
        actor=actor,
    )
    assert revoked.cert_revoked_at == datetime(2026, 11, 2, tzinfo=UTC)
    assert revoked.cert_revocation_required is True


def test_a_new_unit_created_decommissioned_also_requires_revocation(session: Session, actor: Principal) -> None:
    record = make_femtocell(session, actor, status="decommissioned")
    assert record.cert_revocation_required is True and record.decommissioned_at is not None


def test_status_changes_stamp_their_time_unless_given(session: Session, actor: Principal) -> None:
    record = make_femtocell(session, actor)
    assert record.activated_at is None
    active = service.update(
        session=session, femtocell_id=record.id or 0, data=FemtocellUpdate(status=S.active), if_match=None, actor=actor
    )
    first_activation = active.activated_at
    assert first_activation is not None
    for status in (S.suspended, S.active):
        service.update(
            session=session,
            femtocell_id=record.id or 0,
            data=FemtocellUpdate(status=status),
            if_match=None,
            actor=actor,
        )
    assert service.get(session=session, femtocell_id=record.id or 0).activated_at == first_activation
    when = datetime(2026, 3, 1, 12, tzinfo=UTC)
    lost = service.update(
        session=session,
        femtocell_id=record.id or 0,
        data=FemtocellUpdate(status=S.lost, lost_at=when),
        if_match=None,
        actor=actor,
    )
    assert lost.lost_at == when


def test_only_a_lost_unit_can_be_recovered(session: Session, actor: Principal) -> None:
    record = make_femtocell(session, actor, status="active")
    found = FemtocellUpdate(recovered_at=datetime(2026, 5, 1, tzinfo=UTC))
    with pytest.raises(Conflict, match="never lost"):
        service.update(session=session, femtocell_id=record.id or 0, data=found, if_match=None, actor=actor)
    service.update(
        session=session, femtocell_id=record.id or 0, data=FemtocellUpdate(status=S.lost), if_match=None, actor=actor
    )
    recovered = service.update(session=session, femtocell_id=record.id or 0, data=found, if_match=None, actor=actor)
    assert recovered.recovered_at == datetime(2026, 5, 1, tzinfo=UTC)
    final = service.update(
        session=session,
        femtocell_id=record.id or 0,
        data=FemtocellUpdate(status=S.decommissioned),
        if_match=None,
        actor=actor,
    )
    assert final.lost_at is not None and final.recovered_at is not None and final.status == S.decommissioned


def test_certificate_must_end_after_it_starts(session: Session, actor: Principal) -> None:
    with pytest.raises(Invalid, match="cert_not_after must be later"):
        make_femtocell(session, actor, cert_not_before="2026-01-01T00:00:00Z", cert_not_after="2025-01-01T00:00:00Z")
    record = make_femtocell(session, actor)
    with pytest.raises(Invalid) as info:
        service.update(
            session=session,
            femtocell_id=record.id or 0,
            data=FemtocellUpdate(cert_not_after=datetime(2020, 1, 1, tzinfo=UTC)),
            if_match=None,
            actor=actor,
        )
    assert info.value.field == "cert_not_after"


def test_fingerprints_are_normalised_to_lowercase_and_malformed_ones_refused() -> None:
    upper = FemtocellCreate.model_validate(femtocell_data(cert_fingerprint="AB" * 32))
    assert upper.cert_fingerprint == "ab" * 32
    for bad in ("ab" * 31, "zz" * 32, "ab" * 33):
        with pytest.raises(ValidationError):
            FemtocellCreate.model_validate(femtocell_data(cert_fingerprint=bad))


def test_ip_addresses_are_normalised_and_ipv4_kept_as_an_integer(session: Session, actor: Principal) -> None:
    v4 = make_femtocell(session, actor, last_source_ip="10.16.0.5")
    assert v4.last_source_ip_v4 == (10 << 24) + (16 << 16) + 5
    v6 = make_femtocell(session, actor, last_source_ip="2001:DB8:0::1")
    assert v6.last_source_ip == "2001:db8::1" and v6.last_source_ip_v4 is None
    with pytest.raises(ValidationError, match="IPv4 or IPv6"):
        FemtocellCreate.model_validate(femtocell_data(last_source_ip="10.0.0.256"))


def test_naive_times_are_read_as_seoul_time() -> None:
    data = FemtocellCreate.model_validate(femtocell_data(cert_not_before="2026-01-01T09:00:00"))
    assert data.cert_not_before == datetime(2026, 1, 1, 0, 0, tzinfo=UTC)


def test_unix_timestamps_are_not_mistaken_for_dates() -> None:
    with pytest.raises(ValidationError, match="ISO 8601"):
        FemtocellCreate.model_validate(femtocell_data(cert_not_before="2020"))


def test_serial_and_cell_id_are_unique(session: Session, actor: Principal) -> None:
    first = make_femtocell(session, actor)
    with pytest.raises(Conflict, match="serial"):
        make_femtocell(session, actor, serial=first.serial)
    with pytest.raises(Conflict, match=f"cell_id '{first.cell_id}' already belongs to femtocell '{first.serial}'"):
        make_femtocell(session, actor, cell_id=first.cell_id)
    other = make_femtocell(session, actor)
    with pytest.raises(Conflict):
        service.update(
            session=session,
            femtocell_id=other.id or 0,
            data=FemtocellUpdate(cell_id=first.cell_id),
            if_match=None,
            actor=actor,
        )


def test_required_fields_cannot_be_cleared(session: Session, actor: Principal) -> None:
    record = make_femtocell(session, actor)
    with pytest.raises(Invalid, match="vendor may not be null"):
        service.update(
            session=session, femtocell_id=record.id or 0, data=FemtocellUpdate(vendor=None), if_match=None, actor=actor
        )


def test_stale_if_match_is_refused_and_a_current_one_accepted(session: Session, actor: Principal) -> None:
    record = make_femtocell(session, actor)
    service.update(
        session=session, femtocell_id=record.id or 0, data=FemtocellUpdate(firmware="3.3"), if_match=1, actor=actor
    )
    with pytest.raises(Stale, match="version 2, not 1"):
        service.update(
            session=session, femtocell_id=record.id or 0, data=FemtocellUpdate(firmware="3.4"), if_match=1, actor=actor
        )


def test_an_update_that_changes_nothing_writes_nothing(session: Session, actor: Principal) -> None:
    record = make_femtocell(session, actor)
    before = audit.head(session)
    same = service.update(
        session=session,
        femtocell_id=record.id or 0,
        data=FemtocellUpdate(firmware=record.firmware),
        if_match=None,
        actor=actor,
    )
    assert same.version == 1 and audit.head(session) == before


def test_history_lists_every_change_with_its_full_state(session: Session, actor: Principal) -> None:
    record = make_femtocell(session, actor, status="active")
    service.update(
        session=session, femtocell_id=record.id or 0, data=FemtocellUpdate(note="<b>moved</b>"), if_match=1, actor=actor
    )
    service.decommission(session=session, femtocell_id=record.id or 0, if_match=2, actor=actor)
    events = service.history(session=session, femtocell_id=record.id or 0)
    assert [e.action for e in events] == ["create", "update", "update"]
    assert [e.state["version"] for e in events] == [1, 2, 3]
    assert events[-1].state["status"] == "decommissioned" and events[-1].state["note"] == "<b>moved</b>"
    assert set(events[0].state) == set(service._table.c.keys())
    assert all(e.entity_type == "femtocell" and e.actor == actor.name for e in events)


def test_unknown_ids_are_not_found(session: Session, actor: Principal) -> None:
    with pytest.raises(NotFound):
        service.get(session=session, femtocell_id=12345)
    with pytest.raises(NotFound):
        service.history(session=session, femtocell_id=12345)


# --- lists --------------------------------------------------------------------------------------------------------


@pytest.fixture
def fleet(session: Session, actor: Principal) -> dict[str, str]:
    """Six units differing in every filterable field; name → serial."""
    units = {
        "seoul-active": dict(region="서울", status="active", vendor="Hanbit Networks", model="HB-F100"),
        "seoul-lost": dict(region="서울", status="lost", vendor="Saebom Telecom", model="SB-Home 2"),
        "busan-active": dict(region="부산", status="active", vendor="Saebom Telecom", model="SB-Biz 5"),
        "busan-business": dict(region="부산", status="suspended", site_type="business", vendor="Daeyang Radio"),
        "shared-1": dict(region="경기", status="active", cert_fingerprint="ee" * 32, cert_not_after="2029-03-01"),
        "shared-2": dict(region="경기", status="blocked", cert_fingerprint="ee" * 32, cert_not_after="2029-03-01"),
    }
    return {name: make_femtocell(session, actor, **fields).serial for name, fields in units.items()}


FILTER_CASES = {
    "status": ({"status": "active"}, {"seoul-active", "busan-active", "shared-1"}),
    "region": ({"region": "부산"}, {"busan-active", "busan-business"}),
    "vendor": ({"vendor": "Saebom Telecom"}, {"seoul-lost", "busan-active"}),
    "model": ({"model": "SB-Biz 5"}, {"busan-active"}),
    "site_type": ({"site_type": "business"}, {"busan-business"}),
    "cert_fingerprint": ({"cert_fingerprint": "EE" * 32}, {"shared-1", "shared-2"}),
    "cert_not_after_after": ({"cert_not_after_after": "2028-01-01"}, {"shared-1", "shared-2"}),
    "cert_not_after_before": (
        {"cert_not_after_before": "2028-01-01"},
        {"seoul-active", "seoul-lost", "busan-active", "busan-business"},
    ),
    "combined": ({"region": "서울", "status": "lost"}, {"seoul-lost"}),
}


@pytest.mark.parametrize("case", sorted(FILTER_CASES))
def test_each_filter_returns_exactly_the_matching_units(session: Session, fleet: dict[str, str], case: str) -> None:
    params, expected = FILTER_CASES[case]
    page = service.list_femtocells(session=session, filters=FemtocellFilter.model_validate(params), limit=100)
    assert {r.serial for r in page.items} == {fleet[name] for name in expected}


def test_q_matches_a_serial_or_cell_id_prefix(session: Session, actor: Principal) -> None:
    a = make_femtocell(session, actor, serial="ZZ-0001", cell_id="45008-AAA0001")
    b = make_femtocell(session, actor, serial="ZZ-0002", cell_id="45008-BBB0002")
    make_femtocell(session, actor, serial="YY-0003", cell_id="45008-CCC0003")
    by_serial = service.list_femtocells(session=session, filters=FemtocellFilter(q="ZZ-"))
    assert [r.serial for r in by_serial.items] == [a.serial, b.serial]
    by_cell = service.list_femtocells(session=session, filters=FemtocellFilter(q="45008-BBB"))
    assert [r.serial for r in by_cell.items] == [b.serial]
    assert service.list_femtocells(session=session, filters=FemtocellFilter(q="zz-")).items == []


@pytest.mark.parametrize("order", list(FemtocellOrder), ids=lambda o: o.value)
def test_every_ordering_pages_through_all_units_once_in_order(
    session: Session, fleet: dict[str, str], order: FemtocellOrder
) -> None:
    seen = []
    cursor = None
    while True:
        page = service.list_femtocells(session=session, order=order, cursor=cursor, limit=2)
        seen.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    key = order.value.lstrip("-")
    values = [(getattr(r, key), r.id) for r in seen]
    assert values == sorted(values, reverse=order.value.startswith("-"))
    assert sorted(r.serial for r in seen) == sorted(fleet.values())


def test_a_cursor_cannot_be_replayed_under_another_ordering(session: Session, fleet: dict[str, str]) -> None:
    page = service.list_femtocells(session=session, order=FemtocellOrder.serial, limit=2)
    assert page.next_cursor is not None
    with pytest.raises(Invalid):
        service.list_femtocells(session=session, order=FemtocellOrder.cell_id, cursor=page.next_cursor)


def test_pages_stay_stable_when_units_are_inserted_between_requests(session: Session, actor: Principal) -> None:
    for n in (10, 20, 30, 40, 50, 60):
        make_femtocell(session, actor, serial=f"P-{n:03d}")
    first = service.list_femtocells(session=session, order=FemtocellOrder.serial, limit=3)
    assert [r.serial for r in first.items] == ["P-010", "P-020", "P-030"]
    # Another writer adds units before and after the cursor position.
    make_femtocell(session, actor, serial="P-005")
    make_femtocell(session, actor, serial="P-025")
    make_femtocell(session, actor, serial="P-045")
    second = service.list_femtocells(session=session, order=FemtocellOrder.serial, cursor=first.next_cursor, limit=3)
    assert [r.serial for r in second.items] == ["P-040", "P-045", "P-050"]
