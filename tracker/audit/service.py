"""Append to, read and verify the audit chain.

Every service calls `record` (or `record_many` for bulk work) inside the same transaction as the change it
describes, so a change and its audit event commit or roll back together.

An event's hash is `sha256(prev_hash + body)` where `body` is the canonical JSON (`tracker.canonical`) of
`{seq, occurred_at, actor, role, request_id, action, entity_type, entity_id, state, prev_hash}`.
Appends are serialized: on PostgreSQL by a transaction-scoped advisory lock, on SQLite by the write lock that
every write session takes at BEGIN (`tracker.db`). So the chain never forks under concurrent writers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from json.encoder import encode_basestring as _esc
from typing import Any, NamedTuple

from pydantic import BaseModel
from sqlalchemy import String, func, insert, select, text, type_coerce
from sqlmodel import Session

from tracker import canonical
from tracker.audit.models import GENESIS_HASH, AuditEvent, AuditEventPublic, ChainHead, ChainVerification
from tracker.auth.models import Principal
from tracker.errors import Invalid, NotFound
from tracker.pagination import Page, decode_cursor, encode_cursor
from tracker.types import as_utc, now_utc

# Any constant works; it only has to be the same in every process that appends.
_CHAIN_LOCK_KEY = 0x5EC7_0AC4
_BULK_BATCH = 5_000

_table = AuditEvent.__table__  # type: ignore[attr-defined]


class PendingEvent(NamedTuple):
    """One change to record in bulk: what happened to which entity, and its state after (before, for deletes).

    A named tuple, not a dataclass: bulk imports make one per changed record, and a frozen dataclass costs several
    times more to build.
    """

    action: str
    entity_type: str
    entity_id: str
    # A mapping, its canonical JSON text, or that text's UTF-8 bytes (`canonical.flat_bytes`: what imports make).
    state: Mapping[str, Any] | str | bytes


def state_of(record: BaseModel) -> dict[str, Any]:
    """A record's full state as stored in the chain (JSON-ready values)."""
    return json.loads(canonical.dumps(record.model_dump()))


def body_text(
    *,
    seq: int,
    occurred_at: str,
    actor: str,
    role: str,
    request_id: str,
    action: str,
    entity_type: str,
    entity_id: str,
    state_text: str,
    prev_hash: str,
) -> str:
    """The canonical JSON body an event's hash covers, built without re-serializing the state.

    Keys are written in sorted order by hand (this is the audit hot path) and `state` is the last key, so the
    already-canonical state text is spliced in; `tests/tracker/test_audit_service.py` proves the result equals
    `canonical.dumps` of the whole event.
    """
    return (
        f'{{"action":{_esc(action)},"actor":{_esc(actor)},"entity_id":{_esc(entity_id)},'
        f'"entity_type":{_esc(entity_type)},"occurred_at":{_esc(occurred_at)},"prev_hash":{_esc(prev_hash)},'
        f'"request_id":{_esc(request_id)},"role":{_esc(role)},"seq":{int(seq)},"state":{state_text}}}'
    )


def chain_hash(prev_hash: str, body: str) -> str:
    """The event hash: SHA-256 over the previous hash followed by the canonical body."""
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def _lock_chain(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})


def _head_row(session: Session) -> tuple[int, str, datetime | None]:
    row = session.execute(
        select(_table.c.seq, _table.c.hash, _table.c.occurred_at).order_by(_table.c.seq.desc()).limit(1)
    ).first()
    if row is None:
        return 0, GENESIS_HASH, None
    return int(row[0]), str(row[1]), row[2]


def head(session: Session) -> ChainHead:
    """The chain head: newest sequence number and hash."""
    seq, hash_, _ = _head_row(session)
    return ChainHead(seq=seq, hash=hash_)


def head_as_of(session: Session, as_of: datetime) -> ChainHead:
    """The chain head as it stood at an instant."""
    row = session.execute(
        select(_table.c.seq, _table.c.hash)
        .where(_table.c.occurred_at <= as_utc(as_of))
        .order_by(_table.c.seq.desc())
        .limit(1)
    ).first()
    if row is None:
        return ChainHead(seq=0, hash=GENESIS_HASH)
    return ChainHead(seq=int(row[0]), hash=str(row[1]))


def _state_text(state: Mapping[str, Any] | BaseModel | str) -> str:
    if isinstance(state, str):
        return state
    if isinstance(state, BaseModel):
        return canonical.dumps(state.model_dump())
    return canonical.dumps(dict(state))


def record(
    session: Session,
    *,
    actor: Principal,
    action: str,
    entity_type: str,
    entity_id: str | int,
    state: Mapping[str, Any] | BaseModel,
) -> AuditEvent:
    """Append one event for a change made in this session's transaction; returns the stored event."""
    if isinstance(state, BaseModel):
        # Database defaults (ids, server timestamps) must be in the state the chain keeps.
        session.flush()
    _lock_chain(session)
    seq, prev_hash, prev_time = _head_row(session)
    occurred = now_utc()
    # Keep time monotonic along the chain even if the wall clock steps back, so "as of T" stays well defined.
    if prev_time is not None and occurred < prev_time:
        occurred = prev_time
    row = _event_row(
        seq=seq + 1,
        occurred=occurred,
        occurred_text=canonical.isoformat_utc(occurred),
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        state_text=_state_text(state),
        prev_hash=prev_hash,
    )
    _insert_rows(session, [row])
    return AuditEvent(**dict(zip(_COLUMNS, row, strict=True)))


def _event_row(
    *,
    seq: int,
    occurred: datetime,
    occurred_text: str,
    actor: Principal,
    action: str,
    entity_type: str,
    entity_id: str,
    state_text: str,
    prev_hash: str,
) -> tuple[Any, ...]:
    """One event as a tuple in `_COLUMNS` order, hash included."""
    role = str(actor.role)
    body = body_text(
        seq=seq,
        occurred_at=occurred_text,
        actor=actor.name,
        role=role,
        request_id=actor.request_id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        state_text=state_text,
        prev_hash=prev_hash,
    )
    return (
        seq,
        occurred,
        actor.name,
        role,
        actor.request_id,
        action,
        entity_type,
        entity_id,
        state_text,
        prev_hash,
        chain_hash(prev_hash, body),
    )


def record_many(session: Session, *, actor: Principal, events: Iterable[PendingEvent]) -> int:
    """Append many events at once (bulk imports); one lock, batched inserts. Returns the number appended."""
    _lock_chain(session)
    seq, prev_hash, prev_time = _head_row(session)
    occurred = now_utc()
    if prev_time is not None and occurred < prev_time:
        occurred = prev_time
    # One instant and one actor for the whole batch: the events are one change. Their parts of the body are
    # escaped once, and the rest is spliced in the key order `body_text` writes; `tests/tracker/
    # test_audit_service.py` proves every body equals `body_text`'s (and so the canonical JSON of the event).
    occurred_text = canonical.isoformat_utc(occurred)
    role = str(actor.role)
    name, request_id = actor.name, actor.request_id
    after_action = f',"actor":{_esc(name)},"entity_id":'
    after_entity_type = f',"occurred_at":{_esc(occurred_text)},"prev_hash":'
    after_prev_hash = f',"request_id":{_esc(request_id)},"role":{_esc(role)},"seq":'
    sqlite = session.connection().dialect.name == "sqlite"
    stored = _sqlite_instant(occurred) if sqlite else occurred
    # A state given as UTF-8 bytes is hashed as it is; SQLite stores it as text through the insert's CAST (the same
    # text value, without decoding it in Python) when the database keeps its text in UTF-8, as sectrack's do.
    store_bytes = sqlite and _utf8_database(session)
    sha256 = hashlib.sha256
    batch: list[tuple[Any, ...]] = []
    count = 0
    state_text: str | bytes
    for action, entity_type, entity_id, state in events:
        seq += 1
        if isinstance(state, bytes):
            state_bytes = state
            state_text = state if store_bytes else state.decode()
        else:
            state_text = state if isinstance(state, str) else _state_text(state)
            state_bytes = state_text.encode()
        # sha256(prev_hash + body) fed in three parts: the body up to the state, the state, the closing brace.
        # Joining the (often non-ASCII) state into a longer string before encoding it copied it twice more.
        digest = sha256(
            f'{prev_hash}{{"action":{_esc(action)}{after_action}{_esc(entity_id)},"entity_type":'
            f'{_esc(entity_type)}{after_entity_type}{_esc(prev_hash)}{after_prev_hash}{int(seq)},"state":'.encode()
        )
        digest.update(state_bytes)
        digest.update(b"}")
        hash_ = digest.hexdigest()
        batch.append(
            (seq, stored, name, role, request_id, action, entity_type, entity_id, state_text, prev_hash, hash_)
        )
        prev_hash = hash_
        count += 1
        if len(batch) >= _BULK_BATCH:
            _insert_stored(session, batch, sqlite)
            batch = []
    if batch:
        _insert_stored(session, batch, sqlite)
    return count


_COLUMNS = (
    "seq",
    "occurred_at",
    "actor",
    "role",
    "request_id",
    "action",
    "entity_type",
    "entity_id",
    "state",
    "prev_hash",
    "hash",
)


# CAST(? AS TEXT) leaves a str as it is and reads UTF-8 bytes (a bulk import's states) as the same text.
_SQLITE_INSERT = (
    f"INSERT INTO audit_event ({', '.join(_COLUMNS)}) "
    f"VALUES ({', '.join('CAST(? AS TEXT)' if c == 'state' else '?' for c in _COLUMNS)})"
)


def _utf8_database(session: Session) -> bool:
    """Whether this SQLite database stores text as UTF-8 (so a CAST of UTF-8 bytes to TEXT is that text)."""
    return session.connection().exec_driver_sql("PRAGMA encoding").scalar() == "UTF-8"


def _sqlite_instant(value: datetime) -> str:
    """The text form SQLAlchemy's SQLite DATETIME type writes and reads back (naive UTC)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _insert_rows(session: Session, rows: list[tuple[Any, ...]]) -> None:
    """Insert event tuples (in `_COLUMNS` order, `occurred_at` a datetime)."""
    sqlite = session.connection().dialect.name == "sqlite"
    if sqlite:
        rows = [(r[0], _sqlite_instant(r[1]), *r[2:]) for r in rows]
    _insert_stored(session, rows, sqlite)


def _insert_stored(session: Session, rows: list[tuple[Any, ...]], sqlite: bool) -> None:
    """Insert event tuples in `_COLUMNS` order whose `occurred_at` is in the stored form (text on SQLite).

    Bulk imports append one event per changed record, so this is on the import hot path; on SQLite the driver's
    executemany skips SQLAlchemy's per-row parameter processing, which costs more than SQLite's insert itself.
    """
    if sqlite:
        session.connection().exec_driver_sql(_SQLITE_INSERT, rows)
        return
    session.execute(insert(_table), [dict(zip(_COLUMNS, r, strict=True)) for r in rows])


def _occurred_text(value: datetime | str) -> str:
    """The canonical text of a stored `occurred_at`; SQLite's raw text is converted without parsing."""
    if isinstance(value, str):
        # SQLAlchemy stores SQLite datetimes as "YYYY-MM-DD HH:MM:SS.ffffff" (naive UTC).
        if len(value) == 26 and value[10] == " ":
            return f"{value[:10]}T{value[11:]}Z"
        return canonical.isoformat_utc(datetime.fromisoformat(value))
    return canonical.isoformat_utc(value)


def verify(session: Session, *, batch_size: int = 20_000) -> ChainVerification:
    """Re-walk the whole chain: contiguous sequence numbers, links and hashes. Stops at the first bad event."""
    c = _table.c
    # Read occurred_at as stored text on SQLite: parsing it into a datetime only to print it again is most of
    # the cost of a verification.
    occurred = type_coerce(c.occurred_at, String) if session.get_bind().dialect.name == "sqlite" else c.occurred_at
    columns = (
        c.seq,
        occurred,
        c.actor,
        c.role,
        c.request_id,
        c.action,
        c.entity_type,
        c.entity_id,
        c.state,
        c.prev_hash,
        c.hash,
    )
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    while True:
        rows = session.execute(select(*columns).where(c.seq >= expected_seq).order_by(c.seq).limit(batch_size)).all()
        if not rows:
            break
        for seq, occurred_at, actor, role, request_id, action, entity_type, entity_id, state, prev, hash_ in rows:
            problem = None
            if seq != expected_seq:
                problem, bad = f"sequence gap: expected {expected_seq}, found {seq}", expected_seq
            elif prev != expected_prev:
                problem, bad = "prev_hash does not match the previous event's hash", seq
            else:
                body = body_text(
                    seq=seq,
                    occurred_at=_occurred_text(occurred_at),
                    actor=actor,
                    role=role,
                    request_id=request_id,
                    action=action,
                    entity_type=entity_type,
                    entity_id=entity_id,
                    state_text=state,
                    prev_hash=prev,
                )
                if chain_hash(prev, body) != hash_:
                    problem, bad = "hash does not match the event's contents", seq
            if problem is not None:
                return ChainVerification(
                    ok=False,
                    checked=checked,
                    head=ChainHead(seq=expected_seq - 1, hash=expected_prev),
                    first_bad_seq=bad,
                    problem=problem,
                )
            expected_prev = hash_
            expected_seq += 1
            checked += 1
    return ChainVerification(ok=True, checked=checked, head=ChainHead(seq=expected_seq - 1, hash=expected_prev))


def to_public(event: AuditEvent | Any) -> AuditEventPublic:
    """The API form of a stored event, with the state parsed."""
    return AuditEventPublic(
        seq=event.seq,
        occurred_at=event.occurred_at,
        actor=event.actor,
        role=event.role,
        request_id=event.request_id,
        action=event.action,
        entity_type=event.entity_type,
        entity_id=event.entity_id,
        state=json.loads(event.state),
        prev_hash=event.prev_hash,
        hash=event.hash,
    )


def list_events(
    session: Session,
    *,
    entity_type: str | None = None,
    entity_id: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    request_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[AuditEventPublic]:
    """Events in chain order, filtered, one keyset page at a time."""
    stmt = select(AuditEvent)
    if entity_type is not None:
        stmt = stmt.where(_table.c.entity_type == entity_type)
    if entity_id is not None:
        stmt = stmt.where(_table.c.entity_id == entity_id)
    if actor is not None:
        stmt = stmt.where(_table.c.actor == actor)
    if action is not None:
        stmt = stmt.where(_table.c.action == action)
    if request_id is not None:
        stmt = stmt.where(_table.c.request_id == request_id)
    if since is not None:
        stmt = stmt.where(_table.c.occurred_at >= as_utc(since))
    if until is not None:
        stmt = stmt.where(_table.c.occurred_at <= as_utc(until))
    if cursor is not None:
        (after_seq,) = decode_cursor(cursor, kind="audit", arity=1)
        if not isinstance(after_seq, int):
            raise Invalid("The cursor is not valid for this list.", field="cursor")
        stmt = stmt.where(_table.c.seq > after_seq)
    rows = list(session.scalars(stmt.order_by(_table.c.seq).limit(limit + 1)))
    next_cursor = encode_cursor("audit", [rows[limit - 1].seq]) if len(rows) > limit else None
    return Page(items=[to_public(r) for r in rows[:limit]], next_cursor=next_cursor)


def history(session: Session, *, entity_type: str, entity_id: str | int) -> list[AuditEventPublic]:
    """Every event of one record, oldest first; NotFound when the record never existed."""
    rows = list(
        session.scalars(
            select(AuditEvent)
            .where(_table.c.entity_type == entity_type, _table.c.entity_id == str(entity_id))
            .order_by(_table.c.seq)
        )
    )
    if not rows:
        raise NotFound(f"No {entity_type} with id {entity_id} has ever existed.", field="id")
    return [to_public(r) for r in rows]


def states_as_of(
    session: Session, *, entity_type: str, as_of: datetime, batch_size: int = 10_000
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every `entity_type` record as it stood at `as_of` (its newest event at or before then), by entity id.

    Deleted records are left out. Rows stream in batches, so memory does not grow with the table.
    """
    as_of = as_utc(as_of)
    latest = (
        select(func.max(_table.c.seq).label("seq"))
        .where(_table.c.entity_type == entity_type, _table.c.occurred_at <= as_of)
        .group_by(_table.c.entity_id)
        .subquery()
    )
    stmt = (
        select(_table.c.entity_id, _table.c.action, _table.c.state)
        .join(latest, latest.c.seq == _table.c.seq)
        .order_by(_table.c.seq)
        .execution_options(yield_per=batch_size)
    )
    for entity_id, action, state in session.execute(stmt):
        if action == "delete":
            continue
        yield entity_id, json.loads(state)


def count_events(session: Session) -> int:
    """Number of events in the chain."""
    return int(session.scalar(select(func.count()).select_from(_table)) or 0)
