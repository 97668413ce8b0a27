"""Column types and time helpers shared by every domain."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Column, DateTime
from sqlalchemy import Enum as SAEnum
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

SEOUL = ZoneInfo("Asia/Seoul")


def now_utc() -> datetime:
    """The current time, timezone-aware UTC (microsecond precision, as stored)."""
    return datetime.now(UTC)


def to_seoul(value: datetime) -> datetime:
    """The same instant shown in Asia/Seoul, for reports."""
    return value.astimezone(SEOUL)


def as_utc(value: datetime) -> datetime:
    """Interpret a naive datetime as UTC and convert an aware one to UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_instant(text: str) -> datetime:
    """Parse an ISO date or datetime given by a user; a bare date means the end of that day in Seoul."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, 23, 59, 59, 999999, tzinfo=SEOUL).astimezone(UTC)
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        from tracker.errors import Invalid

        raise Invalid(f"'{text}' is not an ISO date (YYYY-MM-DD) or datetime.", field="as_of") from exc
    # A naive datetime from a Korean user means Seoul time, not UTC.
    if value.tzinfo is None:
        value = value.replace(tzinfo=SEOUL)
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware.

    PostgreSQL keeps `timestamptz`; SQLite has no time zones, so values are stored as naive UTC text and the
    zone is re-attached on the way out. Naive values are refused on the way in: they are bugs.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        """Convert to UTC; strip the zone for SQLite."""
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} refused: timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Re-attach UTC to what SQLite returns; normalise PostgreSQL's session zone to UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column(enum_cls: type[StrEnum], *, nullable: bool = False, index: bool = False) -> Column[Any]:
    """A VARCHAR column holding a StrEnum's values, loaded back as enum members (for `sa_column=`)."""
    length = max(len(m.value) for m in enum_cls)
    return Column(
        SAEnum(
            enum_cls,
            native_enum=False,
            create_constraint=False,
            length=max(length, 20),
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
        ),
        nullable=nullable,
        index=index,
    )
