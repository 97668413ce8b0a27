"""Key performance indicators the plan promises, their yearly targets and measurements over time.

Values are integers, never binary floats: a `percent` KPI stores basis points (hundredths of a percent, so 9,950
means 99.50 %, 0..10,000); a `number` KPI stores the number itself (a count of devices, hours...).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from tracker.plan.fields import PlanDate, text
from tracker.plan.models import WorkstreamCode, workstream_type
from tracker.records import VersionedMixin
from tracker.types import UTCDateTime, enum_column, now_utc

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"
INT32 = 2**31 - 1
MAX_VALUE = 10**15
PERCENT_SCALE = 10_000


class KpiUnit(StrEnum):
    """How a KPI's integer values read."""

    percent = "percent"
    number = "number"


class KpiDirection(StrEnum):
    """Whether a KPI meets its target by being at least or at most the target."""

    higher_is_better = "higher_is_better"
    lower_is_better = "lower_is_better"


class KpiBase(SQLModel):
    """Fields a client sets on a KPI."""

    code: str = Field(max_length=40, unique=True, schema_extra={"pattern": CODE_PATTERN})
    name_ko: str = text(200, min_length=1)
    name_en: str = text(200, min_length=1)
    description: str = text(2000, default="")
    workstream: WorkstreamCode = Field(sa_type=workstream_type(), foreign_key="workstream.code", index=True)
    unit: KpiUnit = Field(sa_type=enum_column(KpiUnit).type)
    direction: KpiDirection = Field(default=KpiDirection.higher_is_better, sa_type=enum_column(KpiDirection).type)
    source: str = text(200, min_length=1, default="illustrative")


class Kpi(VersionedMixin, KpiBase, table=True):
    """A KPI the plan promises."""

    __tablename__ = "kpi"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, nullable=False)


class KpiCreate(KpiBase):
    """A new KPI."""


class KpiUpdate(SQLModel):
    """Editable fields (null or absent: unchanged); the unit is fixed, since measurements are read in it."""

    name_ko: str | None = text(200, min_length=1, default=None)
    name_en: str | None = text(200, min_length=1, default=None)
    description: str | None = text(2000, default=None)
    direction: KpiDirection | None = None
    source: str | None = text(200, min_length=1, default=None)


class KpiTarget(VersionedMixin, SQLModel, table=True):
    """The value a KPI should reach by the end of a year."""

    __tablename__ = "kpi_target"
    __table_args__ = (UniqueConstraint("kpi_id", "year", name="uq_kpi_target_kpi_year"),)

    id: int | None = Field(default=None, primary_key=True)
    kpi_id: int = Field(foreign_key="kpi.id")
    year: int
    value: int = Field(sa_type=BigInteger)
    source: str = Field(default="illustrative", max_length=200)
    created_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, nullable=False)


class KpiTargetPut(SQLModel):
    """Set a year's target (basis points for percent KPIs)."""

    value: int = Field(ge=0, le=MAX_VALUE)
    source: str = text(200, min_length=1, default="illustrative")


class KpiTargetPublic(SQLModel):
    """A yearly target."""

    id: int
    kpi_id: int
    year: int
    value: int
    source: str
    version: int


class KpiPublic(KpiBase):
    """A KPI with its yearly targets."""

    id: int
    targets: list[KpiTargetPublic] = []
    version: int


class KpiMeasurementBase(SQLModel):
    """Fields a client sets on a measurement."""

    measured_on: PlanDate
    value: int = Field(ge=0, le=MAX_VALUE, sa_type=BigInteger)
    source: str = text(200, min_length=1, default="illustrative")
    note: str = text(500, default="")


class KpiMeasurement(KpiMeasurementBase, table=True):
    """A KPI's value on a date. Measurements are kept, never edited."""

    __tablename__ = "kpi_measurement"
    __table_args__ = (Index("ix_kpi_measurement_kpi_measured", "kpi_id", "measured_on", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    kpi_id: int = Field(foreign_key="kpi.id")
    created_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    created_by: str = Field(max_length=100)


class KpiMeasurementCreate(KpiMeasurementBase):
    """A new measurement (basis points for percent KPIs)."""


class KpiMeasurementPublic(KpiMeasurementBase):
    """A measurement as the API shows it."""

    id: int
    kpi_id: int
    created_at: datetime
    created_by: str


class KpiStatus(SQLModel):
    """A KPI's latest measurement as of a date against that year's target."""

    kpi: KpiPublic
    as_of: date
    latest: KpiMeasurementPublic | None
    target: int | None
    met: bool | None
    latest_display: str | None
    target_display: str | None
