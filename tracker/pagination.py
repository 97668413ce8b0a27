"""Keyset pagination: opaque cursors and the `{"items": [...], "next_cursor": ...}` page shape.

A cursor records the list it belongs to, the sort key and the last row's (sort value, id), so the next page
starts strictly after that row. Rows inserted or deleted between pages never shift the window, unlike OFFSET.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

from tracker.errors import Invalid

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000


class Page(BaseModel, Generic[T]):
    """One page of a list and the cursor of the next page (null on the last page)."""

    items: list[T]
    next_cursor: str | None = None


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        if "t" in value:
            return datetime.fromisoformat(value["t"])
        if "d" in value:
            return date.fromisoformat(value["d"])
        raise ValueError("unknown cursor value")
    return value


def encode_cursor(kind: str, values: list[Any]) -> str:
    """An opaque cursor for the list `kind` positioned after a row with these key values."""
    raw = json.dumps([kind, [_encode_value(v) for v in values]], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, *, kind: str, arity: int) -> list[Any]:
    """The key values inside a cursor; Invalid (422, field `cursor`) if it was not made for this list."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        got_kind, values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8"))
        decoded = [_decode_value(v) for v in values]
    except (ValueError, TypeError, binascii.Error, UnicodeError) as exc:
        raise Invalid("The cursor is malformed; pass back next_cursor exactly as received.", field="cursor") from exc
    if got_kind != kind or len(decoded) != arity:
        raise Invalid("The cursor belongs to a different list or ordering.", field="cursor")
    return decoded


def keyset_page(
    stmt: Select[Any],
    *,
    kind: str,
    sort_column: InstrumentedAttribute[Any] | ColumnElement[Any],
    id_column: InstrumentedAttribute[Any] | ColumnElement[Any],
    descending: bool = False,
    cursor: str | None,
    limit: int,
) -> Select[Any]:
    """Apply ordering, the cursor position and limit+1 (to detect a next page) to a select.

    `kind` must name both the list and the sort (e.g. "femtocell:serial:asc") so a cursor cannot be replayed
    under another ordering. The sort column must be non-null; ties are broken by id.
    """
    if cursor is not None:
        last_value, last_id = decode_cursor(cursor, kind=kind, arity=2)
        if descending:
            stmt = stmt.where(or_(sort_column < last_value, and_(sort_column == last_value, id_column < last_id)))
        else:
            stmt = stmt.where(or_(sort_column > last_value, and_(sort_column == last_value, id_column > last_id)))
    if descending:
        stmt = stmt.order_by(sort_column.desc(), id_column.desc())
    else:
        stmt = stmt.order_by(sort_column.asc(), id_column.asc())
    return stmt.limit(limit + 1)


def build_page(rows: list[Any], *, kind: str, limit: int, sort_attr: str, id_attr: str = "id") -> Page[Any]:
    """Cut the limit+1 rows a keyset query returned into a page and the next cursor."""
    if len(rows) > limit:
        last = rows[limit - 1]
        return Page(
            items=rows[:limit],
            next_cursor=encode_cursor(kind, [getattr(last, sort_attr), getattr(last, id_attr)]),
        )
    return Page(items=rows, next_cursor=None)
