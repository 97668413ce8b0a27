"""The audit chain: appends, canonical bodies, verification and tamper detection."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, text, update
from sqlmodel import Session

from tracker import canonical
from tracker.audit import service as audit
from tracker.audit.models import GENESIS_HASH, AuditEvent
from tracker.auth.models import Principal, Role
from tracker.db import make_engine, read_session, write_session
from tracker.models import metadata


def _append(session: Session, actor: Principal, n: int, entity_type: str = "thing") -> None:
    for i in range(n):
        audit.record(
            session,
            actor=actor,
            action="create",
            entity_type=entity_type,
            entity_id=i,
            state={"n": i, "이름": "펨토셀"},
        )


def test_spliced_body_equals_canonical_json_of_the_whole_event() -> None:
    fields = dict(
        seq=7,
        occurred_at="2026-01-02T03:04:05.000006Z",
        actor="a",
        role="staff",
        request_id="r",
        action="update",
        entity_type="femtocell",
        entity_id="9",
        prev_hash="f" * 64,
    )
    state = {"z": 1, "a": [1, "둘", None], "nested": {"b": True}}
    spliced = audit.body_text(state_text=canonical.dumps(state), **fields)  # type: ignore[arg-type]
    assert spliced == canonical.dumps({**fields, "state": state})


def test_first_event_links_to_genesis_and_each_next_to_its_predecessor(session: Session, actor: Principal) -> None:
    _append(session, actor, 3)
    events = audit.list_events(session, limit=10).items
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == GENESIS_HASH
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert audit.head(session).hash == events[2].hash


def test_event_carries_actor_role_request_id_and_state(session: Session, actor: Principal) -> None:
    audit.record(session, actor=actor, action="create", entity_type="thing", entity_id="x1", state={"k": "v"})
    (event,) = audit.list_events(session).items
    assert (event.actor, event.role, event.request_id) == (actor.name, "admin", actor.request_id)
    assert (event.action, event.entity_type, event.entity_id, event.state) == ("create", "thing", "x1", {"k": "v"})


def test_untouched_chain_verifies(session: Session, actor: Principal) -> None:
    _append(session, actor, 25)
    result = audit.verify(session, batch_size=7)
    assert result.ok and result.checked == 25 and result.head.seq == 25


def test_empty_chain_verifies(session: Session) -> None:
    result = audit.verify(session)
    assert result.ok and result.checked == 0 and result.head.hash == GENESIS_HASH


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor", "mallory"),
        ("role", "regulator"),
        ("request_id", "forged"),
        ("action", "delete"),
        ("entity_type", "other"),
        ("entity_id", "999"),
        ("state", '{"n":42}'),
        ("prev_hash", "1" * 64),
        ("hash", "2" * 64),
        ("occurred_at", None),
    ],
)
def test_tampering_with_any_field_breaks_verification_at_that_event(
    engine: Engine, actor: Principal, column: str, value: str | None
) -> None:
    with write_session(engine) as s:
        _append(s, actor, 6)
    with engine.begin() as conn:
        if column == "occurred_at":
            conn.execute(
                update(AuditEvent.__table__).where(AuditEvent.__table__.c.seq == 4),  # type: ignore[attr-defined]
                {"occurred_at": datetime(2020, 1, 1, tzinfo=UTC)},
            )
        else:
            conn.execute(text(f"UPDATE audit_event SET {column} = :v WHERE seq = 4"), {"v": value})
    with read_session(engine) as s:
        result = audit.verify(s)
    assert not result.ok
    assert result.first_bad_seq == 4
    assert result.checked == 3


def test_deleted_event_is_reported_as_a_gap(engine: Engine, actor: Principal) -> None:
    with write_session(engine) as s:
        _append(s, actor, 5)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE seq = 3"))
    with read_session(engine) as s:
        result = audit.verify(s)
    assert not result.ok and result.first_bad_seq == 3 and "gap" in (result.problem or "")


def test_bulk_append_continues_the_chain(session: Session, actor: Principal) -> None:
    _append(session, actor, 2)
    pending = (audit.PendingEvent("create", "bulk", str(i), {"i": i}) for i in range(12_000))
    assert audit.record_many(session, actor=actor, events=pending) == 12_000
    assert audit.head(session).seq == 12_002
    assert audit.verify(session).ok


def test_bulk_bodies_are_the_hand_written_body_for_tricky_text(session: Session, actor: Principal) -> None:
    # record_many splices the batch's shared parts (actor, role, request id, instant) once; every event's hash
    # must still be sha256(prev_hash + body_text(...)), whatever the text.
    tricky = Principal(name='김 "관리자" \\ \n', role=Role.staff, request_id="req-\t-\u2028-\x01-é")
    states: list[dict[str, object] | str | bytes] = [
        {"note": '한국어 "따옴표" \\ \n\r\t\x00\x1f \u2028', "big": 2**70, "neg": -(2**63), "none": None, "on": True},
        canonical.dumps({"already": "text", "수": 1}),
        {},
        # UTF-8 bytes (what imports hand in): hashed as they are, stored as the same text.
        canonical.flat_bytes({"note": '한국어 "따옴표" \\ \n\x00\x7f \u2028 😀', "n": -(2**63), "on": False}),
    ]
    pending = [
        audit.PendingEvent(action, entity, entity_id, state)
        for action, entity, entity_id, state in zip(
            ["create", 'up"date', "삭제", "update"],
            ["femto\\cell", "장비", "x\ny", "femtocell"],
            ["1", '"2"', "세 번째", "4"],
            states,
            strict=True,
        )
    ]
    first = audit.head(session).seq
    assert audit.record_many(session, actor=tricky, events=pending) == 4
    rows = session.execute(
        text(
            "SELECT seq, occurred_at, state, prev_hash, hash, length(state) AS chars FROM audit_event "
            "WHERE seq > :s ORDER BY seq"
        ),
        {"s": first},
    ).all()
    public = audit.list_events(session, actor=tricky.name).items
    texts = [s.decode() if isinstance(s, bytes) else s if isinstance(s, str) else canonical.dumps(s) for s in states]
    assert [e.state for e in public] == [json.loads(t) for t in texts]
    if session.get_bind().dialect.name == "sqlite":
        types = session.execute(text("SELECT typeof(state) FROM audit_event WHERE seq > :s"), {"s": first}).scalars()
        assert set(types) == {"text"}
    for row, event, state_text in zip(rows, public, texts, strict=True):
        assert row.state == state_text and row.chars == len(state_text)
        body = audit.body_text(
            seq=row.seq,
            occurred_at=canonical.isoformat_utc(event.occurred_at),
            actor=tricky.name,
            role=str(tricky.role),
            request_id=tricky.request_id,
            action=event.action,
            entity_type=event.entity_type,
            entity_id=event.entity_id,
            state_text=row.state,
            prev_hash=row.prev_hash,
        )
        assert row.hash == audit.chain_hash(row.prev_hash, body)
    assert audit.verify(session).ok


def test_bulk_bytes_states_are_stored_as_the_same_text_in_a_utf16_database(tmp_path: Path, actor: Principal) -> None:
    # SQLite reads a CAST blob in the database's encoding: a UTF-16 database gets the state decoded in Python.
    path = tmp_path / "utf16.db"
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA encoding = 'UTF-16le'")
        raw.execute("CREATE TABLE fix_the_encoding (x)")
    engine = make_engine(f"sqlite:///{path}")
    metadata.create_all(engine)
    state = {"note": "한국어 \u2028 😀", "n": 1}
    with write_session(engine) as s:
        audit.record_many(
            s,
            actor=actor,
            events=[
                audit.PendingEvent("create", "thing", "1", canonical.flat_bytes(state)),
                audit.PendingEvent("create", "thing", "2", canonical.dumps(state)),
            ],
        )
    with read_session(engine) as s:
        assert s.execute(text("PRAGMA encoding")).scalar() == "UTF-16le"
        stored = s.execute(text("SELECT state, typeof(state) FROM audit_event ORDER BY seq")).all()
        assert [tuple(r) for r in stored] == [(canonical.dumps(state), "text")] * 2
        assert audit.verify(s).ok
    engine.dispose()


def test_rolled_back_change_leaves_no_event(engine: Engine, actor: Principal) -> None:
    with pytest.raises(RuntimeError), write_session(engine) as s:
        _append(s, actor, 1)
        raise RuntimeError("the change failed")
    with read_session(engine) as s:
        assert audit.count_events(s) == 0


def test_history_lists_one_entity_oldest_first(session: Session, actor: Principal) -> None:
    for version in (1, 2, 3):
        audit.record(session, actor=actor, action="update", entity_type="thing", entity_id=5, state={"v": version})
    audit.record(session, actor=actor, action="update", entity_type="thing", entity_id=6, state={"v": 9})
    assert [e.state["v"] for e in audit.history(session, entity_type="thing", entity_id=5)] == [1, 2, 3]


def test_history_of_unknown_entity_is_not_found(session: Session) -> None:
    from tracker.errors import NotFound

    with pytest.raises(NotFound):
        audit.history(session, entity_type="thing", entity_id=404)


def test_state_as_of_returns_newest_event_at_or_before_the_instant(session: Session, actor: Principal) -> None:
    audit.record(session, actor=actor, action="create", entity_type="thing", entity_id=1, state={"v": 1})
    audit.record(session, actor=actor, action="create", entity_type="thing", entity_id=2, state={"v": 1})
    middle = audit.list_events(session).items[-1].occurred_at
    audit.record(session, actor=actor, action="update", entity_type="thing", entity_id=1, state={"v": 2})
    audit.record(session, actor=actor, action="delete", entity_type="thing", entity_id=2, state={"v": 1})
    # Same-microsecond events are possible; compare by what the chain says, not by wall-clock assumptions.
    events = audit.list_events(session).items
    later = events[-1].occurred_at
    assert dict(audit.states_as_of(session, entity_type="thing", as_of=later)) == {"1": {"v": 2}}
    if events[2].occurred_at > middle:
        assert dict(audit.states_as_of(session, entity_type="thing", as_of=middle)) == {"1": {"v": 1}, "2": {"v": 1}}


def test_list_events_paginates_without_gaps_or_repeats(session: Session, actor: Principal) -> None:
    _append(session, actor, 23)
    seen: list[int] = []
    cursor = None
    while True:
        page = audit.list_events(session, cursor=cursor, limit=5)
        seen.extend(e.seq for e in page.items)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == list(range(1, 24))


def test_events_are_stored_as_canonical_json(session: Session, actor: Principal) -> None:
    audit.record(session, actor=actor, action="create", entity_type="thing", entity_id=1, state={"b": 1, "a": "가"})
    stored = session.execute(text("SELECT state FROM audit_event")).scalar_one()
    assert stored == '{"a":"가","b":1}'
    assert json.loads(stored) == {"a": "가", "b": 1}


def test_concurrent_writers_leave_one_unbroken_chain(file_engine: Engine) -> None:
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                with write_session(file_engine) as s:
                    audit.record(
                        s,
                        actor=Principal(name=f"w{n}", role=Role.staff),
                        action="update",
                        entity_type="thing",
                        entity_id=f"{n}-{i}",
                        state={"i": i},
                    )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with read_session(file_engine) as s:
        result = audit.verify(s)
        assert result.ok and result.checked == 8 * 15


@given(
    text_fields=st.lists(st.text(), min_size=8, max_size=8),
    seq=st.integers(min_value=1, max_value=2**53),
    state=st.dictionaries(st.text(), st.one_of(st.none(), st.booleans(), st.integers(), st.text()), max_size=5),
)
def test_hand_written_body_is_canonical_json_for_any_text(text_fields: list[str], seq: int, state: dict) -> None:  # type: ignore[type-arg]
    names = ["occurred_at", "actor", "role", "request_id", "action", "entity_type", "entity_id", "prev_hash"]
    fields = dict(zip(names, text_fields, strict=True))
    body = audit.body_text(seq=seq, state_text=canonical.dumps(state), **fields)
    assert body == canonical.dumps({**fields, "seq": seq, "state": state})
