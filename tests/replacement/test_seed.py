"""The replacement seed: waves on the plan's legacy budget lines and milestones, and a demo state with a wave behind."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from inventory.equipment.models import Equipment
from inventory.replacement import service
from inventory.replacement.models import ForecastState
from inventory.replacement.seed import load
from inventory.seed import seed_inventory
from tests.plan.test_seed import run_seed
from tracker.auth.models import Principal
from tracker.db import read_session, write_session
from tracker.flows import SeedContext
from tracker.milestones.models import Milestone
from tracker.plan.models import BudgetLine

DEMO_DAY = date(2026, 11, 22)
# The illustrative demo state of random seed 2025 (1,000 items): (wave, items, replaced by the demo day).
PINNED = [("W1", 179, 111), ("W2", 107, 0), ("W3", 86, 0), ("W4", 56, 0)]


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    ctx = SeedContext(devices=0, random_seed=2025, actor=Principal.system("seed"))
    with write_session(engine) as s:
        seed_inventory(s, ctx)
        run_seed(s, ctx.actor)
        load(s, ctx)
    return engine


def test_waves_link_the_legacy_budget_line_of_their_year_and_their_milestone(seeded: Engine) -> None:
    with read_session(seeded) as s:
        waves = service.list_waves(session=s).items
        assert [w.code for w in waves] == ["W1", "W2", "W3", "W4"]
        for wave, year in zip(waves, (2026, 2027, 2028, 2029), strict=True):
            line = s.get(BudgetLine, wave.budget_line_id)
            milestone = s.get(Milestone, wave.milestone_id)
            assert line is not None and (line.workstream, line.year) == ("legacy_replacement", year)
            assert milestone is not None and milestone.code == wave.code


def test_demo_state_shows_wave_one_behind_and_later_waves_not_started(seeded: Engine) -> None:
    with read_session(seeded) as s:
        status = service.status(session=s, as_of=DEMO_DAY)
        w1, *later = status.waves
        assert 0.5 <= w1.replaced / w1.total <= 0.65
        assert w1.forecast_state is ForecastState.forecast and w1.behind and not w1.late
        assert w1.forecast_completion is not None and w1.forecast_completion > date(2026, 12, 31)
        assert all(w.forecast_state is ForecastState.not_started and not w.behind for w in later)
        assert status.unknown_wave_items == 0
        # Every item that named a wave is in one, and nothing was replaced after the demo day.
        table = Equipment.__table__  # type: ignore[attr-defined]
        assigned = s.execute(select(func.count()).where(table.c.replacement_wave.is_not(None))).scalar_one()
        assert status.programme.total == assigned - _retired_unreplaced(s)
        assert status.programme.replaced == service.status(session=s, as_of=date(2030, 12, 31)).programme.replaced


def _retired_unreplaced(s: Session) -> int:
    table = Equipment.__table__  # type: ignore[attr-defined]
    return int(
        s.execute(
            select(func.count()).where(
                table.c.replacement_wave.is_not(None), table.c.status == "retired", table.c.replaced_at.is_(None)
            )
        ).scalar_one()
    )


def test_the_seed_gives_the_same_state_every_time_and_runs_once(seeded: Engine) -> None:
    with read_session(seeded) as s:
        first = service.status(session=s, as_of=DEMO_DAY)
    with write_session(seeded) as s:
        assert load(s, SeedContext(devices=0, random_seed=2025, actor=Principal.system("seed"))) == {
            "replacement waves": 0
        }
    with read_session(seeded) as s:
        assert service.status(session=s, as_of=DEMO_DAY) == first
    assert [(w.code, w.total, w.replaced) for w in first.waves] == PINNED
