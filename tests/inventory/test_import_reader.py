"""Reading large files in a second process (`imports.ValidatedBatches`): the same outcome, failures handled.

Every test in test_imports.py also runs through the second process (its `reading` fixture); these compare the two
paths directly on files with every kind of problem, and break the reader and the importer on purpose.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from inventory import cli, imports
from inventory.imports import ImportFormat
from tests.inventory import test_imports
from tests.inventory.factories import csv_bytes, femtocell_data, jsonl_bytes
from tests.inventory.test_imports import run, snapshot
from tracker.auth.models import Principal
from tracker.db import write_session
from tracker.errors import Invalid


@pytest.fixture(autouse=True)
def reading_aside(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`run` reads through the second process (every file is large enough, forking is allowed)."""
    monkeypatch.setattr(imports, "READ_ASIDE_MIN_BYTES", 0)
    monkeypatch.setattr(imports, "_other_threads", lambda: False)
    monkeypatch.setattr(test_imports, "_read_aside", True)
    yield


def _messy_file(good: int = 30) -> bytes:
    """Problems of every kind (reading, validation, duplicates across batches), more than the collector details."""
    rows = [femtocell_data() for _ in range(good)]
    rows += [femtocell_data(cert_fingerprint="bad") for _ in range(60)]
    rows += [dict(femtocell_data(), serial=rows[i]["serial"]) for i in range(20)]
    rows += [femtocell_data(installed_at="yesterday", site_type="garage") for _ in range(30)]
    lines = csv_bytes(rows).split(b"\n")
    lines[5] = b"\xff\xfe" + lines[5]  # not UTF-8
    lines[9] = lines[9] + b'"'  # malformed quoting
    lines[12] = lines[12] + b",extra"  # one field too many
    lines[40] = b"\x00"
    return b"\n".join(lines)


def _outcome(session: Session, actor: Principal, data: bytes, fmt: ImportFormat = ImportFormat.csv) -> Any:
    seen: list[int] = []
    try:
        result: Any = run(session, actor, data, fmt, progress=seen.append).model_dump()
    except Invalid as exc:
        result = (type(exc), exc.message, exc.field, exc.errors)
    return result, seen


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (_messy_file(), ImportFormat.csv),
        (csv_bytes([femtocell_data() for _ in range(25)]), ImportFormat.csv),
        (jsonl_bytes([femtocell_data() for _ in range(5)]) + b"{not json\n[1]\n", ImportFormat.jsonl),
        (b"serial,bogus\n", ImportFormat.csv),  # header problem, raised in the reader
        (b"\xff\n" + csv_bytes([femtocell_data()]), ImportFormat.csv),  # line 1 unreadable
        (b"", ImportFormat.csv),
        (csv_bytes([femtocell_data()]).split(b"\n")[0] + b"\n", ImportFormat.csv),  # header only
    ],
)
def test_reading_aside_reports_exactly_what_reading_in_process_does(
    engine: Engine, actor: Principal, monkeypatch: pytest.MonkeyPatch, data: bytes, fmt: ImportFormat
) -> None:
    monkeypatch.setattr(imports, "BATCH_ROWS", 7)  # many batches, duplicates across them
    monkeypatch.setattr(imports, "_BLOCK_BYTES", 1024)  # many progress calls
    outcomes = []
    for aside in (False, True):
        test_imports._read_aside = aside
        with write_session(engine) as session:
            outcomes.append(_outcome(session, actor, data, fmt))
            session.rollback()
    assert outcomes[0] == outcomes[1]
    assert len(outcomes[0][1]) > 1 or len(data) < 1024


def test_a_reader_that_fails_raises_its_error_here_and_nothing_is_written(
    session: Session, actor: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:

    def broken(*args: Any, **kwargs: Any) -> Iterator[Any]:
        raise OSError("disk on fire")
        yield  # pragma: no cover

    monkeypatch.setattr(imports, "read_rows", broken)
    before = snapshot(session)
    with pytest.raises(OSError, match="disk on fire"):
        run(session, actor, csv_bytes([femtocell_data()]))
    assert snapshot(session) == before
    assert not multiprocessing.active_children()


def test_a_reader_that_dies_is_an_error_and_nothing_is_written(
    session: Session, actor: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "validate_batch", lambda *args: os._exit(3))
    before = snapshot(session)
    with pytest.raises(RuntimeError, match="exit code 3"):
        run(session, actor, csv_bytes([femtocell_data()]))
    assert snapshot(session) == before
    assert not multiprocessing.active_children()


def test_the_reader_is_stopped_when_the_import_fails_midway(
    session: Session, actor: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "BATCH_ROWS", 2)
    calls = 0
    apply = imports.Upserter._apply

    def failing(self: imports.Upserter, batch: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("the database went away")
        apply(self, batch)

    monkeypatch.setattr(imports.Upserter, "_apply", failing)
    before = snapshot(session)
    with pytest.raises(RuntimeError, match="went away"):
        run(session, actor, csv_bytes([femtocell_data() for _ in range(50)]))
    assert snapshot(session) == before
    assert not multiprocessing.active_children()


def test_only_large_regular_files_are_read_aside(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "READ_ASIDE_MIN_BYTES", 100)
    assert not imports.read_aside(io.BytesIO(b"x" * 1000))  # an upload: no file to read from
    with tempfile.TemporaryFile() as stream:
        stream.write(b"x" * 150)
        stream.seek(0)
        assert imports.read_aside(stream)
        stream.seek(60)  # what is left to read counts
        assert not imports.read_aside(stream)
        stream.seek(0)
        monkeypatch.setattr(imports, "_other_threads", lambda: True)
        assert not imports.read_aside(stream)  # forking beside other threads is not safe


def test_the_cli_progress_bar_starts_no_thread(tmp_path: Path) -> None:
    # `sectrack import` forks its reader only while it runs no other thread; Rich's refresh thread would stop that.
    path = tmp_path / "fleet.csv"
    path.write_bytes(b"serial\n")
    before = threading.active_count()
    seen: list[int] = []

    def work(progress: Callable[[int], None]) -> None:
        progress(3)
        seen.append(threading.active_count())

    cli._with_progress(path, "femtocells", work)
    assert seen == [before]
