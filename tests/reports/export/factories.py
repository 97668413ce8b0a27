"""Build audit chains to export, and take bundles apart to tamper with them."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import Session

from reports.export import manifest as manifest_module
from reports.export import oscal, rules
from tracker import canonical
from tracker.audit import service as audit
from tracker.auth import service as auth_service
from tracker.auth.models import Principal, TokenCreate
from tracker.system import service as system_service


def widget_state(i: int, **extra: Any) -> dict[str, Any]:
    """A synthetic record with every kind of value the CSV rules treat differently."""
    state: dict[str, Any] = {
        "id": i,
        "name": f"위젯 {i}",
        "status": "active" if i % 2 else "retired",
        "enabled": i % 2 == 0,
        "note": None,
        "tags": ["a", "b"],
        "limits": {"max": i, "unit": "원"},
        "formula": "=1+1",
        "quoted": 'say "hi", then\nleave',
        "version": 1,
    }
    state.update(extra)
    return state


def record(session: Session, actor: Principal, entity_type: str, entity_id: str | int, state: Any) -> None:
    """Append a create/update event for one synthetic entity."""
    audit.record(session, actor=actor, action="update", entity_type=entity_type, entity_id=entity_id, state=state)


def delete(session: Session, actor: Principal, entity_type: str, entity_id: str | int, state: Any) -> None:
    """Append a delete event (the before-state)."""
    audit.record(session, actor=actor, action="delete", entity_type=entity_type, entity_id=entity_id, state=state)


def populate(session: Session, actor: Principal) -> None:
    """A small chain: tokens (a real table), system facts (string ids), widgets (numeric ids), one deleted widget."""
    for name in ("ops-kim", "ops-lee"):
        auth_service.create(session=session, data=TokenCreate(name=name, role="staff"), actor=actor)
    auth_service.revoke(session=session, name="ops-lee", actor=actor)
    system_service.put(session=session, key="demo_data", value={"devices": 3}, actor=actor)
    system_service.put(session=session, key="a_fact", value=["x"], actor=actor)
    for i in (1, 2, 10, 3):
        record(session, actor, "widget", i, widget_state(i))
    record(session, actor, "widget", 2, widget_state(2, name="위젯 2 (renamed)", version=2))
    delete(session, actor, "widget", 3, widget_state(3))


def read_entries(path: Path) -> dict[str, bytes]:
    """Every entry of a ZIP, in archive order."""
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def write_entries(path: Path, entries: dict[str, bytes]) -> None:
    """A ZIP with these entries, in this order."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data)


def resign(
    entries: dict[str, bytes], key: Ed25519PrivateKey, edit: Callable[[dict[str, Any]], None] | None = None
) -> None:
    """Recompute every file's hash and size in the manifest (and apply `edit`), then sign it again with `key`."""
    document = json.loads(entries[rules.MANIFEST])
    for entry in document["files"]:
        data = entries.get(entry["path"], b"")
        entry["sha256"] = hashlib.sha256(data).hexdigest()
        entry["size"] = len(data)
    if edit is not None:
        edit(document)
    encoded = manifest_module.encode(document)
    entries[rules.MANIFEST] = encoded
    entries[rules.SIGNATURE] = manifest_module.sign(key, encoded)


def event_lines(entries: dict[str, bytes]) -> list[bytes]:
    """The lines of audit/events.jsonl."""
    return entries[rules.EVENTS].splitlines()


def jsonl(data: bytes) -> list[dict[str, Any]]:
    """Parsed JSONL lines."""
    return [json.loads(line) for line in data.splitlines()]


def canonical_event(line: bytes) -> dict[str, Any]:
    """An events.jsonl line parsed, checked against the naive rule: sha256(prev + canonical(event minus hash))."""
    event = json.loads(line)
    body = {k: v for k, v in event.items() if k != "hash"}
    digest = hashlib.sha256((event["prev_hash"] + canonical.dumps(body)).encode()).hexdigest()
    assert digest == event["hash"], event["seq"]
    return event


def finding(
    finding_id: int,
    *,
    status: str = "open",
    milestones: Iterable[oscal.PoamMilestone] = (),
    due: date | None = date(2026, 6, 30),
) -> oscal.PoamFinding:
    """A crafted finding for POA&M tests."""
    return oscal.PoamFinding(
        id=finding_id,
        control_id=f"MSIT-{finding_id:02d}",
        title=f"Shared femtocell certificate\nfound ({finding_id})",
        description="Several femtocells present the same certificate fingerprint.",
        severity="high",
        status=status,
        opened_at=datetime.fromisoformat("2026-01-05T09:00:00+09:00"),
        due_date=due,
        owner="security-ops",
        milestones=tuple(milestones),
    )


def milestone(milestone_id: int, *, forecast: date | None = date(2026, 5, 31)) -> oscal.PoamMilestone:
    """A crafted milestone."""
    return oscal.PoamMilestone(
        id=milestone_id,
        title=f"Issue per-device certificates, wave {milestone_id}",
        baseline_date=date(2026, 4, 30),
        forecast_date=forecast,
        status="in_progress",
    )


def zip_bytes(entries: Iterable[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    """A raw ZIP built entry by entry (for hostile archives)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return buffer.getvalue()


CRAFTED_FINDINGS: list[oscal.PoamFinding] = [
    finding(1, milestones=[milestone(7), milestone(3, forecast=None)]),
    finding(2, status="risk_accepted"),
    finding(3, status="closed", due=None, milestones=[milestone(3)]),
]


def provide_findings(session: Session, as_of: datetime) -> list[oscal.PoamFinding]:
    """A findings provider for the POA&M registry (the controls domain will provide the real one)."""
    return list(CRAFTED_FINDINGS)
