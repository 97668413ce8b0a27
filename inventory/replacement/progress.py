"""Planned vs actual, burn-down and forecast: pure functions over plain counts (no database here).

Definitions, in one place:
- An item is in a wave's scope when it carries the wave's code and was not retired without being replaced (a
  function switched off rather than replaced leaves the programme; a replaced-then-retired item stays done).
- Planned: an item is planned for the quarter of its own `target_date`, or of its wave's target end without one.
- Actual: an item counts as replaced in the quarter of its `replaced_at` (Asia/Seoul), if that is on or before the
  as-of date. Quarters after the as-of date's quarter have no actual figures.
- Burn-down: what remains after each quarter, planned (total − planned so far) and actual (total − replaced so far).
- Rate: replacements in the last `WINDOW_DAYS` days up to and including the as-of date (two quarters), i.e.
  `recent / 2` per quarter. Forecast completion = as-of date + ceil(remaining × WINDOW_DAYS / recent) days; with no
  replacement in the window there is no rate and no forecast date (state `no_recent_rate`), never a made-up one.
- Late: the target end has passed with items remaining. Behind: the forecast falls after the target end, or the
  target start has passed, items remain and there is no rate to forecast from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from inventory.replacement.models import ForecastState, Progress, QuarterPoint

# Two quarters of 91 days: the "recent rate" the forecast extrapolates.
QUARTER_DAYS = 91
WINDOW_DAYS = 2 * QUARTER_DAYS


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter."""

    year: int
    number: int

    @property
    def label(self) -> str:
        """'2026-Q3'."""
        return f"{self.year}-Q{self.number}"

    @property
    def start(self) -> date:
        """Its first day."""
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def next_start(self) -> date:
        """The first day of the next quarter."""
        return self.next().start

    @property
    def end(self) -> date:
        """Its last day."""
        return self.next_start - timedelta(days=1)

    def next(self) -> Quarter:
        """The quarter after this one."""
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)


def quarter_of(day: date) -> Quarter:
    """The quarter `day` falls in."""
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def quarters_between(first: date, last: date) -> list[Quarter]:
    """Every quarter from `first`'s through `last`'s (empty when last < first)."""
    out: list[Quarter] = []
    quarter, final = quarter_of(first), quarter_of(last)
    while quarter <= final:
        out.append(quarter)
        quarter = quarter.next()
    return out


@dataclass(frozen=True)
class Tally:
    """The counts a wave (or the programme) needs, as of a date; cumulative lists align with the quarters."""

    total: int
    replaced: int
    recent: int
    last_replaced: date | None
    # Items planned on or before each quarter's end.
    planned_cumulative: Sequence[int]
    # Items replaced on or before each quarter's end (and the as-of date).
    actual_cumulative: Sequence[int]


def tally_items(
    items: Iterable[tuple[date, date | None]], quarters: Sequence[Quarter], as_of: date, window_days: int = WINDOW_DAYS
) -> Tally:
    """The tally of (planned date, replaced date or None) pairs: the reference the SQL aggregates must agree with."""
    pairs = list(items)
    done = [r for _, r in pairs if r is not None and r <= as_of]
    window_start = as_of - timedelta(days=window_days - 1)
    return Tally(
        total=len(pairs),
        replaced=len(done),
        recent=sum(1 for r in done if r >= window_start),
        last_replaced=max(done, default=None),
        planned_cumulative=[sum(1 for p, _ in pairs if p <= q.end) for q in quarters],
        actual_cumulative=[sum(1 for r in done if r <= q.end) for q in quarters],
    )


def forecast(
    *,
    remaining: int,
    recent: int,
    as_of: date,
    last_replaced: date | None,
    total: int,
    target_start: date | None = None,
    window_days: int = WINDOW_DAYS,
) -> tuple[ForecastState, date | None]:
    """The completion forecast: the last replacement when done, else as_of + remaining at the recent daily rate."""
    if total == 0:
        return ForecastState.empty, None
    if remaining == 0:
        return ForecastState.complete, last_replaced
    if recent == 0:
        if target_start is not None and as_of < target_start:
            return ForecastState.not_started, None
        return ForecastState.no_recent_rate, None
    days = -(-remaining * window_days // recent)  # ceiling division, in integers
    return ForecastState.forecast, as_of + timedelta(days=days)


def burn_down(quarters: Sequence[Quarter], tally: Tally, as_of: date) -> list[QuarterPoint]:
    """Per quarter: planned and actual replacements, cumulative, and the remaining items after it."""
    now = quarter_of(as_of)
    points: list[QuarterPoint] = []
    previous_planned = previous_actual = 0
    for quarter, planned_cum, actual_cum in zip(
        quarters, tally.planned_cumulative, tally.actual_cumulative, strict=True
    ):
        happened = quarter <= now
        points.append(
            QuarterPoint(
                quarter=quarter.label,
                end=quarter.end,
                planned=planned_cum - previous_planned,
                planned_cumulative=planned_cum,
                remaining_planned=tally.total - planned_cum,
                actual=actual_cum - previous_actual if happened else None,
                actual_cumulative=actual_cum if happened else None,
                remaining_actual=tally.total - actual_cum if happened else None,
            )
        )
        previous_planned, previous_actual = planned_cum, actual_cum
    return points


def progress(
    quarters: Sequence[Quarter],
    tally: Tally,
    *,
    as_of: date,
    target_end: date | None,
    target_start: date | None = None,
    window_days: int = WINDOW_DAYS,
) -> Progress:
    """Everything the API and the reports show for one wave or the programme."""
    remaining = tally.total - tally.replaced
    state, completion = forecast(
        remaining=remaining,
        recent=tally.recent,
        as_of=as_of,
        last_replaced=tally.last_replaced,
        total=tally.total,
        target_start=target_start,
        window_days=window_days,
    )
    late = target_end is not None and as_of > target_end and remaining > 0
    if state is ForecastState.forecast:
        behind = target_end is not None and completion is not None and completion > target_end
    else:
        behind = state is ForecastState.no_recent_rate
    return Progress(
        total=tally.total,
        replaced=tally.replaced,
        remaining=remaining,
        recent_replaced=tally.recent,
        rate_per_quarter=tally.recent * QUARTER_DAYS / window_days,
        forecast_state=state,
        forecast_completion=completion,
        target_start=target_start,
        target_end=target_end,
        late=late,
        behind=behind,
        quarters=burn_down(quarters, tally, as_of),
    )


def combine(tallies: Sequence[Tally]) -> Tally:
    """The programme's tally: the sum of its waves' (aligned on the same quarters)."""
    width = len(tallies[0].planned_cumulative) if tallies else 0
    lasts = [t.last_replaced for t in tallies if t.last_replaced is not None]
    return Tally(
        total=sum(t.total for t in tallies),
        replaced=sum(t.replaced for t in tallies),
        recent=sum(t.recent for t in tallies),
        last_replaced=max(lasts, default=None),
        planned_cumulative=[sum(t.planned_cumulative[i] for t in tallies) for i in range(width)],
        actual_cumulative=[sum(t.actual_cumulative[i] for t in tallies) for i in range(width)],
    )
