"""Read what an export contains straight from the audit chain, streaming, inside one snapshot.

Every query is bounded by the head sequence number of the export, not by time alone, so the events file and the
data files describe exactly the same prefix of the chain. `begin_snapshot` makes the whole export one consistent
view for the parts that read tables: SQLite's read transaction already is one (a WAL snapshot from the first read);
PostgreSQL needs REPEATABLE READ.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from reports.export import rules
from tracker import canonical
from tracker.audit import service as audit
from tracker.audit.models import ChainHead
from tracker.errors import ConfigurationError
from tracker.types import as_utc, now_utc

EVENT_BATCH = 10_000
STATE_BATCH = 5_000


@dataclass(frozen=True)
class ExportScope:
    """What an export covers: the chain up to `head`, as it stood at `as_of`."""

    as_of: datetime
    head: ChainHead
    # True for an export of a past instant: its bytes depend only on the chain and the instant.
    point_in_time: bool
    generated_at: datetime


def begin_snapshot(session: Session) -> None:
    """Make every following read in this session's transaction see one snapshot of the database.

    The chain part of an export needs no snapshot: events are append-only and every query is bounded by the head
    seq. Custom writers and POA&M providers read tables, though, and must see the same instant. Call it on a fresh
    session (the CLI and API do); a session already in a transaction keeps its isolation level.
    """
    if session.get_bind().dialect.name == "postgresql" and not session.in_transaction():
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    else:
        session.connection()


def resolve_scope(session: Session, *, as_of: datetime | None, now: datetime | None = None) -> ExportScope:
    """The head and instant an export covers.

    `as_of` None, or an instant not yet past, means now: such an export cannot be repeated byte for byte (later
    changes may still fall before that instant), so it is a current export and its manifest says so.
    """
    now = as_utc(now) if now is not None else now_utc()
    if as_of is None or as_utc(as_of) >= now:
        return ExportScope(as_of=now, head=audit.head_as_of(session, now), point_in_time=False, generated_at=now)
    as_of = as_utc(as_of)
    return ExportScope(as_of=as_of, head=audit.head_as_of(session, as_of), point_in_time=True, generated_at=now)


def entity_types(session: Session, *, head_seq: int) -> list[str]:
    """Every entity type with at least one event up to the head, sorted; refuses names unfit for file names."""
    rows = session.execute(
        text("SELECT DISTINCT entity_type FROM audit_event WHERE seq <= :head"), {"head": head_seq}
    ).scalars()
    types = sorted(str(t) for t in rows)
    for entity_type in types:
        if not rules.ENTITY_TYPE.match(entity_type):
            raise ConfigurationError(
                f"The audit chain holds entity type '{entity_type}', which is not a table name; it cannot be exported."
            )
    return types


def ids_numeric(session: Session, *, entity_type: str, head_seq: int) -> bool:
    """True when every id the type has had up to the head is a canonical non-negative integer."""
    if session.get_bind().dialect.name == "postgresql":
        not_int = "entity_id !~ '^(0|[1-9][0-9]{0,17})$'"
    else:
        not_int = (
            "(entity_id = '' OR length(entity_id) > 18 OR entity_id GLOB '*[^0-9]*' "
            "OR (entity_id GLOB '0*' AND entity_id <> '0'))"
        )
    found = session.execute(
        text(f"SELECT 1 FROM audit_event WHERE entity_type = :t AND seq <= :head AND {not_int} LIMIT 1"),
        {"t": entity_type, "head": head_seq},
    ).first()
    return found is None


def latest_states(session: Session, *, entity_type: str, head_seq: int, numeric: bool) -> Iterator[str]:
    """The state text of every live record of a type at the head, in data-file order (see `rules.sorted_ids`).

    A record's state is its newest event's; records whose newest event is a delete are left out. The texts are
    the chain's own bytes, so the data files equal the chain byte for byte.
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    # Code-point order on both databases: SQLite compares UTF-8 bytes; PostgreSQL needs the C collation.
    by_id = 'e.entity_id COLLATE "C"' if postgres else "e.entity_id"
    order = f"length(e.entity_id), {by_id}" if numeric else by_id
    stmt = text(
        "SELECT e.state FROM audit_event e JOIN ("
        " SELECT max(seq) AS seq FROM audit_event WHERE entity_type = :t AND seq <= :head GROUP BY entity_id"
        f") latest ON latest.seq = e.seq WHERE e.action <> 'delete' ORDER BY {order}"
    ).execution_options(yield_per=STATE_BATCH)
    for (state,) in session.execute(stmt, {"t": entity_type, "head": head_seq}):
        yield state


def _occurred_text(value: Any) -> str:
    # SQLite hands back the stored text ("YYYY-MM-DD HH:MM:SS.ffffff", naive UTC); PostgreSQL a datetime.
    if isinstance(value, str):
        if len(value) == 26 and value[10] == " ":
            return f"{value[:10]}T{value[11:]}Z"
        return canonical.isoformat_utc(datetime.fromisoformat(value))
    return canonical.isoformat_utc(value)


def _line_sql(dialect: str) -> str:
    """SQL that renders each event as its events.jsonl line, so no Python touches the fields.

    The databases' JSON string quoting (SQLite `json_quote`, PostgreSQL `to_json`) escapes exactly as Python's
    canonical JSON does (`tests/reports/export/test_source.py` holds them to `rules.event_line`). A row whose time
    is not in the expected text form yields NULL and is rendered in Python instead.
    """
    if dialect == "postgresql":
        quote = "to_json({})::text"
        # Colons escaped: text() would read ":MI" as a bind parameter.
        occurred = "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24\\:MI\\:SS.US\"Z\"')"
    else:
        quote = "json_quote({})"
        # SQLAlchemy stores SQLite datetimes as "YYYY-MM-DD HH:MM:SS.ffffff" (naive UTC).
        occurred = (
            "CASE WHEN length(occurred_at) = 26 AND substr(occurred_at, 11, 1) = ' ' "
            "THEN substr(occurred_at, 1, 10) || 'T' || substr(occurred_at, 12) || 'Z' END"
        )
    q = quote.format
    return (
        f"SELECT seq, '{{\"action\":' || {q('action')} || ',\"actor\":' || {q('actor')} "
        f"|| ',\"entity_id\":' || {q('entity_id')} || ',\"entity_type\":' || {q('entity_type')} "
        f'|| \',"hash":"\' || hash || \'","occurred_at":"\' || {occurred} '
        f'|| \'","prev_hash":"\' || prev_hash || \'","request_id":\' || {q("request_id")} '
        f"|| ',\"role\":' || {q('role')} || ',\"seq\":' || seq || ',\"state\":' || state || '}}' "
        "FROM audit_event WHERE seq > :after AND seq <= :head ORDER BY seq LIMIT :n"
    )


def _python_line(session: Session, seq: int) -> str:
    """One event's line rendered in Python (for a row the SQL could not render)."""
    row = session.execute(
        text(
            "SELECT seq, occurred_at, actor, role, request_id, action, entity_type, entity_id, state, prev_hash, "
            "hash FROM audit_event WHERE seq = :seq"
        ),
        {"seq": seq},
    ).one()
    seq, occurred, actor, role, request_id, action, entity_type, entity_id, state, prev, hash_ = row
    return rules.event_line(
        seq=seq,
        occurred_at=_occurred_text(occurred),
        actor=actor,
        role=role,
        request_id=request_id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        state_text=state,
        prev_hash=prev,
        hash_=hash_,
    )


def event_line_batches(session: Session, *, head_seq: int, batch_size: int = EVENT_BATCH) -> Iterator[list[str]]:
    """Every event with seq <= head as events.jsonl lines (without newlines), in chain order, a batch at a time."""
    stmt = text(_line_sql(session.get_bind().dialect.name))
    after = 0
    while after < head_seq:
        rows = session.execute(stmt, {"after": after, "head": head_seq, "n": batch_size}).all()
        if not rows:
            break
        lines = [line if line is not None else _python_line(session, seq) for seq, line in rows]
        if any("\n" in line for line in lines):
            bad = next(seq for (seq, _), line in zip(rows, lines, strict=True) if "\n" in line)
            raise ConfigurationError(f"Audit event {bad} holds a state that is not canonical JSON.")
        yield lines
        after = int(rows[-1][0])
