"""Zero-trust maturity (CISA Zero Trust Maturity Model v2.0): the catalog, systems in scope, assessments, targets.

The catalog (pillars, their functions, the cross-cutting capabilities, the four stages) is the model's own and is
loaded from `seed/zero_trust.yaml`. A cross-cutting capability is treated as an area with a single function of the
same name, so every assessment is (system × function × stage).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from tracker.plan.fields import PlanDate, Reference, text
from tracker.records import VersionedMixin
from tracker.types import UTCDateTime, enum_column, now_utc

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"
INT32 = 2**31 - 1


class ZtPillar(StrEnum):
    """The five pillars and three cross-cutting capabilities of ZTMM v2."""

    identity = "identity"
    devices = "devices"
    networks = "networks"
    applications_workloads = "applications_workloads"
    data = "data"
    visibility_analytics = "visibility_analytics"
    automation_orchestration = "automation_orchestration"
    governance = "governance"


CROSS_CUTTING = frozenset({ZtPillar.visibility_analytics, ZtPillar.automation_orchestration, ZtPillar.governance})


class ZtStage(StrEnum):
    """Maturity stages, lowest first."""

    traditional = "traditional"
    initial = "initial"
    advanced = "advanced"
    optimal = "optimal"


# 1 = traditional ... 4 = optimal; gaps are differences of these levels ("stage steps").
STAGE_LEVEL: dict[ZtStage, int] = {stage: level for level, stage in enumerate(ZtStage, start=1)}
LEVEL_STAGE: dict[int, ZtStage] = {level: stage for stage, level in STAGE_LEVEL.items()}


class ZtFunction(SQLModel, table=True):
    """One function of the catalog (e.g. identity.authentication)."""

    __tablename__ = "zt_function"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=80, unique=True)
    pillar: ZtPillar = Field(sa_column=enum_column(ZtPillar, index=True))
    name_en: str = Field(max_length=200)
    name_ko: str = Field(max_length=200)
    position: int


class ZtFunctionPublic(SQLModel):
    """A catalog function as the API shows it."""

    id: int
    code: str
    pillar: ZtPillar
    name_en: str
    name_ko: str
    position: int


class ZtSystemBase(SQLModel):
    """Fields a client sets on a system in scope."""

    code: str = Field(max_length=40, unique=True, schema_extra={"pattern": CODE_PATTERN})
    name_ko: str = text(200, min_length=1)
    name_en: str = text(200, min_length=1)
    description: str = text(2000, default="")
    # The pillars and capabilities the system is assessed against.
    pillars: list[ZtPillar] = Field(sa_type=JSON, min_length=1, max_length=8)
    source: str = text(200, min_length=1, default="illustrative")


class ZtSystem(VersionedMixin, ZtSystemBase, table=True):
    """A system in the zero-trust scope."""

    __tablename__ = "zt_system"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, nullable=False)


class ZtSystemCreate(ZtSystemBase):
    """A new system in scope."""


class ZtSystemUpdate(SQLModel):
    """Editable fields of a system (null or absent: unchanged)."""

    name_ko: str | None = text(200, min_length=1, default=None)
    name_en: str | None = text(200, min_length=1, default=None)
    description: str | None = text(2000, default=None)
    pillars: list[ZtPillar] | None = Field(default=None, min_length=1, max_length=8)
    source: str | None = text(200, min_length=1, default=None)


class ZtSystemPublic(ZtSystemBase):
    """A system as the API shows it."""

    id: int
    version: int


class ZtAssessmentBase(SQLModel):
    """Fields a client sets on an assessment."""

    system_id: int = Field(foreign_key="zt_system.id", ge=1, le=INT32)
    function_code: str = text(80, min_length=1, foreign_key="zt_function.code", index=True)
    stage: ZtStage = Field(sa_type=enum_column(ZtStage).type)
    assessed_on: PlanDate
    assessor: str = text(100, min_length=1)
    evidence_refs: list[Reference] = Field(default_factory=list, sa_type=JSON, max_length=50)
    note: str = text(1000, default="")


class ZtAssessment(ZtAssessmentBase, table=True):
    """The stage one system reached in one function on a date. Assessments are kept, never edited."""

    __tablename__ = "zt_assessment"
    __table_args__ = (Index("ix_zt_assessment_system_function_date", "system_id", "function_code", "assessed_on"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    created_by: str = Field(max_length=100)


class ZtAssessmentCreate(ZtAssessmentBase):
    """A new assessment; the function must apply to a pillar the system is in scope for."""


class ZtAssessmentPublic(ZtAssessmentBase):
    """An assessment with its pillar."""

    id: int
    pillar: ZtPillar
    created_at: datetime
    created_by: str


class ZtTargetBase(SQLModel):
    """Fields a client sets on a target."""

    pillar: ZtPillar = Field(sa_type=enum_column(ZtPillar).type)
    year: int = Field(ge=2000, le=2100)
    stage: ZtStage = Field(sa_type=enum_column(ZtStage).type)
    source: str = text(200, min_length=1, default="illustrative")


class ZtTarget(VersionedMixin, ZtTargetBase, table=True):
    """The stage a pillar should reach by the end of a year."""

    __tablename__ = "zt_target"
    __table_args__ = (UniqueConstraint("pillar", "year", name="uq_zt_target_pillar_year"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, nullable=False)


class ZtTargetCreate(ZtTargetBase):
    """A new target (one per pillar and year)."""


class ZtTargetUpdate(SQLModel):
    """Editable fields of a target (null or absent: unchanged)."""

    stage: ZtStage | None = None
    source: str | None = text(200, min_length=1, default=None)


class ZtTargetPublic(ZtTargetBase):
    """A target as the API shows it."""

    id: int
    version: int


class StageCount(SQLModel):
    """How many (system, function) pairs sit at a stage."""

    stage: ZtStage
    count: int


class ZtFunctionSummary(SQLModel):
    """A function's stage: the lower median over the in-scope systems."""

    code: str
    name_en: str
    name_ko: str
    stage: ZtStage
    counts: list[StageCount]


class ZtSystemStage(SQLModel):
    """A system's stage in a pillar: its weakest function there."""

    system_id: int
    system_code: str
    stage: ZtStage


class ZtPillarSummary(SQLModel):
    """Maturity of one pillar against its target for the year."""

    pillar: ZtPillar
    cross_cutting: bool
    name_en: str
    name_ko: str
    systems_in_scope: int
    current_stage: ZtStage | None
    # Mean level (1 traditional .. 4 optimal) over every in-scope (system, function) pair: finer than the stage.
    mean_level: float | None
    target_stage: ZtStage | None
    gap_steps: int | None
    met: bool | None
    unassessed_pairs: int
    functions: list[ZtFunctionSummary]
    systems: list[ZtSystemStage]


class ZtSummary(SQLModel):
    """Maturity per pillar as of a date against the targets of a year."""

    year: int
    as_of: date
    pillars: list[ZtPillarSummary]
