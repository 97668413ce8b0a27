"""Access events: pseudonymized on ingestion, one audited batch with a verifiable digest, all-or-nothing."""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlmodel import Session

from inventory.access_events import service
from inventory.access_events.models import AccessEvent, AccessEventBatch, AccessEventFilter
from inventory.imports import ImportFormat
from tests.inventory.factories import access_event, csv_bytes, jsonl_bytes
from tracker import canonical
from tracker.audit import service as audit
from tracker.auth.models import Principal
from tracker.errors import Invalid

KEY = b"test-pseudonym-key"  # SECTRACK_PSEUDONYM_KEY in tests/conftest.py


def ingest(session: Session, actor: Principal, data: bytes, fmt: ImportFormat = ImportFormat.csv, **kw: object):  # type: ignore[no-untyped-def]
    return service.ingest_stream(
        session=session,
        stream=io.BytesIO(data),
        fmt=fmt,
        source="test.csv",
        actor=actor,
        **kw,  # type: ignore[arg-type]
    )


def test_subscriber_ids_are_stored_only_as_hmac_pseudonyms(session: Session, actor: Principal) -> None:
    ingest(session, actor, csv_bytes([access_event(subscriber_id=" 450081234567890 ")]))
    stored = session.scalars(select(AccessEvent)).one()
    expected = hmac.new(KEY, b"450081234567890", hashlib.sha256).hexdigest()
    assert stored.subscriber_pseudonym == expected
    assert stored.source_ip_v4 == (10 << 24) + (16 << 16) + 5
    assert stored.occurred_at == datetime(2026, 11, 1, 0, 0, tzinfo=UTC)


def test_one_batch_row_and_one_audit_event_per_ingestion(session: Session, actor: Principal) -> None:
    before = audit.head(session).seq
    events = [access_event(occurred_at=f"2026-11-0{d}T00:00:00Z") for d in (3, 1, 2)]
    result = ingest(session, actor, jsonl_bytes(events), ImportFormat.jsonl)
    assert result.count == 3
    assert result.first_occurred_at == datetime(2026, 11, 1, tzinfo=UTC)
    assert result.last_occurred_at == datetime(2026, 11, 3, tzinfo=UTC)
    logged = audit.list_events(session, limit=10).items
    assert [(e.seq, e.entity_type, e.action) for e in logged] == [(before + 1, "access_event_batch", "create")]
    assert logged[0].state["digest"] == result.digest and logged[0].state["count"] == 3
    assert logged[0].state["source"] == "test.csv"


def test_the_digest_is_recomputable_from_the_stored_rows(session: Session, actor: Principal) -> None:
    events = [access_event(cell_id=f"45008-00000{i}", result="rejected" if i % 2 else "accepted") for i in range(5)]
    result = ingest(session, actor, csv_bytes(events))
    assert result.batch_id is not None
    assert service.batch_digest(service.stored_lines(session, result.batch_id)) == result.digest
    # The digest is defined on canonical JSON lines of five fields, in insertion order.
    pseudonym = service.pseudonymizer(KEY)
    lines = [
        canonical.dumps(
            {
                "cell_id": e["cell_id"],
                "occurred_at": "2026-11-01T00:00:00.000000Z",
                "result": e["result"],
                "source_ip": e["source_ip"],
                "subscriber_pseudonym": pseudonym(e["subscriber_id"]),
            }
        )
        + "\n"
        for e in events
    ]
    assert hashlib.sha256("".join(lines).encode()).hexdigest() == result.digest


def test_a_changed_stored_event_no_longer_matches_the_digest(session: Session, actor: Principal) -> None:
    result = ingest(session, actor, csv_bytes([access_event(), access_event(result="rejected")]))
    session.execute(text("UPDATE access_event SET result = 'accepted'"))
    assert service.batch_digest(service.stored_lines(session, result.batch_id or 0)) != result.digest


def test_a_bad_event_refuses_the_whole_batch_naming_every_line(session: Session, actor: Principal) -> None:
    rows = [
        access_event(),
        access_event(result="maybe"),
        access_event(source_ip="999.1.1.1"),
        access_event(subscriber_id=""),
        access_event(occurred_at="yesterday"),
    ]
    before = audit.head(session)
    with pytest.raises(Invalid) as info:
        ingest(session, actor, csv_bytes(rows))
    assert [(e.line, e.field) for e in info.value.errors] == [
        (3, "result"),
        (4, "source_ip"),
        (5, "subscriber_id"),
        (6, "occurred_at"),
    ]
    assert session.scalar(select(func.count()).select_from(AccessEvent)) == 0
    assert session.scalar(select(func.count()).select_from(AccessEventBatch)) == 0
    assert audit.head(session) == before


def test_errors_never_echo_a_subscriber_id(session: Session, actor: Principal) -> None:
    secret = "45008" + "9" * 70  # too long: refused, and must not appear in the error
    weird = "4500 8123"  # a space inside: refused by the pattern
    with pytest.raises(Invalid) as info:
        ingest(session, actor, csv_bytes([access_event(subscriber_id=secret), access_event(subscriber_id=weird)]))
    dumped = str(info.value.as_dict()) + info.value.message
    assert secret not in dumped and weird not in dumped and "45008" not in dumped


def test_an_empty_batch_is_refused(session: Session, actor: Principal) -> None:
    header_only = csv_bytes([access_event()]).split(b"\n")[0] + b"\n"
    with pytest.raises(Invalid, match="header but no rows"):
        ingest(session, actor, header_only)
    with pytest.raises(Invalid, match="no events"):
        service.ingest_json_array(session=session, items=[], source="api", actor=actor)


def test_a_json_array_is_ingested_and_its_elements_numbered(session: Session, actor: Principal) -> None:
    result = service.ingest_json_array(
        session=session, items=[access_event(), access_event()], source="api", actor=actor
    )
    assert result.count == 2
    with pytest.raises(Invalid) as info:
        service.ingest_json_array(
            session=session,
            items=[access_event(), "not an object", dict(access_event(), extra=1)],
            source="api",
            actor=actor,
        )
    assert [(e.line, e.field) for e in info.value.errors] == [(2, None), (3, "extra")]
    with pytest.raises(Invalid, match="JSON array"):
        service.ingest_json_array(session=session, items={"cell_id": "x"}, source="api", actor=actor)


def test_dry_run_validates_and_writes_nothing(session: Session, actor: Principal) -> None:
    result = ingest(session, actor, csv_bytes([access_event()]), dry_run=True)
    assert result.dry_run and result.count == 1 and result.batch_id is None
    assert session.scalar(select(func.count()).select_from(AccessEvent)) == 0


def test_ingestion_logs_carry_no_subscriber_id(
    session: Session, actor: Principal, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ingest(session, actor, csv_bytes([access_event(subscriber_id="450087777777777")]))
    assert "450087777777777" not in caplog.text


def test_events_list_by_cell_result_batch_and_time(session: Session, actor: Principal) -> None:
    first = ingest(session, actor, csv_bytes([access_event(cell_id="C-1"), access_event(cell_id="C-2")]))
    ingest(
        session,
        actor,
        csv_bytes([access_event(cell_id="C-1", result="rejected", occurred_at="2026-12-01T00:00:00Z")]),
    )

    def cells(**filters: object) -> list[tuple[str, str]]:
        page = service.list_events(session=session, filters=AccessEventFilter.model_validate(filters))
        return [(e.cell_id, str(e.result)) for e in page.items]

    assert cells(cell_id="C-1") == [("C-1", "accepted"), ("C-1", "rejected")]
    assert cells(result="rejected") == [("C-1", "rejected")]
    assert cells(batch_id=first.batch_id) == [("C-1", "accepted"), ("C-2", "accepted")]
    assert cells(since="2026-11-15T00:00:00Z") == [("C-1", "rejected")]
    assert cells(until="2026-11-15T00:00:00Z") == [("C-1", "accepted"), ("C-2", "accepted")]
    batches = service.list_batches(session=session).items
    assert [b.count for b in batches] == [2, 1]


def test_the_key_is_the_one_beside_the_database_being_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker import migrate
    from tracker.db import make_engine, write_session
    from tracker.settings import get_settings

    monkeypatch.delenv("SECTRACK_PSEUDONYM_KEY")
    get_settings.cache_clear()
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "pseudonym.key").write_text("key-beside-the-demo-database\n")
    engine = make_engine(f"sqlite:///{tmp_path / 'demo' / 'sectrack.db'}")
    migrate.upgrade(engine)
    with write_session(engine) as session:
        service.ingest_json_array(
            session=session, items=[access_event(subscriber_id="450081")], source="api", actor=Principal.system("t")
        )
        stored = session.scalars(select(AccessEvent)).one().subscriber_pseudonym
    assert stored == hmac.new(b"key-beside-the-demo-database", b"450081", hashlib.sha256).hexdigest()
    engine.dispose()
