"""The audit event table and its API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Index, Integer, String, Text
from sqlmodel import Field, SQLModel

from tracker.types import UTCDateTime

GENESIS_HASH = "0" * 64


class AuditEvent(SQLModel, table=True):
    """One change to one record, chained to the previous event by hash. Rows are never updated or deleted."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity_type", "entity_id", "seq"),)

    # INTEGER on SQLite makes seq the rowid itself (one B-tree fewer to write per event).
    seq: int = Field(
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=False)
    )
    occurred_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    actor: str = Field(sa_column=Column(String(100), nullable=False))
    role: str = Field(sa_column=Column(String(20), nullable=False))
    request_id: str = Field(sa_column=Column(String(64), nullable=False))
    action: str = Field(sa_column=Column(String(40), nullable=False))
    entity_type: str = Field(sa_column=Column(String(40), nullable=False))
    entity_id: str = Field(sa_column=Column(String(100), nullable=False))
    # Canonical JSON text, kept verbatim so the hash can be recomputed byte for byte.
    state: str = Field(sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(sa_column=Column(String(64), nullable=False))
    hash: str = Field(sa_column=Column(String(64), nullable=False))


class AuditEventPublic(SQLModel):
    """An audit event as the API shows it, with the state parsed."""

    seq: int
    occurred_at: datetime
    actor: str
    role: str
    request_id: str
    action: str
    entity_type: str
    entity_id: str
    state: dict[str, Any]
    prev_hash: str
    hash: str


class ChainHead(SQLModel):
    """The newest event's sequence number and hash (seq 0 and the genesis hash for an empty chain)."""

    seq: int
    hash: str


class ChainVerification(SQLModel):
    """Outcome of re-walking the chain."""

    ok: bool
    checked: int
    head: ChainHead
    first_bad_seq: int | None = None
    problem: str | None = None
