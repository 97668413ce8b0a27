"""Access events in exports and as-of snapshots.

Access events are audited per ingestion batch, not per row: the chain holds one `access_event_batch` event whose
state carries the batch's `count` and `digest` (SHA-256 over the batch's event lines, `service.event_line`, in
insertion order). So an export writes the rows of every batch the chain holds up to its head, and the verifier
proves each batch's rows against the digest the chain recorded; an as-of snapshot copies the rows of the batches
that existed then.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import Integer, Table, cast, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from inventory.access_events.models import AccessEvent
from inventory.access_events.service import event_line
from reports.export.custom import CheckContext, CustomEntity
from reports.export.source import ExportScope
from tracker import canonical
from tracker.audit.models import AuditEvent

BATCH_TYPE = "access_event_batch"
_audit = AuditEvent.__table__  # type: ignore[attr-defined]
_events = AccessEvent.__table__  # type: ignore[attr-defined]
# The exported fields: the digest's five plus the row's batch and id, so a reader can regroup and order them.
_FIELDS = ("batch_id", "id", "cell_id", "occurred_at", "result", "source_ip", "subscriber_pseudonym")


def batches_up_to(head_seq: int) -> Any:
    """The ids of the batches the audit chain holds up to `head_seq` (a subquery)."""
    return select(cast(_audit.c.entity_id, Integer)).where(
        _audit.c.entity_type == BATCH_TYPE, _audit.c.action == "create", _audit.c.seq <= head_seq
    )


def _rows(session: Session, scope: ExportScope) -> Iterator[str]:
    stmt = (
        select(*(_events.c[name] for name in _FIELDS))
        .where(_events.c.batch_id.in_(batches_up_to(scope.head.seq)))
        .order_by(_events.c.batch_id, _events.c.id)
        .execution_options(yield_per=20_000)
    )
    for batch_id, id_, cell_id, occurred_at, result, source_ip, pseudonym in session.execute(stmt):
        yield canonical.dumps(
            {
                "batch_id": batch_id,
                "cell_id": cell_id,
                "id": id_,
                "occurred_at": canonical.isoformat_utc(occurred_at),
                "result": str(result),
                "source_ip": source_ip,
                "subscriber_pseudonym": pseudonym,
            }
        )


def _check(context: CheckContext) -> Iterator[str]:
    """Each batch's rows hash to the digest and count the chain recorded; no rows of unknown batches."""
    recorded: dict[Any, Mapping[str, Any]] = {b["id"]: b for b in context.chain_states(BATCH_TYPE)}
    seen: set[Any] = set()
    current: Any = None
    hasher = hashlib.sha256()
    count = 0

    def finish() -> Iterator[str]:
        if current is None:
            return
        batch = recorded.get(current)
        if batch is None:
            yield f"rows of batch {current}, which the audit chain does not hold"
        elif hasher.hexdigest() != batch.get("digest") or count != batch.get("count"):
            yield f"the {count} rows of batch {current} do not match the digest and count the audit chain recorded"

    last_id = None
    for line_no, row in context.rows():
        batch_id = row.get("batch_id")
        if batch_id != current:
            yield from finish()
            if batch_id in seen:
                yield f"line {line_no}: batch {batch_id} appears again after other batches"
            seen.add(batch_id)
            current, hasher, count, last_id = batch_id, hashlib.sha256(), 0, None
        if last_id is not None and not (isinstance(row.get("id"), int) and row["id"] > last_id):
            yield f"line {line_no}: rows of batch {batch_id} are not in insertion order"
        last_id = row.get("id")
        try:
            line = event_line(
                cell_id=row["cell_id"],
                occurred_at=row["occurred_at"],
                result=row["result"],
                source_ip=row["source_ip"],
                subscriber_pseudonym=row["subscriber_pseudonym"],
            )
        except (KeyError, TypeError):
            yield f"line {line_no}: an access event needs cell_id, occurred_at, result, source_ip, subscriber_pseudonym"
            continue
        hasher.update(line.encode("utf-8"))
        count += 1
    yield from finish()
    for batch_id in sorted(set(recorded) - seen, key=str):
        if recorded[batch_id].get("count"):
            yield f"the rows of batch {batch_id}, which the audit chain holds, are missing"


ACCESS_EVENTS = CustomEntity(entity_type="access_event", rows=_rows, check=_check, chain_type=BATCH_TYPE)


def snapshot_rule(table: Table, at: Any) -> ColumnElement[bool]:
    """As-of snapshots copy the rows of the batches the chain held at the snapshot's head."""
    return table.c.batch_id.in_(batches_up_to(at.head.seq))
