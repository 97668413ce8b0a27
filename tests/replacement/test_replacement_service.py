"""Replacement waves through the service: links, assignment through the equipment service, SQL progress figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session

from inventory.equipment import service as equipment_service
from inventory.equipment.models import EquipmentStatus
from inventory.replacement import progress as calc
from inventory.replacement import service
from inventory.replacement.models import AssignmentRequest, ForecastState, Progress, WaveUpdate
from tests.inventory.factories import make_equipment
from tests.plan import factories as plan_factories
from tests.replacement.factories import legacy_line, make_wave
from tracker.audit import service as audit
from tracker.auth.models import Principal
from tracker.errors import Conflict, NotFound, Stale
from tracker.governance.agenda import AGENDA_SOURCES
from tracker.governance.due import due_report
from tracker.governance.items import AgendaContext, Severity
from tracker.plan.models import WorkstreamCode

AS_OF = date(2026, 11, 22)


def _kst(day: date) -> datetime:
    # Noon in Seoul, 03:00 UTC: the same calendar day either way.
    return datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC)


def test_a_wave_links_a_legacy_budget_line_and_milestone(session: Session, actor: Principal) -> None:
    line = legacy_line(session, actor)
    milestone = plan_factories.milestone(
        session, actor, "W1", baseline_date=date(2026, 12, 31), workstream=WorkstreamCode.legacy_replacement
    )
    wave = make_wave(session, actor, budget_line_id=line.id, milestone_id=milestone.id)
    assert (wave.budget_line_id, wave.milestone_id, wave.planned_count, wave.version) == (line.id, milestone.id, 0, 1)
    events = audit.history(session, entity_type="replacement_wave", entity_id=wave.id)
    assert [e.action for e in events] == ["create"] and events[0].state["code"] == "W1"


def test_a_wave_refuses_links_outside_legacy_replacement(session: Session, actor: Principal) -> None:
    legacy_line(session, actor)
    other = plan_factories.budget_line(session, actor, workstream=WorkstreamCode.zero_trust)
    with pytest.raises(Conflict, match="zero_trust") as caught:
        make_wave(session, actor, budget_line_id=other.id)
    assert caught.value.field == "budget_line_id"
    with pytest.raises(NotFound, match="No budget line with id 999"):
        make_wave(session, actor, budget_line_id=999)
    with pytest.raises(Conflict, match="after target_end"):
        make_wave(session, actor, target_start=date(2027, 1, 1), target_end=date(2026, 1, 1))


def test_duplicate_wave_code_is_a_conflict(session: Session, actor: Principal) -> None:
    make_wave(session, actor)
    with pytest.raises(Conflict, match="'W1' already exists"):
        make_wave(session, actor)


def test_patch_honours_if_match_and_keeps_dates_in_order(session: Session, actor: Principal) -> None:
    wave = make_wave(session, actor)
    with pytest.raises(Stale):
        service.update(session=session, id=wave.id, data=WaveUpdate(name_en="x"), if_match=7, actor=actor)
    with pytest.raises(Conflict, match="after target_end"):
        service.update(
            session=session, id=wave.id, data=WaveUpdate(target_start=date(2027, 6, 1)), if_match=1, actor=actor
        )
    changed = service.update(
        session=session, id=wave.id, data=WaveUpdate(target_end=date(2027, 3, 31)), if_match=1, actor=actor
    )
    assert (changed.target_end, changed.version) == (date(2027, 3, 31), 2)


def test_assignment_moves_equipment_through_the_audited_equipment_service(session: Session, actor: Principal) -> None:
    make_wave(session, actor)
    items = [make_equipment(session, actor) for _ in range(3)]
    tags = [i.asset_tag for i in items]
    result = service.assign(session=session, data=AssignmentRequest(wave="W1", asset_tags=tags), actor=actor)
    assert (result.changed, result.unchanged) == (3, 0)
    again = service.assign(session=session, data=AssignmentRequest(wave="W1", asset_tags=tags), actor=actor)
    assert (again.changed, again.unchanged) == (0, 3)
    first = equipment_service.get(session=session, equipment_id=items[0].id or 0)
    assert (first.replacement_wave, first.status) == ("W1", EquipmentStatus.replacement_planned)
    history = equipment_service.history(session=session, equipment_id=items[0].id or 0)
    assert history[-1].action == "update" and history[-1].state["replacement_wave"] == "W1"
    assert service.list_waves(session=session).items[0].planned_count == 3
    out = service.assign(session=session, data=AssignmentRequest(wave=None, asset_tags=tags[:1]), actor=actor)
    assert out.changed == 1
    first = equipment_service.get(session=session, equipment_id=items[0].id or 0)
    assert (first.replacement_wave, first.status) == (None, EquipmentStatus.in_service)


def test_assignment_to_an_unknown_wave_or_of_unknown_equipment_changes_nothing(
    session: Session, actor: Principal
) -> None:
    make_wave(session, actor)
    item = make_equipment(session, actor)
    with pytest.raises(Conflict, match="No replacement wave with code 'W9'") as caught:
        service.assign(session=session, data=AssignmentRequest(wave="W9", asset_tags=[item.asset_tag]), actor=actor)
    assert caught.value.field == "wave"
    with pytest.raises(NotFound, match="KT-NOPE-1"):
        service.assign(
            session=session, data=AssignmentRequest(wave="W1", asset_tags=[item.asset_tag, "KT-NOPE-1"]), actor=actor
        )
    assert equipment_service.get(session=session, equipment_id=item.id or 0).replacement_wave is None


def test_an_item_retired_without_replacement_cannot_join_a_wave(session: Session, actor: Principal) -> None:
    make_wave(session, actor)
    item = make_equipment(session, actor, status="retired")
    with pytest.raises(Conflict, match="retired without replacement"):
        service.assign(session=session, data=AssignmentRequest(wave="W1", asset_tags=[item.asset_tag]), actor=actor)


# (wave, own target date or None for the wave's end, replaced date or None)
ROWS = [
    ("W1", date(2026, 3, 31), date(2026, 3, 1)),
    ("W1", None, date(2026, 6, 1)),
    ("W1", None, date(2026, 10, 5)),
    ("W1", None, None),
    ("W2", date(2027, 6, 30), date(2026, 9, 1)),
    ("W2", None, None),
    ("W2", None, None),
]
ENDS = {"W1": date(2026, 9, 30), "W2": date(2027, 12, 31)}
STARTS = {"W1": date(2026, 1, 1), "W2": date(2027, 1, 1)}


@pytest.fixture
def programme(session: Session, actor: Principal) -> None:
    make_wave(session, actor, code="W1", target_end=ENDS["W1"])
    make_wave(session, actor, code="W2", target_start=STARTS["W2"], target_end=ENDS["W2"])
    for wave, target, replaced in ROWS:
        make_equipment(
            session,
            actor,
            replacement_wave=wave,
            target_date=target,
            status="replaced" if replaced else "replacement_planned",
            replaced_at=_kst(replaced) if replaced else None,
        )
    # Out of scope: retired without replacement, and an item naming a wave nobody created.
    make_equipment(session, actor, replacement_wave="W1", status="retired")
    make_equipment(session, actor, replacement_wave="W7", status="replacement_planned")


@pytest.mark.usefixtures("programme")
def test_sql_progress_matches_the_pure_reference(session: Session) -> None:
    result = service.status(session=session, as_of=AS_OF)
    quarters = calc.quarters_between(date(2026, 1, 1), date(2027, 12, 31))
    assert [q.quarter for q in result.programme.quarters] == [q.label for q in quarters]
    for wave in result.waves:
        pairs = [(t or ENDS[w], r) for w, t, r in ROWS if w == wave.code]
        expected = calc.progress(
            quarters,
            calc.tally_items(pairs, quarters, AS_OF),
            as_of=AS_OF,
            target_start=STARTS[wave.code],
            target_end=ENDS[wave.code],
        )
        assert wave.model_dump(include=set(Progress.model_fields)) == expected.model_dump()
    assert result.unknown_wave_items == 1


@pytest.mark.usefixtures("programme")
def test_programme_forecast_and_late_waves_by_hand(session: Session) -> None:
    result = service.status(session=session, as_of=AS_OF)
    w1, w2 = result.waves
    # W1: 3 of 4 replaced, target end 2026-09-30 passed → late. Recent (2026-05-25..): 06-01 and 10-05 = 2;
    # 1 remaining → ceil(1 * 182 / 2) = 91 days → 2027-02-21.
    assert (w1.total, w1.replaced, w1.late, w1.forecast_completion) == (4, 3, True, date(2027, 2, 21))
    # W2: 1 of 3 replaced (2026-09-01, recent); 2 remaining → ceil(2 * 182 / 1) = 364 days → 2027-11-21.
    assert (w2.total, w2.replaced, w2.late, w2.forecast_completion) == (3, 1, False, date(2027, 11, 21))
    # Programme: 3 remaining, 3 recent → 182 days → 2027-05-23; target 2027-12-31 → on track.
    p = result.programme
    assert (p.total, p.replaced, p.recent_replaced, p.forecast_completion) == (7, 4, 3, date(2027, 5, 23))
    assert p.forecast_state is ForecastState.forecast and not p.behind
    assert result.late_waves == ["W1"]


@pytest.mark.usefixtures("programme")
def test_as_of_counts_only_replacements_made_by_then(session: Session) -> None:
    result = service.status(session=session, as_of=date(2026, 5, 31))
    assert (result.programme.replaced, result.waves[0].late) == (1, False)
    # No replacement in 2025-12-01..2026-05-31 except 03-01: rate 1 per 182 days, 6 remaining → 1092 days.
    assert result.programme.forecast_completion == date(2029, 5, 27)


@pytest.mark.usefixtures("programme")
def test_late_waves_are_agenda_items_for_the_board(session: Session) -> None:
    ctx = AgendaContext(review_id=1, body_id=1, body_code="board", as_of=_kst(AS_OF), today=AS_OF)
    items = list(service.agenda_items(session, ctx))
    # W1 ended 2026-09-30 with 1 of 4 items left: 53 days late, high (critical only after 90 days).
    assert [(i.ref_id, i.severity, i.due_on) for i in items] == [("W1", Severity.high, date(2026, 9, 30))]
    assert "1 of 4 items left" in items[0].title and "53 days past target" in items[0].status
    assert service.agenda_items in AGENDA_SOURCES


@pytest.mark.usefixtures("programme")
def test_waves_due_by_the_horizon_are_reminders(session: Session) -> None:
    soon = list(service.due_items(session, AS_OF, AS_OF + timedelta(days=14)))
    assert [(d.ref_id, d.status) for d in soon] == [("W1", "3/4 replaced")]
    later = list(service.due_items(session, AS_OF, date(2027, 12, 31)))
    assert [d.ref_id for d in later] == ["W1", "W2"]
    report = due_report(session=session, today=AS_OF, days=14)
    assert any(e.ref_type == "replacement_wave" and e.overdue for o in report.owners for e in o.items)
