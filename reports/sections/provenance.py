"""Audit chain and provenance: the chain head the report was built from, and when the record begins and ends.

Cheap at any size: the chain's sequence numbers are contiguous from 1, so the head's number is the event count, and
the first and last events are primary-key lookups.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from reports.context import ReportContext
from tracker.audit.models import AuditEvent

_events = AuditEvent.__table__  # type: ignore[attr-defined]


def event_time(session: Session, seq: int) -> datetime | None:
    """When the event with this sequence number was recorded (None if there is none)."""
    if seq < 1:
        return None
    value = session.scalar(select(_events.c.occurred_at).where(_events.c.seq == seq))
    return value if isinstance(value, datetime) else None


def build(session: Session, ctx: ReportContext) -> dict[str, Any]:
    """Head sequence number and hash, event count, first and latest record times, reconstruction flag."""
    head = ctx.head
    first = event_time(session, 1)
    last = event_time(session, head.seq)
    return {
        "intro": ctx.t("provenance.intro"),
        "head_seq": head.seq,
        "head_hash": head.hash,
        "events": head.seq,
        "first_event": ctx.t.instant(first) if first else None,
        "last_event": ctx.t.instant(last) if last else None,
        "historical": ctx.historical,
    }
