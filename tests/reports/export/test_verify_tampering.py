"""Tampering with a bundle: any changed byte, a removed or reordered event, edited data — verify names each."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from reports.export import bundle, rules
from reports.export.verify import VerifyReport, verify_bundle
from tests.reports.export.factories import populate, read_entries, resign, write_entries
from tracker import canonical
from tracker.auth.models import Principal, Role
from tracker.db import make_engine, read_session, write_session
from tracker.keys import public_key_pem
from tracker.models import metadata

Bundle = tuple[dict[str, bytes], Ed25519PrivateKey]


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bundle]:
    """One bundle of a small chain (built once: these tests only read it and write altered copies)."""
    engine = make_engine("sqlite://")
    metadata.create_all(engine)
    with write_session(engine) as session:
        populate(session, Principal(name="tester", role=Role.admin))
    key = Ed25519PrivateKey.generate()
    out = tmp_path_factory.mktemp("original") / "bundle.zip"
    with read_session(engine) as session:
        bundle.export_bundle(session=session, out=out, key=key)
    engine.dispose()
    yield read_entries(out), key


def _verify(tmp_path: Path, entries: dict[str, bytes], key: Ed25519PrivateKey | None = None) -> VerifyReport:
    target = tmp_path / "altered.zip"
    write_entries(target, entries)
    return verify_bundle(target, trusted_key=public_key_pem(key) if key is not None else None)


def _messages(report: VerifyReport) -> list[str]:
    return [str(p) for p in report.problems]


def _lines(entries: dict[str, bytes]) -> list[bytes]:
    return entries[rules.EVENTS].splitlines()


def _set_lines(entries: dict[str, bytes], lines: list[bytes]) -> None:
    entries[rules.EVENTS] = b"".join(line + b"\n" for line in lines)


def test_the_untouched_rebuilt_bundle_verifies(original: Bundle, tmp_path: Path) -> None:
    entries, key = original
    report = _verify(tmp_path, dict(entries), key)
    assert report.ok, _messages(report)


def test_flipping_any_byte_of_any_file_fails_and_names_that_file(original: Bundle, tmp_path: Path) -> None:
    entries, key = original
    rng = random.Random(2025)
    checked = 0
    for name, data in entries.items():
        positions = {0, len(data) - 1, len(data) // 2, *rng.sample(range(len(data)), min(8, len(data)))}
        for position in sorted(positions):
            altered = bytearray(data)
            altered[position] ^= 0x01
            report = _verify(tmp_path, {**entries, name: bytes(altered)}, key if checked % 2 else None)
            assert not report.ok, (name, position)
            named = any(p.path == name or name in p.message for p in report.problems)
            assert named, (name, position, _messages(report))
            checked += 1
    assert checked >= 10 * len(entries) - 20


def test_removing_an_event_without_re_signing_fails_on_the_file_hash_and_the_chain(
    original: Bundle, tmp_path: Path
) -> None:
    entries, key = original
    altered = dict(entries)
    lines = _lines(altered)
    del lines[4]
    _set_lines(altered, lines)
    messages = _messages(_verify(tmp_path, altered, key))
    assert f"{rules.EVENTS}: SHA-256 does not match the manifest (the file was altered)" in messages
    assert f"{rules.EVENTS} line 5: expected seq 5, found 6 (events missing, added or reordered)" in messages


def test_removing_an_event_and_re_signing_is_still_caught_by_the_chain(original: Bundle, tmp_path: Path) -> None:
    entries, key = original
    altered = dict(entries)
    lines = _lines(altered)
    del lines[4]
    _set_lines(altered, lines)
    resign(altered, key, lambda m: m["chain"].update(events=len(lines)))
    report = _verify(tmp_path, altered, key)
    messages = _messages(report)
    assert all(p.path != rules.SIGNATURE and "SHA-256" not in p.message for p in report.problems), messages
    assert f"{rules.EVENTS} line 5: expected seq 5, found 6 (events missing, added or reordered)" in messages
    assert f"{rules.EVENTS} line 5: seq 6: prev_hash is not the hash of the event before it" in messages


def test_reordering_two_events_and_re_signing_is_caught_by_the_chain(original: Bundle, tmp_path: Path) -> None:
    entries, key = original
    altered = dict(entries)
    lines = _lines(altered)
    lines[2], lines[3] = lines[3], lines[2]
    _set_lines(altered, lines)
    resign(altered, key)
    messages = _messages(_verify(tmp_path, altered, key))
    assert f"{rules.EVENTS} line 3: expected seq 3, found 4 (events missing, added or reordered)" in messages
    assert f"{rules.EVENTS} line 4: expected seq 5, found 3 (events missing, added or reordered)" in messages


def test_dropping_the_last_event_and_re_signing_its_head_is_caught_by_the_data_check(
    original: Bundle, tmp_path: Path
) -> None:
    entries, key = original
    altered = dict(entries)
    lines = _lines(altered)
    dropped = json.loads(lines.pop())
    assert (dropped["entity_type"], dropped["action"]) == ("widget", "delete")
    _set_lines(altered, lines)
    last = json.loads(lines[-1])
    resign(altered, key, lambda m: m["chain"].update(events=len(lines), head_seq=last["seq"], head_hash=last["hash"]))
    messages = _messages(_verify(tmp_path, altered, key))
    # The chain now says widget 3 still exists; the data file (rightly) does not hold it.
    assert "data/widget.jsonl line 3: differs from the audit chain's state of widget 3" in messages
    assert "data/widget.jsonl: holds 3 records; the audit chain implies 4" in messages


def test_rewriting_history_with_fresh_hashes_breaks_the_signed_chain_head(original: Bundle, tmp_path: Path) -> None:
    entries, key = original
    altered = dict(entries)
    events = [json.loads(line) for line in _lines(altered)]
    events[1]["state"]["role"] = "admin"  # someone grants themselves admin in the past
    prev = events[0]["hash"]
    for event in events[1:]:
        event["prev_hash"] = prev
        body = {k: v for k, v in event.items() if k != "hash"}
        event["hash"] = prev = hashlib.sha256((prev + canonical.dumps(body)).encode()).hexdigest()
    _set_lines(altered, [canonical.dump_bytes(e) for e in events])
    resign(altered, key)  # the file hashes match again, but the signed head does not
    messages = _messages(_verify(tmp_path, altered, key))
    assert any(m.startswith(f"{rules.EVENTS}: ends at seq 11") and "manifest's chain head" in m for m in messages)


def test_a_data_record_edited_and_re_signed_differs_from_the_chain(original: Bundle, tmp_path: Path) -> None:
    entries, key = original
    altered = dict(entries)
    altered["data/widget.jsonl"] = altered["data/widget.jsonl"].replace("위젯 1".encode(), "위젯 X".encode(), 1)
    altered["data/widget.csv"] = altered["data/widget.csv"].replace("위젯 1".encode(), "위젯 X".encode(), 1)
    resign(altered, key)
    assert _messages(_verify(tmp_path, altered, key)) == [
        "data/widget.jsonl line 1: differs from the audit chain's state of widget 1"
    ]


def test_a_csv_cell_edited_and_re_signed_differs_from_the_jsonl(original: Bundle, tmp_path: Path) -> None:
    entries, key = original
    altered = dict(entries)
    altered["data/api_token.csv"] = altered["data/api_token.csv"].replace(b"ops-lee", b"ops-lim")
    resign(altered, key)
    assert _messages(_verify(tmp_path, altered, key)) == [
        "data/api_token.csv line 3: record differs from data/api_token.jsonl line 2"
    ]


def test_an_event_rewritten_in_non_canonical_form_is_refused_even_with_a_matching_hash(
    original: Bundle, tmp_path: Path
) -> None:
    entries, key = original
    altered = dict(entries)
    lines = _lines(altered)
    lines[0] = lines[0].replace(b'"action":"create"', b'"action": "create"')
    _set_lines(altered, lines)
    resign(altered, key)
    assert f"{rules.EVENTS} line 1: not an audit event in canonical JSON form" in _messages(
        _verify(tmp_path, altered, key)
    )


def test_a_bundle_with_many_broken_lines_lists_a_hundred_and_counts_the_rest(original: Bundle, tmp_path: Path) -> None:
    entries, key = original
    altered = dict(entries)
    _set_lines(altered, [b"{}"] * 150)
    resign(altered, key)
    report = _verify(tmp_path, altered, key)
    in_events = [p for p in report.problems if p.path == rules.EVENTS]
    assert len(in_events) == 101
    assert in_events[-1].message.endswith("more problems not listed")
