"""Controls (the regulator's orders and the plan's commitments as checks), their runs, findings and evidence.

Vocabulary: a *control* is one rule from the catalog (`seed/controls.yaml`) with an automated *evaluator* (a key in
`tracker.controls.evaluators.EVALUATORS`) or `manual` (met by a CISO's *attestation*). A *run* evaluates every
enabled control against the live data and stores one *result* per control (status, measured value, threshold,
evidence count and a bounded sample of offending ids). A failing control has one *finding* until it is closed: the
run opens it, keeps it up to date while the control fails and closes it when the control passes. Findings are never
deleted; a later failure opens a new one.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from inventory.fields import IpAddress
from tracker.governance.fields import Day, Instant, text
from tracker.plan.fields import Reference
from tracker.records import VersionedMixin
from tracker.types import UTCDateTime, enum_column, now_utc

MAX_ID = 2_147_483_647
# Catalog ids as regulators and auditors write them: MSIT-1, PLAN-2, ISMS-1.1.2.
CONTROL_ID_PATTERN = r"^[A-Z][A-Z0-9]*(-[A-Z0-9.]+)*$"
MANUAL = "manual"
MAX_EVIDENCE = 50
# Offending ids kept per result and finding: enough to act on, bounded whatever the fleet size.
DEFAULT_SAMPLE = 20


class ControlSource(StrEnum):
    """Where a control comes from."""

    regulator_order = "regulator_order"
    plan_commitment = "plan_commitment"
    isms_p = "isms_p"


class Severity(StrEnum):
    """How bad a failure is; sets a finding's due date through the SLA."""

    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"


SEVERITY_ORDER = [Severity.critical, Severity.high, Severity.medium, Severity.low]


class ResultStatus(StrEnum):
    """What one evaluation found; `manual` means a manual control not (yet) attested and not yet due."""

    passed = "pass"
    failed = "fail"
    not_applicable = "not_applicable"
    manual = "manual"


class FindingStatus(StrEnum):
    """Where a finding stands; closed is final."""

    open = "open"
    in_progress = "in_progress"
    risk_accepted = "risk_accepted"
    closed = "closed"


OPEN_FINDING_STATUSES = (FindingStatus.open, FindingStatus.in_progress, FindingStatus.risk_accepted)


class Closure(StrEnum):
    """How a finding was closed."""

    automatic = "automatic"
    manual = "manual"


# ---------------------------------------------------------------------------------------------------------------
# Controls
# ---------------------------------------------------------------------------------------------------------------


class Control(VersionedMixin, SQLModel, table=True):
    """One control of the catalog."""

    __tablename__ = "control"

    id: str = Field(sa_column=Column(String(40), primary_key=True))
    title_ko: str = Field(sa_column=Column(String(300), nullable=False))
    title_en: str = Field(sa_column=Column(String(300), nullable=False))
    description_ko: str = Field(default="", sa_column=Column(String(2000), nullable=False))
    description_en: str = Field(default="", sa_column=Column(String(2000), nullable=False))
    source: ControlSource = Field(sa_column=enum_column(ControlSource))
    # The order id in seed/incident.yaml (e.g. order-2-one-certificate-per-device), a plan or ISMS-P reference.
    reference: str | None = Field(default=None, sa_column=Column(String(200), index=True))
    severity: Severity = Field(sa_column=enum_column(Severity))
    parameters: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # A key of EVALUATORS, or "manual".
    evaluator: str = Field(sa_column=Column(String(60), nullable=False))
    owner: str = Field(sa_column=Column(String(100), nullable=False))
    enabled: bool = Field(default=True, nullable=False)
    created_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, nullable=False)


class ControlCreate(SQLModel):
    """A new manual-attestation control (automated controls come from the catalog)."""

    id: str = Field(min_length=1, max_length=40, schema_extra={"pattern": CONTROL_ID_PATTERN})
    title_ko: str = text(300)
    title_en: str = text(300)
    description_ko: str = text(2000, min_length=0, default="")
    description_en: str = text(2000, min_length=0, default="")
    source: ControlSource
    reference: str | None = text(200, default=None)
    severity: Severity
    owner: str = text(100)
    due_on: Day | None = Field(default=None, description="When the attestation is due; failing afterwards.")
    enabled: bool = True


class ControlUpdate(SQLModel):
    """Change a control: titles, severity, owner, parameters (validated against the evaluator), enabled."""

    title_ko: str | None = text(300, default=None)
    title_en: str | None = text(300, default=None)
    description_ko: str | None = text(2000, min_length=0, default=None)
    description_en: str | None = text(2000, min_length=0, default=None)
    reference: str | None = text(200, default=None)
    severity: Severity | None = None
    owner: str | None = text(100, default=None)
    parameters: dict[str, Any] | None = Field(default=None, max_length=20)
    enabled: bool | None = None


class ControlPublic(SQLModel):
    """A control as the API shows it, with its newest result."""

    id: str
    version: int
    title_ko: str
    title_en: str
    description_ko: str
    description_en: str
    source: ControlSource
    reference: str | None
    severity: Severity
    parameters: dict[str, Any]
    evaluator: str
    owner: str
    enabled: bool
    created_at: datetime
    updated_at: datetime
    last_status: ResultStatus | None = None
    last_run_id: int | None = None


# ---------------------------------------------------------------------------------------------------------------
# Runs and results
# ---------------------------------------------------------------------------------------------------------------


class ControlRun(SQLModel, table=True):
    """One evaluation of every enabled control; written once, when the run is complete."""

    __tablename__ = "control_run"
    __table_args__ = (Index("ix_control_run_started_at_id", "started_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    finished_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    # The audit chain as it stood when the run began: the state the results describe.
    chain_head_seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    chain_head_hash: str = Field(sa_column=Column(String(64), nullable=False))
    actor: str = Field(sa_column=Column(String(100), nullable=False))
    evaluated: int = 0
    passed: int = 0
    failed: int = 0
    not_applicable: int = 0
    manual: int = 0
    findings_opened: int = 0
    findings_updated: int = 0
    findings_closed: int = 0
    duration_ms: int = 0
    # The fleet as this run saw it (FleetFigures): reports read it instead of scanning a million rows again, and
    # it stays consistent with the results beside it. None for runs recorded before it was kept.
    fleet: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class ControlResult(SQLModel, table=True):
    """What one control measured in one run."""

    __tablename__ = "control_result"
    __table_args__ = (
        UniqueConstraint("run_id", "control_id", name="uq_control_result_run_control"),
        Index("ix_control_result_control_run", "control_id", "run_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(sa_column=Column(Integer, ForeignKey("control_run.id"), nullable=False))
    control_id: str = Field(sa_column=Column(String(40), ForeignKey("control.id"), nullable=False))
    status: ResultStatus = Field(sa_column=enum_column(ResultStatus))
    severity: Severity = Field(sa_column=enum_column(Severity))
    measured_value: int | None = Field(default=None, sa_column=Column(BigInteger))
    threshold: int | None = Field(default=None, sa_column=Column(BigInteger))
    evidence_count: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    sample: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    summary: str = Field(default="", sa_column=Column(String(500), nullable=False))
    evaluated_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    duration_ms: int = 0


class ResultPublic(SQLModel):
    """One control's result in one run."""

    id: int
    run_id: int
    control_id: str
    status: ResultStatus
    severity: Severity
    measured_value: int | None
    threshold: int | None
    evidence_count: int
    sample: list[str]
    details: dict[str, Any]
    summary: str
    evaluated_at: datetime
    duration_ms: int


class FleetFigures(SQLModel):
    """The femtocell fleet when a run began: units per status, and per month the units blocked, the certificates
    revoked and the units decommissioned (by their recorded dates, months as YYYY-MM in UTC)."""

    by_status: dict[str, int]
    monthly: dict[str, dict[str, int]]


class RunPublic(SQLModel):
    """A run's summary."""

    id: int
    started_at: datetime
    finished_at: datetime
    chain_head_seq: int
    chain_head_hash: str
    actor: str
    evaluated: int
    passed: int
    failed: int
    not_applicable: int
    manual: int
    findings_opened: int
    findings_updated: int
    findings_closed: int
    duration_ms: int
    fleet: FleetFigures | None = None


class RunDetail(RunPublic):
    """A run with every result."""

    results: list[ResultPublic] = []


# ---------------------------------------------------------------------------------------------------------------
# Findings
# ---------------------------------------------------------------------------------------------------------------


class Finding(VersionedMixin, SQLModel, table=True):
    """A failing control being remediated: owner, SLA due date, status, the newest evidence."""

    __tablename__ = "finding"
    __table_args__ = (
        Index("ix_finding_control_status", "control_id", "status"),
        Index("ix_finding_status_due_on", "status", "due_on"),
        Index("ix_finding_severity_id", "severity", "id"),
        Index("ix_finding_owner", "owner"),
    )

    id: int | None = Field(default=None, primary_key=True)
    control_id: str = Field(sa_column=Column(String(40), ForeignKey("control.id"), nullable=False))
    title: str = Field(sa_column=Column(String(400), nullable=False))
    severity: Severity = Field(sa_column=enum_column(Severity))
    status: FindingStatus = Field(default=FindingStatus.open, sa_column=enum_column(FindingStatus))
    owner: str = Field(sa_column=Column(String(100), nullable=False))
    opened_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    due_on: date = Field(sa_column=Column(Date, nullable=False))
    opened_run_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("control_run.id")))
    last_run_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("control_run.id")))
    measured_value: int | None = Field(default=None, sa_column=Column(BigInteger))
    threshold: int | None = Field(default=None, sa_column=Column(BigInteger))
    evidence_count: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    sample: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    summary: str = Field(default="", sa_column=Column(String(500), nullable=False))
    note: str | None = Field(default=None, sa_column=Column(String(2000)))
    risk_accepted_until: date | None = Field(default=None, sa_column=Column(Date))
    risk_accepted_by: str | None = Field(default=None, sa_column=Column(String(100)))
    risk_accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_by: str | None = Field(default=None, sa_column=Column(String(100)))
    closure: Closure | None = Field(default=None, sa_column=enum_column(Closure, nullable=True))
    closed_reason: str | None = Field(default=None, sa_column=Column(String(1000)))
    created_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, nullable=False)


class FindingUpdate(SQLModel):
    """Change a finding. Accepting a risk (with an expiry) or closing by hand needs the ciso or admin role."""

    status: FindingStatus | None = None
    owner: str | None = text(100, default=None)
    due_on: Day | None = None
    note: str | None = text(2000, default=None)
    risk_accepted_until: Day | None = Field(default=None, description="Required when accepting the risk.")
    closed_reason: str | None = text(1000, default=None)


class FindingPublic(SQLModel):
    """A finding; `overdue` is judged on today (Asia/Seoul)."""

    id: int
    version: int
    control_id: str
    title: str
    severity: Severity
    status: FindingStatus
    owner: str
    opened_at: datetime
    due_on: date
    overdue: bool = False
    opened_run_id: int | None
    last_run_id: int | None
    measured_value: int | None
    threshold: int | None
    evidence_count: int
    sample: list[str]
    summary: str
    note: str | None
    risk_accepted_until: date | None
    risk_accepted_by: str | None
    risk_accepted_at: datetime | None
    closed_at: datetime | None
    closed_by: str | None
    closure: Closure | None
    closed_reason: str | None
    milestone_ids: list[int] = []
    created_at: datetime
    updated_at: datetime


class FindingMilestone(SQLModel, table=True):
    """A plan milestone that remediates a finding."""

    __tablename__ = "finding_milestone"
    __table_args__ = (UniqueConstraint("finding_id", "milestone_id", name="uq_finding_milestone"),)

    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(sa_column=Column(Integer, ForeignKey("finding.id"), nullable=False))
    milestone_id: int = Field(sa_column=Column(Integer, ForeignKey("milestone.id"), nullable=False, index=True))
    created_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    created_by: str = Field(sa_column=Column(String(100), nullable=False))


class FindingMilestoneCreate(SQLModel):
    """Link a milestone to a finding."""

    milestone_id: int = Field(ge=1, le=MAX_ID)


# ---------------------------------------------------------------------------------------------------------------
# Attestations and authentication-server rotations
# ---------------------------------------------------------------------------------------------------------------


class ControlAttestation(SQLModel, table=True):
    """A CISO's (or admin's) statement that a manual control is met, with evidence references. Append-only."""

    __tablename__ = "control_attestation"
    __table_args__ = (Index("ix_control_attestation_control", "control_id", "attested_at"),)

    id: int | None = Field(default=None, primary_key=True)
    control_id: str = Field(sa_column=Column(String(40), ForeignKey("control.id"), nullable=False))
    statement: str = Field(sa_column=Column(String(2000), nullable=False))
    evidence_refs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    attested_on: date = Field(sa_column=Column(Date, nullable=False))
    valid_until: date | None = Field(default=None, sa_column=Column(Date))
    attested_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    attested_by: str = Field(sa_column=Column(String(100), nullable=False))
    attested_role: str = Field(sa_column=Column(String(20), nullable=False))


class AttestationCreate(SQLModel):
    """Attest that a manual control is met, naming the evidence."""

    statement: str = text(2000)
    evidence_refs: list[Reference] = Field(min_length=1, max_length=MAX_EVIDENCE)
    attested_on: Day | None = Field(default=None, description="When it was met; defaults to today (Asia/Seoul).")
    valid_until: Day | None = Field(default=None, description="When the attestation lapses (none: it does not).")


class AttestationPublic(SQLModel):
    """A recorded attestation."""

    id: int
    control_id: str
    statement: str
    evidence_refs: list[str]
    attested_on: date
    valid_until: date | None
    attested_at: datetime
    attested_by: str
    attested_role: str


class AuthServerRotation(SQLModel, table=True):
    """The authentication server's address was changed (MSIT order 6). Append-only."""

    __tablename__ = "auth_server_rotation"
    __table_args__ = (Index("ix_auth_server_rotation_server", "server", "rotated_at"),)

    id: int | None = Field(default=None, primary_key=True)
    server: str = Field(sa_column=Column(String(100), nullable=False))
    previous_ip: str | None = Field(default=None, sa_column=Column(String(45)))
    new_ip: str = Field(sa_column=Column(String(45), nullable=False))
    rotated_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    note: str | None = Field(default=None, sa_column=Column(String(1000)))
    recorded_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    recorded_by: str = Field(sa_column=Column(String(100), nullable=False))


_IP_PATTERN = r"^[0-9A-Fa-f:.]+$"


class RotationCreate(SQLModel):
    """Record that an authentication server's IP address was changed."""

    server: str = Field(min_length=1, max_length=100, schema_extra={"pattern": r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"})
    previous_ip: IpAddress | None = Field(default=None, max_length=45, schema_extra={"pattern": _IP_PATTERN})
    new_ip: IpAddress = Field(min_length=2, max_length=45, schema_extra={"pattern": _IP_PATTERN})
    rotated_at: Instant | None = Field(default=None, description="When; defaults to now.")
    note: str | None = text(1000, default=None)


class RotationPublic(SQLModel):
    """A recorded rotation."""

    id: int
    server: str
    previous_ip: str | None
    new_ip: str
    rotated_at: datetime
    note: str | None
    recorded_at: datetime
    recorded_by: str
