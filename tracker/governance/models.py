"""Governance tables and API shapes: bodies, members, RACI, reviews, agendas, decisions, actions, board packs.

Vocabulary: a *body* (board, management committee, task force, CISO) meets on a *cadence*; each meeting is a
*review*. A review is scheduled, prepared (its agenda is snapshotted from the live state), held (date, attendees,
minutes), given *decisions* and *action items*, and finally signed off by the chair or the CISO, after which it is
frozen. Board packs rendered for a review are archived with their hash and the audit-chain head they were built from;
a distribution log says who received which version when.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from tracker.governance.fields import CODE_PATTERN, Day, Instant, TextItem200, text
from tracker.governance.items import Severity
from tracker.governance.schedule import Cadence, Frequency, ReviewState, ReviewStatus
from tracker.records import VersionedMixin
from tracker.types import UTCDateTime, enum_column, now_utc


class Workstream(StrEnum):
    """The plan's workstreams by their fixed codes (the plan domain owns the table; others refer to the code)."""

    zero_trust = "zero_trust"
    security_monitoring = "security_monitoring"
    access_privilege = "access_privilege"
    encryption = "encryption"
    legacy_replacement = "legacy_replacement"
    femtocell_security = "femtocell_security"
    governance = "governance"


MAX_ID = 2_147_483_647


class BodyKind(StrEnum):
    """What kind of governance body."""

    board = "board"
    management_committee = "management_committee"
    task_force = "task_force"
    officer = "officer"


class MemberRole(StrEnum):
    """A member's role in a body."""

    chair = "chair"
    vice_chair = "vice_chair"
    secretary = "secretary"
    member = "member"
    observer = "observer"


class Raci(StrEnum):
    """Responsible, Accountable, Consulted, Informed."""

    R = "R"
    A = "A"
    C = "C"
    I = "I"  # noqa: E741 - the letter is the domain's own name for "Informed"


class ReviewKind(StrEnum):
    """A meeting from the cadence, or one called outside it."""

    regular = "regular"
    extraordinary = "extraordinary"


class SignOffCapacity(StrEnum):
    """In which capacity a review was signed off."""

    chair = "chair"
    ciso = "ciso"


class ActionStatus(StrEnum):
    """Where an action item stands."""

    open = "open"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"


OPEN_ACTION_STATUSES = (ActionStatus.open, ActionStatus.in_progress)


class LinkType(StrEnum):
    """What an action item may refer to in another domain."""

    milestone = "milestone"
    finding = "finding"
    control = "control"
    commitment = "commitment"


class Channel(StrEnum):
    """How a board pack reached its recipient."""

    email = "email"
    secure_portal = "secure_portal"
    paper = "paper"
    in_person = "in_person"


class Source(StrEnum):
    """Where a seeded value comes from: a public fact, or invented for the demo."""

    facts = "facts"
    illustrative = "illustrative"
    entered = "entered"


# ---------------------------------------------------------------------------------------------------------------
# Bodies, members, RACI
# ---------------------------------------------------------------------------------------------------------------


class CadenceFields(SQLModel):
    """A body's meeting rhythm (see `tracker.governance.schedule`)."""

    cadence_freq: Frequency = Field(sa_column=enum_column(Frequency))
    cadence_day: int | None = Field(default=None, ge=1, le=31)
    cadence_weekday: int | None = Field(default=None, ge=0, le=6, description="0 = Monday .. 6 = Sunday")
    cadence_week: int | None = Field(default=None, ge=-1, le=4, description="1-4, or -1 for the last")
    cadence_month_in_quarter: int = Field(default=1, ge=1, le=3)
    cadence_start: date = Field(sa_column=Column(Date, nullable=False))

    def cadence(self) -> Cadence:
        """The cadence as the pure scheduling functions take it."""
        return Cadence(
            freq=Frequency(self.cadence_freq),
            day=self.cadence_day,
            weekday=self.cadence_weekday,
            week=self.cadence_week,
            month_in_quarter=self.cadence_month_in_quarter,
        )


class Body(VersionedMixin, CadenceFields, table=True):
    """A governance body and its cadence; `secretary_title` owns scheduling reminders, `chair_title` signs off."""

    __tablename__ = "governance_body"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_column=Column(String(40), nullable=False, unique=True))
    kind: BodyKind = Field(sa_column=enum_column(BodyKind))
    name_ko: str = Field(sa_column=Column(String(200), nullable=False))
    name_en: str = Field(sa_column=Column(String(200), nullable=False))
    chair_title: str = Field(sa_column=Column(String(100), nullable=False))
    secretary_title: str = Field(sa_column=Column(String(100), nullable=False))
    created_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, nullable=False)


class BodyCreate(CadenceFields):
    """A new governance body with its cadence."""

    code: str = Field(min_length=1, max_length=40, schema_extra={"pattern": CODE_PATTERN})
    kind: BodyKind
    name_ko: str = text(200)
    name_en: str = text(200)
    chair_title: str = text(100)
    secretary_title: str = text(100)
    cadence_freq: Frequency
    cadence_start: Day


class BodyUpdate(SQLModel):
    """Change a body's cadence or officers; a cadence change re-plans its future, unprepared meetings."""

    chair_title: str | None = text(100, default=None)
    secretary_title: str | None = text(100, default=None)
    cadence_freq: Frequency | None = None
    cadence_day: int | None = Field(default=None, ge=1, le=31)
    cadence_weekday: int | None = Field(default=None, ge=0, le=6)
    cadence_week: int | None = Field(default=None, ge=-1, le=4)
    cadence_month_in_quarter: int | None = Field(default=None, ge=1, le=3)
    cadence_start: Day | None = None


class BodyMember(VersionedMixin, SQLModel, table=True):
    """A person's seat on a body, by role title; names in the seed are illustrative."""

    __tablename__ = "governance_body_member"

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = Field(sa_column=Column(Integer, ForeignKey("governance_body.id"), nullable=False, index=True))
    name: str = Field(sa_column=Column(String(100), nullable=False))
    title: str = Field(sa_column=Column(String(100), nullable=False))
    role: MemberRole = Field(sa_column=enum_column(MemberRole))
    source: Source = Field(default=Source.entered, sa_column=enum_column(Source))
    active: bool = Field(default=True, nullable=False)
    created_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, nullable=False)


class BodyMemberCreate(SQLModel):
    """A seat on a body."""

    name: str = text(100)
    title: str = text(100)
    role: MemberRole = MemberRole.member
    source: Source = Source.entered


class BodyMemberPublic(SQLModel):
    """A body member as the API shows it."""

    id: int
    version: int
    body_id: int
    name: str
    title: str
    role: MemberRole
    source: Source
    active: bool


class RaciAssignment(SQLModel, table=True):
    """Who is R, A, C or I for a workstream: a body, or a member of it. Exactly one A per workstream."""

    __tablename__ = "raci_assignment"
    __table_args__ = (Index("ix_raci_assignment_workstream", "workstream", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    workstream: Workstream = Field(sa_column=enum_column(Workstream))
    body_id: int = Field(sa_column=Column(Integer, ForeignKey("governance_body.id"), nullable=False, index=True))
    member_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("governance_body_member.id"), nullable=True)
    )
    role: Raci = Field(sa_column=enum_column(Raci))
    created_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)


class RaciCreate(SQLModel):
    """Assign a RACI letter for a workstream to a body (or one of its members)."""

    workstream: Workstream
    body_id: int = Field(ge=1, le=MAX_ID)
    member_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    role: Raci


class RaciPublic(SQLModel):
    """A RACI assignment with the party's names resolved."""

    id: int
    workstream: Workstream
    role: Raci
    body_id: int
    body_code: str
    member_id: int | None
    member_title: str | None
    member_name: str | None


class BodyPublic(SQLModel):
    """A body and its cadence as the API shows it."""

    id: int
    version: int
    code: str
    kind: BodyKind
    name_ko: str
    name_en: str
    chair_title: str
    secretary_title: str
    cadence_freq: Frequency
    cadence_day: int | None
    cadence_weekday: int | None
    cadence_week: int | None
    cadence_month_in_quarter: int
    cadence_start: date
    created_at: datetime
    updated_at: datetime


class BodyDetail(BodyPublic):
    """A body with its members and RACI assignments."""

    members: list[BodyMemberPublic] = []
    raci: list[RaciPublic] = []


class BodyUpdateResult(SQLModel):
    """The body after a change, and what a cadence change did to its future, unprepared meetings."""

    body: BodyDetail
    moved_reviews: list[date] = Field(default=[], description="New dates of meetings moved within their slot.")
    removed_reviews: list[date] = Field(default=[], description="Dates of meetings whose slot the cadence dropped.")
    added_reviews: list[date] = []


# ---------------------------------------------------------------------------------------------------------------
# Reviews (meetings) and what hangs off them
# ---------------------------------------------------------------------------------------------------------------


class Review(VersionedMixin, SQLModel, table=True):
    """One meeting of a body. `state` is stored; `missed` is computed from the date (see schedule.review_status)."""

    __tablename__ = "review"
    __table_args__ = (
        # One regular meeting per cadence slot; extraordinary meetings have no slot (NULL never collides).
        UniqueConstraint("body_id", "period", name="uq_review_body_period"),
        Index("ix_review_body_scheduled_on", "body_id", "scheduled_on"),
        Index("ix_review_state_scheduled_on", "state", "scheduled_on"),
        Index("ix_review_scheduled_on", "scheduled_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = Field(sa_column=Column(Integer, ForeignKey("governance_body.id"), nullable=False))
    kind: ReviewKind = Field(sa_column=enum_column(ReviewKind))
    # The cadence slot a regular meeting fills ("2026-03"), kept when the meeting is moved within it.
    period: str | None = Field(default=None, sa_column=Column(String(7)))
    title: str = Field(sa_column=Column(String(200), nullable=False))
    scheduled_on: date = Field(sa_column=Column(Date, nullable=False))
    state: ReviewState = Field(default=ReviewState.scheduled, sa_column=enum_column(ReviewState))
    location: str | None = Field(default=None, sa_column=Column(String(200)))
    prepared_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    held_on: date | None = Field(default=None, sa_column=Column(Date))
    minutes: str | None = Field(default=None, sa_column=Column(Text))
    missed_reason: str | None = Field(default=None, sa_column=Column(String(1000)))
    signed_off_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    signed_off_by: str | None = Field(default=None, sa_column=Column(String(100)))
    signed_off_role: str | None = Field(default=None, sa_column=Column(String(20)))
    sign_off_capacity: SignOffCapacity | None = Field(
        default=None, sa_column=enum_column(SignOffCapacity, nullable=True)
    )
    sign_off_note: str | None = Field(default=None, sa_column=Column(String(1000)))
    created_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, nullable=False)


class ReviewCreate(SQLModel):
    """Call a meeting outside the cadence (extraordinary), or add a regular one by hand."""

    body_id: int = Field(ge=1, le=MAX_ID)
    scheduled_on: Day
    kind: ReviewKind = ReviewKind.extraordinary
    title: str | None = text(200, default=None)
    location: str | None = text(200, default=None)


class AttendeeIn(SQLModel):
    """Someone who attended: a body member by id, or anyone by name and title."""

    member_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    name: str | None = text(100, default=None)
    title: str | None = text(100, default=None)


class ReviewUpdate(SQLModel):
    """Edit a meeting: its date only while it is still ahead; minutes, attendees and date held once held."""

    title: str | None = text(200, default=None)
    location: str | None = text(200, default=None)
    scheduled_on: Day | None = None
    held_on: Day | None = None
    minutes: str | None = text(20_000, default=None)
    attendees: list[AttendeeIn] | None = Field(default=None, min_length=1, max_length=200)
    missed_reason: str | None = text(1000, default=None)


class HoldRequest(SQLModel):
    """Record that a meeting took place."""

    held_on: Day
    attendees: list[AttendeeIn] = Field(min_length=1, max_length=200)
    minutes: str | None = text(20_000, default=None)
    location: str | None = text(200, default=None)


class SignOffRequest(SQLModel):
    """Sign off a held meeting as its chair or as the CISO; the meeting is frozen afterwards."""

    capacity: SignOffCapacity
    note: str | None = text(1000, default=None)


class ReviewAttendee(SQLModel, table=True):
    """One attendee of a held meeting (replaced as a whole when the attendance is corrected)."""

    __tablename__ = "review_attendee"

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=Column(Integer, ForeignKey("review.id"), nullable=False, index=True))
    member_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("governance_body_member.id"), nullable=True)
    )
    name: str = Field(sa_column=Column(String(100), nullable=False))
    title: str = Field(sa_column=Column(String(100), nullable=False))


class AttendeePublic(SQLModel):
    """An attendee as the API shows it."""

    id: int
    member_id: int | None
    name: str
    title: str


class AgendaEntry(SQLModel, table=True):
    """One agenda line as it stood when the meeting was prepared (a snapshot, never recomputed)."""

    __tablename__ = "agenda_item"

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=Column(Integer, ForeignKey("review.id"), nullable=False, index=True))
    position: int = Field(nullable=False)
    kind: str = Field(sa_column=Column(String(40), nullable=False))
    title: str = Field(sa_column=Column(String(300), nullable=False))
    severity: Severity = Field(sa_column=enum_column(Severity))
    owner: str | None = Field(default=None, sa_column=Column(String(100)))
    due_on: date | None = Field(default=None, sa_column=Column(Date))
    status: str = Field(default="", sa_column=Column(String(40), nullable=False))
    ref_type: str | None = Field(default=None, sa_column=Column(String(40)))
    ref_id: str | None = Field(default=None, sa_column=Column(String(100)))
    detail: str | None = Field(default=None, sa_column=Column(String(1000)))
    source: str = Field(sa_column=Column(String(100), nullable=False))


class AgendaEntryPublic(SQLModel):
    """An agenda line as the API shows it."""

    position: int
    kind: str
    title: str
    severity: Severity
    owner: str | None
    due_on: date | None
    status: str
    ref_type: str | None
    ref_id: str | None
    detail: str | None
    source: str


class Decision(VersionedMixin, SQLModel, table=True):
    """A decision taken at a held meeting, numbered within it."""

    __tablename__ = "review_decision"
    __table_args__ = (UniqueConstraint("review_id", "number", name="uq_review_decision_number"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=Column(Integer, ForeignKey("review.id"), nullable=False))
    number: int = Field(nullable=False)
    text: str = Field(sa_column=Column(String(2000), nullable=False))
    created_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, nullable=False)


class DecisionCreate(SQLModel):
    """A decision to record on a held meeting."""

    text: str = text(2000)


class DecisionUpdate(SQLModel):
    """Correct a decision's wording (until the meeting is signed off)."""

    text: str | None = text(2000, default=None)


class DecisionPublic(SQLModel):
    """A decision, with how many of its action items are still open."""

    id: int
    version: int
    review_id: int
    number: int
    text: str
    open_actions: int = 0
    created_at: datetime
    updated_at: datetime


class ReviewPublic(SQLModel):
    """A meeting as listed: its computed `status` is as of today in Asia/Seoul."""

    id: int
    version: int
    body_id: int
    body_code: str
    kind: ReviewKind
    period: str | None
    title: str
    scheduled_on: date
    state: ReviewState
    status: ReviewStatus
    days_late: int = Field(description="Days a missed meeting is overdue, or a held one was held after its date.")
    location: str | None
    prepared_at: datetime | None
    held_on: date | None
    minutes: str | None
    missed_reason: str | None
    signed_off_at: datetime | None
    signed_off_by: str | None
    signed_off_role: str | None
    sign_off_capacity: SignOffCapacity | None
    sign_off_note: str | None
    created_at: datetime
    updated_at: datetime


class ReviewDetail(ReviewPublic):
    """A meeting with its attendees, agenda snapshot, decisions and board-pack versions."""

    attendees: list[AttendeePublic] = []
    agenda: list[AgendaEntryPublic] = []
    decisions: list[DecisionPublic] = []
    board_pack_versions: list[int] = []


class ScheduleRequest(SQLModel):
    """Generate regular meetings from every body's cadence (or one body's) up to `until`."""

    until: Day
    body_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class ScheduleResult(SQLModel):
    """What a scheduling run created; meetings that already existed are counted, not duplicated."""

    created: int
    existing: int
    reviews: list[ReviewPublic]


# ---------------------------------------------------------------------------------------------------------------
# Action items
# ---------------------------------------------------------------------------------------------------------------


class ActionItem(VersionedMixin, SQLModel, table=True):
    """Something a meeting asked someone to do by a date. Its lifecycle continues after the meeting is frozen."""

    __tablename__ = "action_item"
    __table_args__ = (
        Index("ix_action_item_status_due_on", "status", "due_on"),
        Index("ix_action_item_owner_due_on", "owner", "due_on"),
        Index("ix_action_item_due_on", "due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(sa_column=Column(String(300), nullable=False))
    description: str | None = Field(default=None, sa_column=Column(String(2000)))
    owner: str = Field(sa_column=Column(String(100), nullable=False))
    due_on: date = Field(sa_column=Column(Date, nullable=False))
    status: ActionStatus = Field(default=ActionStatus.open, sa_column=enum_column(ActionStatus))
    review_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("review.id"), index=True))
    decision_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("review_decision.id")))
    raised_on: date = Field(sa_column=Column(Date, nullable=False))
    closed_on: date | None = Field(default=None, sa_column=Column(Date))
    closing_note: str | None = Field(default=None, sa_column=Column(String(1000)))
    created_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, nullable=False)


class ActionLink(SQLModel, table=True):
    """A typed reference from an action to a milestone, finding, control or commitment in another domain.

    `link_ref` is the referenced record's id as its domain exposes it (for commitments, the commitment code). Only
    commitment references are checked here; the other domains check theirs when they exist.
    """

    __tablename__ = "action_item_link"
    __table_args__ = (
        UniqueConstraint("action_id", "link_type", "link_ref", name="uq_action_item_link"),
        Index("ix_action_item_link_target", "link_type", "link_ref"),
    )

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(sa_column=Column(Integer, ForeignKey("action_item.id"), nullable=False, index=True))
    link_type: LinkType = Field(sa_column=enum_column(LinkType))
    link_ref: str = Field(sa_column=Column(String(100), nullable=False))


class LinkIn(SQLModel):
    """A reference from an action to another domain's record."""

    link_type: LinkType
    link_ref: str = text(100)


class ActionCreate(SQLModel):
    """A new action item, optionally raised by a meeting or one of its decisions."""

    title: str = text(300)
    description: str | None = text(2000, default=None)
    owner: str = text(100)
    due_on: Day
    review_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    decision_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    raised_on: Day | None = Field(default=None, description="Defaults to today (Asia/Seoul).")
    links: list[LinkIn] = Field(default=[], max_length=50)


class ActionUpdate(SQLModel):
    """Progress or re-plan an action; `links`, when given, replaces the action's links."""

    title: str | None = text(300, default=None)
    description: str | None = text(2000, default=None)
    owner: str | None = text(100, default=None)
    due_on: Day | None = None
    status: ActionStatus | None = None
    closed_on: Day | None = Field(default=None, description="When done or cancelled; defaults to today.")
    closing_note: str | None = text(1000, default=None)
    links: list[LinkIn] | None = Field(default=None, max_length=50)


class ActionPublic(SQLModel):
    """An action item; `overdue` and `days_late` are as of today in Asia/Seoul."""

    id: int
    version: int
    title: str
    description: str | None
    owner: str
    due_on: date
    status: ActionStatus
    overdue: bool
    days_late: int
    review_id: int | None
    decision_id: int | None
    raised_on: date
    closed_on: date | None
    closing_note: str | None
    links: list[LinkIn] = []
    created_at: datetime
    updated_at: datetime


# ---------------------------------------------------------------------------------------------------------------
# Board packs and their distribution
# ---------------------------------------------------------------------------------------------------------------


class BoardPack(SQLModel, table=True):
    """One rendered board pack for a review: version n+1 each time it is generated; old versions stay.

    The PDF bytes live in `pdf`. Exception to the full-row audit rule: the audit event's state carries every
    column except `pdf` (the chain would otherwise hold megabytes of PDF per event); `sha256` and `size_bytes`
    pin the bytes, and exports rebuild the row from the state plus the stored blob. Rows are never updated.
    """

    __tablename__ = "board_pack"
    __table_args__ = (UniqueConstraint("review_id", "pack_version", name="uq_board_pack_version"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=Column(Integer, ForeignKey("review.id"), nullable=False))
    pack_version: int = Field(nullable=False)
    sha256: str = Field(sa_column=Column(String(64), nullable=False))
    size_bytes: int = Field(sa_column=Column(BigInteger, nullable=False))
    as_of: datetime = Field(sa_type=UTCDateTime, nullable=False)
    chain_head_seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    chain_head_hash: str = Field(sa_column=Column(String(64), nullable=False))
    generated_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    generated_by: str = Field(sa_column=Column(String(100), nullable=False))
    pdf: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class BoardPackPublic(SQLModel):
    """A board pack's metadata (the PDF itself is at .../pdf)."""

    id: int
    review_id: int
    pack_version: int
    sha256: str
    size_bytes: int
    as_of: datetime
    chain_head_seq: int
    chain_head_hash: str
    generated_at: datetime
    generated_by: str


class Distribution(SQLModel, table=True):
    """Who received which board-pack version, when and how. Append-only."""

    __tablename__ = "board_pack_distribution"

    id: int | None = Field(default=None, primary_key=True)
    board_pack_id: int = Field(sa_column=Column(Integer, ForeignKey("board_pack.id"), nullable=False, index=True))
    review_id: int = Field(sa_column=Column(Integer, ForeignKey("review.id"), nullable=False, index=True))
    pack_version: int = Field(nullable=False)
    recipient: str = Field(sa_column=Column(String(200), nullable=False))
    channel: Channel = Field(sa_column=enum_column(Channel))
    sent_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    note: str | None = Field(default=None, sa_column=Column(String(500)))
    recorded_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    recorded_by: str = Field(sa_column=Column(String(100), nullable=False))


class DistributionCreate(SQLModel):
    """Record that one board-pack version went to one or more recipients."""

    pack_version: int = Field(ge=1, le=MAX_ID)
    recipients: list[TextItem200] = Field(min_length=1, max_length=100)
    channel: Channel
    sent_at: Instant | None = Field(default=None, description="Defaults to now.")
    note: str | None = text(500, default=None)


class DistributionPublic(SQLModel):
    """One distribution record."""

    id: int
    review_id: int
    board_pack_id: int
    pack_version: int
    recipient: str
    channel: Channel
    sent_at: datetime
    note: str | None
    recorded_at: datetime
    recorded_by: str


# ---------------------------------------------------------------------------------------------------------------
# Reminders
# ---------------------------------------------------------------------------------------------------------------


class DueEntry(SQLModel):
    """One thing due: `days_late` > 0 when overdue, otherwise minus the days left."""

    kind: str
    title: str
    owner: str
    due_on: date
    days_late: int
    overdue: bool
    status: str
    ref_type: str
    ref_id: str


class OwnerDue(SQLModel):
    """Everything one owner has due, overdue first (most days late first), then by due date."""

    owner: str
    overdue: int
    due: int
    items: list[DueEntry]


class DueReport(SQLModel):
    """Everything due by `until` or already overdue on `today` (Asia/Seoul), grouped by owner."""

    today: date
    until: date
    overdue: int
    due: int
    owners: list[OwnerDue]
