"""Access events: femtocell attach attempts seen by the core network, with subscribers pseudonymized.

Append-only telemetry: never updated, audited per ingestion batch (`access_event_batch`, one audit event each,
whose `digest` covers every event of the batch), not per row. The raw subscriber identifier exists only on the
wire: it is replaced by `subscriber_pseudonym` = HMAC-SHA256(pseudonymization key, identifier) before storage.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import ConfigDict
from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel

from inventory.fields import KEY_PATTERN, Instant, IpAddress
from tracker.types import UTCDateTime, enum_column


class AccessResult(StrEnum):
    """What the network did with the attempt."""

    accepted = "accepted"
    rejected = "rejected"


# Printable ASCII without spaces: IMSI, IMEI, MSISDN and the prefixes operators put on them.
SUBSCRIBER_PATTERN = r"^[!-~]+$"


class AccessEventIn(SQLModel):
    """One attach attempt as the network reports it (the subscriber identifier still raw)."""

    model_config = ConfigDict(str_strip_whitespace=True)  # type: ignore[assignment]

    cell_id: str = Field(min_length=1, max_length=64, schema_extra={"pattern": KEY_PATTERN})
    # IMSI, IMEI or phone number; pseudonymized on ingestion and never stored, logged or echoed in errors.
    subscriber_id: str = Field(min_length=1, max_length=64, schema_extra={"pattern": SUBSCRIBER_PATTERN})
    occurred_at: Instant
    source_ip: IpAddress = Field(max_length=45)
    result: AccessResult


class AccessEventBatch(SQLModel, table=True):
    """One ingestion: where the events came from, how many, their time span and a digest over them."""

    __tablename__ = "access_event_batch"

    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    # The file name, or "api".
    source: str = Field(max_length=200)
    count: int = Field(default=0)
    first_occurred_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_occurred_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # SHA-256 hex over the batch's events as canonical JSON lines (see access_events.service.batch_digest).
    digest: str = Field(max_length=64)


class AccessEvent(SQLModel, table=True):
    """One attach attempt, as stored (pseudonymized)."""

    __tablename__ = "access_event"
    __table_args__ = (
        # The controls' questions: which cells attempted when (illegal cells, decommissioned units still seen).
        Index("ix_access_event_cell_id_occurred_at", "cell_id", "occurred_at"),
        Index("ix_access_event_occurred_at", "occurred_at"),
        # Control runs and the exposure analysis: attempts per cell by result in time order, with the subscriber,
        # read from the index alone.
        Index("ix_access_event_cell_id_result_occurred_at", "cell_id", "result", "occurred_at", "subscriber_pseudonym"),
        # Control runs: addresses outside the operator's ranges (an index range per gap between the ranges).
        Index("ix_access_event_source_ip_v4", "source_ip_v4"),
        # Exports re-read a batch in insertion order to recompute its digest.
        Index("ix_access_event_batch_id_id", "batch_id", "id"),
    )

    # INTEGER on SQLite makes the id the rowid (one B-tree fewer per event); BIGINT elsewhere: billions of rows.
    id: int | None = Field(
        default=None, sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    )
    batch_id: int = Field(sa_column=Column(Integer, ForeignKey("access_event_batch.id"), nullable=False))
    cell_id: str = Field(max_length=64)
    subscriber_pseudonym: str = Field(max_length=64)
    occurred_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    source_ip: str = Field(max_length=45)
    # IPv4 as an integer for operator-range checks in SQL; null for IPv6.
    source_ip_v4: int | None = Field(default=None, sa_type=BigInteger)
    result: AccessResult = Field(sa_column=enum_column(AccessResult))


class AccessEventPublic(SQLModel):
    """A stored event as the API returns it (pseudonym only)."""

    id: int
    batch_id: int
    cell_id: str
    subscriber_pseudonym: str
    occurred_at: datetime
    source_ip: str
    source_ip_v4: int | None
    result: AccessResult


class AccessEventBatchPublic(SQLModel):
    """An ingestion batch."""

    id: int
    received_at: datetime
    source: str
    count: int
    first_occurred_at: datetime | None
    last_occurred_at: datetime | None
    digest: str


class IngestResult(SQLModel):
    """What an ingestion stored (or, in a dry run, would store: then no batch id)."""

    batch_id: int | None
    count: int
    first_occurred_at: datetime | None
    last_occurred_at: datetime | None
    digest: str
    dry_run: bool = False


class AccessEventFilter(SQLModel):
    """List filters; all given filters must hold."""

    cell_id: str | None = Field(default=None, max_length=64, schema_extra={"pattern": KEY_PATTERN})
    result: AccessResult | None = None
    batch_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    since: Instant | None = None
    until: Instant | None = None
