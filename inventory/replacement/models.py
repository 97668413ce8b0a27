"""Replacement waves of legacy equipment, wave assignments, and the progress figures the API and reports show.

A wave is a batch of legacy equipment replaced together, with a target window, the budget line that pays for it
(a `legacy_replacement` line of the plan) and optionally the plan milestone that tracks it. The equipment itself
names its wave by code (`equipment.replacement_wave`); a wave's planned count is the equipment carrying its code.
Wave codes are immutable so that link never breaks.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, StringConstraints
from sqlmodel import Field, SQLModel

from inventory.fields import KEY_PATTERN, WAVE_PATTERN
from tracker.plan.fields import PlanDate, text
from tracker.records import VersionedMixin
from tracker.types import UTCDateTime, now_utc

INT32 = 2**31 - 1
MAX_ASSIGN = 1_000

AssetTag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=KEY_PATTERN)]


class WaveBase(SQLModel):
    """Fields a client sets on a wave."""

    model_config = ConfigDict(str_strip_whitespace=True)  # type: ignore[assignment]

    code: str = Field(min_length=1, max_length=20, unique=True, schema_extra={"pattern": WAVE_PATTERN})
    name_ko: str = text(200, min_length=1)
    name_en: str = text(200, min_length=1)
    description: str = text(2000, default="")
    target_start: PlanDate
    target_end: PlanDate
    # The plan budget line (workstream legacy_replacement) that pays for the wave.
    budget_line_id: int | None = Field(default=None, ge=1, le=INT32, foreign_key="budget_line.id", index=True)
    # The plan milestone that tracks the wave, if any.
    milestone_id: int | None = Field(default=None, ge=1, le=INT32, foreign_key="milestone.id", index=True)


class ReplacementWave(VersionedMixin, WaveBase, table=True):
    """One wave of the replacement programme."""

    __tablename__ = "replacement_wave"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, nullable=False)


class WaveCreate(WaveBase):
    """A new wave; its target start may not be after its target end."""


class WaveUpdate(SQLModel):
    """Editable fields (null or absent: unchanged). The code is fixed: equipment refers to the wave by it."""

    model_config = ConfigDict(str_strip_whitespace=True)  # type: ignore[assignment]

    name_ko: str | None = text(200, min_length=1, default=None)
    name_en: str | None = text(200, min_length=1, default=None)
    description: str | None = text(2000, default=None)
    target_start: PlanDate | None = None
    target_end: PlanDate | None = None
    budget_line_id: int | None = Field(default=None, ge=1, le=INT32)
    milestone_id: int | None = Field(default=None, ge=1, le=INT32)


class WavePublic(WaveBase):
    """A wave with the counts of the equipment assigned to it (now)."""

    id: int
    version: int
    planned_count: int
    replaced_count: int
    remaining_count: int


class AssignmentRequest(SQLModel):
    """Put equipment (by asset tag) into a wave, or take it out of its wave with `wave: null`."""

    wave: str | None = Field(min_length=1, max_length=20, schema_extra={"pattern": WAVE_PATTERN})
    asset_tags: list[AssetTag] = Field(min_length=1, max_length=MAX_ASSIGN)
    # When given, every item's own target date; otherwise the items keep theirs (none: the wave's target end).
    target_date: PlanDate | None = None


class AssignmentResult(SQLModel):
    """What an assignment changed: items moved (each audited as an equipment update) and items already there."""

    wave: str | None
    changed: int
    unchanged: int


class ForecastState(StrEnum):
    """How the completion forecast came about."""

    # Nothing assigned: nothing to forecast.
    empty = "empty"
    # Every item is replaced; the completion date is the last replacement.
    complete = "complete"
    # Remaining items at the recent rate.
    forecast = "forecast"
    # Items remain but none was replaced in the rate window: no rate, no forecast date.
    no_recent_rate = "no_recent_rate"
    # Nothing replaced in the window and the target start is still ahead: nothing to extrapolate yet, not behind.
    not_started = "not_started"


class QuarterPoint(SQLModel):
    """One calendar quarter of a burn-down: planned and actual replacements, and what remains after it."""

    quarter: str
    end: date
    planned: int
    planned_cumulative: int
    remaining_planned: int
    # None for quarters after the as-of date's quarter (not happened yet).
    actual: int | None
    actual_cumulative: int | None
    remaining_actual: int | None


class Progress(SQLModel):
    """Planned vs actual for a wave or the whole programme as of a date, with the forecast completion."""

    total: int
    replaced: int
    remaining: int
    # Replacements in the rate window (the last `window_days` days up to the as-of date) and the rate per quarter.
    recent_replaced: int
    rate_per_quarter: float
    forecast_state: ForecastState
    forecast_completion: date | None
    target_start: date | None
    target_end: date | None
    # The target end has passed with items remaining.
    late: bool
    # The forecast misses the target end, or the work has started and there is no recent rate to finish at.
    behind: bool
    quarters: list[QuarterPoint]


class WaveProgress(Progress):
    """One wave's progress."""

    id: int
    code: str
    name_ko: str
    name_en: str
    budget_line_id: int | None
    milestone_id: int | None


class ReplacementStatus(SQLModel):
    """`GET /replacement`: the programme and each wave, planned vs actual per quarter, and the forecasts."""

    as_of: date
    window_days: int
    programme: Progress
    waves: list[WaveProgress]
    late_waves: list[str]
    # Equipment naming a wave code that no wave has (e.g. imported before the wave was created).
    unknown_wave_items: int
