"""Big files are read by a worker process: the outcome is exactly that of the sequential path."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import Session

from inventory import parallel
from inventory.femtocells import service
from inventory.femtocells.models import Femtocell
from inventory.imports import ImportFormat
from tests.inventory.factories import csv_bytes, femtocell_data, jsonl_bytes
from tracker.audit import service as audit
from tracker.auth.models import Principal
from tracker.errors import Invalid


@pytest.fixture
def always_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)


def test_a_worker_read_import_stores_what_a_sequential_one_would(
    session: Session, actor: Principal, tmp_path: Path, always_parallel: None
) -> None:
    rows = [femtocell_data(status="active", last_source_ip="10.16.0.1") for _ in range(2500)]
    path = tmp_path / "fleet.csv"
    path.write_bytes(csv_bytes(rows))
    first = service.import_path(session=session, path=path, fmt=ImportFormat.csv, actor=actor)
    assert (first.created, first.updated, first.unchanged) == (2500, 0, 0)
    with path.open("rb") as stream:
        again = service.import_file(session=session, stream=stream, fmt=ImportFormat.csv, actor=actor)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2500)
    stored = session.scalars(select(Femtocell).order_by(Femtocell.id)).first()  # type: ignore[arg-type]
    assert stored is not None
    assert audit.history(session, entity_type="femtocell", entity_id=stored.id or 0)[0].state == audit.state_of(stored)


def test_a_worker_read_import_reports_the_same_problems(
    session: Session, actor: Principal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = femtocell_data()
    rows = [good, femtocell_data(status="stolen"), dict(femtocell_data(), serial=good["serial"])]
    path = tmp_path / "bad.jsonl"
    path.write_bytes(jsonl_bytes(rows) + b"{broken\n")
    found = []
    for threshold in (10**12, 0):
        monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", threshold)
        with pytest.raises(Invalid) as info:
            service.import_path(session=session, path=path, fmt=ImportFormat.jsonl, actor=actor)
        found.append((info.value.message, [(e.line, e.field, e.message) for e in info.value.errors]))
    assert found[0] == found[1]
    assert [line for line, _, _ in found[1][1]] == [2, 3, 4]
    assert session.scalar(select(Femtocell.id)) is None


def test_header_problems_from_the_worker_are_raised(
    session: Session, actor: Principal, tmp_path: Path, always_parallel: None
) -> None:
    path = tmp_path / "nocolumns.csv"
    path.write_bytes(b"serial,colour\nA,red\n")
    with pytest.raises(Invalid, match="header") as info:
        service.import_path(session=session, path=path, fmt=ImportFormat.csv, actor=actor)
    assert {e.field for e in info.value.errors} >= {"colour", "cell_id"}


def test_progress_is_reported_from_the_worker(
    session: Session, actor: Principal, tmp_path: Path, always_parallel: None
) -> None:
    path = tmp_path / "fleet.csv"
    path.write_bytes(csv_bytes([femtocell_data() for _ in range(10)]))
    seen: list[int] = []
    service.import_path(session=session, path=path, fmt=ImportFormat.csv, actor=actor, progress=seen.append)
    assert seen and seen[-1] == path.stat().st_size
