"""Valid replacement waves (with the plan records they link to) for tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from inventory.replacement import service
from inventory.replacement.models import WaveCreate, WavePublic
from tests.plan import factories as plan_factories
from tracker.auth.models import Principal
from tracker.plan.models import BudgetLinePublic, WorkstreamCode


def legacy_line(session: Session, actor: Principal, *, year: int = 2026) -> BudgetLinePublic:
    """A legacy_replacement budget line (creates the program on first use)."""
    from sqlmodel import select

    from tracker.plan.models import Program

    if session.exec(select(Program)).first() is None:
        plan_factories.program(session, actor)
    return plan_factories.budget_line(session, actor, workstream=WorkstreamCode.legacy_replacement, year=year)


def wave_data(**overrides: Any) -> dict[str, Any]:
    """Fields of a valid new wave without links."""
    data: dict[str, Any] = {
        "code": "W1",
        "name_ko": "1차 교체",
        "name_en": "Wave 1",
        "target_start": date(2026, 1, 1),
        "target_end": date(2026, 12, 31),
    }
    data.update(overrides)
    return data


def make_wave(session: Session, actor: Principal, **overrides: Any) -> WavePublic:
    """Create a wave through the service."""
    return service.create(session=session, data=WaveCreate.model_validate(wave_data(**overrides)), actor=actor)


def add_replacement(session: Session, actor: Principal) -> WavePublic:
    """A wave with three items, one replaced: enough for the report section to show (report tests' demo data)."""
    from datetime import UTC, datetime

    from tests.inventory.factories import make_equipment

    wave = make_wave(session, actor, code="W1", target_start=date(2026, 1, 5), target_end=date(2026, 12, 31))
    make_equipment(
        session,
        actor,
        replacement_wave="W1",
        status="replaced",
        replaced_at=datetime(2026, 3, 2, 3, tzinfo=UTC),
        target_date=date(2026, 3, 31),
    )
    for _ in range(2):
        make_equipment(session, actor, replacement_wave="W1", status="replacement_planned")
    return wave
