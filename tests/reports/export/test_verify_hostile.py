"""Hostile archives: each is refused with a clear problem, nothing is extracted, nothing is written anywhere."""

from __future__ import annotations

import io
import tempfile
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from reports.export import bundle, rules
from reports.export.verify import HostileArchive, Limits, VerifyReport, _Budget, _Tap, verify_bundle
from tests.reports.export.factories import populate, read_entries, zip_bytes
from tracker.auth.models import Principal, Role
from tracker.db import make_engine, read_session, write_session
from tracker.models import metadata


@pytest.fixture(scope="module")
def valid_entries(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, bytes]]:
    """The entries of one valid bundle, to wrap hostile additions in."""
    engine = make_engine("sqlite://")
    metadata.create_all(engine)
    with write_session(engine) as session:
        populate(session, Principal(name="tester", role=Role.admin))
    out = tmp_path_factory.mktemp("valid") / "bundle.zip"
    with read_session(engine) as session:
        bundle.export_bundle(session=session, out=out, key=Ed25519PrivateKey.generate())
    engine.dispose()
    yield read_entries(out)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty working directory (and temporary directory) that must stay as it is, and no extraction at all."""
    work = tmp_path / "work"
    work.mkdir()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("verify must never extract")

    monkeypatch.setattr(zipfile.ZipFile, "extract", refuse)
    monkeypatch.setattr(zipfile.ZipFile, "extractall", refuse)
    yield work
    assert sorted(p.name for p in work.iterdir()) == ["hostile.zip"]
    assert list(scratch.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scratch", "work"]


def _check(workdir: Path, data: bytes, limits: Limits | None = None) -> VerifyReport:
    target = workdir / "hostile.zip"
    target.write_bytes(data)
    report = verify_bundle(target, limits=limits)
    assert not report.ok
    return report


def _info(name: str, mode: int = 0o100644) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.create_system = 3
    info.external_attr = mode << 16
    return info


def _with(valid: dict[str, bytes], *extra: tuple[zipfile.ZipInfo | str, bytes]) -> bytes:
    return zip_bytes([*valid.items(), *extra])


def test_path_traversal_is_refused(workdir: Path, valid_entries: dict[str, bytes]) -> None:
    report = _check(workdir, _with(valid_entries, (_info("data/../../evil.txt"), b"pwned")))
    assert "data/../../evil.txt: path traversal ('..') in the entry name" in [str(p) for p in report.problems]
    assert not (workdir.parent / "evil.txt").exists()


def test_absolute_paths_are_refused(workdir: Path, valid_entries: dict[str, bytes]) -> None:
    target = f"/tmp/sectrack-evil-{uuid.uuid4().hex}.txt"
    report = _check(workdir, _with(valid_entries, (_info(target), b"pwned")))
    assert f"{target}: absolute path; entries must be relative to the bundle" in [str(p) for p in report.problems]
    assert not Path(target).exists()


def test_backslashes_are_refused(workdir: Path, valid_entries: dict[str, bytes]) -> None:
    report = _check(workdir, _with(valid_entries, (_info("..\\evil.txt"), b"pwned")))
    assert any("backslash" in p.message for p in report.problems)


def test_duplicate_names_are_refused(workdir: Path, valid_entries: dict[str, bytes]) -> None:
    with pytest.warns(UserWarning, match="Duplicate name"):
        data = _with(valid_entries, (_info(rules.MANIFEST), b"{}"))
    report = _check(workdir, data)
    assert [str(p) for p in report.problems] == ["manifest.json: appears 2 times in the archive (duplicate names)"]


def test_symbolic_links_are_refused(workdir: Path, valid_entries: dict[str, bytes]) -> None:
    report = _check(workdir, _with(valid_entries, (_info("data/link.jsonl", 0o120777), b"/etc/passwd")))
    assert "data/link.jsonl: a symbolic link; bundles hold regular files only" in [str(p) for p in report.problems]


def test_a_directory_entry_is_refused(workdir: Path, valid_entries: dict[str, bytes]) -> None:
    report = _check(workdir, _with(valid_entries, (_info("data/", 0o040755), b"")))
    assert any(p.path == "data/" for p in report.problems)


def test_a_zip_bomb_is_refused_by_its_compression_ratio_before_reading(
    workdir: Path, valid_entries: dict[str, bytes]
) -> None:
    info = _info("data/bomb.jsonl")
    info.compress_type = zipfile.ZIP_DEFLATED
    report = _check(workdir, _with(valid_entries, (info, bytes(16 << 20))))
    (problem,) = [p for p in report.problems if p.path == "data/bomb.jsonl"]
    assert "zip bomb" in problem.message


def test_declared_sizes_beyond_the_limit_are_refused(workdir: Path, valid_entries: dict[str, bytes]) -> None:
    report = _check(workdir, _with(valid_entries), Limits(max_total_bytes=1000))
    assert any(p.path == "archive" and "declares" in p.message for p in report.problems)


def test_bytes_actually_read_are_counted_and_reading_stops_at_the_limit() -> None:
    budget = _Budget(limit=10)
    tap = _Tap(io.BytesIO(b"x" * 4096), declared=4096, budget=budget)
    reader = io.BufferedReader(tap, 8)
    with pytest.raises(HostileArchive, match="more than 10 bytes"):
        while reader.read(4):
            pass
    assert budget.used <= 10 + 8  # stopped within one buffer of the limit, not at the end of the entry


def test_an_entry_yielding_more_than_it_declares_is_refused() -> None:
    tap = _Tap(io.BytesIO(b"x" * 64), declared=8, budget=_Budget(limit=1 << 20))
    with pytest.raises(HostileArchive, match="more bytes than it declares"):
        io.BufferedReader(tap, 4).read()


def test_too_many_entries_are_refused(workdir: Path, valid_entries: dict[str, bytes]) -> None:
    report = _check(workdir, _with(valid_entries), Limits(max_entries=3))
    assert [p.path for p in report.problems] == ["archive"]


def test_encrypted_entries_are_refused(workdir: Path, valid_entries: dict[str, bytes]) -> None:
    data = bytearray(_with(valid_entries))
    # Set the "encrypted" flag of the first entry in its central-directory record.
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 0x01
    report = _check(workdir, bytes(data))
    assert any("encrypted" in p.message for p in report.problems)


def test_unknown_compression_methods_are_refused(workdir: Path, valid_entries: dict[str, bytes]) -> None:
    info = _info("data/extra.jsonl")
    info.compress_type = zipfile.ZIP_BZIP2
    report = _check(workdir, _with(valid_entries, (info, b"{}\n")))
    assert any("compression method 12" in p.message for p in report.problems)


def test_an_extra_file_is_named(workdir: Path, valid_entries: dict[str, bytes]) -> None:
    report = _check(workdir, _with(valid_entries, (_info("notes.txt"), b"trust me")))
    assert [str(p) for p in report.problems] == ["notes.txt: in the archive but not listed in the manifest"]


def test_a_missing_file_is_named(workdir: Path, valid_entries: dict[str, bytes]) -> None:
    entries = {k: v for k, v in valid_entries.items() if k != "data/widget.csv"}
    report = _check(workdir, zip_bytes(entries.items()))
    messages = [str(p) for p in report.problems]
    assert "data/widget.csv: listed in the manifest but missing from the archive" in messages


def test_something_that_is_not_a_zip_is_a_clear_problem(workdir: Path) -> None:
    report = _check(workdir, b"MZ" + bytes(200))
    assert "not a readable ZIP archive" in report.problems[0].message


def test_a_corrupted_deflate_stream_is_a_clear_problem(workdir: Path, valid_entries: dict[str, bytes]) -> None:
    data = bytearray(_with(valid_entries))
    # Garble the compressed bytes of the first entry (its local header is 30 bytes plus the name).
    start = 30 + len(rules.EVENTS)
    data[start : start + 40] = zlib.compress(b"garbage")[:40].ljust(40, b"\xff")
    report = _check(workdir, bytes(data))
    assert report.problems[0].path == rules.EVENTS
    assert report.problems[0].message.startswith("cannot be read (Error -3 while decompressing data")
