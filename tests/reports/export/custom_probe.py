"""A custom entity for tests: probe readings audited per batch with a digest, the way access events will be."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator

from sqlmodel import Session

from reports.export.custom import CheckContext, CustomEntity
from reports.export.source import ExportScope
from tracker import canonical
from tracker.audit import service as audit
from tracker.auth.models import Principal

BATCH_TYPE = "probe_batch"


def reading_lines(batch_id: int, rows: int) -> list[str]:
    """The rows of one batch as canonical JSON lines (derived from the batch, so no table is needed)."""
    return [canonical.dumps({"batch_id": batch_id, "n": n, "reading": f"{batch_id}-{n}"}) for n in range(1, rows + 1)]


def batch_digest(lines: list[str]) -> str:
    """The digest the chain records for a batch."""
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def record_batch(session: Session, actor: Principal, batch_id: int, rows: int) -> None:
    """Audit one ingested batch: one event for all its rows."""
    state = {"id": batch_id, "rows": rows, "digest": batch_digest(reading_lines(batch_id, rows))}
    audit.record(session, actor=actor, action="create", entity_type=BATCH_TYPE, entity_id=batch_id, state=state)


def _rows(session: Session, scope: ExportScope) -> Iterator[str]:
    batches = sorted(
        (state for _, state in audit.states_as_of(session, entity_type=BATCH_TYPE, as_of=scope.as_of)),
        key=lambda state: state["id"],
    )
    for batch in batches:
        yield from reading_lines(batch["id"], batch["rows"])


def _check(context: CheckContext) -> Iterator[str]:
    rows: dict[object, list[str]] = defaultdict(list)
    for _, row in context.rows():
        rows[row.get("batch_id")].append(canonical.dumps(row))
    for batch in context.chain_states(BATCH_TYPE):
        if batch_digest(rows.pop(batch["id"], [])) != batch["digest"]:
            yield f"the rows of batch {batch['id']} do not match the digest the audit chain recorded"
    for batch_id in sorted(rows, key=str):
        yield f"rows of batch {batch_id}, which the audit chain does not hold"


PROBE_READINGS = CustomEntity(entity_type="probe_reading", rows=_rows, check=_check)
