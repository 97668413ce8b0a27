"""The public commitments register: what the operator promised customers, by when, who owns it, and the proof.

A commitment has a due date (the end of its window, when it has one), an owner and a status. It is *overdue* when
its due date (Asia/Seoul calendar) has passed and it is neither met nor withdrawn; overdue commitments become
findings in the controls domain (see `service.overdue`). Measurements record a measured value (refund batches paid,
notices sent, customers enrolled) with its source; evidence records the documents that prove it. Both are
append-only: a correction is a new row.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, Date, ForeignKey, Index, Integer, String
from sqlmodel import Field, SQLModel

from tracker.governance.fields import CODE_PATTERN, SHA256_PATTERN, Day, text
from tracker.records import VersionedMixin
from tracker.types import UTCDateTime, enum_column, now_utc

MAX_ID = 2_147_483_647
# Measured values up to a quadrillion: enough for any won amount here, and exact in a JSON double.
MAX_VALUE = 10**15


class CommitmentStatus(StrEnum):
    """Where a commitment stands; `overdue` is computed from the due date, not stored."""

    planned = "planned"
    in_progress = "in_progress"
    met = "met"
    withdrawn = "withdrawn"


OPEN_COMMITMENT_STATUSES = (CommitmentStatus.planned, CommitmentStatus.in_progress)


class DateSource(StrEnum):
    """Whether a date or figure is a public fact (FACTS.md) or invented for the demo."""

    facts = "facts"
    illustrative = "illustrative"
    reported = "reported"


class EvidenceKind(StrEnum):
    """What a piece of evidence is."""

    document = "document"
    url = "url"
    report = "report"
    statement = "statement"


class Commitment(VersionedMixin, SQLModel, table=True):
    """A public commitment with its window or due date, owner, status and where its dates come from."""

    __tablename__ = "commitment"
    __table_args__ = (
        Index("ix_commitment_due_on", "due_on"),
        Index("ix_commitment_status_due_on", "status", "due_on"),
        Index("ix_commitment_owner", "owner"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_column=Column(String(60), nullable=False, unique=True))
    category: str = Field(sa_column=Column(String(60), nullable=False, index=True))
    title_ko: str = Field(sa_column=Column(String(300), nullable=False))
    title_en: str = Field(sa_column=Column(String(300), nullable=False))
    description: str | None = Field(default=None, sa_column=Column(String(2000)))
    conditions: str | None = Field(default=None, sa_column=Column(String(2000)))
    window_start: date | None = Field(default=None, sa_column=Column(Date))
    due_on: date = Field(sa_column=Column(Date, nullable=False))
    retroactive_from: date | None = Field(default=None, sa_column=Column(Date))
    owner: str = Field(sa_column=Column(String(100), nullable=False))
    status: CommitmentStatus = Field(default=CommitmentStatus.planned, sa_column=enum_column(CommitmentStatus))
    met_on: date | None = Field(default=None, sa_column=Column(Date))
    status_note: str | None = Field(default=None, sa_column=Column(String(1000)))
    date_source: DateSource = Field(sa_column=enum_column(DateSource))
    source_ref: str | None = Field(default=None, sa_column=Column(String(300)))
    created_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, nullable=False)


class CommitmentCreate(SQLModel):
    """A new commitment in the register."""

    code: str = Field(min_length=1, max_length=60, schema_extra={"pattern": CODE_PATTERN})
    category: str = Field(min_length=1, max_length=60, schema_extra={"pattern": CODE_PATTERN})
    title_ko: str = text(300)
    title_en: str = text(300)
    description: str | None = text(2000, default=None)
    conditions: str | None = text(2000, default=None)
    window_start: Day | None = None
    due_on: Day
    retroactive_from: Day | None = None
    owner: str = text(100)
    date_source: DateSource = DateSource.facts
    source_ref: str | None = text(300, default=None)


class CommitmentUpdate(SQLModel):
    """Change a commitment; marking it met needs evidence on file, withdrawing it needs a status note."""

    title_ko: str | None = text(300, default=None)
    title_en: str | None = text(300, default=None)
    description: str | None = text(2000, default=None)
    conditions: str | None = text(2000, default=None)
    window_start: Day | None = None
    due_on: Day | None = None
    owner: str | None = text(100, default=None)
    status: CommitmentStatus | None = None
    met_on: Day | None = Field(default=None, description="When met; defaults to today (Asia/Seoul).")
    status_note: str | None = text(1000, default=None)
    source_ref: str | None = text(300, default=None)


class MeasurementValue(SQLModel):
    """The newest value of one metric."""

    metric: str
    value: int
    unit: str
    measured_on: date
    source: DateSource


class CommitmentPublic(SQLModel):
    """A commitment; `overdue` and `days_late` are as of today (Asia/Seoul); `measured` holds the newest values."""

    id: int
    version: int
    code: str
    category: str
    title_ko: str
    title_en: str
    description: str | None
    conditions: str | None
    window_start: date | None
    due_on: date
    retroactive_from: date | None
    owner: str
    status: CommitmentStatus
    overdue: bool
    days_late: int
    met_on: date | None
    status_note: str | None
    date_source: DateSource
    source_ref: str | None
    evidence_count: int = 0
    measured: list[MeasurementValue] = []
    created_at: datetime
    updated_at: datetime


class CommitmentMeasurement(SQLModel, table=True):
    """A measured value of a commitment (e.g. customers refunded in a batch), dated and sourced. Append-only."""

    __tablename__ = "commitment_measurement"
    __table_args__ = (Index("ix_commitment_measurement_metric", "commitment_id", "metric", "measured_on"),)

    id: int | None = Field(default=None, primary_key=True)
    commitment_id: int = Field(sa_column=Column(Integer, ForeignKey("commitment.id"), nullable=False))
    metric: str = Field(sa_column=Column(String(60), nullable=False))
    value: int = Field(sa_column=Column(BigInteger, nullable=False))
    unit: str = Field(sa_column=Column(String(20), nullable=False))
    measured_on: date = Field(sa_column=Column(Date, nullable=False))
    source: DateSource = Field(sa_column=enum_column(DateSource))
    note: str | None = Field(default=None, sa_column=Column(String(500)))
    recorded_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    recorded_by: str = Field(sa_column=Column(String(100), nullable=False))


class MeasurementCreate(SQLModel):
    """A measured value to record."""

    metric: str = Field(min_length=1, max_length=60, schema_extra={"pattern": CODE_PATTERN})
    value: int = Field(ge=0, le=MAX_VALUE)
    unit: str = text(20)
    measured_on: Day
    source: DateSource = DateSource.reported
    note: str | None = text(500, default=None)


class MeasurementPublic(SQLModel):
    """A recorded measurement."""

    id: int
    commitment_id: int
    metric: str
    value: int
    unit: str
    measured_on: date
    source: DateSource
    note: str | None
    recorded_at: datetime
    recorded_by: str


class CommitmentEvidence(SQLModel, table=True):
    """A document, link, report or statement that shows a commitment was (being) kept. Append-only."""

    __tablename__ = "commitment_evidence"

    id: int | None = Field(default=None, primary_key=True)
    commitment_id: int = Field(sa_column=Column(Integer, ForeignKey("commitment.id"), nullable=False, index=True))
    kind: EvidenceKind = Field(sa_column=enum_column(EvidenceKind))
    reference: str = Field(sa_column=Column(String(500), nullable=False))
    description: str | None = Field(default=None, sa_column=Column(String(1000)))
    sha256: str | None = Field(default=None, sa_column=Column(String(64)))
    source: DateSource = Field(sa_column=enum_column(DateSource))
    recorded_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    recorded_by: str = Field(sa_column=Column(String(100), nullable=False))


class EvidenceCreate(SQLModel):
    """Evidence to file: a reference (document id or URL), what it shows, optionally the file's SHA-256."""

    kind: EvidenceKind
    reference: str = text(500)
    description: str | None = text(1000, default=None)
    sha256: str | None = Field(default=None, min_length=64, max_length=64, schema_extra={"pattern": SHA256_PATTERN})
    source: DateSource = DateSource.reported


class EvidencePublic(SQLModel):
    """Filed evidence."""

    id: int
    commitment_id: int
    kind: EvidenceKind
    reference: str
    description: str | None
    sha256: str | None
    source: DateSource
    recorded_at: datetime
    recorded_by: str


class CommitmentDetail(CommitmentPublic):
    """A commitment with every measurement and piece of evidence."""

    measurements: list[MeasurementPublic] = []
    evidence: list[EvidencePublic] = []
