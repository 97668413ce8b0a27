"""Write the audit export bundle: streamed from the database into the ZIP, hashed while written, signed last.

Memory does not grow with the data: events go from a keyset-paged query to the ZIP in 1 MiB chunks, each entity's
records stream from a `yield_per` cursor, and each CSV is written to a temporary file while its JSONL streams, then
copied into the ZIP. Only the Excel workbook's small registers (at most `xlsx.ROW_LIMIT` rows each) are held.

Byte-identity of point-in-time exports: entries are written in a fixed order, with one fixed timestamp (the as-of
instant, Seoul time), fixed permissions (0644, Unix), DEFLATE level 1 and ZIP64 records on every streamed entry; the
manifest's `generated_at` is null for them (see `reports.export.manifest`) and Ed25519 signatures are deterministic.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import tempfile
import zipfile
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import Session

from reports.export import manifest, oscal, rules, source, xlsx
from reports.export.custom import CustomEntity, load_custom_entities
from reports.export.source import ExportScope
from tracker.errors import ConfigurationError
from tracker.keys import public_key_pem
from tracker.models import metadata

CHUNK = 1 << 20
# Level 1 deflates this JSON at ~190 MB/s to about a sixth of its size here; level 6 is 2.5x slower for 15% less.
COMPRESS_LEVEL = 1
_DateTime = tuple[int, int, int, int, int, int]


class EntryWriter:
    """Buffered writes into one ZIP entry, hashing and counting the bytes on the way.

    Full 1 MiB chunks are compressed, checksummed, hashed and written by the bundle's one worker thread (zlib and
    hashlib release the GIL on large buffers), so deflating overlaps with producing the next lines. One worker
    keeps the chunks in order; at most `_IN_FLIGHT` wait, so memory stays bounded.
    """

    _IN_FLIGHT = 4

    def __init__(self, raw: IO[bytes], worker: ThreadPoolExecutor) -> None:
        self._raw = raw
        self._worker = worker
        self._in_flight: deque[Future[None]] = deque()
        self._parts: list[str] = []
        self._buffered = 0
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write_lines(self, lines: list[str]) -> None:
        """Append several lines at once (newlines are added)."""
        if lines:
            self._parts.append("\n".join(lines))
            self._parts.append("\n")
            self._buffered += sum(map(len, lines)) + len(lines)
            if self._buffered >= CHUNK:
                self.flush()

    def write(self, data: bytes) -> None:
        """Append raw bytes."""
        self.flush()
        self._emit(data)

    def flush(self) -> None:
        """Pass the buffered text on to be written."""
        if self._parts:
            self._emit("".join(self._parts).encode("utf-8"))
            self._parts = []
            self._buffered = 0

    def _emit(self, data: bytes) -> None:
        self.size += len(data)
        while len(self._in_flight) >= self._IN_FLIGHT:
            self._in_flight.popleft().result()
        self._in_flight.append(self._worker.submit(self._sink, data))

    def _sink(self, data: bytes) -> None:
        self.sha256.update(data)
        self._raw.write(data)

    def finish(self, *, raise_errors: bool = True) -> None:
        """Wait until every chunk is written (the entry may be closed after this)."""
        while self._in_flight:
            future = self._in_flight.popleft()
            if raise_errors:
                future.result()
            else:
                future.exception()


class BundleWriter:
    """A ZIP with fixed entry metadata that records each listed file's SHA-256 and size for the manifest."""

    def __init__(self, handle: IO[bytes], date_time: _DateTime) -> None:
        self._zip = zipfile.ZipFile(handle, "w", allowZip64=True)
        self._date_time = date_time
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sectrack-export-zip")
        self.files: list[manifest.FileEntry] = []

    def _info(self, path: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(path, date_time=self._date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        # The attribute was renamed in Python 3.13; set whichever this Python reads.
        for name in ("compress_level", "_compresslevel"):
            if hasattr(info, name):
                setattr(info, name, COMPRESS_LEVEL)
        info.create_system = 3
        info.external_attr = 0o100644 << 16
        return info

    @contextmanager
    def entry(self, path: str, *, listed: bool = True) -> Iterator[EntryWriter]:
        """Stream one entry of unknown size (ZIP64 sizes, so it may exceed 4 GiB)."""
        with self._zip.open(self._info(path), "w", force_zip64=True) as raw:
            out = EntryWriter(raw, self._worker)
            try:
                yield out
                out.flush()
            except BaseException:
                out.finish(raise_errors=False)
                raise
            out.finish()
        if listed:
            self.files.append(manifest.FileEntry(path=path, sha256=out.sha256.hexdigest(), size=out.size))

    def add_bytes(self, path: str, data: bytes, *, listed: bool = True) -> None:
        """Write a small entry whole."""
        with self.entry(path, listed=listed) as out:
            out.write(data)

    def add_file(self, path: str, source_path: Path) -> None:
        """Copy a temporary file into an entry, in chunks."""
        with self.entry(path) as out, source_path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                out.write(chunk)

    def __enter__(self) -> BundleWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        """Write the central directory; after a failure, only release the archive (the file is discarded)."""
        self._worker.shutdown(wait=True)
        try:
            self._zip.close()
        except (ValueError, OSError):
            if exc_type is None:
                raise


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    path: Path
    scope: ExportScope
    manifest: dict[str, Any]
    manifest_sha256: str


def table_columns() -> dict[str, list[str]]:
    """Column order of every known table (tracker.models.metadata), for CSV headers."""
    return {name: [c.name for c in table.columns] for name, table in metadata.tables.items()}


# The C scanner behind json.loads, without its whitespace handling (canonical states have none).
_scan_json: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_FLUSH_ROWS = 5_000


def _parse_state(text: str, entity_type: str) -> dict[str, Any]:
    """A state text as a dict; the chain's states are canonical, so the C scanner alone suffices (no whitespace)."""
    try:
        state, end = _scan_json(text, 0)
    except StopIteration:
        state, end = None, 0
    if end != len(text):
        state = json.loads(text)
    if not isinstance(state, dict):
        raise ConfigurationError(f"A {entity_type} state is not a JSON object; it cannot be exported.")
    return state


class _ListSink:
    """A write() target for the csv module that keeps the rendered rows in a list (no file call per row)."""

    def __init__(self, parts: list[str]) -> None:
        self.write = parts.append


class _CsvSpool:
    """CSV rows rendered in memory and written to a temporary file in large pieces (UTF-8 with BOM)."""

    def __init__(self, path: Path, header: Sequence[str]) -> None:
        self._handle = path.open("w", encoding="utf-8-sig", newline="")
        self._pending: list[str] = []
        self._table = csv.writer(_ListSink(self._pending), lineterminator="\r\n")
        self.header = list(header)
        self._commas = len(self.header) - 1
        self._table.writerow(self.header)

    def row(self, state: dict[str, Any]) -> None:
        """Append one record in header order."""
        cells = list(map(rules.csv_cell, map(state.get, self.header)))
        line = ",".join(cells)
        # Without commas, quotes or line breaks in any cell the csv module would write exactly this; checking the
        # joined line is much cheaper than letting it inspect each field. (One-column rows always go through it: it
        # quotes a lone empty field.)
        plain = '"' not in line and "\n" not in line and "\r" not in line
        if plain and self._commas and line.count(",") == self._commas:
            self._pending.append(line + "\r\n")
        else:
            self._table.writerow(cells)
        if len(self._pending) >= _FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Write what is pending."""
        self._handle.write("".join(self._pending))
        self._pending.clear()

    def close(self) -> None:
        """Write the rest and close the file."""
        self.flush()
        self._handle.close()


def _write_entity(
    writer: BundleWriter,
    *,
    entity_type: str,
    rows: Callable[[], Iterable[str]],
    columns: Sequence[str] | None,
    book: xlsx.RegisterWorkbook,
    workdir: Path,
) -> int:
    """Write data/<type>.jsonl and data/<type>.csv (and the type's workbook lines); returns the record count.

    One pass over the records writes the JSONL entry and renders the CSV into a temporary file, with the first
    record's keys as the header. If a later record has other keys (written before a schema change), the CSV is
    rendered again from a second pass with the union of all keys, the rule `rules.csv_header` states.
    """
    jsonl_path, csv_path = rules.data_paths(entity_type)
    csv_temp = workdir / f"{entity_type}.csv"
    keep_rows = entity_type not in xlsx.SUMMARY_ONLY
    sample: list[dict[str, Any]] = []
    statuses: Counter[str] = Counter()
    first_keys: set[str] | None = None
    union: set[str] = set()
    spool: _CsvSpool | None = None
    count = 0
    with writer.entry(jsonl_path) as jsonl:
        lines: list[str] = []
        for text in rows():
            lines.append(text)
            if len(lines) >= _FLUSH_ROWS:
                jsonl.write_lines(lines)
                lines = []
            state = _parse_state(text, entity_type)
            if spool is None:
                first_keys = set(state)
                union = set(state)
                spool = _CsvSpool(csv_temp, rules.csv_header(first_keys, columns))
            if first_keys is not None and state.keys() == first_keys:
                spool.row(state)
            else:
                first_keys = None
                union.update(state)
            status = state.get("status")
            if status is not None:
                statuses[rules.csv_cell(status)] += 1
            if keep_rows and count < xlsx.ROW_LIMIT:
                sample.append(state)
            count += 1
        jsonl.write_lines(lines)
    if spool is None:
        spool = _CsvSpool(csv_temp, rules.csv_header((), columns))
    spool.close()
    if first_keys is None and count:
        spool = _CsvSpool(csv_temp, rules.csv_header(union, columns))
        for text in rows():
            spool.row(_parse_state(text, entity_type))
        spool.close()
    writer.add_file(csv_path, csv_temp)
    csv_temp.unlink()
    book.add_summary(entity_type, count, statuses)
    if book.wants_rows(entity_type, count):
        book.add_register(entity_type, spool.header, sample)
    return count


def _write_entities(
    writer: BundleWriter, *, session: Session, scope: ExportScope, book: xlsx.RegisterWorkbook, workdir: Path
) -> list[manifest.EntitySummary]:
    """Every chain entity type (sorted), then every registered custom entity (sorted)."""
    head_seq = scope.head.seq
    columns = table_columns()
    summaries: list[manifest.EntitySummary] = []
    chain_types = source.entity_types(session, head_seq=head_seq)
    for entity_type in chain_types:
        numeric = source.ids_numeric(session, entity_type=entity_type, head_seq=head_seq)

        def chain_rows(entity_type: str = entity_type, numeric: bool = numeric) -> Iterable[str]:
            return source.latest_states(session, entity_type=entity_type, head_seq=head_seq, numeric=numeric)

        count = _write_entity(
            writer,
            entity_type=entity_type,
            rows=chain_rows,
            columns=columns.get(entity_type),
            book=book,
            workdir=workdir,
        )
        order = "numeric" if numeric else "code_point"
        summaries.append(manifest.EntitySummary(entity_type, count, "audit_chain", order))

    for custom in sorted(load_custom_entities(), key=lambda c: c.entity_type):
        if custom.entity_type in chain_types or not rules.ENTITY_TYPE.match(custom.entity_type):
            raise ConfigurationError(
                f"Custom entity '{custom.entity_type}' clashes with a chain entity type or is not a table name."
            )
        if custom.chain_type is not None and custom.chain_type not in chain_types:
            continue

        def custom_rows(custom: CustomEntity = custom) -> Iterable[str]:
            return custom.rows(session, scope)

        count = _write_entity(
            writer,
            entity_type=custom.entity_type,
            rows=custom_rows,
            columns=columns.get(custom.entity_type),
            book=book,
            workdir=workdir,
        )
        summaries.append(manifest.EntitySummary(custom.entity_type, count, "custom", "writer"))
    return summaries


def _write_contents(
    writer: BundleWriter, *, session: Session, scope: ExportScope, key: Ed25519PrivateKey, workdir: Path
) -> dict[str, Any]:
    """Write every entry in the fixed order; returns the manifest document."""
    with writer.entry(rules.EVENTS) as events:
        for batch in source.event_line_batches(session, head_seq=scope.head.seq):
            events.write_lines(batch)

    book = xlsx.RegisterWorkbook()
    workbook_path = workdir / "registers.xlsx"
    try:
        summaries = _write_entities(writer, session=session, scope=scope, book=book, workdir=workdir)
        poam = oscal.build_poam(oscal.collect_findings(session, scope.as_of), as_of=scope.as_of, head=scope.head)
        writer.add_bytes(rules.POAM, oscal.poam_bytes(poam))
        book.save(workbook_path, as_of=scope.as_of, date_time=rules.zip_date_time(scope.as_of))
    except BaseException:
        # The workbook's sheets stream to temporary files; close and remove them before giving up.
        book.discard()
        raise
    writer.add_file(rules.REGISTERS, workbook_path)
    writer.add_bytes(rules.PUBLIC_KEY, public_key_pem(key))

    document = manifest.build(scope=scope, system_id=oscal.SYSTEM_ID, entities=summaries, files=writer.files)
    manifest_bytes = manifest.encode(document)
    writer.add_bytes(rules.MANIFEST, manifest_bytes, listed=False)
    writer.add_bytes(rules.SIGNATURE, manifest.sign(key, manifest_bytes), listed=False)
    return document


def export_bundle(
    *,
    session: Session,
    out: Path,
    key: Ed25519PrivateKey,
    as_of: datetime | None = None,
    now: datetime | None = None,
) -> ExportResult:
    """Write the signed bundle as of `as_of` (None: now) to `out`, which appears only when complete (mode 0600)."""
    source.begin_snapshot(session)
    scope = source.resolve_scope(session, as_of=as_of, now=now)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, partial_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
    partial = Path(partial_name)
    try:
        with (
            tempfile.TemporaryDirectory(prefix="sectrack-export-") as workdir,
            os.fdopen(fd, "wb") as handle,
            BundleWriter(handle, rules.zip_date_time(scope.as_of)) as writer,
        ):
            document = _write_contents(writer, session=session, scope=scope, key=key, workdir=Path(workdir))
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    digest = hashlib.sha256(manifest.encode(document)).hexdigest()
    return ExportResult(path=out, scope=scope, manifest=document, manifest_sha256=digest)
