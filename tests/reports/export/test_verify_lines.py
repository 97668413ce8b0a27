"""The verifier's line reader and chain walk on awkward input: block boundaries, overlong lines, escapes."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from sqlalchemy import Engine

from reports.export import rules, verify
from reports.export.verify import VerifyReport, _lines, check_chain, verify_bundle
from tests.reports.export.conftest import Exporter
from tests.reports.export.factories import read_entries, record
from tracker import canonical
from tracker.auth.models import Principal, Role
from tracker.db import write_session


def _read(data: bytes, limit: int = 10) -> tuple[list[tuple[int, bytes]], list[str]]:
    report = VerifyReport()
    lines = list(_lines(io.BytesIO(data), limit, report, "f"))
    return lines, [str(p) for p in report.problems]


@pytest.fixture(autouse=True)
def tiny_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read 4 bytes at a time, so every line crosses block boundaries."""
    monkeypatch.setattr(verify, "CHUNK", 4)


def test_lines_crossing_blocks_are_rejoined() -> None:
    assert _read(b"alpha\nbe\n\ngamma12\n") == ([(1, b"alpha"), (2, b"be"), (3, b""), (4, b"gamma12")], [])


def test_an_overlong_line_is_skipped_and_later_lines_keep_their_numbers() -> None:
    lines, problems = _read(b"ok\n" + b"x" * 25 + b"\nafter\n")
    assert lines == [(1, b"ok"), (3, b"after")]
    assert problems == ["f line 2: line longer than 10 bytes"]


def test_an_overlong_line_inside_one_block_is_skipped_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify, "CHUNK", 1 << 20)
    lines, problems = _read(b"a\n" + b"x" * 25 + b"\nb\nc\n" + b"y" * 11 + b"\n")
    assert lines == [(1, b"a"), (3, b"b"), (4, b"c")]
    assert problems == ["f line 2: line longer than 10 bytes", "f line 5: line longer than 10 bytes"]


def test_a_last_line_without_newline_is_read_and_reported() -> None:
    lines, problems = _read(b"one\ntwo")
    assert lines == [(1, b"one"), (2, b"two")]
    assert problems == ["f line 2: the last line has no newline"]


def test_events_whose_strings_need_escapes_verify(engine: Engine, export: Exporter) -> None:
    odd = Principal(name='ops "kim"\tseoul\\', role=Role.staff, request_id="r\n1")
    with write_session(engine) as session:
        record(session, odd, "label", 'quote"key\\', {"key": 'quote"key\\', "note": "줄\n바꿈"})
    result = export(engine)
    report = verify_bundle(result.path)
    assert report.ok, [str(p) for p in report.problems]
    line = read_entries(result.path)[rules.EVENTS].splitlines()[0]
    assert json.loads(line)["actor"] == 'ops "kim"\tseoul\\'


def test_a_non_canonical_escape_is_refused_even_when_the_hash_matches() -> None:
    event = {
        "action": "create",
        "actor": "A",
        "entity_id": "1",
        "entity_type": "label",
        "occurred_at": "2026-01-01T00:00:00.000000Z",
        "prev_hash": "0" * 64,
        "request_id": "r",
        "role": "admin",
        "seq": 1,
        "state": {"k": 1},
    }
    body = canonical.dumps(event).replace('"actor":"A"', '"actor":"\\u0041"')
    digest = hashlib.sha256(("0" * 64 + body).encode()).hexdigest()
    line = body.replace(',"occurred_at"', f',"hash":"{digest}","occurred_at"').encode()
    report = VerifyReport()
    check_chain([line + b"\n"], report)
    assert [str(p) for p in report.problems] == [f"{rules.EVENTS} line 1: a field is not in canonical JSON form"]
