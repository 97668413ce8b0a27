"""Query helpers the inventory lists share."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_
from sqlmodel import Session


def prefix_match(session: Session, column: Any, prefix: str) -> ColumnElement[bool]:
    """`column` starts with `prefix`, in a form the database can answer from an index where it can."""
    if session.get_bind().dialect.name == "sqlite":
        # SQLite compares text byte-wise, so a prefix is an index range; LIKE would scan (it ignores case).
        return and_(column >= prefix, column < prefix + "\U0010ffff")
    # PostgreSQL may collate text by locale, where a range is not a prefix; LIKE is exact.
    return column.startswith(prefix, autoescape=True)
