"""The chain walk's two paths: many lines at once, and line by line. They must accept, reject and replay alike."""

from __future__ import annotations

import hashlib
import io
import random
from typing import Any

import pytest

from reports.export import rules, verify
from reports.export.verify import ChainState, VerifyReport, check_chain, live_ids
from tracker import canonical
from tracker.audit import service as audit
from tracker.audit.models import GENESIS_HASH

# (action, actor, entity_type, entity_id, state): plain lines, escapes in the envelope, deletes, several types,
# states with escapes and with a "hash" member that looks like the envelope's, non-ASCII in the envelope.
_EVENTS: list[tuple[str, str, str, str, Any]] = [
    ("create", "kim", "widget", "1", {"id": 1, "name": "위젯", "hash": "a" * 64, "note": 'say "hi"\n'}),
    ("create", "kim", "widget", "2", {"id": 2, "name": "w2"}),
    ("update", "kim", "widget", "1", {"id": 1, "name": "위젯 (renamed)"}),
    ("create", "kim", "device", "b!x", {"id": "b!x"}),
    ("create", "kim", "device", "b", {"id": "b"}),
    ("create", 'ops "lee"', "device", "b x", {"id": "b x"}),
    ("create", "kim", "device", 'q"uote', {"id": 'q"uote'}),
    ("delete", "kim", "widget", "2", {"id": 2, "name": "w2"}),
    ("create", "관리자", "widget", "10", {"id": 10}),
    ("update", "kim", "device", "b", {"id": "b", "seen": True}),
    *[("create", "kim", "widget", str(i), {"id": i, "path": "C:\\x"}) for i in range(11, 31)],
    ("create", "kim", "widget", "3", {"id": 3}),
]


def _chain(events: list[tuple[str, str, str, str, Any]] = _EVENTS) -> list[bytes]:
    """Event lines with real hashes, as the exporter writes them (newlines included)."""
    lines, prev = [], GENESIS_HASH
    for seq, (action, actor, entity_type, entity_id, state) in enumerate(events, 1):
        fields: dict[str, Any] = {
            "seq": seq,
            "occurred_at": f"2026-01-01T00:00:{seq % 60:02d}.000000Z",
            "actor": actor,
            "role": "admin",
            "request_id": f"r{seq}",
            "action": action,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "state_text": canonical.dumps(state),
            "prev_hash": prev,
        }
        digest = hashlib.sha256((prev + audit.body_text(**fields)).encode()).hexdigest()
        lines.append(rules.event_line(**fields, hash_=digest).encode() + b"\n")
        prev = digest
    return lines


def _walk(
    data: bytes, monkeypatch: pytest.MonkeyPatch, *, fast: bool, chunk: int, window: int
) -> tuple[list[str], ChainState]:
    """The walk's problems and result for `data` read `chunk` bytes at a time, the fast path on or off."""
    with monkeypatch.context() as patch:
        patch.setattr(verify, "CHUNK", chunk)
        patch.setattr(verify, "WINDOW", window)
        if not fast:
            patch.setattr(verify._ChainWalk, "fast", lambda *_: False)
        report = VerifyReport()
        chain = check_chain(verify._line_pieces(io.BytesIO(data), 4096), report)
    return [str(p) for p in report.problems], chain


def _agree(data: bytes, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The problems of the line-by-line walk, after checking that the fast path finds the same, however cut up."""
    slow = _walk(data, monkeypatch, fast=False, chunk=1 << 16, window=1 << 18)
    for chunk, window in ((64, 1 << 18), (1 << 16, 1), (1 << 16, 700), (1 << 16, 3000), (1 << 16, 1 << 18)):
        assert _walk(data, monkeypatch, fast=True, chunk=chunk, window=window) == slow, (chunk, window)
    return slow[0]


def test_a_plain_chain_is_checked_without_walking_line_by_line(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = [e for e in _EVENTS if "\\" not in canonical.dumps(e[:4])]
    data = b"".join(_chain(plain))

    def refuse(*_: object) -> None:
        raise AssertionError("the line-by-line walk ran on a plain chain")

    monkeypatch.setattr(verify._ChainWalk, "slow", refuse)
    report = VerifyReport()
    chain = check_chain([data], report)
    assert report.ok
    assert chain.events == len(plain)
    assert chain.latest["widget"][b'"2"'] is None
    assert chain.latest["widget"][b'"1"'] == verify.state_digest(canonical.dump_bytes(plain[2][4]))


def test_both_walks_agree_on_an_intact_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _agree(b"".join(_chain()), monkeypatch) == []


def test_both_walks_agree_on_every_flipped_byte_of_a_line(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _chain()
    rng = random.Random(8)
    for index in (0, 5, len(lines) - 1):
        for position in range(len(lines[index])):
            altered = bytearray(lines[index])
            altered[position] ^= rng.choice((0x01, 0x20, 0x5C ^ altered[position], 0x0A ^ altered[position]))
            data = b"".join(lines[:index] + [bytes(altered)] + lines[index + 1 :])
            problems = _agree(data, monkeypatch)
            assert problems or bytes(altered) == lines[index], (index, position)


def test_both_walks_agree_on_removed_reordered_and_odd_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _chain()
    cases = [
        lines[:3] + lines[4:],
        lines[:3] + [lines[4], lines[3]] + lines[5:],
        lines[:3] + [lines[3]] + lines[3:],
        lines[:3] + [b"\n"] + lines[3:],
        lines[:3] + [b"{}\n"] + lines[3:],
        lines[:-1] + [lines[-1][:-1]],
        lines[:3] + [lines[3].replace(b'"seq":4', b'"seq":04')] + lines[4:],
        lines[:3] + [lines[3].replace(b'"actor":"kim"', b'"actor":"k\nim"')] + lines[4:],
        lines[:3] + [lines[3].replace(b'"actor":"kim"', b'"actor":"\\u006bim"')] + lines[4:],
        lines[:3] + [lines[3].replace(b'"actor":"kim"', b'"actor":"k\xffim"')] + lines[4:],
        lines[:3] + [lines[3].replace(b"}\n", b"\n")] + lines[4:],
        lines[:3] + [lines[3].replace(b"}}\n", b"}\n")] + lines[4:],
    ]
    for number, case in enumerate(cases):
        assert _agree(b"".join(case), monkeypatch), number


def _rehash(lines: list[bytes]) -> list[bytes]:
    """The lines chained again, whatever their bytes: each prev_hash set and each hash recomputed over the bytes."""
    chained, prev = [], GENESIS_HASH.encode()
    for line in lines:
        start = line.index(b'"prev_hash":"') + 13
        line = line[:start] + prev + line[start + 64 :]
        cut = line.index(b'"hash":"')
        body = line[:cut] + line[cut + 74 :].rstrip(b"\n")
        prev = hashlib.sha256(prev + body).hexdigest().encode()
        chained.append(line[: cut + 8] + prev + line[cut + 72 :])
    return chained


def test_both_walks_agree_on_lines_that_are_chained_but_break_a_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _chain()
    assert _rehash(lines) == lines
    edits = [
        (b'"seq":4,', b'"seq":5,'),
        (b'"actor":"kim"', b'"actor":"k\xffim"'),
        (b'"actor":"kim"', b'"actor":"k\x01im"'),
        (b'"actor":"kim"', b'"actor":"\\u006bim"'),
        (b'"actor":"kim"', b'"actor":"k\\"'),
        (b'"role":"admin"', b'"role":"adm\tin"'),
        (b'"request_id":"r4"', b'"request_id":"r\xff4"'),
        (b'"request_id":"r4"', b'"request_id":"r\\u000a4"'),
    ]
    for old, new in edits:
        changed = _rehash(lines[:3] + [lines[3].replace(old, new)] + lines[4:])
        assert changed[3] != lines[3], old
        assert _agree(b"".join(changed), monkeypatch), old
    # A state holding what looks like event envelopes, closed or not (a search inside lines would find them).
    fake = lines[1][: lines[1].index(b'"state":') + 9]
    for tail in (b"}}\n", b"x\n"):
        changed = _rehash(lines[:3] + [lines[3].replace(b"}}\n", b"," + fake * 50 + tail)] + lines[4:])
        _agree(b"".join(changed), monkeypatch)
    # Breaking no rule of the walk, these must still be accepted and replayed alike: a delete, and a state that
    # is cut short (the walk does not parse states; a live one is held against its data line).
    for old, new in ((b'"action":"create"', b'"action":"delete"'), (b"}}\n", b"}\n")):
        changed = _rehash(lines[:3] + [lines[3].replace(old, new)] + lines[4:])
        _agree(b"".join(changed), monkeypatch)


_IDS = ["b", "b!", "b x", "ba", "b\\", 'q"', "위젯", "a\u00e9", "ab", "a", "", "\u2603", "\U0001f600", "\uff5e"]


_ID_SETS = [
    _IDS,
    [i for i in _IDS if not set(i) & set(' !\\"')],
    ["10", "9", "0", "100", "11"],
    ["1", "01"],
    ["3", "12\n"],  # not numeric: the writer's SQL does not read a trailing newline as part of a number
]


@pytest.mark.parametrize("ids", _ID_SETS)
def test_live_ids_are_in_the_data_file_order(ids: list[str]) -> None:
    literals = {canonical.dumps(i).encode(): 1 for i in ids}
    numeric = verify.ids_numeric(literals)
    assert numeric == rules.ids_are_numeric(ids)
    assert [verify._text(i) for i in live_ids(literals, numeric)] == rules.sorted_ids(ids)


def test_deleted_ids_are_left_out_but_decide_the_order() -> None:
    states: dict[bytes, int | bytes | None] = {b'"10"': 1, b'"9"': 2, b'"x"': None}
    assert not verify.ids_numeric(states)
    assert live_ids(states, False) == [b'"10"', b'"9"']
