"""Ingest access events (CSV, JSONL or a JSON array): validate, pseudonymize, store a batch, audit it once.

A batch is all-or-nothing: any bad row refuses the whole batch, naming every bad line (never the subscriber
identifier it held). The batch's `digest` is SHA-256 over its events as canonical JSON lines (`event_line`), in
insertion order, so an export can recompute it from the stored rows and prove none was added, dropped or changed.

Ingestion never touches the femtocell rows (that would write an audit event per event); the controls derive
"last seen" from the access events in SQL.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import IO, Any

from pydantic import ValidationError
from sqlalchemy import insert, select
from sqlmodel import Session

from inventory import imports
from inventory.access_events.models import (
    AccessEvent,
    AccessEventBatch,
    AccessEventBatchPublic,
    AccessEventFilter,
    AccessEventIn,
    AccessEventPublic,
    IngestResult,
)
from inventory.fields import ipv4_as_int
from tracker import canonical
from tracker.audit import service as audit
from tracker.auth.models import Principal
from tracker.errors import Invalid, NotFound
from tracker.pagination import DEFAULT_LIMIT, Page, build_page, keyset_page
from tracker.settings import get_settings
from tracker.types import now_utc

ENTITY = "access_event_batch"
COLUMNS = imports.Columns(allowed=tuple(AccessEventIn.model_fields), required=tuple(AccessEventIn.model_fields))
_BATCH = 5_000
_table = AccessEvent.__table__  # type: ignore[attr-defined]
_batches = AccessEventBatch.__table__  # type: ignore[attr-defined]


def pseudonymizer(key: bytes) -> Callable[[str], str]:
    """HMAC-SHA256 under `key`, as 64 hex digits, of a subscriber identifier (surrounding spaces ignored)."""
    base = hmac.new(key, digestmod=hashlib.sha256)

    def pseudonym(subscriber_id: str) -> str:
        mac = base.copy()
        mac.update(subscriber_id.strip().encode("utf-8"))
        return mac.hexdigest()

    return pseudonym


def pseudonym_key(session: Session) -> bytes:
    """The pseudonymization key of the database this session writes to (its data directory, or the setting).

    Derived from the session's database rather than the process settings alone: `sectrack demo` seeds a database
    of its own, whose key `init` created beside it.
    """
    url = session.connection().engine.url.render_as_string(hide_password=False)
    return get_settings().model_copy(update={"database_url": url}).pseudonym_key_bytes()


def event_line(
    *, cell_id: str, occurred_at: datetime | str, result: str, source_ip: str, subscriber_pseudonym: str
) -> str:
    """One event's line in a batch digest: canonical JSON of its five fields, then a newline."""
    when = occurred_at if isinstance(occurred_at, str) else canonical.isoformat_utc(occurred_at)
    state = {
        "cell_id": cell_id,
        "occurred_at": when,
        "result": str(result),
        "source_ip": source_ip,
        "subscriber_pseudonym": subscriber_pseudonym,
    }
    return canonical.flat_bytes(state).decode() + "\n"


def batch_digest(lines: Iterable[str]) -> str:
    """SHA-256 hex over the UTF-8 of a batch's event lines, in insertion order."""
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8"))
    return digest.hexdigest()


def stored_lines(session: Session, batch_id: int) -> Iterator[str]:
    """The digest lines of a stored batch, rebuilt from its rows in insertion order (for verification)."""
    c = _table.c
    stmt = (
        select(c.cell_id, c.occurred_at, c.result, c.source_ip, c.subscriber_pseudonym)
        .where(c.batch_id == batch_id)
        .order_by(c.id)
        .execution_options(yield_per=10_000)
    )
    for cell_id, occurred_at, result, source_ip, pseudonym in session.execute(stmt):
        yield event_line(
            cell_id=cell_id,
            occurred_at=occurred_at,
            result=str(result),
            source_ip=source_ip,
            subscriber_pseudonym=pseudonym,
        )


class _Writer:
    """Inserts events in batches: the driver's executemany on SQLite, Core elsewhere."""

    def __init__(self, session: Session) -> None:
        self.session = session
        connection = session.connection()
        self.connection = connection
        self.sqlite = connection.dialect.name == "sqlite"

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        # (batch_id, cell_id, pseudonym, occurred_at canonical text, source_ip, source_ip_v4, result)
        if not rows:
            return
        if self.sqlite:
            self.connection.exec_driver_sql(
                "INSERT INTO access_event (batch_id, cell_id, subscriber_pseudonym, occurred_at, source_ip, "
                "source_ip_v4, result) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(b, c, p, f"{t[:10]} {t[11:26]}", ip, v4, r) for b, c, p, t, ip, v4, r in rows],
            )
            return
        self.session.execute(
            insert(_table),
            [
                {
                    "batch_id": b,
                    "cell_id": c,
                    "subscriber_pseudonym": p,
                    "occurred_at": datetime.fromisoformat(t),
                    "source_ip": ip,
                    "source_ip_v4": v4,
                    "result": r,
                }
                for b, c, p, t, ip, v4, r in rows
            ],
        )


def ingest(
    *,
    session: Session,
    rows: Iterable[imports.Row],
    source: str,
    actor: Principal,
    errors: imports.ErrorCollector | None = None,
    dry_run: bool = False,
) -> IngestResult:
    """Store one batch of events all-or-nothing: Invalid listing every bad line, or the batch (one audit event)."""
    errors = errors if errors is not None else imports.ErrorCollector()
    pseudonym = pseudonymizer(pseudonym_key(session))
    validate = imports.RowValidator(AccessEventIn).validate
    received = now_utc()
    savepoint = session.begin_nested()
    session.connection()  # emit SAVEPOINT now, before the raw driver writes (see inventory.imports.upsert)
    try:
        batch = AccessEventBatch(received_at=received, source=source[:200], count=0, digest="")
        session.add(batch)
        session.flush()
        batch_id = batch.id
        writer = _Writer(session)
        digest = hashlib.sha256()
        count = 0
        first: str | None = None
        last: str | None = None
        iterator = iter(rows)
        while chunk := list(islice(iterator, _BATCH)):
            out: list[tuple[Any, ...]] = []
            for line, raw in chunk:
                try:
                    event = validate(raw)
                except ValidationError as exc:
                    for name, message in imports.validation_messages(exc, COLUMNS.required):
                        errors.add(line, name, message)
                    continue
                if errors:
                    continue
                masked = pseudonym(event.pop("subscriber_id"))
                when = event["occurred_at"]
                ip = event["source_ip"]
                digest.update(
                    event_line(
                        cell_id=event["cell_id"],
                        occurred_at=when,
                        result=event["result"],
                        source_ip=ip,
                        subscriber_pseudonym=masked,
                    ).encode("utf-8")
                )
                if first is None or when < first:
                    first = when
                if last is None or when > last:
                    last = when
                out.append((batch_id, event["cell_id"], masked, when, ip, ipv4_as_int(ip), event["result"]))
                count += 1
            if not errors:
                writer.write(out)
        if not errors and count == 0:
            raise Invalid("The batch holds no events.", field="body")
        errors.raise_if_any("batch of access events")
        batch.count = count
        batch.first_occurred_at = datetime.fromisoformat(first) if first else None
        batch.last_occurred_at = datetime.fromisoformat(last) if last else None
        batch.digest = digest.hexdigest()
        session.add(batch)
        session.flush()
        audit.record(session, actor=actor, action="create", entity_type=ENTITY, entity_id=batch_id or 0, state=batch)
        if count >= imports.ANALYZE_AFTER_ROWS and not dry_run:
            imports.refresh_statistics(session, "access_event")
        result = IngestResult(
            batch_id=None if dry_run else batch_id,
            count=count,
            first_occurred_at=batch.first_occurred_at,
            last_occurred_at=batch.last_occurred_at,
            digest=batch.digest,
            dry_run=dry_run,
        )
    except BaseException:
        savepoint.rollback()
        raise
    if dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
    return result


def ingest_stream(
    *,
    session: Session,
    stream: IO[bytes],
    fmt: imports.ImportFormat,
    source: str,
    actor: Principal,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> IngestResult:
    """Ingest a CSV or JSONL stream of events as one batch."""
    errors = imports.ErrorCollector()
    rows = imports.read_rows(stream, fmt, columns=COLUMNS, errors=errors, progress=progress)
    return ingest(session=session, rows=rows, source=source, actor=actor, errors=errors, dry_run=dry_run)


def ingest_json_array(
    *, session: Session, items: Any, source: str, actor: Principal, dry_run: bool = False
) -> IngestResult:
    """Ingest a JSON array of event objects as one batch; errors name the element (1-based) as the line."""
    if not isinstance(items, list):
        raise Invalid("The body must be a JSON array of event objects.", field="body")
    errors = imports.ErrorCollector()
    allowed = set(COLUMNS.allowed)

    def rows() -> Iterator[imports.Row]:
        for number, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                errors.add(number, None, "Each element must be a JSON object.")
                continue
            if not allowed.issuperset(item):
                imports.unknown_fields(errors, number, item, allowed)
                continue
            yield number, item

    return ingest(session=session, rows=rows(), source=source, actor=actor, errors=errors, dry_run=dry_run)


def list_events(
    *,
    session: Session,
    filters: AccessEventFilter | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[AccessEventPublic]:
    """Stored events in insertion order, filtered by cell, result, batch or time."""
    f = filters or AccessEventFilter()
    c = _table.c
    stmt = select(*c)
    if f.cell_id is not None:
        stmt = stmt.where(c.cell_id == f.cell_id)
    if f.result is not None:
        stmt = stmt.where(c.result == f.result)
    if f.batch_id is not None:
        stmt = stmt.where(c.batch_id == f.batch_id)
    if f.since is not None:
        stmt = stmt.where(c.occurred_at >= f.since)
    if f.until is not None:
        stmt = stmt.where(c.occurred_at <= f.until)
    stmt = keyset_page(stmt, kind="access_event:id", sort_column=c.id, id_column=c.id, cursor=cursor, limit=limit)
    rows = [AccessEventPublic.model_construct(**r._mapping) for r in session.execute(stmt)]
    return build_page(rows, kind="access_event:id", limit=limit, sort_attr="id")


def list_batches(
    *, session: Session, cursor: str | None = None, limit: int = DEFAULT_LIMIT
) -> Page[AccessEventBatchPublic]:
    """Ingestion batches, oldest first."""
    c = _batches.c
    stmt = keyset_page(
        select(*c),
        kind="access_event_batch:id",
        sort_column=c.id,
        id_column=c.id,
        cursor=cursor,
        limit=limit,
    )
    rows = [AccessEventBatchPublic.model_construct(**r._mapping) for r in session.execute(stmt)]
    return build_page(rows, kind="access_event_batch:id", limit=limit, sort_attr="id")


def get_batch(*, session: Session, batch_id: int) -> AccessEventBatch:
    """One ingestion batch; 404 if there is none."""
    batch = session.get(AccessEventBatch, batch_id)
    if batch is None:
        raise NotFound(f"No access-event batch with id {batch_id}.", field="id")
    return batch
