"""Point-in-time copies of the database, rebuilt from the audit chain, for `--as-of` reports.

Every table is audited with entity_type == table name and the full row as state, so the newest event of each record
at or before T is that record as it stood at T (deleted records drop out). `snapshot_session` replays that into a
temporary SQLite file with the same tables and indexes, and the report's section builders then run against it
unchanged, on whatever database the source is.

The snapshot schema relaxes constraints on purpose: every non-key column is nullable and there are no unique or
foreign-key constraints. A snapshot holds what the chain recorded; columns deliberately kept out of the chain (a
token's hash, for one) are NULL there, and rows are inserted table by table without caring about reference order.
Report builders must not read such columns.

Two registries adapt the rule:
- `COPIED_BY_RULE`: tables that are not replayed from per-record events but copied with a WHERE clause bounded by
  the snapshot instant or chain head: the audit chain itself, and access events, which are audited per ingestion
  batch (`inventory.access_events.export.snapshot_rule`).
- `STATE_ADAPTERS`: per-table fix-ups for states recorded in a different shape than the row (system_meta records
  its value parsed; the row stores canonical JSON text).
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    Table,
    Time,
    Uuid,
    create_engine,
    event,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from tracker import canonical
from tracker.audit import service as audit
from tracker.audit.models import ChainHead
from tracker.models import metadata
from tracker.types import UTCDateTime, as_utc

_BATCH = 5_000


@dataclass(frozen=True)
class SnapshotPoint:
    """The instant a snapshot shows and the chain head at that instant."""

    as_of: datetime
    head: ChainHead


CopyRule = Callable[[Table, SnapshotPoint], ColumnElement[bool]]

COPIED_BY_RULE: dict[str, CopyRule] = {
    # The chain up to its head at T: later events did not exist yet.
    "audit_event": lambda table, at: table.c.seq <= at.head.seq,
    "access_event": lambda table, at: _access_event_rule(table, at),
}


def _access_event_rule(table: Table, at: SnapshotPoint) -> ColumnElement[bool]:
    # Imported late: the inventory imports the export engine, which must not import back at module load.
    from inventory.access_events.export import snapshot_rule

    return snapshot_rule(table, at)


def _system_meta_state(state: dict[str, Any]) -> dict[str, Any]:
    return {**state, "value": canonical.dumps(state.get("value"))}


STATE_ADAPTERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "system_meta": _system_meta_state,
}


@lru_cache(maxsize=1)
def _snapshot_metadata() -> MetaData:
    """The application's tables, relaxed: same names, columns, types and (non-unique) indexes."""
    relaxed = MetaData()
    for table in metadata.sorted_tables:
        columns = [
            Column(c.name, c.type, primary_key=c.primary_key, nullable=not c.primary_key, autoincrement=False)
            for c in table.columns
        ]
        copy = Table(table.name, relaxed, *columns)
        for index in table.indexes:
            Index(index.name, *(copy.c[c.name] for c in index.columns))
    return relaxed


def _convert(column: Column[Any], value: Any) -> Any:
    """A JSON value from an audit state, as the column's Python type."""
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return as_utc(datetime.fromisoformat(value)) if isinstance(value, str) else value
    if isinstance(kind, DateTime):
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
        return parsed if kind.timezone else as_utc(parsed).replace(tzinfo=None)
    if isinstance(kind, Date):
        return date.fromisoformat(value[:10]) if isinstance(value, str) else value
    if isinstance(kind, Time):
        return time.fromisoformat(value) if isinstance(value, str) else value
    if isinstance(kind, Uuid):
        return uuid.UUID(str(value)) if kind.as_uuid else str(value)
    if isinstance(kind, Boolean):
        return bool(value)
    if isinstance(kind, SAEnum) and kind.enum_class is not None and issubclass(kind.enum_class, Enum):
        return kind.enum_class(value)
    if isinstance(kind, Integer):
        return int(value)
    if isinstance(kind, JSON):
        return value
    python_type = _python_type(column)
    if python_type is str and not isinstance(value, str):
        # Structured values kept in a text column are stored as canonical JSON, the project's text form.
        return canonical.dumps(value)
    return value


def _python_type(column: Column[Any]) -> type | None:
    try:
        return column.type.python_type
    except NotImplementedError:  # SQLAlchemy's answer for types with no Python equivalent (e.g. JSON)
        return None


def _row(table: Table, entity_id: str, state: dict[str, Any]) -> dict[str, Any]:
    adapter = STATE_ADAPTERS.get(table.name)
    if adapter is not None:
        state = adapter(state)
    row = {c.name: _convert(c, state.get(c.name)) for c in table.columns}
    keys = list(table.primary_key.columns)
    if len(keys) == 1 and row[keys[0].name] is None:
        # Old states may lack the key column; the event's entity id is the key.
        row[keys[0].name] = _convert(keys[0], entity_id)
    return row


def _insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(table.insert(), rows)


def _replay(source: Session, target: Session, table: Table, at: SnapshotPoint) -> int:
    rows: list[dict[str, Any]] = []
    count = 0
    for entity_id, state in audit.states_as_of(source, entity_type=table.name, as_of=at.as_of):
        rows.append(_row(table, entity_id, state))
        count += 1
        if len(rows) >= _BATCH:
            _insert(target, table, rows)
            rows = []
    _insert(target, table, rows)
    return count


def _copy(
    source: Session, target: Session, table: Table, source_table: Table, rule: CopyRule, at: SnapshotPoint
) -> int:
    count = 0
    stmt = source_table.select().where(rule(source_table, at)).execution_options(yield_per=_BATCH)
    for partition in source.execute(stmt).mappings().partitions(_BATCH):
        _insert(target, table, [dict(r) for r in partition])
        count += len(partition)
    return count


def _fast_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # A throwaway file: durability buys nothing here.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=OFF")
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


@contextmanager
def snapshot_session(source: Session, as_of: datetime) -> Iterator[Session]:
    """A session on a temporary SQLite copy of the database as it stood at `as_of`, deleted on exit."""
    at = SnapshotPoint(as_of=as_utc(as_of), head=audit.head_as_of(source, as_of))
    relaxed = _snapshot_metadata()
    with tempfile.TemporaryDirectory(prefix="sectrack-asof-") as tmp:
        engine = create_engine(f"sqlite:///{Path(tmp) / 'snapshot.db'}")
        event.listen(engine, "connect", _fast_sqlite)
        try:
            relaxed.create_all(engine)
            with Session(engine, expire_on_commit=False) as target:
                for table in relaxed.sorted_tables:
                    rule = COPIED_BY_RULE.get(table.name)
                    if rule is not None:
                        _copy(source, target, table, metadata.tables[table.name], rule, at)
                    else:
                        _replay(source, target, table, at)
                target.commit()
                yield target
        finally:
            engine.dispose()
