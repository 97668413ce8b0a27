"""Business dates: the plan is run in Korea, so "today" is the date in Asia/Seoul."""

from __future__ import annotations

import calendar
from datetime import date

from tracker.types import now_utc, to_seoul


def today_seoul() -> date:
    """Today's date in Asia/Seoul."""
    return to_seoul(now_utc()).date()


def month_end(day: date) -> date:
    """The last day of `day`'s month."""
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def month_ends(start: date, end: date) -> list[date]:
    """Every month's last day from `start`'s month through `end`'s month."""
    out: list[date] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append(month_end(date(year, month, 1)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
