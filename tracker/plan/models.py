"""The five-year plan: program, workstreams, budget lines (workstream × year), re-baselines and spend.

Money is integer KRW in BigInteger columns. Workstream codes are fixed across every domain (`WorkstreamCode`);
other tables refer to a workstream by its code.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Index, UniqueConstraint
from sqlalchemy.types import TypeEngine
from sqlmodel import Field, SQLModel

from tracker.plan.evm import Rag
from tracker.plan.fields import PlanDate, text
from tracker.records import VersionedMixin
from tracker.types import UTCDateTime, enum_column, now_utc

# The largest amount the API accepts: ten times the whole program, far below BigInteger's limit.
MAX_KRW = 10_000_000_000_000
MIN_YEAR = 2000
MAX_YEAR = 2100


class WorkstreamCode(StrEnum):
    """The plan's workstreams; the same codes are used by every domain."""

    zero_trust = "zero_trust"
    security_monitoring = "security_monitoring"
    access_privilege = "access_privilege"
    encryption = "encryption"
    legacy_replacement = "legacy_replacement"
    femtocell_security = "femtocell_security"
    governance = "governance"


# Korean and English names, in the order the plan lists them.
WORKSTREAM_NAMES: dict[WorkstreamCode, tuple[str, str]] = {
    WorkstreamCode.zero_trust: ("제로트러스트", "Zero trust"),
    WorkstreamCode.security_monitoring: ("통합 보안관제", "Integrated security monitoring"),
    WorkstreamCode.access_privilege: ("접근 권한 관리", "Access-privilege management"),
    WorkstreamCode.encryption: ("암호화", "Encryption"),
    WorkstreamCode.legacy_replacement: ("노후 장비 교체", "Legacy-equipment replacement"),
    WorkstreamCode.femtocell_security: ("펨토셀 보안", "Femtocell security"),
    WorkstreamCode.governance: ("보안 거버넌스", "Security governance"),
}


def workstream_type() -> TypeEngine[Any]:
    """The column type of a workstream code (a VARCHAR holding a `WorkstreamCode` value)."""
    return enum_column(WorkstreamCode).type


class Program(VersionedMixin, SQLModel, table=True):
    """The plan as announced: a total budget over a span of years."""

    __tablename__ = "program"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name_ko: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    total_krw: int = Field(sa_type=BigInteger)
    start_year: int
    end_year: int
    announced_on: date | None = None
    source: str = Field(max_length=300)
    created_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, nullable=False)


class ProgramPublic(SQLModel):
    """The program as the API shows it."""

    id: int
    code: str
    name_ko: str
    name_en: str
    total_krw: int
    start_year: int
    end_year: int
    announced_on: date | None
    source: str
    version: int


class Workstream(VersionedMixin, SQLModel, table=True):
    """One of the plan's fixed workstreams."""

    __tablename__ = "workstream"

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    code: WorkstreamCode = Field(sa_type=workstream_type(), unique=True)
    name_ko: str = Field(max_length=100)
    name_en: str = Field(max_length=100)
    description: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, nullable=False)


class WorkstreamPublic(SQLModel):
    """A workstream with its total budget (sum of its budget lines)."""

    id: int
    code: WorkstreamCode
    name_ko: str
    name_en: str
    description: str
    budget_krw: int
    version: int


class BudgetLineBase(SQLModel):
    """Fields a client sets on a budget line."""

    workstream: WorkstreamCode = Field(sa_type=workstream_type(), foreign_key="workstream.code", index=True)
    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR, index=True)
    amount_krw: int = Field(ge=0, le=MAX_KRW, sa_type=BigInteger)
    description: str = text(500, default="")
    # Only the total and the years are public; every split is illustrative unless a source says otherwise.
    source: str = text(200, min_length=1, default="illustrative")


class BudgetLine(VersionedMixin, BudgetLineBase, table=True):
    """The money one workstream may spend in one year."""

    __tablename__ = "budget_line"
    __table_args__ = (UniqueConstraint("workstream", "year", name="uq_budget_line_workstream_year"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, nullable=False)


class BudgetLineCreate(BudgetLineBase):
    """A new budget line; its amount must fit in the program's unallocated money."""


class BudgetLineUpdate(SQLModel):
    """Editable fields (null or absent: unchanged); the amount changes only through an approved re-baseline."""

    description: str | None = text(500, default=None)
    source: str | None = text(200, min_length=1, default=None)


class BudgetLinePublic(BudgetLineBase):
    """A budget line with what has been spent on it (all dates)."""

    id: int
    spent_krw: int
    remaining_krw: int
    version: int


class RebaselineRequest(SQLModel):
    """An approver's change of a budget line's amount.

    The difference comes from (or returns to) `counterpart_line_id` when given, otherwise from the program's
    unallocated money; the program total never changes.
    """

    amount_krw: int = Field(ge=0, le=MAX_KRW)
    reason: str = text(1000, min_length=3)
    counterpart_line_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class BudgetRebaseline(SQLModel, table=True):
    """One approved change of a budget line's amount; the previous baseline is kept here and in the audit chain."""

    __tablename__ = "budget_rebaseline"

    id: int | None = Field(default=None, primary_key=True)
    budget_line_id: int = Field(foreign_key="budget_line.id", index=True)
    previous_amount_krw: int = Field(sa_type=BigInteger)
    new_amount_krw: int = Field(sa_type=BigInteger)
    counterpart_line_id: int | None = Field(default=None, foreign_key="budget_line.id")
    reason: str = Field(max_length=1000)
    approved_by: str = Field(max_length=100)
    approved_role: str = Field(max_length=20)
    approved_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)


class BudgetRebaselinePublic(SQLModel):
    """A re-baseline as the API shows it."""

    id: int
    budget_line_id: int
    previous_amount_krw: int
    new_amount_krw: int
    counterpart_line_id: int | None
    reason: str
    approved_by: str
    approved_role: str
    approved_at: datetime


class RebaselineResult(SQLModel):
    """The re-baselined line, the counterpart (if any) and the record of the approval."""

    line: BudgetLinePublic
    counterpart: BudgetLinePublic | None
    rebaseline: BudgetRebaselinePublic


class SpendEntryBase(SQLModel):
    """Fields a client sets on a spend entry."""

    budget_line_id: int = Field(foreign_key="budget_line.id", index=True, ge=1, le=2**31 - 1)
    spent_on: PlanDate
    # Negative amounts correct earlier spend (a refund, a booking error); zero is refused.
    amount_krw: int = Field(ge=-MAX_KRW, le=MAX_KRW, sa_type=BigInteger)
    reference: str = text(100, min_length=1, index=True)
    description: str = text(500, default="")


class SpendEntry(SpendEntryBase, table=True):
    """Money spent against a budget line on a date. Entries are never edited: a correction is a new entry."""

    __tablename__ = "spend_entry"
    __table_args__ = (Index("ix_spend_entry_spent_on_id", "spent_on", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    created_by: str = Field(max_length=100)


class SpendEntryCreate(SpendEntryBase):
    """A new spend entry; its date must fall in the budget line's year, and its amount cannot be zero."""


class SpendEntryPublic(SpendEntryBase):
    """A spend entry with the workstream and year of its line."""

    id: int
    workstream: WorkstreamCode
    year: int
    created_at: datetime
    created_by: str


class ProgramCreate(SQLModel):
    """The program as loaded from seed/plan.yaml."""

    code: str = Field(min_length=1, max_length=40)
    name_ko: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    total_krw: int = Field(ge=1, le=MAX_KRW)
    start_year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)
    end_year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)
    announced_on: date | None = None
    source: str = Field(min_length=1, max_length=300)


class WorkstreamCreate(SQLModel):
    """A workstream as loaded from seed/plan.yaml."""

    code: WorkstreamCode
    name_ko: str = Field(min_length=1, max_length=100)
    name_en: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=2000)


class EarnedValuePublic(SQLModel):
    """Earned-value figures: money in integer won, ratios rounded to 4 decimals, null where undefined."""

    pv: int
    ev: int
    ac: int
    bac: int
    sv: int
    cv: int
    spi: float | None
    cpi: float | None
    eac: int | None
    etc: int | None
    vac: int | None
    tcpi: float | None


class MilestoneCounts(SQLModel):
    """Milestones of a scope as of the summary date."""

    total: int
    done: int
    late: int


class WorkstreamSummary(SQLModel):
    """One workstream's budget, spend and earned value as of a date, with its RAG status."""

    code: WorkstreamCode
    name_ko: str
    name_en: str
    budget_krw: int
    # False when the milestones' weights (BAC) do not add up to the workstream's budget lines.
    weights_match_budget: bool
    evm: EarnedValuePublic
    rag: Rag
    milestones: MilestoneCounts


class YearBudget(SQLModel):
    """Budget and spend of one plan year (spend up to the summary date)."""

    year: int
    budget_krw: int
    spent_krw: int


class PlanSummary(SQLModel):
    """The program as of a date: earned value for the program and each workstream, budget by year."""

    program: ProgramPublic
    as_of: date
    budget_krw: int
    unallocated_krw: int
    evm: EarnedValuePublic
    rag: Rag
    milestones: MilestoneCounts
    workstreams: list[WorkstreamSummary]
    years: list[YearBudget]


class EvmPoint(SQLModel):
    """PV, EV and AC at one date; EV and AC are null after the series' as-of date (not yet known)."""

    as_of: date
    pv: int
    ev: int | None
    ac: int | None


class EvmSeries(SQLModel):
    """Month-end earned-value curves for the program and each workstream."""

    as_of: date
    program: list[EvmPoint]
    workstreams: dict[WorkstreamCode, list[EvmPoint]]
