"""Meeting dates from a body's cadence, and a meeting's status on a given day: pure functions over plain data.

A cadence is monthly or quarterly, on either a day of the month (clipped to the month's last day, so "the 31st"
means 30 April and 28 or 29 February) or the n-th weekday of the month (n = 1..4, or -1 for the last). Quarterly
meetings fall in the same month of every calendar quarter (`month_in_quarter` 1 = January, April, July, October).

A meeting is *missed* when its date (Asia/Seoul calendar) has passed without it being held. The status is computed
as of a day rather than stored by a sweep: nothing has to run for it to be right, and "as of" questions about the
past get the answer that was true then.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from tracker.types import now_utc, to_seoul


class Frequency(StrEnum):
    """How often a body meets; `none` for an officer (the CISO) who reports rather than convenes."""

    monthly = "monthly"
    quarterly = "quarterly"
    none = "none"


class ReviewState(StrEnum):
    """What has happened to a meeting (stored)."""

    scheduled = "scheduled"
    held = "held"
    signed_off = "signed_off"


class ReviewStatus(StrEnum):
    """What a meeting is on a given day: a scheduled meeting whose date has passed is missed (computed)."""

    scheduled = "scheduled"
    held = "held"
    missed = "missed"
    signed_off = "signed_off"


@dataclass(frozen=True)
class Cadence:
    """When a body meets: frequency plus either `day` of the month or the `week`-th `weekday` (0 = Monday)."""

    freq: Frequency
    day: int | None = None
    weekday: int | None = None
    week: int | None = None
    month_in_quarter: int = 1

    def __post_init__(self) -> None:
        if self.freq is Frequency.none:
            return
        by_day = self.day is not None
        by_weekday = self.weekday is not None or self.week is not None
        if by_day == by_weekday:
            raise ValueError("a cadence needs either a day of the month or a weekday and week, not both")
        if self.day is not None and not 1 <= self.day <= 31:
            raise ValueError(f"day {self.day} is not a day of the month (1-31)")
        if by_weekday:
            if self.weekday is None or not 0 <= self.weekday <= 6:
                raise ValueError(f"weekday {self.weekday} is not 0 (Monday) .. 6 (Sunday)")
            if self.week is None or self.week not in (1, 2, 3, 4, -1):
                raise ValueError(f"week {self.week} is not 1-4 or -1 (the last)")
        if not 1 <= self.month_in_quarter <= 3:
            raise ValueError(f"month_in_quarter {self.month_in_quarter} is not 1-3")


def day_in_month(cadence: Cadence, year: int, month: int) -> date:
    """The meeting date of `cadence` in one month."""
    last = calendar.monthrange(year, month)[1]
    if cadence.day is not None:
        return date(year, month, min(cadence.day, last))
    assert cadence.weekday is not None and cadence.week is not None
    if cadence.week == -1:
        last_day = date(year, month, last)
        return date(year, month, last - (last_day.weekday() - cadence.weekday) % 7)
    first = date(year, month, 1)
    offset = (cadence.weekday - first.weekday()) % 7
    return date(year, month, 1 + offset + 7 * (cadence.week - 1))


def _months(start: date, end: date) -> Iterator[tuple[int, int]]:
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def meeting_dates(cadence: Cadence, start: date, end: date) -> list[date]:
    """Every meeting date of `cadence` from `start` to `end`, both included, in order."""
    if cadence.freq is Frequency.none or end < start:
        return []
    dates = []
    for year, month in _months(start, end):
        if cadence.freq is Frequency.quarterly and (month - 1) % 3 != cadence.month_in_quarter - 1:
            continue
        day = day_in_month(cadence, year, month)
        if start <= day <= end:
            dates.append(day)
    return dates


def review_status(state: ReviewState, scheduled_on: date, today: date) -> ReviewStatus:
    """A meeting's status on `today` (Asia/Seoul): scheduled meetings whose day has ended are missed."""
    if state is ReviewState.scheduled:
        return ReviewStatus.missed if scheduled_on < today else ReviewStatus.scheduled
    return ReviewStatus(state.value)


def seoul_today(now: datetime | None = None) -> date:
    """The calendar day in Asia/Seoul at `now` (default: this instant): the day due dates are judged by."""
    return to_seoul(now or now_utc()).date()


def days_between(earlier: date, later: date) -> int:
    """Whole days from `earlier` to `later` (negative when `later` comes first)."""
    return (later - earlier).days
