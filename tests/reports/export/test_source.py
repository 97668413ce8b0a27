"""Reading the chain for an export: lines rendered by the database equal the canonical form, ids in order."""

from __future__ import annotations

from sqlalchemy import Engine

from reports.export import rules, source
from tests.reports.export.factories import record
from tracker import canonical
from tracker.audit import service as audit
from tracker.auth.models import Principal, Role
from tracker.db import read_session, write_session

AWKWARD = ['quote"q', "back\\slash", "ctl\x01\x07\x08\t\n\x0b\x0c\r\x1f", "한글", "\u2028\x7f", "emoji😀", "a/b"]


def test_database_rendered_event_lines_equal_the_canonical_form(engine: Engine) -> None:
    with write_session(engine) as session:
        for n, text in enumerate(AWKWARD):
            actor = Principal(name=f"actor {text}", role=Role.staff, request_id=f"r{text}")
            record(session, actor, f"kind_{n}", f"id {text}", {"v": text, "n": n})
    with read_session(engine) as session:
        head = audit.head(session)
        batches = source.event_line_batches(session, head_seq=head.seq, batch_size=3)
        lines = [line for batch in batches for line in batch]
        stored = audit.list_events(session, limit=100).items
    expected = [
        rules.event_line(
            seq=e.seq,
            occurred_at=e.occurred_at.isoformat(timespec="microseconds").replace("+00:00", "Z"),
            actor=e.actor,
            role=e.role,
            request_id=e.request_id,
            action=e.action,
            entity_type=e.entity_type,
            entity_id=e.entity_id,
            state_text=canonical.dumps(e.state),
            prev_hash=e.prev_hash,
            hash_=e.hash,
        )
        for e in stored
    ]
    assert lines == expected


def test_a_row_the_database_cannot_render_is_rendered_in_python(engine: Engine) -> None:
    actor = Principal(name="ops", role=Role.staff)
    with write_session(engine) as session:
        record(session, actor, "widget", 1, {"id": 1})
    with read_session(engine) as session:
        (line,) = next(source.event_line_batches(session, head_seq=1))
        assert source._python_line(session, 1) == line
