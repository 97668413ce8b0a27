"""Bulk import: created/updated/unchanged, every bad line reported, all-or-nothing, dry runs, audit in bulk."""

from __future__ import annotations

import io
import json
import multiprocessing
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from inventory import imports
from inventory.equipment import service as equipment_service
from inventory.equipment.models import Equipment
from inventory.femtocells import service
from inventory.femtocells.models import Femtocell
from inventory.fields import INSTANT_MESSAGE
from inventory.imports import ImportFormat
from tests.inventory.factories import csv_bytes, equipment_data, femtocell_data, jsonl_bytes, make_femtocell
from tracker import canonical
from tracker.audit import service as audit
from tracker.auth.models import Principal
from tracker.errors import Invalid
from tracker.runtime import long_lived_objects_frozen

# Every import test runs twice: reading in this process, and reading in a second one (`imports.ValidatedBatches`,
# which large files get); the outcome (counts, records, audit events, every reported problem) must be the same.
_read_aside = False


@pytest.fixture(autouse=True, params=["in-process", "read-aside"])
def reading(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    global _read_aside
    _read_aside = request.param == "read-aside"
    if _read_aside:
        monkeypatch.setattr(imports, "READ_ASIDE_MIN_BYTES", 0)
        monkeypatch.setattr(imports, "_other_threads", lambda: False)
    yield request.param
    _read_aside = False


def run(session: Session, actor: Principal, data: bytes, fmt: ImportFormat = ImportFormat.csv, **kw: Any) -> Any:
    if not _read_aside:
        return service.import_file(session=session, stream=io.BytesIO(data), fmt=fmt, actor=actor, **kw)
    with tempfile.TemporaryFile() as stream:
        stream.write(data)
        stream.seek(0)
        assert imports.read_aside(stream)
        result = service.import_file(session=session, stream=stream, fmt=fmt, actor=actor, **kw)
    assert not multiprocessing.active_children()  # the reader is reaped
    return result


def snapshot(session: Session) -> tuple[int, Any]:
    """What an all-or-nothing failure must leave untouched: the rows and the audit chain head."""
    return session.scalar(select(func.count()).select_from(Femtocell)) or 0, audit.head(session)


def refused(session: Session, actor: Principal, data: bytes, fmt: ImportFormat = ImportFormat.csv) -> Invalid:
    before = snapshot(session)
    with pytest.raises(Invalid) as info:
        run(session, actor, data, fmt)
    assert snapshot(session) == before
    return info.value


def problems(error: Invalid) -> list[tuple[int | None, str | None]]:
    return [(e.line, e.field) for e in error.errors]


# --- what a good file does ---------------------------------------------------------------------------------------


def test_import_creates_then_updates_then_leaves_unchanged_rows_alone(session: Session, actor: Principal) -> None:
    rows = [femtocell_data() for _ in range(5)]
    assert run(session, actor, csv_bytes(rows)).model_dump() == {
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "dry_run": False,
    }
    rows[1]["firmware"] = "9.9.9"
    rows[3]["status"] = "active"
    again = run(session, actor, csv_bytes(rows))
    assert (again.created, again.updated, again.unchanged) == (0, 2, 3)
    stored = session.scalars(select(Femtocell).where(Femtocell.serial == rows[1]["serial"])).one()
    assert stored.firmware == "9.9.9" and stored.version == 2


def test_csv_with_bom_and_jsonl_give_the_same_records(session: Session, actor: Principal) -> None:
    rows = [femtocell_data(), femtocell_data()]
    assert run(session, actor, csv_bytes(rows, bom=True)).created == 2
    assert run(session, actor, jsonl_bytes(rows), ImportFormat.jsonl).unchanged == 2


def test_one_audit_event_per_changed_record_with_the_full_state(session: Session, actor: Principal) -> None:
    rows = [femtocell_data(status="active", last_source_ip="10.16.0.9"), femtocell_data()]
    before = audit.head(session).seq
    run(session, actor, csv_bytes(rows))
    rows[0]["note"] = "changed"
    run(session, actor, csv_bytes(rows))
    events = audit.list_events(session, entity_type="femtocell", limit=100).items
    assert [e.seq for e in events] == list(range(before + 1, before + 4))
    assert [e.action for e in events] == ["create", "create", "update"]
    for event in events:
        record = session.get(Femtocell, int(event.entity_id))
        assert record is not None
        if event.state["version"] == record.version:
            # The bulk path writes exactly the state the single-record path would.
            assert event.state == audit.state_of(record)
    assert events[0].state["last_source_ip_v4"] == (10 << 24) + (16 << 16) + 9
    assert events[0].state["activated_at"] is not None


def test_import_applies_the_lifecycle_defaults_of_the_api(session: Session, actor: Principal) -> None:
    run(session, actor, csv_bytes([femtocell_data(serial="D-1", status="decommissioned")]))
    record = session.scalars(select(Femtocell).where(Femtocell.serial == "D-1")).one()
    assert record.cert_revocation_required is True and record.decommissioned_at is not None


def test_a_column_left_out_keeps_its_value_and_an_empty_cell_clears_it(session: Session, actor: Principal) -> None:
    row = femtocell_data(note="keep me", segw="segw-busan-02", status="active")
    run(session, actor, csv_bytes([row]))
    without_note = [c for c in row if c != "note"]
    changed = dict(row, segw=None, status=None)
    result = run(session, actor, csv_bytes([changed], without_note))
    assert result.updated == 1
    record = session.scalars(select(Femtocell).where(Femtocell.serial == row["serial"])).one()
    assert record.note == "keep me" and record.segw is None
    assert record.status == "active"  # an empty status cell means "leave as is"


def test_a_quoted_field_may_span_lines_and_later_lines_keep_their_numbers(session: Session, actor: Principal) -> None:
    rows = [femtocell_data(note="first line\nsecond line"), femtocell_data(cert_fingerprint="bad")]
    error = refused(session, actor, csv_bytes(rows))
    assert problems(error) == [(4, "cert_fingerprint")]
    assert run(session, actor, csv_bytes(rows[:1])).created == 1


def test_dry_run_reports_the_counts_and_writes_nothing(session: Session, actor: Principal) -> None:
    existing = femtocell_data()
    run(session, actor, csv_bytes([existing]))
    before = snapshot(session)
    result = run(session, actor, csv_bytes([dict(existing, firmware="4.0"), femtocell_data()]), dry_run=True)
    assert (result.created, result.updated, result.unchanged, result.dry_run) == (1, 1, 0, True)
    assert snapshot(session) == before


def test_equipment_imports_by_asset_tag(session: Session, actor: Principal) -> None:
    rows = [equipment_data(holds_personal_data="yes"), equipment_data(status="replacing", replacement_wave="W2")]
    result = equipment_service.import_file(
        session=session, stream=io.BytesIO(csv_bytes(rows)), fmt=ImportFormat.csv, actor=actor
    )
    assert result.created == 2
    items = session.scalars(select(Equipment).order_by(Equipment.asset_tag)).all()  # type: ignore[arg-type]
    assert items[0].holds_personal_data is True and items[1].replacement_wave == "W2"


# --- what a bad file gets ----------------------------------------------------------------------------------------


def test_every_bad_line_is_reported_and_nothing_is_written(session: Session, actor: Principal) -> None:
    good = femtocell_data()
    rows = [
        good,  # line 2
        femtocell_data(installed_at="yesterday"),  # line 3: wrong type
        femtocell_data(status="stolen"),  # line 4: unknown status
        femtocell_data(serial=good["serial"]),  # line 5: duplicate serial of line 2
        femtocell_data(last_source_ip="10.0.0.999", site_type="garage"),  # line 6: two bad fields
        femtocell_data(),  # line 7: fine
    ]
    data = csv_bytes(rows).replace(b"\n" + rows[5]["serial"].encode(), b"\n\xff\xfe" + rows[5]["serial"].encode())
    error = refused(session, actor, data)
    assert problems(error) == [
        (3, "installed_at"),
        (4, "status"),
        (5, "serial"),
        (6, "last_source_ip"),
        (6, "site_type"),
        (7, None),
    ]
    by_line = {(e.line, e.field): e.message for e in error.errors}
    assert "also appears on line 2" in by_line[(5, "serial")]
    assert "'registered', 'active'" in by_line[(4, "status")]
    assert "UTF-8" in by_line[(7, None)]
    assert error.message.startswith("The import was refused and nothing was written: 6 problems")


def test_a_missing_required_column_names_the_column_on_line_1(session: Session, actor: Principal) -> None:
    rows = [femtocell_data()]
    columns = [c for c in rows[0] if c != "cert_not_after"]
    error = refused(session, actor, csv_bytes(rows, columns))
    assert problems(error) == [(1, "cert_not_after")]
    assert "Required column 'cert_not_after' is missing" in error.message


def test_unknown_and_repeated_columns_are_refused(session: Session, actor: Principal) -> None:
    data = b"serial,serial,colour\nA,B,red\n"
    error = refused(session, actor, data)
    fields = {e.field for e in error.errors}
    assert {"serial", "colour", "cell_id"} <= fields


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"\xef\xbb\xbf", "The file is empty"),
        (b"\n\n", "Line 1 must be the header"),
        (csv_bytes([femtocell_data()]).split(b"\n")[0] + b"\n", "header but no rows"),
    ],
    ids=["empty", "bom-only", "blank-lines", "header-only"],
)
def test_an_empty_file_is_a_clear_error(session: Session, actor: Principal, data: bytes, message: str) -> None:
    assert message in refused(session, actor, data).message


def test_an_empty_jsonl_file_is_a_clear_error(session: Session, actor: Principal) -> None:
    assert "The file is empty" in refused(session, actor, b"", ImportFormat.jsonl).message


def test_a_50_mb_line_is_reported_by_number_without_stopping_the_check(session: Session, actor: Principal) -> None:
    rows = [femtocell_data(), femtocell_data(), femtocell_data(cert_fingerprint="short")]
    header, first, second, third, _ = csv_bytes(rows).split(b"\n")
    data = b"\n".join([header, first, b"x" * (50 * 1024 * 1024), second, third]) + b"\n"
    error = refused(session, actor, data)
    assert problems(error) == [(3, None), (5, "cert_fingerprint")]
    assert "longer than 1,048,576 bytes" in error.errors[0].message


def test_a_50_mb_line_at_the_end_without_newline_is_reported(session: Session, actor: Principal) -> None:
    data = csv_bytes([femtocell_data()]) + b"y" * (50 * 1024 * 1024)
    assert problems(refused(session, actor, data)) == [(3, None)]


def test_nul_bytes_and_malformed_quotes_name_their_lines(session: Session, actor: Principal) -> None:
    rows = [femtocell_data(), femtocell_data()]
    header, first, second, _ = csv_bytes(rows).split(b"\n")
    data = b"\n".join([header, first.replace(b"Hanbit", b"Han\x00bit"), second + b',"oops']) + b"\n"
    error = refused(session, actor, data)
    assert [e.line for e in error.errors] == [2, 3]


def test_a_row_with_the_wrong_number_of_fields_is_reported(session: Session, actor: Principal) -> None:
    data = csv_bytes([femtocell_data()]) + b"only,three,fields\n"
    error = refused(session, actor, data)
    assert problems(error) == [(3, None)]
    assert "has 3 fields" in error.errors[0].message


def test_jsonl_problems_name_their_lines(session: Session, actor: Principal) -> None:
    lines = [
        json.dumps(femtocell_data()),
        "{not json",
        "[1, 2]",
        json.dumps(dict(femtocell_data(), colour="red")),
        json.dumps({k: v for k, v in femtocell_data().items() if k != "vendor"}),
        json.dumps(dict(femtocell_data(), serial=12345)),
    ]
    error = refused(session, actor, ("\n".join(lines) + "\n").encode(), ImportFormat.jsonl)
    assert problems(error) == [(2, None), (3, None), (4, "colour"), (5, "vendor"), (6, "serial")]
    assert error.errors[3].message == "vendor is required."


def test_an_empty_required_cell_says_it_is_required(session: Session, actor: Principal) -> None:
    error = refused(session, actor, csv_bytes([femtocell_data(vendor=None)]))
    assert error.errors[0].message == "vendor is required and may not be empty."


def test_errors_are_capped_but_all_counted(session: Session, actor: Principal) -> None:
    rows = [femtocell_data(cert_fingerprint="bad") for _ in range(150)]
    error = refused(session, actor, csv_bytes(rows))
    assert len(error.errors) == imports.MAX_REPORTED_ERRORS == 100
    assert "150 problems found; the first 100 are listed" in error.message
    assert [e.line for e in error.errors] == list(range(2, 102))


def test_duplicates_are_found_across_batches(
    session: Session, actor: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "BATCH_ROWS", 3)
    rows = [femtocell_data() for _ in range(8)]
    rows.append(dict(femtocell_data(), serial=rows[1]["serial"]))  # line 10 repeats line 3's serial
    rows.append(dict(femtocell_data(), cell_id=rows[2]["cell_id"]))  # line 11 repeats line 4's cell id
    error = refused(session, actor, csv_bytes(rows))
    assert problems(error) == [(10, "serial"), (11, "cell_id")]
    assert "also appears on line 3" in error.errors[0].message
    assert "also appears on line 4" in error.errors[1].message


def test_a_repeated_key_of_an_existing_unit_is_a_duplicate_even_when_unchanged(
    session: Session, actor: Principal
) -> None:
    row = femtocell_data()
    run(session, actor, csv_bytes([row]))
    error = refused(session, actor, csv_bytes([row, row]))
    assert problems(error) == [(3, "cell_id"), (3, "serial")]


def test_a_cell_id_held_by_another_unit_names_that_unit(session: Session, actor: Principal) -> None:
    holder = make_femtocell(session, actor)
    error = refused(session, actor, csv_bytes([femtocell_data(cell_id=holder.cell_id)]))
    assert problems(error) == [(2, "cell_id")]
    assert f"already belongs to femtocell serial '{holder.serial}'" in error.errors[0].message


def test_an_illegal_status_change_in_a_file_is_refused_with_its_line(session: Session, actor: Principal) -> None:
    row = femtocell_data(status="decommissioned")
    run(session, actor, csv_bytes([row]))
    error = refused(session, actor, csv_bytes([femtocell_data(), dict(row, status="active")]))
    assert problems(error) == [(3, "status")]
    assert "allowed next states: none" in error.errors[0].message


def test_a_certificate_ending_before_it_starts_is_refused(session: Session, actor: Principal) -> None:
    row = femtocell_data(cert_not_before="2026-05-01", cert_not_after="2026-04-01")
    assert problems(refused(session, actor, csv_bytes([row]))) == [(2, "cert_not_after")]


# --- the fast paths agree with the slow ones ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2026-01-31",
        "2026-01-31T09:00",
        "2026-01-31T09:00:00",
        "2026-01-31T09:00:00Z",
        "2026-01-31T09:00:00.5+09:00",
        "2026-01-31 09:00:00-05:00",
        "2026-01-31T00:00:00.123456Z",
    ],
)
def test_the_import_reads_instants_as_the_api_does(text: str) -> None:
    from pydantic import TypeAdapter

    from inventory.fields import Instant, instant_text

    assert instant_text(text) == canonical.isoformat_utc(TypeAdapter(Instant).validate_python(text))


@pytest.mark.parametrize("text", ["2020", "1700000000", "31/01/2026", "2026-02-30", "2026-W01-1", ""])
def test_the_import_refuses_what_is_not_an_iso_instant(text: str) -> None:
    from inventory.fields import instant_text

    with pytest.raises(ValueError, match="ISO 8601"):
        instant_text(text)


def test_a_large_import_refreshes_the_planner_statistics(
    session: Session, actor: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "ANALYZE_AFTER_ROWS", 3)
    run(session, actor, csv_bytes([femtocell_data() for _ in range(3)]))
    if session.get_bind().dialect.name == "sqlite":
        stats = session.connection().exec_driver_sql("SELECT idx FROM sqlite_stat1 WHERE tbl = 'femtocell'").all()
        assert {"ix_femtocell_status_id", "ix_femtocell_cert_not_after_id"} <= {row[0] for row in stats}


# --- the per-column conversion cache -------------------------------------------------------------------------------


def test_a_bad_instant_is_reported_on_every_line_that_carries_it(session: Session, actor: Principal) -> None:
    # The first line's good value is remembered; the bad value after it, and again later, is not taken from memory.
    rows = [
        femtocell_data(cert_not_before="2026-10-01T00:00:00Z"),
        femtocell_data(cert_not_before="2026-10-01T00:00:00"),  # same day, naive: a different text, read as Seoul
        femtocell_data(cert_not_before="2026-02-30T00:00:00Z"),
        femtocell_data(cert_not_before="2026-10-01T00:00:00Z"),
        femtocell_data(cert_not_before="2026-02-30T00:00:00Z"),
        femtocell_data(installed_at="2025-02-30"),
        femtocell_data(installed_at="2025-02-28"),
        femtocell_data(installed_at="2025-02-30"),
    ]
    error = refused(session, actor, csv_bytes(rows))
    assert problems(error) == [(4, "cert_not_before"), (6, "cert_not_before"), (7, "installed_at"), (9, "installed_at")]
    assert {e.message for e in error.errors[:2]} == {INSTANT_MESSAGE}


def test_cached_conversions_equal_fresh_ones_also_after_the_cache_fills() -> None:
    from inventory.fields import instant_text

    convert = imports.cached_conversion(instant_text, limit=3)
    texts = ["2026-01-31", "2026-01-31T09:00:00+09:00", " 2026-01-31T00:00:00Z ", "2026-01-31T00:00:00.5Z"] * 3
    assert [convert(t) for t in texts] == [instant_text(t) for t in texts]
    for _ in range(2):  # a bad text raises every time, also once its good neighbours are remembered
        with pytest.raises(ValueError, match="ISO 8601"):
            convert("2026-13-01")


def test_a_batch_is_validated_as_its_rows_are_one_by_one() -> None:
    validator = imports.RowValidator(service.IMPORT_SPEC.create_model)
    rows = [femtocell_data(vendor=" Hanbit ", cert_not_after="2026-10-31T09:00:00+09:00") for _ in range(3)]
    assert validator.validate_many([dict(r) for r in rows]) == [validator.validate(dict(r)) for r in rows]
    with pytest.raises(imports.ValidationError):
        validator.validate_many([*rows, femtocell_data(cert_not_after="2020")])


def test_one_bad_row_in_a_batch_leaves_the_others_checked(
    session: Session, actor: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The batch falls back to row-by-row validation: the bad row's line, and the later duplicate, are both found.
    monkeypatch.setattr(imports, "BATCH_ROWS", 4)
    rows = [femtocell_data() for _ in range(6)]
    rows[1] = dict(rows[1], installed_at="someday")
    rows[5] = dict(rows[5], serial=rows[0]["serial"])
    assert problems(refused(session, actor, csv_bytes(rows))) == [(3, "installed_at"), (7, "serial")]


def test_the_collector_gets_the_frozen_objects_back_after_an_import_good_or_bad(
    session: Session, actor: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    seen: list[tuple[int, int]] = []
    run_rows = imports.Upserter.run
    threshold = gc.get_threshold()

    def counting(self: imports.Upserter, rows: Any) -> Any:
        seen.append((gc.get_freeze_count(), gc.get_threshold()[0]))
        return run_rows(self, rows)

    monkeypatch.setattr(imports.Upserter, "run", counting)
    run(session, actor, csv_bytes([femtocell_data()]))
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == threshold
    refused(session, actor, csv_bytes([femtocell_data(installed_at="someday")]))
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == threshold
    assert len(seen) == 2 and all(n > 0 for n, _ in seen)  # frozen while the rows were processed
    # The young generation is collected less often meanwhile, and its threshold is given back afterwards.
    assert all(t == max(imports.IMPORT_GC_THRESHOLD, threshold[0]) for _, t in seen)


def test_concurrent_imports_give_the_collector_its_threshold_back_when_the_last_one_ends() -> None:
    import gc

    threshold = gc.get_threshold()
    outer = long_lived_objects_frozen(young_threshold=imports.IMPORT_GC_THRESHOLD)
    inner = long_lived_objects_frozen(young_threshold=imports.IMPORT_GC_THRESHOLD)
    outer.__enter__()
    inner.__enter__()
    outer.__exit__(None, None, None)  # the first one out (another thread's import) leaves it raised
    assert gc.get_threshold()[0] == max(imports.IMPORT_GC_THRESHOLD, threshold[0])
    inner.__exit__(None, None, None)
    assert gc.get_threshold() == threshold
