"""Check an audit export bundle offline, without trusting the operator, and name every problem.

What is checked:
1. The archive is safe to read: no absolute or `..` paths, backslashes, duplicate names, links or other non-regular
   entries, encryption, unknown compression, too many entries, or declared sizes and compression ratios beyond the
   limits (zip bombs). A hostile archive is rejected before any content is read. Nothing is ever extracted: each
   entry is read as a stream, and the bytes actually read are counted against the limits too.
2. `signature` is a valid Ed25519 signature over the exact bytes of `manifest.json`, with the trusted public key if
   one is given, else with the embedded `public-key.pem` (and a warning that that key only asserts itself).
3. Every file's SHA-256 and size match the manifest; no file is missing or extra.
4. `audit/events.jsonl` is the chain: seq contiguous from 1, each `prev_hash` the previous event's hash, each hash
   recomputed over the line's bytes, every envelope field (seq, time, actor, action, entity, hashes) in canonical
   form, and the last event is the manifest's chain head. A state is covered by its event's hash as bytes; it is
   not parsed here (see 5).
5. Replaying the events gives each entity's newest state; every `data/<entity>.jsonl` holds exactly the live ones,
   byte for byte, in the documented order, and `data/<entity>.csv` renders the same records (`reports.export.rules`).
   So each live record's newest state is parsed and checked; a superseded state is checked only through its hash
   (parsing all of them would halve the walk's speed, and the chain's hashes already fix their bytes).
   Entities exported by a custom writer are checked by their registered checker (`reports.export.custom`).
6. `oscal/poam.json` parses and every `related-risks` reference resolves to a risk in it.
`registers.xlsx` is derived from the data files for reading in Excel; it is checked by its hash only (opening a
workbook means unpacking a second archive, which a verifier of untrusted input should not need to do).

The chain walk does not re-serialize states: a line's hash covers its bytes with the hash member cut out, and the
envelope fields are matched by a regular expression that only accepts the canonical form (a simpler one first, for
the usual lines without escapes). Lines are checked a window at a time (one regular expression call finds every
line's fields; links, sequence numbers, hashes and form are then checked over all of them at once), and only a
window where something is wrong or unusual is walked line by line, which names each problem. That keeps it several
times faster than parsing each event (see `make bench`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import stat
import sys
import time
import zipfile
import zlib
from binascii import hexlify
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring as _esc
from operator import add
from pathlib import Path
from typing import IO, Any, Protocol

from cryptography.hazmat.primitives import serialization

from reports.export import manifest as manifest_module
from reports.export import oscal, rules
from reports.export.custom import CheckContext, CustomEntity, load_custom_entities
from tracker import canonical
from tracker.audit.models import GENESIS_HASH
from tracker.errors import Invalid

CHUNK = 1 << 20
# How much of the audit chain is checked at once (see `check_chain`).
WINDOW = 1 << 18
MAX_PROBLEMS_PER_FILE = 100


@dataclass(frozen=True)
class Limits:
    """What a bundle may declare or hold before it is refused as hostile."""

    max_entries: int = 10_000
    max_total_bytes: int = 64 << 30
    # Deflate on this JSON reaches about 6:1; a bomb needs hundreds to one.
    max_ratio: int = 200
    ratio_applies_above: int = 1 << 20
    max_small_file: int = 256 << 20
    max_line: int = 64 << 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the bundle, naming the file (and line) it is in."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path} line {self.line}"
        return f"{where}: {self.message}"


@dataclass
class VerifyReport:
    """Every problem found, warnings, and what was checked."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    events: int = 0
    records: int = 0
    files: int = 0
    trusted_key: bool = False
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    seconds: dict[str, float] = field(default_factory=dict)
    _per_file: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    def add(self, path: str, message: str, line: int | None = None) -> None:
        """Record a problem; past MAX_PROBLEMS_PER_FILE for one file they are only counted."""
        self._per_file[path] += 1
        if self._per_file[path] <= MAX_PROBLEMS_PER_FILE:
            self.problems.append(Problem(path, message, line))

    def finish(self) -> None:
        """Say how many problems were counted but not listed."""
        for path, count in sorted(self._per_file.items()):
            if count > MAX_PROBLEMS_PER_FILE:
                self.problems.append(Problem(path, f"{count - MAX_PROBLEMS_PER_FILE} more problems not listed"))


class HostileArchive(Exception):
    """The archive exceeded a limit while being read."""


class UnreadableEntry(Exception):
    """An entry whose bytes cannot be read back (corrupt compressed data, bad CRC, bad local header)."""

    def __init__(self, path: str, cause: BaseException) -> None:
        super().__init__(f"cannot be read ({cause})")
        self.path = path


# What a damaged or hostile archive raises while being read (zipfile raises NotImplementedError for compression
# methods it does not support): each becomes a named problem, never a traceback.
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError)


class _Budget:
    """Bytes actually read from the archive, against the total limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def take(self, n: int) -> None:
        self.used += n
        if self.used > self.limit:
            raise HostileArchive(f"the archive holds more than {self.limit} bytes of content")


class _Tap(io.RawIOBase):
    """A raw stream over one archive entry that hashes and counts what is read and stops at the declared size."""

    def __init__(self, source: IO[bytes], declared: int, budget: _Budget, path: str = "") -> None:
        self._source = source
        self._path = path
        self._declared = declared
        self._budget = budget
        self.sha256 = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._take(len(buffer))
        n = len(data)
        buffer[:n] = data
        return n

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes (the rest if negative) as read from the archive, without the copy `readinto` makes."""
        return self.readall() if size < 0 else self._take(size)

    def _take(self, size: int) -> bytes:
        try:
            data: bytes = self._source.read(size)
        except _READ_ERRORS as exc:
            raise UnreadableEntry(self._path, exc) from exc
        n = len(data)
        if n:
            self.size += n
            if self.size > self._declared:
                raise HostileArchive("the entry holds more bytes than it declares")
            self._budget.take(n)
            self.sha256.update(data)
        return data


class _Member:
    """One entry opened for reading: a buffered binary stream plus its running hash and size."""

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> None:
        try:
            self._raw = archive.open(info)
        except _READ_ERRORS as exc:
            raise UnreadableEntry(info.filename, exc) from exc
        self.tap = _Tap(self._raw, info.file_size, budget, info.filename)
        self.stream = io.BufferedReader(self.tap, CHUNK)
        self._text: io.TextIOWrapper | None = None

    def text(self) -> io.TextIOWrapper:
        """The entry as UTF-8 text (newlines untranslated, as the csv module wants)."""
        self._text = io.TextIOWrapper(self.stream, encoding="utf-8", errors="strict", newline="")
        return self._text

    def _detach_text(self) -> None:
        if self._text is not None:
            # Detach rather than close: the binary stream must stay open to be drained.
            self._text.detach()
            self._text = None

    def drain(self) -> None:
        """Read to the end (hashing), whatever the checker consumed."""
        self._detach_text()
        while self.stream.read(CHUNK):
            pass

    def close(self) -> None:
        """Close the entry."""
        self._detach_text()
        self.stream.close()
        self._raw.close()


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class _Note:
    """A problem `_line_pieces` found with the line after those passed so far; `skipped` when it is left out."""

    message: str
    skipped: bool

    def report(self, report: VerifyReport, path: str, passed: int) -> int:
        """Report it at its line; returns the count of lines passed, updated."""
        report.add(path, self.message, passed + 1)
        return passed + 1 if self.skipped else passed


def _drop_overlong(body: bytes, limit: int, overlong: _Note) -> Iterator[bytes | _Note]:
    """`body`'s lines (each ending in a newline) with every line longer than `limit` replaced by `overlong`."""
    kept: list[bytes] = []
    for line in body.split(b"\n")[:-1]:
        if len(line) > limit:
            if kept:
                yield b"\n".join(kept) + b"\n"
                kept = []
            yield overlong
        else:
            kept.append(line)
    if kept:
        yield b"\n".join(kept) + b"\n"


def _line_pieces(stream: _Readable, limit: int, size: int | None = None) -> Iterator[bytes | _Note]:
    """The entry as pieces of whole lines, each line ending in a newline, with markers for what was not kept.

    Read in big blocks and not split here: the chain walk matches many lines at once, for which a split would be one
    more pass over every byte; other readers split. A line longer than `limit` is never held whole: a
    note stands in its place. A last line without a newline comes after a note saying so, with a newline added.
    Blocks are `size` bytes (default `CHUNK`).
    """
    too_long = _Note(f"line longer than {limit} bytes", skipped=True)
    pending: list[bytes | memoryview] = []  # the start of a line not yet terminated
    pending_size = 0
    overlong = False  # dropping the rest of a line that exceeded the limit
    size = size or CHUNK
    while block := stream.read(size):
        cut = block.rfind(b"\n") + 1
        if cut:
            if overlong:
                # Up to the first newline is the end of the overlong line, which was already marked.
                body = block[block.index(b"\n") + 1 : cut]
                overlong = False
            elif pending:
                # One copy: the start of the line carried over and the block's whole lines, joined.
                pending.append(memoryview(block)[:cut])
                body = b"".join(pending)
                pending, pending_size = [], 0
            else:
                body = block[:cut] if cut < len(block) else block
            if len(body) > limit + 1:
                # Only a piece longer than the limit can hold a line longer than the limit.
                yield from _drop_overlong(body, limit, too_long)
            elif body:
                yield body
            rest = block[cut:]
        else:
            rest = block
        if overlong or not rest:
            continue
        pending.append(rest)
        pending_size += len(rest)
        if pending_size > limit:
            yield too_long
            pending, pending_size, overlong = [], 0, True
    if pending:
        yield _Note("the last line has no newline", skipped=False)
        yield b"".join(pending) + b"\n"


def _line_blocks(stream: IO[bytes], limit: int, report: VerifyReport, path: str) -> Iterator[tuple[int, list[bytes]]]:
    """The entry's lines (without newlines) in blocks, each with the number of its first line.

    Overlong lines are reported and skipped, never held whole; a missing final newline is reported.
    """
    number = 0  # lines passed so far
    for piece in _line_pieces(stream, limit):
        if isinstance(piece, bytes):
            lines = piece.split(b"\n")
            lines.pop()
            yield number + 1, lines
            number += len(lines)
        else:
            number = piece.report(report, path, number)


def _lines(stream: IO[bytes], limit: int, report: VerifyReport, path: str) -> Iterator[tuple[int, bytes]]:
    """(line number, line without its newline), one at a time (see `_line_blocks`)."""
    for first, lines in _line_blocks(stream, limit, report, path):
        yield from enumerate(lines, first)


# One JSON string in canonical form (no raw control characters; only the escapes JSON defines).
_S = rb'"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"'
_EVENT = re.compile(
    rb'\{"action":(' + _S + rb'),"actor":(' + _S + rb'),"entity_id":(' + _S + rb'),"entity_type":(' + _S + rb"),"
    rb'"hash":"([0-9a-f]{64})","occurred_at":(' + _S + rb'),"prev_hash":"([0-9a-f]{64})","request_id":(' + _S + rb"),"
    rb'"role":(' + _S + rb'),"seq":(0|[1-9][0-9]{0,18}),"state":\{'
)
_STRING_GROUPS = (1, 2, 3, 4, 6, 8, 9)
# The same shape for strings without escapes, which is nearly every event. Scanning for the closing quote alone is
# several times faster than a character class; backslashes and control characters are ruled out separately. The
# quantifier is possessive (a closing quote is never given back), which saves the engine its backtracking records.
_P = rb'"[^"]*+"'
_PLAIN_EVENT = re.compile(
    rb'\{"action":(' + _P + rb'),"actor":' + _P + rb',"entity_id":(' + _P + rb'),"entity_type":(' + _P + rb"),"
    rb'"hash":"([^"]{64})","occurred_at":' + _P + rb',"prev_hash":"([^"]{64})","request_id":' + _P + rb","
    rb'"role":' + _P + rb',"seq":(0|[1-9][0-9]{0,18}),"state":\{'
)
_NOT_PLAIN = bytes(range(0x20)) + b"\\"
_DELETE = b'"delete"'


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


# Each live record's newest state is remembered by a digest, to compare with its data line later. Python's hash of
# bytes is SipHash keyed with a secret drawn when this process starts, so whoever wrote the bundle cannot aim for a
# collision, and it costs a third of SHA-256; if PYTHONHASHSEED pins that secret, SHA-256 is used instead.
state_digest: Callable[[bytes], int | bytes] = hash if sys.flags.hash_randomization else _sha256


def _text(quoted: bytes) -> str:
    """The value of a canonical JSON string literal."""
    return quoted[1:-1].decode("utf-8") if b"\\" not in quoted else str(json.loads(quoted))


def _escaped_event(raw: bytes) -> tuple[tuple[bytes, bytes, bytes, bytes, bytes, bytes], int, int] | str:
    """Parse an event line whose strings may hold escapes: the fields, where its hash starts and its state starts;
    or why it is not canonical."""
    m = _EVENT.match(raw)
    if m is None:
        return "not an audit event in canonical JSON form"
    try:
        for group in _STRING_GROUPS:
            literal = m[group]
            if _esc(json.loads(literal)).encode("utf-8") != literal:
                return "a field is not in canonical JSON form"
    except (ValueError, UnicodeDecodeError):
        return "a field is not valid JSON text"
    return (m[1], m[3], m[4], m[5], m[7], m[10]), m.start(5), m.end() - 1


Digests = dict[bytes, int | bytes | None]


@dataclass
class ChainState:
    """What replaying the events gave: per entity type, each id's newest state digest (None once deleted).

    Ids are kept as the JSON string literals the chain holds (canonical, so one literal per id; `_text` gives the
    id): decoding a million of them would cost time, and memory while both forms are held.
    """

    latest: dict[str, Digests] = field(default_factory=dict)
    events: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS_HASH


# A whole plain event line, newline included, for checking many lines at once: the text before the hash member,
# the hash, and the text after it (the body the chain hashed is the first and last together), with the fields the
# walk needs inside them. Its strings hold no escape and no control character (so no newline), and those after
# the hash are ASCII, which leaves only the first part's UTF-8 to check; the hashes may hold anything but a quote
# until they are compared with hex digests. Where the per-line pattern needs a separate pass to rule out escapes,
# character classes cost no more here than that pass would. Each match must start a line (`^`): a search from
# inside a line could find an envelope in a state, and a state ends only at the line's end, so a hostile line
# holding many would cost time in the square of its length.
_Q = rb'"[^"\\\x00-\x1f]*+"'
_QA = rb'"[\x20\x21\x23-\x5b\x5d-\x7f]*+"'
_PLAIN_LINE = re.compile(
    rb'^(\{"action":(' + _Q + rb'),"actor":' + _Q + rb',"entity_id":(' + _Q + rb'),"entity_type":(' + _Q + rb"),)"
    rb'"hash":"([^"]{64})",'
    rb'("occurred_at":' + _QA + rb',"prev_hash":"([^"]{64})","request_id":' + _QA + rb',"role":' + _QA + rb","
    rb'"seq":(0|[1-9][0-9]{0,18}),"state":(\{[^\n]*\})\})\n',
    re.MULTILINE,
)
# The hash member, `"hash":"<64 hex digits>",`, and the newline: what a line holds besides its body.
_NOT_BODY = len(b'"hash":"",\n') + 64
_SHA256 = hashlib.sha256
_DIGEST = type(hashlib.sha256()).digest


class _ChainWalk:
    """A walk of audit/events.jsonl, a window of whole lines at a time; what it has found so far.

    Each window is first checked as a whole (`fast`): one regular expression call finds every line's fields, and
    the links, sequence numbers, hashes and canonical form are checked with a few calls over all of them. Only a
    window in which something is wrong, or unusual (an escape or a control character in the envelope, non-ASCII
    text after the hash), is walked line by line (`slow`), which names each problem. The fast check accepts only
    windows the line walk would find nothing wrong with, and replays them the same way.
    """

    def __init__(self, report: VerifyReport, path: str) -> None:
        self.report = report
        self.path = path
        self.latest: dict[bytes, Digests] = {}
        self.number = 0  # lines passed
        self.events = 0
        self.expected_seq = 1
        self.expected_prev: bytes | None = GENESIS_HASH.encode()
        self.seq = 0
        self.hash = b""

    def fast(self, piece: bytes, start: int, end: int) -> bool:
        """Check and replay `piece[start:end]` (whole lines) if every line is a plain, intact event; else return
        False, changing nothing."""
        found = _PLAIN_LINE.findall(piece, start, end)
        if not found:
            return False
        heads, actions, ids, types, hashes, tails, prevs, seqs, states = zip(*found, strict=True)
        count = len(found)
        # The matches tile the window only if together they are as long as it (findall's never overlap).
        if sum(map(len, heads)) + sum(map(len, tails)) + _NOT_BODY * count != end - start:
            return False
        # The strings hold no newline, the state neither, and the hashes are checked to be hex below: so each
        # match is one line.
        envelope = b"".join(heads)
        if not envelope.isascii():
            try:
                envelope.decode("utf-8")
            except UnicodeDecodeError:
                return False
        first = self.expected_seq
        if list(map(int, seqs)) != list(range(first, first + count)):
            return False
        # After a line that could not be read there is no previous hash (None): the line walk says what follows.
        if prevs[0] != self.expected_prev or prevs[1:] != hashes[:-1]:
            return False
        bodies = map(add, map(add, prevs, heads), tails)
        if hexlify(b"".join(map(_DIGEST, map(_SHA256, bodies)))) != b"".join(hashes):
            return False
        self._replay(actions, types, ids, states)
        self.number += count
        self.events += count
        self.expected_seq = self.seq = first + count - 1
        self.expected_seq += 1
        self.expected_prev = self.hash = hashes[-1]
        return True

    def _replay(
        self, actions: Sequence[bytes], types: Sequence[bytes], ids: Sequence[bytes], states: Sequence[bytes]
    ) -> None:
        latest, digest = self.latest, state_digest
        if _DELETE not in actions:
            kind = types[0]
            if types.count(kind) == len(types):
                # One entity type and no deletes, as in a bulk import: one update call.
                of_kind = latest.get(kind)
                if of_kind is None:
                    of_kind = latest[kind] = {}
                of_kind.update(zip(ids, map(digest, states), strict=True))
                return
        for action, kind, entity_id, state in zip(actions, types, ids, states, strict=True):
            of_kind = latest.get(kind)
            if of_kind is None:
                of_kind = latest[kind] = {}
            of_kind[entity_id] = None if action == _DELETE else digest(state)

    def slow(self, piece: bytes) -> None:
        """Check and replay a piece line by line, naming every problem."""
        report, path, raw_latest = self.report, self.path, self.latest
        expected_seq, expected_prev = self.expected_seq, self.expected_prev
        seq, hash_, events = self.seq, self.hash, self.events
        lines = piece.split(b"\n")
        lines.pop()
        for number, raw in enumerate(lines, self.number + 1):
            m = _PLAIN_EVENT.match(raw)
            prefix = raw[: m.end()] if m is not None else b""
            if m is not None and len(prefix.translate(None, _NOT_PLAIN)) == len(prefix):
                # Hex-ness of the hashes needs no check: they must equal a hexdigest or the previous line's hash.
                action, entity_id, entity_type, hash_, prev, seq_text = m.groups()
                hash_start, state_start = m.start(4), len(prefix) - 1
                if not prefix.isascii():
                    try:
                        prefix.decode("utf-8")
                    except UnicodeDecodeError:
                        report.add(path, "not UTF-8", number)
                        expected_prev, expected_seq = None, expected_seq + 1
                        continue
            else:
                parsed = _escaped_event(raw)
                if isinstance(parsed, str):
                    report.add(path, parsed, number)
                    expected_prev, expected_seq = None, expected_seq + 1
                    continue
                (action, entity_id, entity_type, hash_, prev, seq_text), hash_start, state_start = parsed
            if raw[-1] != 0x7D:  # "}"
                report.add(path, "not an audit event in canonical JSON form", number)
                expected_prev, expected_seq = None, expected_seq + 1
                continue
            seq = int(seq_text)
            if seq != expected_seq:
                message = f"expected seq {expected_seq}, found {seq} (events missing, added or reordered)"
                report.add(path, message, number)
            if prev != expected_prev and expected_prev is not None:
                report.add(path, f"seq {seq}: prev_hash is not the hash of the event before it", number)
            if _SHA256(prev + raw[: hash_start - 8] + raw[hash_start + 66 :]).hexdigest().encode() != hash_:
                report.add(path, f"seq {seq}: hash does not match the event's contents", number)
            states = raw_latest.get(entity_type)
            if states is None:
                states = raw_latest[entity_type] = {}
            states[entity_id] = None if action == _DELETE else state_digest(raw[state_start:-1])
            events += 1
            expected_seq = seq + 1
            expected_prev = hash_
        self.number += len(lines)
        self.expected_seq, self.expected_prev = expected_seq, expected_prev
        self.seq, self.hash, self.events = seq, hash_, events

    def result(self) -> ChainState:
        """What the walk found: the replayed states, the count of events and the head."""
        chain = ChainState(events=self.events)
        if self.events:
            chain.head_seq, chain.head_hash = self.seq, self.hash.decode()
        chain.latest = {_text(t): states for t, states in self.latest.items()}
        return chain


# An id literal of `rules.CANONICAL_INT`'s form: ids that order numerically.
_NUMERIC_LITERAL = re.compile(rb'"(?:0|[1-9][0-9]{0,17})"')
# A character that sorts before the closing quote (space, "!") or starts an escape.
_SORTS_APART = re.compile(rb"[ !\\]")


def ids_numeric(states: Digests) -> bool:
    """True when every id a type has had (deleted ones too) orders numerically (`rules.ids_are_numeric`)."""
    return all(map(_NUMERIC_LITERAL.fullmatch, states))


def live_ids(states: Digests, numeric: bool) -> list[bytes]:
    """The id literals of a type's live records in data-file order (`rules.id_sort_key`), without decoding them."""
    ids = [i for i, digest in states.items() if digest is not None]
    if numeric:
        # By length, then by digits, is by value (the quotes add 2 to every length). Two stable sorts rather than
        # a key of tuples, which would cost more memory than the ids.
        ids.sort()
        ids.sort(key=len)
    elif any(map(_SORTS_APART.search, ids)):
        ids.sort(key=_text)
    else:
        # Then the literals sort as the ids do: UTF-8 keeps code-point order, and where one id is the start of
        # another the closing quote sorts before the longer one's next character.
        ids.sort()
    return ids


def check_chain(pieces: Iterable[bytes | _Note], report: VerifyReport, path: str = rules.EVENTS) -> ChainState:
    """Walk audit/events.jsonl (as `_line_pieces` gives it): links, hashes, canonical form; replay it into each
    entity's newest state.

    A line's hash covers its bytes with the `"hash":"…",` member cut out, which for a canonical line is exactly
    the canonical body the chain hashed; the envelope is matched by a pattern that accepts only the canonical form.
    States are not parsed here: each live record's state is compared byte for byte with its data file line later.
    This is the verifier's hot path (see `make bench`), hence the checks over many lines at once (`_ChainWalk`).
    """
    walk = _ChainWalk(report, path)
    for piece in pieces:
        if isinstance(piece, bytes):
            start, size = 0, len(piece)
            while start < size:
                # A window of whole lines: what the fast path makes of it then stays in the CPU's cache. (Pieces
                # come in blocks of about one window: one a little longer is not cut into a big and a tiny one.)
                end = size
                if size - start > 2 * WINDOW:
                    end = piece.rfind(b"\n", start, start + WINDOW) + 1 or piece.index(b"\n", start) + 1
                if not walk.fast(piece, start, end):
                    walk.slow(piece[start:end])
                start = end
        else:
            walk.number = piece.report(report, path, walk.number)
    return walk.result()


class _Bundle:
    """The archive being verified, its manifest, and the report."""

    def __init__(self, archive: zipfile.ZipFile, report: VerifyReport, limits: Limits) -> None:
        self.archive = archive
        self.report = report
        self.limits = limits
        self.budget = _Budget(limits.max_total_bytes)
        self.infos = {info.filename: info for info in archive.infolist()}
        self.manifest: dict[str, Any] = {}
        self.listed: dict[str, tuple[str, int]] = {}
        # Files whose hash has been checked already (each file is read once for its hash).
        self.checked: set[str] = set()

    def attempt(self, check: Callable[..., Any], *args: Any) -> Any:
        """Run one check; an unreadable entry becomes a problem naming it and the other checks go on."""
        try:
            return check(*args)
        except UnreadableEntry as exc:
            self.report.add(exc.path, str(exc))
            self.checked.add(exc.path)
            return None

    def open(self, path: str) -> _Member:
        return _Member(self.archive, self.infos[path], self.budget)

    def read_small(self, path: str) -> bytes | None:
        """A small file whole (manifest, signature, key, POA&M); None and a problem if it cannot be read."""
        info = self.infos.get(path)
        if info is None:
            self.report.add(path, "missing from the archive")
            return None
        if info.file_size > self.limits.max_small_file:
            self.report.add(path, f"declares {info.file_size} bytes; at most {self.limits.max_small_file} expected")
            return None
        member = self.open(path)
        try:
            data = member.stream.read()
        finally:
            member.close()
        self.check_digest(path, member.tap)
        return data

    def check_digest(self, path: str, tap: _Tap) -> None:
        """Compare what was read of a file with its manifest entry."""
        self.checked.add(path)
        expected = self.listed.get(path)
        if expected is None:
            return
        sha, size = expected
        if tap.size != size:
            self.report.add(path, f"size is {tap.size} bytes; the manifest says {size}")
        if tap.sha256.hexdigest() != sha:
            self.report.add(path, "SHA-256 does not match the manifest (the file was altered)")
        self.report.files += 1


def _check_structure(archive: zipfile.ZipFile, report: VerifyReport, limits: Limits) -> bool:
    """Refuse hostile archives before reading any content; True when safe to read."""
    infos = archive.infolist()
    bad = False

    def refuse(name: str, message: str) -> None:
        nonlocal bad
        bad = True
        report.add(name or "archive", message)

    if len(infos) > limits.max_entries:
        refuse("archive", f"holds {len(infos)} entries; at most {limits.max_entries} are accepted")
        return False
    names = Counter(info.filename for info in infos)
    for name, count in sorted(names.items()):
        if count > 1:
            refuse(name, f"appears {count} times in the archive (duplicate names)")
    total = 0
    for info in infos:
        name = info.orig_filename
        parts = name.split("/")
        if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
            refuse(name, "absolute path; entries must be relative to the bundle")
        elif "\\" in name:
            refuse(name, "backslash in the path; entries use '/' only")
        elif ".." in parts:
            refuse(name, "path traversal ('..') in the entry name")
        elif any(part in ("", ".") for part in parts) or any(ord(ch) < 0x20 for ch in name):
            refuse(name, "not a plain file path (empty or '.' parts, a directory, or control characters)")
        mode = info.external_attr >> 16
        if info.create_system == 3 and mode and stat.S_IFMT(mode) not in (0, stat.S_IFREG):
            kind = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file"
            refuse(name, f"{kind}; bundles hold regular files only")
        if info.flag_bits & 0x1:
            refuse(name, "encrypted; bundles are never encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            refuse(name, f"compression method {info.compress_type} is not accepted (stored or deflate only)")
        total += info.file_size
        if info.file_size > limits.ratio_applies_above:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                refuse(name, f"compression ratio {ratio:.0f}:1 exceeds {limits.max_ratio}:1 (zip bomb)")
    if total > limits.max_total_bytes:
        refuse("archive", f"declares {total} bytes of content; at most {limits.max_total_bytes} are accepted")
    return not bad


def _load_manifest(bundle: _Bundle) -> bytes | None:
    report = bundle.report
    data = bundle.read_small(rules.MANIFEST)
    if data is None:
        return None
    try:
        document = json.loads(data)
    except ValueError:
        report.add(rules.MANIFEST, "not valid JSON")
        return data
    if not isinstance(document, dict):
        report.add(rules.MANIFEST, "not a JSON object")
        return data
    if canonical.dump_bytes(document) != data:
        report.add(rules.MANIFEST, "not in canonical JSON form")
    if document.get("format") != rules.FORMAT or document.get("format_version") != rules.FORMAT_VERSION:
        report.add(rules.MANIFEST, f"not a {rules.FORMAT} version {rules.FORMAT_VERSION} manifest")
    bundle.manifest = document
    files = document.get("files")
    if not isinstance(files, list):
        report.add(rules.MANIFEST, "has no list of files")
        return data
    for entry in files:
        path = entry.get("path") if isinstance(entry, dict) else None
        sha = entry.get("sha256") if isinstance(entry, dict) else None
        size = entry.get("size") if isinstance(entry, dict) else None
        if not isinstance(path, str) or not isinstance(sha, str) or not isinstance(size, int):
            report.add(rules.MANIFEST, f"malformed file entry {entry!r:.80}")
            continue
        if path in bundle.listed or path in (rules.MANIFEST, rules.SIGNATURE):
            report.add(rules.MANIFEST, f"lists {path} more than once or lists itself")
            continue
        bundle.listed[path] = (sha, size)
    return data


def _same_key(key: Any, pem: bytes) -> bool:
    try:
        other = manifest_module.load_public_key(pem)
    except ValueError:
        return False
    raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
    return bool(key.public_bytes(*raw) == other.public_bytes(*raw))


def _check_signature(bundle: _Bundle, manifest_bytes: bytes | None, trusted_key: bytes | None) -> None:
    report = bundle.report
    signature = bundle.read_small(rules.SIGNATURE)
    embedded = bundle.read_small(rules.PUBLIC_KEY) if rules.PUBLIC_KEY in bundle.infos else None
    if trusted_key is not None:
        try:
            key = manifest_module.load_public_key(trusted_key)
        except ValueError as exc:
            report.add("trusted public key", str(exc))
            return
        report.trusted_key = True
        if embedded is not None and not _same_key(key, embedded):
            report.warnings.append(f"{rules.PUBLIC_KEY} is not the trusted key you gave; the trusted key was used.")
    else:
        report.warnings.append(
            f"No trusted public key given: the signature was checked with the bundle's own {rules.PUBLIC_KEY}, "
            "which proves only that the bundle is self-consistent. Pass --public-key with the operator's "
            "published key to prove who signed it."
        )
        if embedded is None:
            if rules.PUBLIC_KEY in bundle.infos:
                return
            report.add(rules.PUBLIC_KEY, "missing from the archive")
            return
        try:
            key = manifest_module.load_public_key(embedded)
        except ValueError as exc:
            report.add(rules.PUBLIC_KEY, f"unusable: {exc}")
            return
    if signature is None or manifest_bytes is None:
        return
    if len(signature) != 64:
        report.add(rules.SIGNATURE, f"holds {len(signature)} bytes; an Ed25519 signature is 64")
    elif not manifest_module.signature_valid(key, manifest_bytes, signature):
        whose = "the trusted key" if trusted_key is not None else f"the key in {rules.PUBLIC_KEY}"
        report.add(rules.SIGNATURE, f"does not verify {rules.MANIFEST} with {whose}")


def _check_file_set(bundle: _Bundle) -> None:
    report = bundle.report
    present = set(bundle.infos) - {rules.MANIFEST, rules.SIGNATURE}
    for path in sorted(set(bundle.listed) - present):
        report.add(path, "listed in the manifest but missing from the archive")
    for path in sorted(present - set(bundle.listed)):
        report.add(path, "in the archive but not listed in the manifest")
    for required in (rules.EVENTS, rules.POAM, rules.PUBLIC_KEY, rules.REGISTERS):
        if required not in bundle.infos and required not in bundle.listed:
            report.add(required, "missing: every bundle has this file")


def _hash_only(bundle: _Bundle, path: str) -> None:
    member = bundle.open(path)
    try:
        member.drain()
    finally:
        member.close()
    bundle.check_digest(path, member.tap)


def _check_events(bundle: _Bundle) -> ChainState:
    report = bundle.report
    if rules.EVENTS not in bundle.infos:
        return ChainState()
    started, cpu = time.perf_counter(), time.process_time()
    member = bundle.open(rules.EVENTS)
    try:
        # Straight from the tap, in blocks of one window: no buffer to copy through, and what the walk makes of
        # a block stays in the CPU's cache.
        chain = check_chain(_line_pieces(member.tap, bundle.limits.max_line, WINDOW), report)
        member.drain()
    finally:
        member.close()
    report.seconds["chain"] = time.perf_counter() - started
    report.seconds["chain_cpu"] = time.process_time() - cpu
    bundle.check_digest(rules.EVENTS, member.tap)
    report.events = chain.events
    report.head_seq, report.head_hash = chain.head_seq, chain.head_hash
    declared = bundle.manifest.get("chain")
    head: dict[str, Any] = declared if isinstance(declared, dict) else {}
    if bundle.manifest:
        if head.get("head_seq") != chain.head_seq or head.get("head_hash") != chain.head_hash:
            report.add(
                rules.EVENTS,
                f"ends at seq {chain.head_seq} {chain.head_hash[:12]}…; the manifest's chain head is "
                f"{head.get('head_seq')} {str(head.get('head_hash'))[:12]}…",
            )
        if head.get("events") != chain.events:
            report.add(rules.EVENTS, f"holds {chain.events} events; the manifest says {head.get('events')}")
    return chain


def _csv_reader(member: _Member, path: str, report: VerifyReport) -> tuple[Iterator[tuple[int, list[str]]], list[str]]:
    """(line number, row) of each CSV record after the header, and the header (its byte order mark checked)."""
    reader = csv.reader(member.text())
    try:
        header = next(reader, [])
    except (UnicodeDecodeError, csv.Error) as exc:
        report.add(path, f"unreadable CSV ({exc})", 1)
        return iter(()), []
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    else:
        report.add(path, "does not start with a UTF-8 byte order mark", 1)
    if header == [""]:
        header = []

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for row in reader:
                yield reader.line_num, row
        except (UnicodeDecodeError, csv.Error) as exc:
            report.add(path, f"unreadable CSV ({exc})", reader.line_num)

    return rows(), header


def _compare_lines(
    bundle: _Bundle,
    entity_type: str,
    jsonl: _Member,
    table: _Member | None,
    expected: tuple[list[bytes], Digests] | None,
) -> int:
    """The record-by-record comparison of one entity's JSONL with the chain and with its CSV; returns the count."""
    report = bundle.report
    jsonl_path, csv_path = rules.data_paths(entity_type)
    rows, header = _csv_reader(table, csv_path, report) if table is not None else (iter(()), [])
    csv_open = table is not None
    keys: set[str] = set()
    count = 0
    for number, raw in _lines(jsonl.stream, bundle.limits.max_line, report, jsonl_path):
        count = number
        if expected is not None:
            ids, digests = expected
            if number > len(ids):
                report.add(jsonl_path, "a record the audit chain does not hold (extra line)", number)
            elif state_digest(raw) != digests[ids[number - 1]]:
                entity_id = _text(ids[number - 1])
                report.add(jsonl_path, f"differs from the audit chain's state of {entity_type} {entity_id}", number)
        try:
            state = json.loads(raw)
        except ValueError:
            state = None
        if not isinstance(state, dict):
            report.add(jsonl_path, "not a JSON object", number)
            if csv_open:
                next(rows, None)
            continue
        keys.update(state)
        if not csv_open:
            continue
        row = next(rows, None)
        if row is None:
            report.add(csv_path, f"has fewer records than {jsonl_path} (it ends before that file's line {number})")
            csv_open = False
        elif row[1] != rules.state_columns(state, header):
            report.add(csv_path, f"record differs from {jsonl_path} line {number}", row[0])
    if expected is not None and count < len(expected[0]):
        report.add(jsonl_path, f"holds {count} records; the audit chain implies {len(expected[0])}")
    if csv_open:
        extra = sum(1 for _ in rows)
        if extra:
            report.add(csv_path, f"has {extra} more records than {jsonl_path}")
    if table is not None:
        if len(set(header)) != len(header):
            report.add(csv_path, "the header names a column twice", 1)
        if count and set(header) != keys:
            report.add(csv_path, f"the header columns are not the keys of the records in {jsonl_path}", 1)
    return count


def _compare_table(bundle: _Bundle, entity_type: str, expected: tuple[list[bytes], Digests] | None) -> int:
    """Check data/<type>.jsonl against the chain's live states (their ids in order and the digests; None: custom)
    and data/<type>.csv against it."""
    report = bundle.report
    jsonl_path, csv_path = rules.data_paths(entity_type)
    has_jsonl, has_csv = jsonl_path in bundle.infos, csv_path in bundle.infos
    if not has_jsonl:
        report.add(jsonl_path, "missing: every entity type has a JSONL file")
    if not has_csv:
        report.add(csv_path, "missing: every entity type has a CSV file")
    if not has_jsonl:
        return 0
    jsonl = bundle.open(jsonl_path)
    table = bundle.open(csv_path) if has_csv else None
    try:
        count = _compare_lines(bundle, entity_type, jsonl, table, expected)
        jsonl.drain()
        if table is not None:
            table.drain()
    finally:
        jsonl.close()
        if table is not None:
            table.close()
    bundle.check_digest(jsonl_path, jsonl.tap)
    if table is not None:
        bundle.check_digest(csv_path, table.tap)
    return count


def _parsed_lines(bundle: _Bundle, path: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """(line number, object) of each valid line of a JSONL entry (problems were reported by the main pass)."""
    if path not in bundle.infos:
        return
    member = bundle.open(path)
    try:
        for number, raw in _lines(member.stream, bundle.limits.max_line, VerifyReport(), path):
            try:
                value = json.loads(raw)
            except ValueError:
                continue
            if isinstance(value, dict):
                yield number, value
    finally:
        member.close()


def _run_custom_check(bundle: _Bundle, custom: CustomEntity, chain: ChainState) -> None:
    jsonl_path, _ = rules.data_paths(custom.entity_type)

    def chain_states(entity_type: str) -> Iterator[Mapping[str, Any]]:
        if entity_type in chain.latest:
            for _, state in _parsed_lines(bundle, rules.data_paths(entity_type)[0]):
                yield state

    context = CheckContext(
        entity_type=custom.entity_type,
        rows=lambda: _parsed_lines(bundle, jsonl_path),
        chain_states=chain_states,
    )
    for message in custom.check(context):
        bundle.report.add(jsonl_path, message)


def _declared_entities(bundle: _Bundle) -> dict[str, dict[str, Any]]:
    declared = bundle.manifest.get("entities")
    if not isinstance(declared, dict):
        if bundle.manifest:
            bundle.report.add(rules.MANIFEST, "has no entities object")
        return {}
    return {str(k): v if isinstance(v, dict) else {} for k, v in declared.items()}


def _check_data(bundle: _Bundle, chain: ChainState) -> None:
    report = bundle.report
    declared = _declared_entities(bundle)
    customs = {c.entity_type: c for c in load_custom_entities()}
    in_files: set[str] = set()
    for path in bundle.infos:
        if path.startswith(rules.DATA_DIR):
            parsed = rules.entity_of_data_path(path)
            if parsed is None:
                report.add(path, "not a data file name the bundle format knows (data/<entity>.jsonl or .csv)")
            else:
                in_files.add(parsed[0])
    for registered in customs.values():
        vouched = registered.chain_type is not None and registered.chain_type in chain.latest
        if vouched and registered.entity_type not in declared and registered.entity_type not in in_files:
            report.add(
                rules.data_paths(registered.entity_type)[0],
                f"is missing: the audit chain holds {registered.chain_type} events, whose rows this file must carry",
            )
    for entity_type in sorted(set(chain.latest) | set(declared) | in_files):
        info = declared.get(entity_type)
        jsonl_path, csv_path = rules.data_paths(entity_type)
        if entity_type in chain.latest:
            states = chain.latest[entity_type]
            numeric = ids_numeric(states)
            count = bundle.attempt(_compare_table, bundle, entity_type, (live_ids(states, numeric), states)) or 0
            if info is None:
                report.add(rules.MANIFEST, f"does not declare entity type {entity_type}, which the audit chain holds")
            else:
                wanted_order = "numeric" if numeric else "code_point"
                if info.get("source") != "audit_chain" or info.get("id_order") != wanted_order:
                    report.add(rules.MANIFEST, f"describes {entity_type} wrongly (source or id_order)")
        elif info is not None and info.get("source") == "custom":
            count = bundle.attempt(_compare_table, bundle, entity_type, None) or 0
            custom = customs.get(entity_type)
            if custom is None:
                report.add(
                    jsonl_path,
                    "exported by a custom writer that this version of sectrack has no checker for; only its hash "
                    "was checked",
                )
            else:
                bundle.attempt(_run_custom_check, bundle, custom, chain)
        else:
            report.add(jsonl_path, f"entity type {entity_type} has no events in the audit chain")
            continue
        report.records += count
        if info is not None and info.get("records") != count:
            report.add(jsonl_path, f"holds {count} records; the manifest says {info.get('records')}")


def _check_poam(bundle: _Bundle) -> None:
    data = bundle.read_small(rules.POAM)
    if data is None:
        return
    try:
        document = json.loads(data)
    except ValueError:
        bundle.report.add(rules.POAM, "not valid JSON")
        return
    for problem in oscal.check_poam(document):
        bundle.report.add(rules.POAM, problem)


def _verify_contents(archive: zipfile.ZipFile, report: VerifyReport, limits: Limits, trusted_key: bytes | None) -> None:
    bundle = _Bundle(archive, report, limits)
    manifest_bytes = bundle.attempt(_load_manifest, bundle)
    bundle.attempt(_check_signature, bundle, manifest_bytes, trusted_key)
    _check_file_set(bundle)
    chain = bundle.attempt(_check_events, bundle)
    # Without a readable chain there is nothing to hold the data files against; their hashes are still checked.
    if chain is not None:
        _check_data(bundle, chain)
    if rules.POAM in bundle.infos:
        bundle.attempt(_check_poam, bundle)
    for path in bundle.listed:
        if path in bundle.infos and path not in bundle.checked:
            bundle.attempt(_hash_only, bundle, path)


def verify_bundle(path: Path, *, trusted_key: bytes | None = None, limits: Limits | None = None) -> VerifyReport:
    """Check a bundle; the report lists every problem (empty when intact) and warnings."""
    limits = limits or Limits()
    report = VerifyReport()
    started = time.perf_counter()
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        report.add(str(path), "no such file")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        report.add(str(path), f"not a readable ZIP archive ({exc})")
    else:
        with archive:
            if _check_structure(archive, report, limits):
                try:
                    _verify_contents(archive, report, limits, trusted_key)
                except HostileArchive as exc:
                    report.add("archive", f"refused while reading: {exc}")
                except _READ_ERRORS as exc:
                    report.add("archive", f"cannot be read ({exc})")
    report.seconds["total"] = time.perf_counter() - started
    report.finish()
    return report


def verify_file(path: Path, *, public_key: Path | None = None, limits: Limits | None = None) -> VerifyReport:
    """Verify a bundle file, with the trusted public key read from `public_key` when given."""
    trusted = None
    if public_key is not None:
        try:
            trusted = public_key.read_bytes()
        except OSError as exc:
            message = f"The public key file {public_key} cannot be read ({exc.strerror})."
            raise Invalid(message, field="public_key") from exc
    return verify_bundle(path, trusted_key=trusted, limits=limits)
