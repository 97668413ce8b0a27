"""Milestones of the plan, their dependencies (a DAG), progress reports and approved re-baselines."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from tracker.plan.fields import PlanDate, Reference, text
from tracker.plan.models import MAX_KRW, WorkstreamCode, workstream_type
from tracker.records import VersionedMixin
from tracker.types import UTCDateTime, enum_column, now_utc

CODE_PATTERN = r"^[A-Z0-9][A-Z0-9._-]{0,39}$"
MAX_EVIDENCE = 50
INT32 = 2**31 - 1


class MilestoneStatus(StrEnum):
    """Where a milestone stands."""

    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"


# Allowed status changes. Reopening a done milestone is allowed (evidence found wanting); cancelled is final.
TRANSITIONS: dict[MilestoneStatus, frozenset[MilestoneStatus]] = {
    MilestoneStatus.planned: frozenset({MilestoneStatus.in_progress, MilestoneStatus.done, MilestoneStatus.cancelled}),
    MilestoneStatus.in_progress: frozenset({MilestoneStatus.planned, MilestoneStatus.done, MilestoneStatus.cancelled}),
    MilestoneStatus.done: frozenset({MilestoneStatus.in_progress}),
    MilestoneStatus.cancelled: frozenset(),
}

OPEN_STATUSES = (MilestoneStatus.planned, MilestoneStatus.in_progress)


class MilestoneBase(SQLModel):
    """Fields shared by the table and the create model."""

    code: str = Field(max_length=40, unique=True, schema_extra={"pattern": CODE_PATTERN})
    title_ko: str = text(300, min_length=1)
    title_en: str = text(300, min_length=1)
    description: str = text(2000, default="")
    workstream: WorkstreamCode = Field(sa_type=workstream_type(), foreign_key="workstream.code", index=True)
    owner: str = text(100, min_length=1, index=True)
    baseline_start: PlanDate | None = None
    baseline_date: PlanDate
    weight_krw: int = Field(default=0, ge=0, le=MAX_KRW, sa_type=BigInteger)
    evidence_refs: list[Reference] = Field(default_factory=list, sa_type=JSON, max_length=MAX_EVIDENCE)
    # Where the milestone comes from: a regulator order, a public plan commitment, or "illustrative".
    source: str = text(200, min_length=1, default="illustrative")


class Milestone(VersionedMixin, MilestoneBase, table=True):
    """A dated deliverable of a workstream, weighted in won for earned value."""

    __tablename__ = "milestone"
    __table_args__ = (
        Index("ix_milestone_baseline_date_id", "baseline_date", "id"),
        Index("ix_milestone_forecast_date", "forecast_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    status: MilestoneStatus = Field(sa_column=enum_column(MilestoneStatus, index=True))
    percent_complete: int = Field(default=0)
    forecast_date: date
    actual_date: date | None = None
    created_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, nullable=False)


class MilestoneCreate(MilestoneBase):
    """A new milestone. Its forecast defaults to the baseline date; status to planned."""

    forecast_date: PlanDate | None = None
    status: MilestoneStatus = MilestoneStatus.planned
    percent_complete: int = Field(default=0, ge=0, le=100)
    actual_date: PlanDate | None = None


class MilestoneUpdate(SQLModel):
    """Editable fields (null or absent: unchanged). Baseline dates and weight change only by an approved re-baseline.

    Changing `percent_complete` or `status` records a progress report dated `reported_on` (default: today).
    """

    title_ko: str | None = text(300, min_length=1, default=None)
    title_en: str | None = text(300, min_length=1, default=None)
    description: str | None = text(2000, default=None)
    owner: str | None = text(100, min_length=1, default=None)
    status: MilestoneStatus | None = None
    percent_complete: int | None = Field(default=None, ge=0, le=100)
    forecast_date: PlanDate | None = None
    actual_date: PlanDate | None = None
    evidence_refs: list[Reference] | None = Field(default=None, max_length=MAX_EVIDENCE)
    source: str | None = text(200, min_length=1, default=None)
    reported_on: PlanDate | None = None
    note: str | None = text(500, default=None)


class MilestonePublic(MilestoneBase):
    """A milestone with its schedule, progress and direct predecessors (ids)."""

    id: int
    status: MilestoneStatus
    percent_complete: int
    forecast_date: date
    actual_date: date | None
    predecessor_ids: list[int] = []
    created_at: datetime
    updated_at: datetime
    version: int


class MilestoneDependency(SQLModel, table=True):
    """An edge of the dependency DAG: the successor cannot finish before the predecessor (plus its own duration)."""

    __tablename__ = "milestone_dependency"
    __table_args__ = (UniqueConstraint("predecessor_id", "successor_id", name="uq_milestone_dependency_edge"),)

    id: int | None = Field(default=None, primary_key=True)
    predecessor_id: int = Field(foreign_key="milestone.id", index=True)
    successor_id: int = Field(foreign_key="milestone.id", index=True)
    created_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    created_by: str = Field(max_length=100)


class DependencyCreate(SQLModel):
    """The predecessor to add to a milestone."""

    predecessor_id: int = Field(ge=1, le=INT32)


class DependencyPublic(SQLModel):
    """A dependency with both ends' codes."""

    id: int
    predecessor_id: int
    predecessor_code: str
    successor_id: int
    successor_code: str
    created_at: datetime
    created_by: str


class MilestoneProgress(SQLModel, table=True):
    """A progress report: percent complete of a milestone as of a business date (earned value reads these)."""

    __tablename__ = "milestone_progress"
    __table_args__ = (Index("ix_milestone_progress_milestone_reported", "milestone_id", "reported_on", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    milestone_id: int = Field(foreign_key="milestone.id")
    reported_on: date
    percent_complete: int
    note: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    created_by: str = Field(max_length=100)


class MilestoneProgressPublic(SQLModel):
    """A progress report as the API shows it."""

    id: int
    milestone_id: int
    reported_on: date
    percent_complete: int
    note: str
    created_at: datetime
    created_by: str


class MilestoneRebaselineRequest(SQLModel):
    """An approver's change of a milestone's baseline dates or weight, with the reason."""

    baseline_start: PlanDate | None = None
    baseline_date: PlanDate | None = None
    weight_krw: int | None = Field(default=None, ge=0, le=MAX_KRW)
    clear_baseline_start: bool = False
    reason: str = text(1000, min_length=3)


class MilestoneRebaseline(SQLModel, table=True):
    """One approved change of a milestone's baseline; the previous values are kept."""

    __tablename__ = "milestone_rebaseline"

    id: int | None = Field(default=None, primary_key=True)
    milestone_id: int = Field(foreign_key="milestone.id", index=True)
    previous_baseline_start: date | None = None
    previous_baseline_date: date
    previous_weight_krw: int = Field(sa_type=BigInteger)
    new_baseline_start: date | None = None
    new_baseline_date: date
    new_weight_krw: int = Field(sa_type=BigInteger)
    reason: str = Field(max_length=1000)
    approved_by: str = Field(max_length=100)
    approved_role: str = Field(max_length=20)
    approved_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)


class MovedMilestone(SQLModel):
    """A milestone whose forecast a change moved."""

    id: int
    code: str
    title_en: str
    previous_forecast: date
    new_forecast: date
    slip_days: int
    baseline_date: date
    misses_baseline: bool
    newly_misses_baseline: bool


class SlipReport(SQLModel):
    """What moving one milestone's forecast does to its dependents."""

    milestone_id: int
    code: str
    previous_forecast: date
    new_forecast: date
    slip_days: int
    applied: bool
    moved: list[MovedMilestone]
    # Codes of every milestone (the moved one included) that misses its baseline after the change.
    now_missing_baseline: list[str]


class SlipRequest(SQLModel):
    """Move a milestone's forecast; with `dry_run` only report what would move."""

    forecast_date: PlanDate
    dry_run: bool = False


class MilestoneChange(SQLModel):
    """A changed milestone and, when its forecast moved, the slip it propagated."""

    milestone: MilestonePublic
    slip: SlipReport | None = None


class DependencyChange(SQLModel):
    """A new dependency and the forecasts it pushed later."""

    dependency: DependencyPublic
    moved: list[MovedMilestone]


class PathStepPublic(SQLModel):
    """One milestone on a critical path."""

    id: int
    code: str
    title_ko: str
    title_en: str
    workstream: WorkstreamCode
    status: MilestoneStatus
    baseline_date: date
    earliest_finish: date
    duration_days: int
    float_days: int


class CriticalPathPublic(SQLModel):
    """The driving chain of milestones to a target (default: the program's end)."""

    target_id: int | None
    target_code: str | None
    finish: date | None
    baseline_date: date | None
    steps: list[PathStepPublic]


class DelayedMilestone(SQLModel):
    """A dependent that a late milestone holds up."""

    id: int
    code: str
    title_en: str
    title_ko: str
    forecast_date: date
    baseline_date: date
    misses_baseline: bool


class LateMilestone(SQLModel):
    """An open milestone past (or forecast past) its baseline date, and what it delays."""

    milestone: MilestonePublic
    days_late: int
    expected_finish: date
    delays: list[DelayedMilestone]
