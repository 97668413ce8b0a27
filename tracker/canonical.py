"""Canonical JSON: the byte form that hashes and signatures are computed over.

Keys sorted, no insignificant whitespace, UTF-8, non-ASCII kept as is. For the values sectrack stores (strings,
integers, booleans, null, lists, objects; money is never a float) this is the RFC 8785 (JCS) serialization, so an
auditor can reproduce it with any JCS library.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return isoformat_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps(value: Any) -> str:
    """Serialize to canonical JSON text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def dump_bytes(value: Any) -> bytes:
    """Serialize to canonical JSON bytes (UTF-8)."""
    return dumps(value).encode("utf-8")


def isoformat_utc(value: datetime) -> str:
    """One fixed text form for instants: UTC, microseconds, `Z` suffix (e.g. 2026-01-02T03:04:05.000006Z)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    # isoformat is implemented in C and much faster than strftime on the audit hot path.
    return value.isoformat(timespec="microseconds") + "Z"
