"""Point-in-time snapshots rebuilt from the audit chain (`--as-of`)."""

from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from reports.snapshot import COPIED_BY_RULE, _row, snapshot_session
from tracker.audit import service as audit
from tracker.audit.models import AuditEvent
from tracker.auth import service as auth_service
from tracker.auth.models import ApiToken, Principal, Role, TokenCreate
from tracker.models import metadata
from tracker.system import service as system_service
from tracker.system.models import SystemMeta


def _instant_after_last_event(session: Session) -> datetime:
    """The time of the newest event; later changes are guaranteed a later timestamp."""
    session.flush()
    last = audit.list_events(session, limit=1000).items[-1].occurred_at
    time.sleep(0.002)
    return last


def test_snapshot_shows_a_record_as_it_stood_before_a_later_change(session: Session, actor: Principal) -> None:
    system_service.put(session=session, key="report_note", value={"text": "before"}, actor=actor)
    at = _instant_after_last_event(session)
    system_service.put(session=session, key="report_note", value={"text": "after"}, actor=actor)

    with snapshot_session(session, at) as snapshot:
        assert system_service.get(session=snapshot, key="report_note") == {"text": "before"}
    assert system_service.get(session=session, key="report_note") == {"text": "after"}


def test_snapshot_leaves_out_records_created_after_the_instant_and_keeps_their_old_state(
    session: Session, actor: Principal
) -> None:
    auth_service.create(session=session, data=TokenCreate(name="early", role=Role.staff), actor=actor)
    at = _instant_after_last_event(session)
    auth_service.create(session=session, data=TokenCreate(name="late", role=Role.board), actor=actor)
    auth_service.revoke(session=session, name="early", actor=actor)

    with snapshot_session(session, at) as snapshot:
        tokens = snapshot.scalars(select(ApiToken)).all()
        assert [(t.name, t.role, t.revoked_at) for t in tokens] == [("early", Role.staff, None)]
        # Converted back to column types, not left as JSON text.
        assert isinstance(tokens[0].created_at, datetime) and tokens[0].created_at.tzinfo is not None
        # The token hash is deliberately kept out of the chain, so the snapshot cannot have it.
        assert tokens[0].token_hash is None


def test_snapshot_drops_records_deleted_before_the_instant(session: Session, actor: Principal) -> None:
    system_service.put(session=session, key="short_lived", value=1, actor=actor)
    row = session.get(SystemMeta, "short_lived")
    session.delete(row)
    audit.record(
        session,
        actor=actor,
        action="delete",
        entity_type="system_meta",
        entity_id="short_lived",
        state={"key": "short_lived", "value": 1, "version": 1},
    )
    at = _instant_after_last_event(session)
    with snapshot_session(session, at) as snapshot:
        assert snapshot.get(SystemMeta, "short_lived") is None


def test_snapshot_copies_the_audit_chain_up_to_its_head_at_the_instant(session: Session, actor: Principal) -> None:
    for i in range(3):
        system_service.put(session=session, key=f"k{i}", value=i, actor=actor)
    at = _instant_after_last_event(session)
    head_then = audit.head(session)
    system_service.put(session=session, key="k9", value=9, actor=actor)

    assert "audit_event" in COPIED_BY_RULE
    with snapshot_session(session, at) as snapshot:
        assert audit.head(snapshot) == head_then
        assert snapshot.scalar(select(func.count()).select_from(AuditEvent)) == head_then.seq
        assert audit.verify(snapshot).ok


def test_snapshot_before_the_first_event_is_empty(session: Session, actor: Principal) -> None:
    system_service.put(session=session, key="k", value=1, actor=actor)
    with snapshot_session(session, datetime(2000, 1, 1).astimezone()) as snapshot:
        assert audit.head(snapshot).seq == 0
        assert snapshot.get(SystemMeta, "k") is None


def test_states_are_converted_to_column_types_and_missing_columns_become_null() -> None:
    table = metadata.tables["api_token"]
    row = _row(
        table,
        "7",
        {"name": "ops", "role": "board", "created_at": "2026-01-02T03:04:05.000006Z", "created_by": "cli:root"},
    )
    assert row["id"] == 7  # the key comes from the entity id when an old state lacks it
    assert row["role"] is Role.board
    assert row["created_at"].isoformat() == "2026-01-02T03:04:05.000006+00:00"
    assert row["revoked_at"] is None and row["prefix"] is None


def test_dates_times_uuids_and_booleans_are_converted_by_column_type() -> None:
    import uuid
    from datetime import date, time

    from sqlalchemy import Boolean, Column, Date, Integer, MetaData, Table, Time, Uuid

    table = Table(
        "sample",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("due", Date),
        Column("at", Time),
        Column("ref", Uuid),
        Column("active", Boolean),
    )
    ref = uuid.uuid4()
    row = _row(table, "3", {"due": "2026-06-30", "at": "09:30:00", "ref": str(ref), "active": 1})
    assert row == {"id": 3, "due": date(2026, 6, 30), "at": time(9, 30), "ref": ref, "active": True}
