"""Meeting dates from cadences (month lengths, year ends, quarters, n-th weekdays) and missed-review status."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.governance.schedule import (
    Cadence,
    Frequency,
    ReviewState,
    ReviewStatus,
    meeting_dates,
    review_status,
    seoul_today,
)


def test_monthly_on_the_31st_falls_on_each_months_last_day_across_the_year_end() -> None:
    dates = meeting_dates(Cadence(Frequency.monthly, day=31), date(2026, 11, 1), date(2027, 4, 30))
    assert dates == [
        date(2026, 11, 30),
        date(2026, 12, 31),
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
    ]


def test_monthly_on_the_30th_takes_february_29_in_a_leap_year() -> None:
    assert meeting_dates(Cadence(Frequency.monthly, day=30), date(2028, 2, 1), date(2028, 3, 31)) == [
        date(2028, 2, 29),
        date(2028, 3, 30),
    ]


def test_quarterly_meets_in_the_same_month_of_every_quarter_across_year_ends() -> None:
    cadence = Cadence(Frequency.quarterly, weekday=3, week=3, month_in_quarter=2)
    dates = meeting_dates(cadence, date(2026, 1, 1), date(2027, 6, 30))
    assert [d.month for d in dates] == [2, 5, 8, 11, 2, 5]
    assert all(d.weekday() == 3 and 15 <= d.day <= 21 for d in dates)
    assert dates[3] == date(2026, 11, 19)
    assert dates[4] == date(2027, 2, 18)


def test_quarterly_in_the_last_month_of_the_quarter_starting_mid_quarter() -> None:
    dates = meeting_dates(Cadence(Frequency.quarterly, day=25, month_in_quarter=3), date(2026, 11, 1), date(2027, 7, 1))
    assert dates == [date(2026, 12, 25), date(2027, 3, 25), date(2027, 6, 25)]


def test_last_weekday_of_the_month() -> None:
    # Last Thursday: 2026-12-31 is itself a Thursday; 2027-02-25 is the last in February.
    dates = meeting_dates(Cadence(Frequency.monthly, weekday=3, week=-1), date(2026, 12, 1), date(2027, 2, 28))
    assert dates == [date(2026, 12, 31), date(2027, 1, 28), date(2027, 2, 25)]


def test_second_wednesday_and_the_range_ends_are_inclusive() -> None:
    cadence = Cadence(Frequency.monthly, weekday=2, week=2)
    assert meeting_dates(cadence, date(2026, 1, 14), date(2026, 2, 11)) == [date(2026, 1, 14), date(2026, 2, 11)]
    assert meeting_dates(cadence, date(2026, 1, 15), date(2026, 2, 10)) == []


def test_no_cadence_and_an_empty_range_give_no_meetings() -> None:
    assert meeting_dates(Cadence(Frequency.none), date(2026, 1, 1), date(2026, 12, 31)) == []
    assert meeting_dates(Cadence(Frequency.monthly, day=1), date(2026, 5, 1), date(2026, 4, 1)) == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"day": 10, "weekday": 2, "week": 1},
        {},
        {"day": 32},
        {"weekday": 7, "week": 1},
        {"weekday": 1, "week": 5},
        {"weekday": 1},
        {"day": 1, "month_in_quarter": 4},
    ],
)
def test_inconsistent_cadences_are_refused(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        Cadence(Frequency.monthly, **kwargs)


def test_a_scheduled_meeting_is_missed_only_after_its_day() -> None:
    day = date(2026, 8, 12)
    assert review_status(ReviewState.scheduled, day, date(2026, 8, 12)) is ReviewStatus.scheduled
    assert review_status(ReviewState.scheduled, day, date(2026, 8, 13)) is ReviewStatus.missed
    assert review_status(ReviewState.held, day, date(2026, 9, 1)) is ReviewStatus.held
    assert review_status(ReviewState.signed_off, day, date(2026, 9, 1)) is ReviewStatus.signed_off


def test_the_day_is_judged_in_seoul_not_utc() -> None:
    from datetime import UTC, datetime

    # 15:30 UTC on 11 August is already 00:30 on 12 August in Seoul.
    assert seoul_today(datetime(2026, 8, 11, 15, 30, tzinfo=UTC)) == date(2026, 8, 12)
