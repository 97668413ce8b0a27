"""Read and write installation facts, audited like every other change."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from tracker import canonical
from tracker.audit import service as audit
from tracker.auth.models import Principal
from tracker.system.models import SystemMeta
from tracker.types import now_utc

DEMO_DATA = "demo_data"


def get(*, session: Session, key: str, default: Any = None) -> Any:
    """The value stored under `key`, or `default`."""
    row = session.get(SystemMeta, key)
    return default if row is None else json.loads(row.value)


def put(*, session: Session, key: str, value: Any, actor: Principal) -> None:
    """Store `value` under `key` (insert or replace), with an audit event."""
    row = session.get(SystemMeta, key)
    text = canonical.dumps(value)
    if row is None:
        row = SystemMeta(key=key, value=text)
        action = "create"
    else:
        if row.value == text:
            return
        row.value = text
        row.updated_at = now_utc()
        row.version += 1
        action = "update"
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=action,
        entity_type="system_meta",
        entity_id=key,
        state={"key": key, "value": value, "version": row.version},
    )


def is_demo(*, session: Session) -> bool:
    """True when the database was filled by `sectrack seed` (reports then carry a DEMO DATA marking)."""
    marker = get(session=session, key=DEMO_DATA)
    return bool(marker)
