"""The rules a bundle's writer and its verifier share: names, line forms, CSV rendering, record order.

Everything here is a pure function of its arguments, so an export of a past instant is byte-identical every time and
an independent verifier can re-implement the checks from these docstrings alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from json.encoder import encode_basestring as _esc
from typing import Any

from tracker import canonical
from tracker.types import to_seoul

FORMAT = "sectrack-audit-export"
FORMAT_VERSION = 1

MANIFEST = "manifest.json"
SIGNATURE = "signature"
PUBLIC_KEY = "public-key.pem"
EVENTS = "audit/events.jsonl"
POAM = "oscal/poam.json"
REGISTERS = "registers.xlsx"
DATA_DIR = "data/"

# Entity types become file names, so they must be plain table names.
ENTITY_TYPE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Ids that order numerically: non-negative integers without leading zeros that fit in 64 bits. `\Z`, not `$`,
# which would also accept a trailing newline (the writer's SQL does not).
CANONICAL_INT = re.compile(r"^(?:0|[1-9][0-9]{0,17})\Z")

# Spreadsheet programs run cells starting with these as formulas (CSV injection); such strings get a leading "'".
_FORMULA_START = frozenset("=+-@\t\r'")


def data_paths(entity_type: str) -> tuple[str, str]:
    """The JSONL and CSV paths of an entity type's data files."""
    return f"{DATA_DIR}{entity_type}.jsonl", f"{DATA_DIR}{entity_type}.csv"


def entity_of_data_path(path: str) -> tuple[str, str] | None:
    """(entity type, "jsonl" | "csv") for a data file path, or None for anything else."""
    if not path.startswith(DATA_DIR):
        return None
    stem, dot, ext = path[len(DATA_DIR) :].rpartition(".")
    if not dot or ext not in ("jsonl", "csv") or not ENTITY_TYPE.match(stem):
        return None
    return stem, ext


def event_line(
    *,
    seq: int,
    occurred_at: str,
    actor: str,
    role: str,
    request_id: str,
    action: str,
    entity_type: str,
    entity_id: str,
    state_text: str,
    prev_hash: str,
    hash_: str,
) -> str:
    """One line of audit/events.jsonl: the canonical JSON of the event, hash included, state as an object.

    Keys are in sorted order, so removing the `"hash":"…",` member leaves exactly the body the chain hashed:
    `hash = sha256(prev_hash + body)` (see `tracker.audit.service.body_text`). The hashes (hex) and the time
    (`canonical.isoformat_utc`) never need escaping; everything else is escaped as JSON requires.
    """
    return (
        f'{{"action":{_esc(action)},"actor":{_esc(actor)},"entity_id":{_esc(entity_id)},'
        f'"entity_type":{_esc(entity_type)},"hash":"{hash_}","occurred_at":"{occurred_at}",'
        f'"prev_hash":"{prev_hash}","request_id":{_esc(request_id)},"role":{_esc(role)},"seq":{int(seq)},'
        f'"state":{state_text}}}'
    )


def csv_cell(value: Any) -> str:
    """How one JSON value is written in a CSV cell.

    null → empty; true/false → `true`/`false`; numbers as in JSON; lists and objects as canonical JSON; strings
    as they are, except that a string starting with = + - @ tab, carriage return or ' gets one leading ' so that
    Excel never runs it as a formula (strip that one ' to read the value back). The JSONL file is authoritative:
    CSV cannot tell null from an empty string.
    """
    # Exact type checks, most frequent first: this runs for every cell of every CSV.
    kind = type(value)
    if kind is str:
        return "'" + value if value and value[0] in _FORMULA_START else value
    if kind is int:
        return str(value)
    if value is None:
        return ""
    if kind is bool:
        return "true" if value else "false"
    return canonical.dumps(value)


def csv_header(keys: Iterable[str], table_columns: Sequence[str] | None) -> list[str]:
    """The CSV header of an entity type: the union of its records' keys, table columns first, the rest sorted.

    With no records at all the header is the table's columns when the table is known (else empty).
    """
    present = set(keys)
    if not present:
        return list(table_columns or [])
    known = [c for c in (table_columns or []) if c in present]
    return known + sorted(present - set(known))


def ids_are_numeric(ids: Iterable[str]) -> bool:
    """True when every id is a canonical non-negative integer: records are then ordered numerically."""
    return all(CANONICAL_INT.match(i) for i in ids)


def id_sort_key(numeric: bool) -> Any:
    """The order of records in data files: numeric ids by value, others by Unicode code point."""
    if numeric:
        return lambda entity_id: (len(entity_id), entity_id)
    return None


def sorted_ids(ids: Iterable[str]) -> list[str]:
    """Entity ids in data-file order (decided over every id the type has had, deleted records included)."""
    all_ids = list(ids)
    return sorted(all_ids, key=id_sort_key(ids_are_numeric(all_ids)))


def zip_date_time(as_of: datetime) -> tuple[int, int, int, int, int, int]:
    """The fixed timestamp of every ZIP entry: the as-of instant in Seoul time (ZIP times have no zone)."""
    local = to_seoul(as_of)
    year = min(max(local.year, 1980), 2107)
    if year != local.year:
        return (year, 1, 1, 0, 0, 0)
    return (local.year, local.month, local.day, local.hour, local.minute, local.second)


def state_columns(state: Mapping[str, Any], header: Sequence[str]) -> list[str]:
    """One CSV row: the state's values rendered in header order (absent keys render as empty)."""
    return list(map(csv_cell, map(state.get, header)))
