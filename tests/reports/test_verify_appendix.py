"""The appendix's stdlib-only chain script really verifies a chain, and really catches tampering."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlmodel import Session

from reports.sections.verify_appendix import EXPORT_LAYOUT, chain_script
from tracker import canonical
from tracker.audit import service as audit
from tracker.auth.models import Principal


def _export_events(session: Session, directory: Path) -> Path:
    """The chain as event lines: every event field, occurred_at in the canonical text form, state as an object."""
    path = directory / EXPORT_LAYOUT["events"]
    path.parent.mkdir(parents=True)
    lines = []
    for event in audit.list_events(session, limit=1000).items:
        fields = event.model_dump()
        fields["occurred_at"] = canonical.isoformat_utc(event.occurred_at)
        lines.append(canonical.dumps(fields))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-I", "-c", script], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_the_printed_script_recomputes_the_chain_head(session: Session, actor: Principal, tmp_path: Path) -> None:
    for i in range(4):
        audit.record(
            session,
            actor=actor,
            action="update",
            entity_type="femtocell",
            entity_id=f"KT-{i}",
            state={"지역": "서울", "n": i, "note": 'quote " and \\ backslash'},
        )
    _export_events(session, tmp_path)
    result = _run(chain_script(), tmp_path)
    head = audit.head(session)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(head.seq), head.hash]


def test_the_printed_script_fails_on_an_altered_event(session: Session, actor: Principal, tmp_path: Path) -> None:
    for i in range(3):
        audit.record(session, actor=actor, action="create", entity_type="thing", entity_id=str(i), state={"n": i})
    path = _export_events(session, tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    event = json.loads(lines[1])
    event["actor"] = "mallory"
    lines[1] = canonical.dumps(event)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _run(chain_script(), tmp_path)
    assert result.returncode != 0 and "hash mismatch at 2" in result.stderr
