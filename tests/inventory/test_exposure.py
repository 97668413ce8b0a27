"""Exposure analysis: unauthorized cells, subscribers exposed through them (counted once), windows, pseudonyms."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from inventory.access_events import exposure, service
from inventory.access_events.exposure import ExposureWindow
from inventory.access_events.service import pseudonymizer
from inventory.femtocells.models import FemtocellStatus
from inventory.imports import ImportFormat
from tests.inventory import exposure_data as data
from tests.inventory.factories import make_femtocell
from tracker.auth.models import Principal
from tracker.errors import Invalid, NotFound

KEY = b"test-pseudonym-key"  # SECTRACK_PSEUDONYM_KEY in tests/conftest.py


@pytest.fixture
def loaded(session: Session, actor: Principal) -> Session:
    data.load(session, actor)
    session.commit()
    return session


def _window() -> ExposureWindow:
    return ExposureWindow.model_validate(data.WINDOW)


def test_authorized_states_are_active_only() -> None:
    assert {FemtocellStatus.active} == exposure.AUTHORIZED_STATES


def test_totals_match_the_hand_computed_figures(loaded: Session) -> None:
    totals = exposure.totals(session=loaded)
    assert totals.model_dump() == data.EXPECTED_TOTALS


def test_a_subscriber_exposed_through_several_cells_counts_once(loaded: Session) -> None:
    summary = exposure.summary(session=loaded, top=100)
    per_cell_sum = sum(c.exposed_subscribers for c in summary.top_cells)
    assert per_cell_sum == 8
    assert summary.totals.exposed_subscribers == 5


def test_cells_listed_with_inventory_status_blocking_and_window(loaded: Session) -> None:
    cells = {c.cell_id: c for c in exposure.list_cells(session=loaded, limit=100).items}
    assert set(cells) == {
        data.DECOMMISSIONED,
        data.LOST,
        data.BLOCKED,
        data.REGISTERED,
        data.SUSPENDED,
        data.ILLEGAL_1,
        data.ILLEGAL_2,
        data.ILLEGAL_3,
    }
    decommissioned = cells[data.DECOMMISSIONED]
    assert decommissioned.in_inventory and decommissioned.status is FemtocellStatus.decommissioned
    assert decommissioned.blocked  # its certificate was revoked
    assert decommissioned.authorized_from == datetime(2025, 12, 1, tzinfo=UTC)
    assert decommissioned.authorized_until == datetime(2026, 3, 1, tzinfo=UTC)
    # The attach from before decommissioning does not count.
    assert (decommissioned.accepted_attaches, decommissioned.rejected_attempts) == (2, 1)
    assert decommissioned.exposed_subscribers == 1
    assert decommissioned.first_accepted_at == datetime(2026, 4, 1, 3, tzinfo=UTC)
    assert decommissioned.last_accepted_at == datetime(2026, 4, 2, 3, tzinfo=UTC)
    lost = cells[data.LOST]
    assert (lost.accepted_attaches, lost.exposed_subscribers, lost.blocked) == (1, 1, False)
    blocked = cells[data.BLOCKED]
    assert (blocked.blocked, blocked.accepted_attaches, blocked.rejected_attempts) == (True, 0, 1)
    assert blocked.first_accepted_at is None
    illegal = cells[data.ILLEGAL_1]
    assert not illegal.in_inventory and illegal.status is None and illegal.femtocell_id is None
    assert not illegal.blocked and illegal.authorized_from is None and illegal.authorized_until is None
    assert (illegal.accepted_attaches, illegal.rejected_attempts, illegal.exposed_subscribers) == (4, 1, 3)
    assert illegal.first_accepted_at == datetime(2026, 1, 10, 3, tzinfo=UTC)
    assert illegal.last_accepted_at == datetime(2026, 7, 1, 3, tzinfo=UTC)
    only_rejected = cells[data.ILLEGAL_3]
    assert (only_rejected.accepted_attaches, only_rejected.exposed_subscribers) == (0, 0)
    assert only_rejected.first_seen_at == only_rejected.last_seen_at == datetime(2026, 8, 1, 3, tzinfo=UTC)


def test_an_active_cell_and_a_unit_seen_only_before_it_was_lost_are_not_unauthorized(loaded: Session) -> None:
    for cell_id in (data.ACTIVE, data.LOST_EARLIER, "45008-FFFFFFF"):
        with pytest.raises(NotFound):
            exposure.get_cell(session=loaded, cell_id=cell_id)


def test_window_filters_the_events_considered(loaded: Session) -> None:
    totals = exposure.totals(session=loaded, window=_window())
    assert totals.model_dump() == data.EXPECTED_WINDOW_TOTALS
    listed = [c.cell_id for c in exposure.list_cells(session=loaded, window=_window()).items]
    assert listed == sorted([data.DECOMMISSIONED, data.LOST, data.BLOCKED, data.ILLEGAL_2])


def test_since_after_until_is_invalid(loaded: Session) -> None:
    window = ExposureWindow(since=datetime(2026, 5, 1, tzinfo=UTC), until=datetime(2026, 4, 1, tzinfo=UTC))
    with pytest.raises(Invalid) as caught:
        exposure.summary(session=loaded, window=window)
    assert caught.value.field == "since"


def test_top_cells_rank_by_exposed_subscribers(loaded: Session) -> None:
    top = exposure.summary(session=loaded, top=2).top_cells
    assert [c.cell_id for c in top] == [data.ILLEGAL_1, data.DECOMMISSIONED]  # 3 subscribers; then 1 with 2 attaches


def test_cells_page_by_cell_id_with_a_cursor(loaded: Session) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        page = exposure.list_cells(session=loaded, cursor=cursor, limit=3)
        seen += [c.cell_id for c in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 8


def test_one_cell_matches_its_row_in_the_list(loaded: Session) -> None:
    listed = {c.cell_id: c for c in exposure.list_cells(session=loaded, limit=100).items}
    for cell_id, row in listed.items():
        assert exposure.get_cell(session=loaded, cell_id=cell_id) == row


def test_subscribers_of_a_cell_are_pseudonyms_paged(loaded: Session) -> None:
    pseudonym = pseudonymizer(KEY)
    expected = sorted(pseudonym(data.SUBSCRIBERS[s]) for s in ("s1", "s2", "s3"))
    first = exposure.list_subscribers(session=loaded, cell_id=data.ILLEGAL_1, limit=2)
    rest = exposure.list_subscribers(session=loaded, cell_id=data.ILLEGAL_1, cursor=first.next_cursor, limit=2)
    items = first.items + rest.items
    assert [s.subscriber_pseudonym for s in items] == expected and rest.next_cursor is None
    by_pseudonym = {s.subscriber_pseudonym: s for s in items}
    s1 = by_pseudonym[pseudonym(data.SUBSCRIBERS["s1"])]
    assert s1.accepted_attaches == 2
    assert (s1.first_accepted_at, s1.last_accepted_at) == (
        datetime(2026, 1, 10, 3, tzinfo=UTC),
        datetime(2026, 7, 1, 3, tzinfo=UTC),
    )
    # The rejected s9 and the attach before decommissioning are not exposure.
    assert pseudonym(data.SUBSCRIBERS["s9"]) not in by_pseudonym
    decommissioned = exposure.list_subscribers(session=loaded, cell_id=data.DECOMMISSIONED).items
    assert [s.subscriber_pseudonym for s in decommissioned] == [pseudonym(data.SUBSCRIBERS["s3"])]


def test_subscribers_of_a_cell_that_is_not_unauthorized_is_not_found(loaded: Session) -> None:
    with pytest.raises(NotFound):
        exposure.list_subscribers(session=loaded, cell_id=data.ACTIVE)


def test_a_cursor_from_another_list_is_invalid(loaded: Session) -> None:
    page = exposure.list_cells(session=loaded, limit=1)
    with pytest.raises(Invalid):
        exposure.list_subscribers(session=loaded, cell_id=data.ILLEGAL_1, cursor=page.next_cursor)


def test_no_raw_subscriber_id_in_any_output(loaded: Session) -> None:
    outputs = [
        exposure.summary(session=loaded, top=100).model_dump_json(),
        exposure.list_cells(session=loaded, limit=100).model_dump_json(),
        exposure.list_subscribers(session=loaded, cell_id=data.ILLEGAL_1).model_dump_json(),
    ]
    for raw in data.SUBSCRIBERS.values():
        assert not any(raw in text for text in outputs)


def test_registering_an_illegal_id_as_blocked_keeps_its_exposure(loaded: Session, actor: Principal) -> None:
    # Blocked after its attaches, never activated: every attach still counts.
    make_femtocell(loaded, actor, cell_id=data.ILLEGAL_2, status="blocked", blocked_at="2026-09-01T00:00:00Z")
    cell = exposure.get_cell(session=loaded, cell_id=data.ILLEGAL_2)
    assert cell.in_inventory and cell.blocked and cell.accepted_attaches == 1
    totals = exposure.totals(session=loaded)
    assert (totals.unauthorized_cells, totals.cells_not_blocked, totals.exposed_subscribers) == (8, 5, 5)


def test_attaches_before_activation_count(loaded: Session, actor: Principal) -> None:
    make_femtocell(
        loaded,
        actor,
        cell_id="45008-00000E1",
        status="lost",
        activated_at="2026-02-01T00:00:00Z",
        lost_at="2026-03-01T00:00:00Z",
    )
    from tests.inventory.exposure_data import SUBSCRIBERS, _at
    from tests.inventory.factories import access_event, csv_bytes

    rows = [
        access_event(cell_id="45008-00000E1", subscriber_id=SUBSCRIBERS["s10"], occurred_at=_at(day))
        for day in ("01-20", "02-10", "03-10")  # before activation, while active, after it was lost
    ]
    service.ingest_stream(
        session=loaded, stream=io.BytesIO(csv_bytes(rows)), fmt=ImportFormat.csv, source="e.csv", actor=actor
    )
    cell = exposure.get_cell(session=loaded, cell_id="45008-00000E1")
    assert cell.accepted_attaches == 2 and cell.exposed_subscribers == 1


def test_empty_database_has_zero_totals(session: Session) -> None:
    summary = exposure.summary(session=session)
    assert summary.top_cells == []
    assert summary.totals.unauthorized_cells == summary.totals.exposed_subscribers == 0
    assert summary.totals.first_accepted_at is None
