"""The replacement forecast and burn-down as pure functions, against figures worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from inventory.replacement import progress as calc
from inventory.replacement.models import ForecastState

AS_OF = date(2026, 11, 22)


def test_quarters_span_first_to_last_inclusive() -> None:
    quarters = calc.quarters_between(date(2025, 12, 31), date(2026, 4, 1))
    assert [q.label for q in quarters] == ["2025-Q4", "2026-Q1", "2026-Q2"]
    assert (quarters[1].start, quarters[1].end) == (date(2026, 1, 1), date(2026, 3, 31))
    assert quarters[0].end == date(2025, 12, 31) and quarters[0].next_start == date(2026, 1, 1)


# Ten items of one wave (target end 2026-12-31), as (planned date, replaced date or None):
ITEMS = [
    (date(2026, 3, 31), date(2026, 3, 1)),  # planned Q1, replaced Q1
    (date(2026, 3, 31), date(2026, 5, 10)),  # planned Q1, replaced Q2 — before the rate window
    (date(2026, 6, 30), date(2026, 6, 1)),  # Q2, in the window (window: 2026-05-25 .. 2026-11-22)
    (date(2026, 6, 30), date(2026, 8, 15)),  # replaced Q3
    (date(2026, 9, 30), date(2026, 10, 5)),  # replaced Q4
    (date(2026, 9, 30), None),
    (date(2026, 12, 31), None),
    (date(2026, 12, 31), None),
    (date(2026, 12, 31), date(2026, 12, 5)),  # replaced after the as-of date: not counted yet
    (date(2027, 3, 31), None),  # planned after the wave's target end
]


def test_replacement_forecast_on_a_worked_example() -> None:
    quarters = calc.quarters_between(date(2026, 1, 1), date(2027, 3, 31))
    tally = calc.tally_items(ITEMS, quarters, AS_OF)
    # Replaced by 2026-11-22: 5; in the last 182 days (2026-05-25 .. 2026-11-22): 06-01, 08-15, 10-05 = 3.
    assert (tally.total, tally.replaced, tally.recent, tally.last_replaced) == (10, 5, 3, date(2026, 10, 5))
    result = calc.progress(quarters, tally, as_of=AS_OF, target_end=date(2026, 12, 31))
    # 5 remain at 3 per 182 days: ceil(5 * 182 / 3) = ceil(303.33) = 304 days after 2026-11-22 = 2027-09-22.
    assert result.forecast_state is ForecastState.forecast
    assert result.forecast_completion == date(2027, 9, 22)
    assert result.rate_per_quarter == pytest.approx(1.5)
    assert (result.remaining, result.late, result.behind) == (5, False, True)
    table = [(q.quarter, q.planned, q.remaining_planned, q.actual, q.remaining_actual) for q in result.quarters]
    assert table == [
        ("2026-Q1", 2, 8, 1, 9),
        ("2026-Q2", 2, 6, 2, 7),
        ("2026-Q3", 2, 4, 1, 6),
        ("2026-Q4", 3, 1, 1, 5),
        ("2027-Q1", 1, 0, None, None),
    ]


def test_no_replacement_in_the_window_means_no_forecast_date() -> None:
    quarters = calc.quarters_between(date(2026, 1, 1), date(2026, 12, 31))
    tally = calc.tally_items([(date(2026, 6, 30), date(2026, 2, 1)), (date(2026, 6, 30), None)], quarters, AS_OF)
    result = calc.progress(quarters, tally, as_of=AS_OF, target_end=date(2026, 6, 30))
    assert result.forecast_state is ForecastState.no_recent_rate and result.forecast_completion is None
    assert result.rate_per_quarter == 0 and result.late and result.behind


def test_a_wave_not_yet_started_is_not_behind() -> None:
    quarters = calc.quarters_between(date(2027, 1, 1), date(2027, 12, 31))
    tally = calc.tally_items([(date(2027, 12, 31), None)], quarters, AS_OF)
    result = calc.progress(quarters, tally, as_of=AS_OF, target_start=date(2027, 1, 4), target_end=date(2027, 12, 31))
    assert (result.forecast_state, result.forecast_completion, result.behind) == (
        ForecastState.not_started,
        None,
        False,
    )


def test_a_finished_wave_completes_on_its_last_replacement() -> None:
    quarters = calc.quarters_between(date(2026, 1, 1), date(2026, 12, 31))
    tally = calc.tally_items(
        [(date(2026, 6, 30), date(2026, 2, 1)), (date(2026, 6, 30), date(2026, 7, 9))], quarters, AS_OF
    )
    result = calc.progress(quarters, tally, as_of=AS_OF, target_end=date(2026, 6, 30))
    assert (result.forecast_state, result.forecast_completion) == (ForecastState.complete, date(2026, 7, 9))
    assert not result.late and not result.behind


def test_an_empty_wave_has_nothing_to_forecast() -> None:
    result = calc.progress([], calc.combine([]), as_of=AS_OF, target_end=None)
    assert (result.forecast_state, result.total, result.quarters) == (ForecastState.empty, 0, [])


def test_the_programme_is_the_sum_of_its_waves() -> None:
    quarters = calc.quarters_between(date(2026, 1, 1), date(2027, 3, 31))
    first = calc.tally_items(ITEMS[:4], quarters, AS_OF)
    second = calc.tally_items(ITEMS[4:], quarters, AS_OF)
    assert calc.combine([first, second]) == calc.tally_items(ITEMS, quarters, AS_OF)
