"""Bulk import shared by every inventory table: streamed CSV/JSONL reading and a batched, audited upsert.

Reading (`read_rows`) works line by line from a binary stream, so memory does not grow with the file: CSV (UTF-8,
with or without BOM; the header names the columns) or JSONL (one JSON object per line). A line longer than
`MAX_LINE_BYTES`, bytes that are not UTF-8, a NUL character, a malformed CSV record or JSON line is reported with its
line number and skipped, so one pass finds every bad line. Header problems (missing required column, unknown or
repeated column) and an empty file stop the import at once. A large file (`read_aside`) is read and validated in a
forked process while this one writes (`ValidatedBatches`), with the same outcome.

Writing (`upsert`) validates each row with the domain's Create model, looks up existing records by natural key a
batch at a time, and classifies each row as created, updated (some field differs) or unchanged (no write, no audit
event). Changed records are written with the driver's executemany and audited in bulk (one event per record, full
state). The whole file is one transaction inside a savepoint: rows keep being checked after the first error (so
duplicate keys and lifecycle violations are reported everywhere in the file), and on any error, or in a dry run, the
savepoint is rolled back. A killed process never commits, so the database stays as it was.

Rules a file must follow (also in README): CSV header columns and JSONL keys use the record's field names; every row
carries all required fields; an optional field left out (column absent, key absent) keeps its value on update and
its default on create; an empty CSV cell or a JSON null clears it. A natural key (serial, asset tag) or other unique
key (cell id) may appear once per file; a unique key held by another record is an error naming that record.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import logging
import multiprocessing
import os
import pickle
import signal
import stat
import threading
import typing
from array import array
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import closing, suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from itertools import islice
from operator import itemgetter
from pathlib import Path
from types import GenericAlias
from typing import IO, Annotated, Any, Literal, NotRequired

from pydantic import BaseModel, ConfigDict, PlainValidator, TypeAdapter, ValidationError
from sqlalchemy import Boolean, Date, Table, bindparam, func, insert, select, text, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel
from typing_extensions import TypedDict

from inventory.fields import date_text, instant_text
from tracker import canonical
from tracker.audit import service as audit
from tracker.auth.models import Principal
from tracker.errors import Conflict, ErrorDetail, Invalid, SectrackError
from tracker.runtime import long_lived_objects_frozen
from tracker.types import UTCDateTime, now_utc

log = logging.getLogger("sectrack.import")

MAX_LINE_BYTES = 1024 * 1024
MAX_REPORTED_ERRORS = 100
BATCH_ROWS = 2_000
IMPORT_CACHE_KIB = 64 * 1024
ANALYZE_AFTER_ROWS = 10_000
UTF8_BOM = b"\xef\xbb\xbf"
_BLOCK_BYTES = 1024 * 1024

# The csv module refuses fields over 128 KiB by default; a field may be as long as a line may be.
csv.field_size_limit(max(csv.field_size_limit(), MAX_LINE_BYTES))


class ImportFormat(StrEnum):
    """The file formats bulk import reads."""

    csv = "csv"
    jsonl = "jsonl"


def format_for_path(path: Path) -> ImportFormat:
    """The format named by a file's extension (.csv; .jsonl or .ndjson)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return ImportFormat.csv
    if suffix in {".jsonl", ".ndjson"}:
        return ImportFormat.jsonl
    raise Invalid(f"Cannot tell the format of '{path.name}': name it .csv, .jsonl or .ndjson.", field="file")


def format_for_content_type(content_type: str | None) -> ImportFormat:
    """The format named by a request's Content-Type (text/csv or application/x-ndjson)."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media in {"text/csv", "application/csv"}:
        return ImportFormat.csv
    if media in {"application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/ndjson"}:
        return ImportFormat.jsonl
    raise Invalid(
        f"Content-Type '{media or 'none'}' is not importable: send text/csv or application/x-ndjson.",
        field="Content-Type",
    )


# The request body of every import endpoint, for the OpenAPI document (the body is read as a stream).
IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "CSV with a header naming the columns (UTF-8, BOM optional), or one JSON object per line.",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    }
}


class ImportResult(BaseModel):
    """What an import did (or, in a dry run, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False


class ErrorCollector:
    """Every problem found in a file: the first `MAX_REPORTED_ERRORS` kept in detail, all of them counted."""

    def __init__(self, limit: int = MAX_REPORTED_ERRORS) -> None:
        self.limit = limit
        self.count = 0
        self.details: list[ErrorDetail] = []

    def add(self, line: int, field: str | None, message: str) -> None:
        """Record one problem on one line."""
        self.count += 1
        if len(self.details) < self.limit:
            self.details.append(ErrorDetail(message=message, field=field, line=line))

    def __bool__(self) -> bool:
        return self.count > 0

    def raise_if_any(self, what: str) -> None:
        """Raise Invalid listing the problems (sorted by line), if there were any."""
        if not self.count:
            return
        details = sorted(self.details, key=lambda d: (d.line or 0, d.field or ""))
        rows = "1 problem" if self.count == 1 else f"{self.count} problems"
        listed = f"; the first {len(details)} are listed" if self.count > len(details) else ""
        first = details[0]
        raise Invalid(
            f"The {what} was refused and nothing was written: {rows} found{listed}. "
            f"First: line {first.line}, {first.field or 'row'}: {first.message}",
            errors=details,
        )


# --- reading -------------------------------------------------------------------------------------------------------


class _Blocks:
    """The decoded lines of a binary stream, a block at a time, numbered from 1.

    The fast path decodes a whole block (about 1 MiB, cut after its last newline) at once and lets C code split it;
    only a block holding a bad line (not UTF-8, a NUL, longer than `MAX_LINE_BYTES`) is taken apart line by line,
    each bad line becoming an error and an empty line. Memory holds one block, whatever the size of the file or of
    a line (the rest of an overlong line is skipped in bounded reads).
    """

    def __init__(
        self, stream: IO[bytes], errors: ErrorCollector, progress: Callable[[int], None] | None = None
    ) -> None:
        self.stream = stream
        self.errors = errors
        self.progress = progress
        self.lines_done = 0
        self.bytes_read = 0

    def texts(self) -> Iterator[str]:
        """Blocks of decoded text, each a run of whole lines ending in a newline (the last may lack it)."""
        carry = b""
        first = True
        skipping = False  # inside an overlong line: discard up to its newline
        while True:
            chunk = self.stream.read(_BLOCK_BYTES)
            self.bytes_read += len(chunk)
            if self.progress is not None:
                self.progress(self.bytes_read)
            if first:
                first = False
                if chunk.startswith(UTF8_BOM):
                    chunk = chunk[len(UTF8_BOM) :]
            if not chunk:
                if carry:
                    yield self._decode(carry)
                return
            if skipping:
                newline = chunk.find(b"\n")
                if newline < 0:
                    continue
                chunk = chunk[newline + 1 :]
                skipping = False
            data = carry + chunk
            cut = data.rfind(b"\n") + 1
            if cut:
                block, carry = data[:cut], data[cut:]
                yield self._decode(block)
            else:
                carry = data
            if len(carry) > MAX_LINE_BYTES:
                # No newline within the limit: report the line and skip the rest of it in bounded reads.
                self.lines_done += 1
                self.errors.add(self.lines_done, None, f"The line is longer than {MAX_LINE_BYTES:,} bytes.")
                carry = b""
                skipping = True
                yield "\n"  # keeps the readers' line numbers in step

    def _decode(self, block: bytes) -> str:
        lines = block.count(b"\n") + (0 if block.endswith(b"\n") else 1)
        try:
            if b"\x00" in block or (len(block) > MAX_LINE_BYTES and _longest_line(block) > MAX_LINE_BYTES):
                raise ValueError
            text = block.decode("utf-8")
        except ValueError:
            text = self._decode_lines(block)
        self.lines_done += lines
        return text

    def _decode_lines(self, block: bytes) -> str:
        out = []
        for offset, raw in enumerate(block.split(b"\n")):
            number = self.lines_done + offset + 1
            problem = None
            if len(raw) > MAX_LINE_BYTES:
                problem = f"The line is longer than {MAX_LINE_BYTES:,} bytes."
            elif b"\x00" in raw:
                problem = "The line contains a NUL character."
            else:
                try:
                    out.append(raw.decode("utf-8"))
                    continue
                except UnicodeDecodeError as exc:
                    problem = f"The line is not valid UTF-8 (bad byte at position {exc.start + 1})."
            self.errors.add(number, None, problem)
            out.append("")
        return "\n".join(out)

    def lines(self) -> Iterator[str]:
        """Every line (newline kept), split by C code."""
        return itertools.chain.from_iterable(io.StringIO(text, newline="\n") for text in self.texts())


def _longest_line(block: bytes) -> int:
    return max(map(len, block.split(b"\n")))


@dataclass(frozen=True)
class Columns:
    """What a table's import accepts: every importable field, and those each row must carry."""

    allowed: tuple[str, ...]
    required: tuple[str, ...]
    # Non-nullable fields with a default (e.g. status): an empty CSV cell means "default" or "keep", not null.
    empty_means_absent: frozenset[str] = frozenset()


Row = tuple[int, dict[str, Any]]


def read_rows(
    stream: IO[bytes],
    fmt: ImportFormat,
    *,
    columns: Columns,
    errors: ErrorCollector,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Row]:
    """Yield (line number, raw field values) for each well-formed row; problems go to `errors`."""
    blocks = _Blocks(stream, errors, progress)
    if fmt is ImportFormat.csv:
        yield from _csv_rows(blocks, columns, errors)
    else:
        yield from _jsonl_rows(blocks, columns, errors)


def _check_header(header: list[str], columns: Columns) -> list[str]:
    names = [h.strip() for h in header]
    problems: list[ErrorDetail] = []
    allowed = set(columns.allowed)
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(ErrorDetail(message=f"Column '{name}' appears more than once.", field=name, line=1))
    for name in names:
        if name not in allowed:
            problems.append(
                ErrorDetail(
                    message=f"Unknown column '{name[:100]}'; importable columns: {', '.join(columns.allowed)}.",
                    field=name[:100] or "(empty)",
                    line=1,
                )
            )
    for name in columns.required:
        if name not in names:
            problems.append(ErrorDetail(message=f"Required column '{name}' is missing.", field=name, line=1))
    if problems:
        raise Invalid(f"Line 1 (the header) is not usable: {problems[0].message}", errors=problems)
    return names


def _csv_rows(blocks: _Blocks, columns: Columns, errors: ErrorCollector) -> Iterator[Row]:
    reader = csv.reader(blocks.lines(), strict=True)
    header: list[str] | None = None
    width = 0
    rows = 0
    absent_if_empty: frozenset[str] = frozenset()
    last = 0
    # A plain for loop over the reader (the hot path); a malformed record ends it with csv.Error, and the reader
    # goes on from the next record when the loop is entered again.
    while True:
        try:
            for fields in reader:
                start = last + 1
                last = reader.line_num
                if header is None:
                    if not fields or start != 1:
                        if errors:
                            errors.raise_if_any("import")
                        raise Invalid("Line 1 must be the header naming the columns; it is empty.", field="header")
                    header = _check_header(fields, columns)
                    width = len(header)
                    absent_if_empty = columns.empty_means_absent & set(header)
                    continue
                if not fields or (len(fields) == 1 and not fields[0].strip()):
                    continue
                rows += 1
                if len(fields) != width:
                    errors.add(start, None, f"The row has {len(fields)} fields; the header has {width}.")
                    continue
                values = dict(zip(header, [v or None for v in fields], strict=True))
                for name in absent_if_empty:
                    if values[name] is None:
                        del values[name]
                yield start, values
            break
        except csv.Error as exc:
            start = last + 1
            last = reader.line_num
            errors.add(start, None, f"Malformed CSV: {exc}.")
    if header is None:
        errors.raise_if_any("import")
        raise Invalid("The file is empty: expected a header line naming the columns, then one row per line.")
    if rows == 0 and not errors:
        raise Invalid("The file has a header but no rows.")


def _jsonl_rows(blocks: _Blocks, columns: Columns, errors: ErrorCollector) -> Iterator[Row]:
    allowed = set(columns.allowed)
    rows = 0
    number = 0
    loads = json.loads
    for line in blocks.lines():
        number += 1
        if not line.strip():
            continue
        rows += 1
        try:
            values = loads(line)
        except json.JSONDecodeError as exc:
            errors.add(number, None, f"Not valid JSON: {exc.msg} at column {exc.colno}.")
            continue
        except RecursionError:
            errors.add(number, None, "Not valid JSON: nested too deeply.")
            continue
        if not isinstance(values, dict):
            errors.add(number, None, "Each line must be one JSON object.")
            continue
        if not allowed.issuperset(values):
            unknown_fields(errors, number, values, allowed)
            continue
        yield number, values
    if rows == 0 and not errors:
        raise Invalid("The file is empty: expected one JSON object per line.")


def unknown_fields(errors: ErrorCollector, line: int, values: Mapping[str, Any], allowed: set[str]) -> None:
    """Record one error naming every field of a row that the table does not have."""
    unknown = [str(k)[:100] for k in values if k not in allowed]
    names = ", ".join(f"'{k}'" for k in unknown)
    errors.add(line, unknown[0], f"Unknown field{'s' if len(unknown) > 1 else ''} {names}.")


def validation_messages(exc: ValidationError, required: Sequence[str]) -> Iterator[tuple[str, str]]:
    """(field, message) for each problem pydantic found; never includes the offending value."""
    for error in exc.errors(include_url=False, include_context=False):
        loc = error.get("loc") or ()
        name = str(loc[0]) if loc else "row"
        if error.get("type") == "missing":
            yield name, f"{name} is required."
        elif error.get("input") is None and name in required:
            yield name, f"{name} is required and may not be empty."
        else:
            message = str(error.get("msg", "invalid"))
            yield name, message.removeprefix("Value error, ")


class BatchedStream(io.RawIOBase):
    """A readable binary stream over an iterator of byte chunks (e.g. a request body), for `read_rows`."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        """Always readable."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Fill `buffer` from the next chunks; 0 at the end."""
        while not self._pending:
            try:
                self._pending = memoryview(next(self._chunks))
            except StopIteration:
                return 0
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


def buffered(chunks: Iterator[bytes]) -> IO[bytes]:
    """A buffered binary stream (with readline) over byte chunks."""
    return io.BufferedReader(BatchedStream(chunks), buffer_size=256 * 1024)


# --- writing -------------------------------------------------------------------------------------------------------


class RowProblem(Exception):
    """A domain rule a row breaks (lifecycle, uniqueness); becomes an error on the row's line."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# finish(current, record, changes, now): complete `record` (the full new row, JSON-ready values) in place: lifecycle
# timestamps, derived columns. `current` is the stored row (None for a new record), `changes` the fields the row set.
Finisher = Callable[[Mapping[str, Any] | None, dict[str, Any], Mapping[str, Any], str], None]


@dataclass(frozen=True)
class UpsertSpec:
    """How one table is bulk-imported."""

    table: Table
    create_model: type[SQLModel]
    natural_key: str
    # Other unique columns (femtocell cell_id): checked within the file and against other records.
    unique_keys: tuple[str, ...]
    columns: Columns
    # Words for messages: "femtocell", and the name of the natural key as users say it.
    label: str
    finish: Finisher
    # Server-managed columns and their values on create (besides id, version, created_at, updated_at).
    server_defaults: Mapping[str, Any] = field(default_factory=dict)


def to_plain(value: Any) -> Any:
    """A field value in the form the audit state stores: instants as canonical UTC text, dates ISO, enums str."""
    if isinstance(value, datetime):
        return canonical.isoformat_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return value


def _annotation_kinds(annotation: Any) -> set[Any]:
    found: set[Any] = set()
    stack = [annotation]
    while stack:
        item = stack.pop()
        args = typing.get_args(item)
        if args:
            if typing.get_origin(item) is typing.Annotated:
                stack.append(args[0])
            else:
                stack.extend(args)
        else:
            found.add(item)
    return found


# How many distinct texts each instant or date column remembers the conversion of (a bound, so memory stays flat).
CONVERSION_CACHE_ENTRIES = 4096


def cached_conversion(convert: Callable[[Any], str], limit: int = CONVERSION_CACHE_ENTRIES) -> Callable[[Any], str]:
    """`convert` remembering its result for up to `limit` distinct input texts (then it starts afresh).

    Import columns repeat a lot (certificate validity instants, installation dates), and `convert` is pure, so a
    remembered result is the result. Only successes are kept: a bad text is converted again, and raises again,
    wherever it appears, so every line keeps its own error.
    """
    cache: dict[str, str] = {}

    def converted(value: Any) -> str:
        if value.__class__ is not str:
            return convert(value)
        text = cache.get(value)
        if text is None:
            text = convert(value)
            if len(cache) >= limit:
                cache.clear()
            cache[value] = text
        return text

    return converted


class RowValidator:
    """Validates one imported row into JSON-ready values, with the Create model's rules, several times faster.

    Built from the Create model's fields, so the two cannot drift: the same types, lengths, patterns and custom
    validators, except that instants and dates are parsed straight to their canonical text and enums to their
    value (the forms the audit state stores), and the output is a plain dict of the fields the row carried.
    (SQLModel models validate twice through their custom __init__; a TypedDict does not.) Each instant and date
    column remembers its recent conversions (`cached_conversion`); one validator serves one import.
    """

    def __init__(self, model: type[SQLModel]) -> None:
        fields: dict[str, Any] = {}
        self.defaults: dict[str, Any] = {}
        for name, info in model.model_fields.items():
            kinds = _annotation_kinds(info.annotation)
            nullable = type(None) in kinds
            enums = [k for k in kinds if isinstance(k, type) and issubclass(k, StrEnum)]
            kind: Any
            if datetime in kinds:
                kind = Annotated[Any, PlainValidator(cached_conversion(instant_text))]
            elif date in kinds:
                kind = Annotated[Any, PlainValidator(cached_conversion(date_text))]
            elif enums:
                kind = Literal[tuple(m.value for m in enums[0])]
            else:
                kind = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
            if nullable and (datetime in kinds or date in kinds or enums):
                # Optional[...] compiles to a nullable schema: None is accepted without calling the validator.
                kind = kind | None
            if info.is_required():
                fields[name] = kind
            else:
                fields[name] = NotRequired[kind]
                self.defaults[name] = to_plain(info.get_default(call_default_factory=True))
        # The functional TypedDict form, since the fields are only known at run time.
        row_type: Any = typing.cast(Any, TypedDict)(f"{model.__name__}Row", fields)
        row_type.__pydantic_config__ = ConfigDict(str_strip_whitespace=True)
        self.adapter: TypeAdapter[dict[str, Any]] = TypeAdapter(row_type)
        # The compiled validator itself: TypeAdapter.validate_python adds a Python-level call per row (imports run
        # it millions of times) and does nothing else for a plain dict input.
        self.validate: Callable[[Any], dict[str, Any]] = self.adapter.validator.validate_python
        self._row_type: Any = row_type
        self._many: Callable[[list[Any]], list[dict[str, Any]]] | None = None

    def validate_many(self, rows: list[Any]) -> list[dict[str, Any]]:
        """Validate a whole batch in one call (the same row schema, so the same conversions); raises on any error."""
        if self._many is None:  # built on first use: single-row callers (access events) never need it
            rows_type: Any = GenericAlias(list, (self._row_type,))  # list[<the row TypedDict>], built at run time
            self._many = TypeAdapter(rows_type).validator.validate_python
        return self._many(rows)


def validate_batch(
    validator: RowValidator, batch: list[Row], errors: ErrorCollector, required: Sequence[str]
) -> list[Row]:
    """(line, the JSON-ready values the row set) for each valid row of a batch; each bad row's problems to `errors`."""
    try:
        values = validator.validate_many([raw for _, raw in batch])
        return [(line, v) for (line, _), v in zip(batch, values, strict=True)]
    except ValidationError:
        pass  # some row is bad: validate one by one, so that each problem is reported on its own line
    out = []
    validate = validator.validate
    for line, raw in batch:
        try:
            out.append((line, validate(raw)))
        except ValidationError as exc:
            for name, message in validation_messages(exc, required):
                errors.add(line, name, message)
    return out


class _Store:
    """Reads and writes one table in JSON-ready values; raw driver calls on SQLite (the hot path), Core elsewhere."""

    def __init__(self, session: Session, table: Table) -> None:
        self.session = session
        self.table = table
        self.connection = session.connection()
        self.sqlite = self.connection.dialect.name == "sqlite"
        self.names = [c.name for c in table.columns]
        self.datetimes = [c.name for c in table.columns if isinstance(c.type, UTCDateTime)]
        self.dates = [c.name for c in table.columns if isinstance(c.type, Date)]
        self.booleans = [c.name for c in table.columns if isinstance(c.type, Boolean)]
        self._dt_positions = [self.names.index(n) for n in self.datetimes]
        self._getter = itemgetter(*self.names)
        column_list = ", ".join(self.names)
        self._select_sql = f"SELECT {column_list} FROM {table.name}"
        self._insert_sql = f"INSERT INTO {table.name} ({column_list}) VALUES ({', '.join('?' for _ in self.names)})"
        settable = [n for n in self.names if n != "id"]
        self._update_names = settable
        self._update_getter = itemgetter(*settable, "id")
        self._update_dt_positions = [settable.index(n) for n in self.datetimes if n in settable]
        self._update_sql = (
            f"UPDATE {table.name} SET {', '.join(f'{n} = ?' for n in settable)} WHERE id = ? AND version = ?"
        )

    def max_id(self) -> int:
        """The largest id in the table (0 when empty)."""
        return int(self.session.scalar(select(func.max(self.table.c.id))) or 0)

    def fetch(self, column: str, keys: Sequence[str]) -> list[dict[str, Any]]:
        """Full rows whose `column` is one of `keys`, as JSON-ready dicts."""
        if not keys:
            return []
        if self.sqlite:
            placeholders = ", ".join("?" for _ in keys)
            result = self.connection.exec_driver_sql(
                f"{self._select_sql} WHERE {column} IN ({placeholders})", tuple(keys)
            )
            return [self._from_sqlite(row) for row in result]
        stmt = select(self.table).where(self.table.c[column].in_(list(keys)))
        return [{k: to_plain(v) for k, v in row._mapping.items()} for row in self.session.execute(stmt)]

    def _from_sqlite(self, row: Sequence[Any]) -> dict[str, Any]:
        record = dict(zip(self.names, row, strict=True))
        for name in self.datetimes:
            v = record[name]
            if v is not None:
                # Stored as naive UTC text "YYYY-MM-DD HH:MM:SS.ffffff" (SQLAlchemy's SQLite format).
                record[name] = (
                    f"{v[:10]}T{v[11:]}Z" if len(v) == 26 else canonical.isoformat_utc(datetime.fromisoformat(v))
                )
        for name in self.booleans:
            v = record[name]
            if v is not None:
                record[name] = bool(v)
        return record

    def reserve_ids(self, count: int, next_id: int) -> list[int]:
        """Ids for `count` new rows: consecutive on SQLite (the write lock is held), the sequence elsewhere."""
        if self.sqlite:
            return list(range(next_id, next_id + count))
        seq = self.session.scalar(text(f"SELECT pg_get_serial_sequence('{self.table.name}', 'id')"))
        rows = self.session.execute(text(f"SELECT nextval('{seq}') FROM generate_series(1, :n)"), {"n": count})
        return [int(r[0]) for r in rows]

    def insert(self, records: list[dict[str, Any]]) -> None:
        """Insert complete records (ids included)."""
        if not records:
            return
        if self.sqlite:
            self.connection.exec_driver_sql(
                self._insert_sql, [self._sqlite_row(r, self._getter, self._dt_positions) for r in records]
            )
            return
        self.session.execute(insert(self.table), [self._core_row(r) for r in records])

    def update(self, records: list[tuple[dict[str, Any], int]]) -> None:
        """Overwrite rows by id, each only if still at the version read; Conflict if another writer got there first."""
        if not records:
            return
        if self.sqlite:
            params = [(*self._sqlite_row(r, self._update_getter, self._update_dt_positions), old) for r, old in records]
            changed = self.connection.exec_driver_sql(self._update_sql, params).rowcount
        else:
            stmt = (
                update(self.table)
                .where(self.table.c.id == bindparam("_id"), self.table.c.version == bindparam("_old_version"))
                .values({n: bindparam(n) for n in self._update_names})
            )
            params_core = [
                {**{n: v for n, v in self._core_row(r).items() if n != "id"}, "_id": r["id"], "_old_version": old}
                for r, old in records
            ]
            changed = typing.cast(CursorResult[Any], self.session.execute(stmt, params_core)).rowcount
        if changed != len(records):
            raise Conflict(
                f"{len(records) - changed} {self.table.name} records were changed by someone else during the import; "
                "nothing was written, run the import again."
            )

    @staticmethod
    def _sqlite_row(
        record: dict[str, Any], getter: Callable[[dict[str, Any]], tuple[Any, ...]], datetimes: list[int]
    ) -> tuple[Any, ...]:
        row = list(getter(record))
        for i in datetimes:
            v = row[i]
            if v is not None:
                row[i] = f"{v[:10]} {v[11:26]}"
        return tuple(row)

    def _core_row(self, record: Mapping[str, Any]) -> dict[str, Any]:
        row = dict(record)
        for name in self.datetimes:
            if row[name] is not None:
                row[name] = datetime.fromisoformat(row[name])
        for name in self.dates:
            if row[name] is not None:
                row[name] = date.fromisoformat(row[name])
        return row


class _SeenLines:
    """The file line that last wrote each record id, in 4 bytes per id (not per file line): finds repeated keys."""

    def __init__(self) -> None:
        self._lines = array("I")

    def get(self, record_id: int) -> int:
        """The line that touched `record_id` in this import, or 0."""
        return self._lines[record_id] if record_id < len(self._lines) else 0

    def mark(self, record_id: int, line: int) -> None:
        """Remember that `line` wrote `record_id`."""
        if record_id >= len(self._lines):
            grow = max(record_id + 1 - len(self._lines), len(self._lines) // 2, 1024)
            self._lines.frombytes(bytes(4 * grow))
        self._lines[record_id] = line


@dataclass
class _Batch:
    """The outcome of one batch: records to insert and update, and their audit events."""

    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[tuple[dict[str, Any], int]] = field(default_factory=list)
    events: list[audit.PendingEvent] = field(default_factory=list)


class Upserter:
    """Applies validated rows to one table, batch by batch, inside the caller's transaction."""

    def __init__(
        self, session: Session, spec: UpsertSpec, actor: Principal, errors: ErrorCollector, now: datetime
    ) -> None:
        self.session = session
        self.spec = spec
        self.actor = actor
        self.errors = errors
        self.now = canonical.isoformat_utc(now)
        self.store = _Store(session, spec.table)
        self.rows = RowValidator(spec.create_model)
        # Each changed record's state, as the canonical JSON bytes the audit chain hashes and stores.
        self.encode = canonical.flat_bytes
        # A plain str: SQLAlchemy's quoted_name would make sqlite3 look for an adapter on every audit row.
        self.entity = str(spec.table.name)
        self.seen = _SeenLines()
        self.next_id = self.store.max_id() + 1
        self.result = ImportResult()
        self.key = spec.natural_key
        self.required = spec.columns.required

    def run(self, rows: Iterable[Row] | ValidatedBatches) -> ImportResult:
        """Process every row (or batch validated elsewhere); the caller decides whether to keep the writes."""
        if isinstance(rows, ValidatedBatches):
            # Closed explicitly, so that a failure here stops and reaps the reader at once.
            with closing(iter(rows)) as batches:
                for valid in batches:
                    self._apply(self._process(valid))
            return self.result
        iterator = iter(rows)
        while batch := list(islice(iterator, BATCH_ROWS)):
            self._apply(self._process(validate_batch(self.rows, batch, self.errors, self.required)))
        return self.result

    def _process(self, valid: list[Row]) -> _Batch:
        spec, key = self.spec, self.key
        in_batch: dict[str, dict[Any, int]] = {name: {} for name in (key, *spec.unique_keys)}
        kept = []
        for line, values in valid:
            clash = False
            for name, lines in in_batch.items():
                first = lines.get(values[name])
                if first is not None:
                    self.errors.add(line, name, f"{name} '{values[name]}' also appears on line {first}.")
                    clash = True
                else:
                    lines[values[name]] = line
            if not clash:
                kept.append((line, values))
        current = {r[key]: r for r in self.store.fetch(key, [v[key] for _, v in kept])}
        holders = {
            name: {r[name]: r for r in self.store.fetch(name, [v[name] for _, v in kept])} for name in spec.unique_keys
        }
        defaults = {**self.rows.defaults, **spec.server_defaults}
        # Most batches (all of a first load) meet no holder of a unique key: no per-row check then.
        any_holder = any(holders.values())
        finish, now, encode, entity, pending = spec.finish, self.now, self.encode, self.entity, audit.PendingEvent
        out = _Batch()
        new_records: list[tuple[int, dict[str, Any]]] = []
        for line, values in kept:
            existing = current.get(values[key])
            try:
                if existing is not None:
                    first = self.seen.get(existing["id"])
                    if first:
                        raise RowProblem(key, f"{key} '{values[key]}' also appears on line {first}.")
                    record = dict(existing)
                    record.update(values)
                else:
                    record = {**defaults, **values}
                if any_holder:
                    self._check_unique(record, existing, holders)
                finish(existing, record, values, now)
            except RowProblem as problem:
                self.errors.add(line, problem.field, problem.message)
                continue
            if existing is not None:
                self.seen.mark(existing["id"], line)
                if record == existing:
                    self.result.unchanged += 1
                    continue
                record["version"] = existing["version"] + 1
                record["updated_at"] = now
                out.updates.append((record, existing["version"]))
                self.result.updated += 1
                out.events.append(pending("update", entity, str(record["id"]), encode(record)))
            else:
                new_records.append((line, record))
        if new_records:
            ids = self.store.reserve_ids(len(new_records), self.next_id)
            self.next_id = ids[-1] + 1
            mark, inserts, events = self.seen.mark, out.inserts, out.events
            for (line, record), new_id in zip(new_records, ids, strict=True):
                record["id"] = new_id
                record["version"] = 1
                record["created_at"] = record["updated_at"] = now
                mark(new_id, line)
                inserts.append(record)
                events.append(pending("create", entity, str(new_id), encode(record)))
            self.result.created += len(new_records)
        return out

    def _check_unique(
        self,
        record: Mapping[str, Any],
        existing: Mapping[str, Any] | None,
        holders: Mapping[str, Mapping[Any, Mapping[str, Any]]],
    ) -> None:
        for name in self.spec.unique_keys:
            holder = holders[name].get(record[name])
            if holder is None or (existing is not None and holder["id"] == existing["id"]):
                continue
            first = self.seen.get(holder["id"])
            if first:
                raise RowProblem(name, f"{name} '{record[name]}' also appears on line {first}.")
            raise RowProblem(
                name,
                f"{name} '{record[name]}' already belongs to {self.spec.label} "
                f"{self.key} '{holder[self.key]}' (id {holder['id']}).",
            )

    def _apply(self, batch: _Batch) -> None:
        # Writes go on after the first error so later rows are still checked against earlier ones (duplicates); the
        # savepoint is rolled back at the end. Audit events, the costliest part, are skipped once the file is bad.
        try:
            self.store.update(batch.updates)
            self.store.insert(batch.inserts)
        except IntegrityError as exc:
            raise Conflict(
                f"Another writer changed {self.spec.table.name} records during the import; nothing was written, "
                "run the import again."
            ) from exc
        if batch.events and not self.errors:
            audit.record_many(self.session, actor=self.actor, events=batch.events)


# Container allocations (net of those freed) between two young-generation collections during an import
# (`tracker.runtime.long_lived_objects_frozen`): a batch keeps thousands of containers alive until it is written.
IMPORT_GC_THRESHOLD = 50_000


def refresh_statistics(session: Session, table: str) -> None:
    """Re-gather SQLite's planner statistics for a table after a bulk change (PostgreSQL's autovacuum does this).

    Without them SQLite guesses that `status = ?` is selective and sorts every active unit to order a page by
    cert_not_after (seconds on a million rows) instead of walking the cert_not_after index (a millisecond). A full
    ANALYZE of a million-row table takes about two seconds.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA analysis_limit = 0")
        connection.exec_driver_sql(f"ANALYZE {table}")


def upsert(
    *,
    session: Session,
    rows: Iterable[Row] | ValidatedBatches,
    spec: UpsertSpec,
    actor: Principal,
    errors: ErrorCollector,
    dry_run: bool = False,
    what: str = "import",
    now: datetime | None = None,
) -> ImportResult:
    """Apply rows all-or-nothing: Invalid (listing every bad line) and nothing written if any row is bad."""
    savepoint = session.begin_nested()
    # SQLAlchemy emits SAVEPOINT lazily, on the next use through the session; the raw driver writes below must
    # come after it, or a rollback would not undo them.
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # A bigger page cache keeps the index pages of a large import in memory (fewer spills to the WAL); it is
        # a fixed amount, so memory stays flat whatever the file size. The pooled connection gets its own back.
        previous = int(connection.exec_driver_sql("PRAGMA cache_size").scalar() or -2000)
        connection.exec_driver_sql(f"PRAGMA cache_size = {-IMPORT_CACHE_KIB}")
    try:
        with long_lived_objects_frozen(young_threshold=IMPORT_GC_THRESHOLD):
            result = Upserter(session, spec, actor, errors, now or now_utc()).run(rows)
    except BaseException:
        savepoint.rollback()
        raise
    finally:
        if sqlite:
            connection.exec_driver_sql(f"PRAGMA cache_size = {previous}")
    if errors or dry_run:
        savepoint.rollback()
    else:
        if sqlite and result.created + result.updated >= ANALYZE_AFTER_ROWS:
            refresh_statistics(session, spec.table.name)
        savepoint.commit()
    errors.raise_if_any(what)
    result.dry_run = dry_run
    log.info(
        "%s %s: created %d, updated %d, unchanged %d%s",
        spec.table.name,
        what,
        result.created,
        result.updated,
        result.unchanged,
        " (dry run)" if dry_run else "",
    )
    return result


# --- reading in a second process ---------------------------------------------------------------------------------

# A file at least this large is read and validated in a forked process while this one writes (`read_aside`); a
# smaller one is not worth the process (about 50,000 femtocell rows; a fork takes a few milliseconds).
READ_ASIDE_MIN_BYTES = 16 * 1024 * 1024


class _ForwardedErrors(ErrorCollector):
    """The reading process's problems, kept in the order they were found, to be added to the importer's collector.

    The importer's collector keeps the first `limit` problems in detail and counts the rest, so of the problems
    found between two messages only the first `limit` can matter; the others are sent as a count.
    """

    def __init__(self) -> None:
        super().__init__()
        self.pending: list[tuple[int, str | None, str]] = []
        self.overflow = 0

    def add(self, line: int, field: str | None, message: str) -> None:
        """Record one problem, here (for the header's checks) and for the importer."""
        super().add(line, field, message)
        if len(self.pending) < self.limit:
            self.pending.append((line, field, message))
        else:
            self.overflow += 1

    def take(self) -> tuple[list[tuple[int, str | None, str]], int]:
        """The problems found since the last call, and how many more there were."""
        taken = self.pending, self.overflow
        self.pending, self.overflow = [], 0
        return taken


class ValidatedBatches:
    """Batches of validated rows (`validate_batch`), read and validated from a file by a forked process.

    Reading (about 8 us per femtocell row) and validating (about 12 us) are a quarter of an import's time; a
    process of their own runs them on the other core while this one writes, and the batches cross a pipe in pickles
    (about 3 us per row to unpickle). With a core to spare: 200k femtocells in 74 instead of 86 us per row, 1M in
    90 instead of 128 (with the other speed-ups of the same change); the importer's peak memory is 170 instead of
    194 MB, and the reader, forked from it, has ~50 MB of its own. With no core to spare (other work busy on both)
    the two processes take turns, and the import was 5-15% slower than reading in-process.

    The reader sends a message per batch in the order the in-process path works in: the problems found while
    reading the batch and validating it, the byte counts for `progress`, then the valid rows; the importer adds
    those problems to its collector before it checks the rows against the database, so the same problems are
    reported, in the same order. An exception in the reader (a header problem, an empty file, an unreadable
    stream) is raised again here. Iterating to the end, breaking off, or an error on either side always ends and
    reaps the reader; it never writes anything, so nothing needs undoing.

    Only used where forking is safe and pays (`read_aside`): a regular file of `READ_ASIDE_MIN_BYTES` or more, a
    platform with fork, and no other thread in this process (a fork copies locks in whatever state other threads
    left them, so the web app reads uploads in-process).
    """

    def __init__(
        self,
        stream: IO[bytes],
        fmt: ImportFormat,
        spec: UpsertSpec,
        errors: ErrorCollector,
        progress: Callable[[int], None] | None,
    ) -> None:
        self.stream = stream
        self.fmt = fmt
        self.spec = spec
        self.errors = errors
        self.progress = progress

    def __iter__(self) -> Generator[list[Row]]:
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe(duplex=False)
        reader = context.Process(target=self._read, args=(sender,), name="sectrack-import-reader", daemon=True)
        reader.start()
        sender.close()
        try:
            while True:
                try:
                    kind, (problems, more), progressed, payload = receiver.recv()
                except EOFError:
                    reader.join()
                    raise RuntimeError(
                        f"The import's reading process ended unexpectedly (exit code {reader.exitcode}); "
                        "nothing was written."
                    ) from None
                for problem in problems:
                    self.errors.add(*problem)
                self.errors.count += more
                if self.progress is not None:
                    for done in progressed:
                        self.progress(done)
                if kind == "rows":
                    yield payload
                elif kind == "end":
                    return
                else:
                    raise _rebuilt(payload)
        finally:
            receiver.close()
            if reader.is_alive():
                reader.terminate()
            reader.join(10)
            if reader.is_alive():  # pragma: no cover - SIGTERM is not handled in the reader
                reader.kill()
                reader.join()

    def _read(self, sender: Any) -> None:
        """The reading process: read, validate and send batch after batch; then the end, or the exception."""
        # Ctrl-C reaches the whole process group: the importer stops the reader (SIGTERM), which must then end,
        # whatever handlers it inherited.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        errors = _ForwardedErrors()
        progressed: list[int] = []
        try:
            validator = RowValidator(self.spec.create_model)
            rows = read_rows(
                self.stream, self.fmt, columns=self.spec.columns, errors=errors, progress=progressed.append
            )
            required = self.spec.columns.required
            while batch := list(islice(rows, BATCH_ROWS)):
                valid = validate_batch(validator, batch, errors, required)
                sender.send(("rows", errors.take(), progressed[:], valid))
                progressed.clear()
            sender.send(("end", errors.take(), progressed, None))
        except BrokenPipeError:
            pass  # the importer is gone (it stopped reading, or was killed): nobody to tell
        except BaseException as exc:  # noqa: BLE001 - every failure is the importer's to raise
            with suppress(BrokenPipeError):
                sender.send(("raise", errors.take(), progressed, _portable(exc)))
        finally:
            sender.close()


def _portable(exc: BaseException) -> tuple[Any, ...]:
    """An exception in a form that survives pickling (sectrack's errors take keyword arguments pickle drops)."""
    if isinstance(exc, SectrackError):
        return ("sectrack", type(exc), exc.message, exc.field, exc.errors)
    try:
        pickle.dumps(exc)
    except Exception:  # noqa: BLE001 - anything unpicklable is described instead
        return ("other", RuntimeError(f"The import's reading process failed: {exc!r}"))
    return ("other", exc)


def _rebuilt(portable: tuple[Any, ...]) -> BaseException:
    if portable[0] == "sectrack":
        _, cls, message, field_name, details = portable
        return typing.cast(BaseException, cls(message, field=field_name, errors=details))
    return typing.cast(BaseException, portable[1])


def _other_threads() -> bool:
    return threading.active_count() > 1


def read_aside(stream: IO[bytes]) -> bool:
    """Whether to read and validate `stream` in a second process (`ValidatedBatches`): a large file, a second CPU
    for the reader, and a fork that is safe (no other thread)."""
    if len(os.sched_getaffinity(0)) < 2 or "fork" not in multiprocessing.get_all_start_methods() or _other_threads():
        return False
    try:
        status = os.fstat(stream.fileno())
        position = stream.tell()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return False
    return stat.S_ISREG(status.st_mode) and status.st_size - position >= READ_ASIDE_MIN_BYTES


def import_stream(
    *,
    session: Session,
    stream: IO[bytes],
    fmt: ImportFormat,
    spec: UpsertSpec,
    actor: Principal,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Read a CSV/JSONL stream and upsert it into `spec.table` all-or-nothing."""
    errors = ErrorCollector()
    rows: Iterable[Row] | ValidatedBatches
    if read_aside(stream):
        rows = ValidatedBatches(stream, fmt, spec, errors, progress)
    else:
        rows = read_rows(stream, fmt, columns=spec.columns, errors=errors, progress=progress)
    return upsert(session=session, rows=rows, spec=spec, actor=actor, errors=errors, dry_run=dry_run)
