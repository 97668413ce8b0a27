"""Earned value management (PMI / EIA-748 terms) as pure functions over plain data.

Definitions used throughout sectrack (see FACTS.md for the formulas):

- PV (planned value) at a date: for every milestone, its weight in won times the fraction of it the *baseline*
  schedule planned to be done by then. The plan is linear between the milestone's `baseline_start` and its
  `baseline_date` (0 up to the start, 1 from the baseline date on); a milestone without a start (or whose start is
  not before its date) is a step: nothing before its baseline date, all of it from that day.
- EV (earned value): weight × percent complete reported as of the date (done = 100 %).
- AC (actual cost): spend dated on or before the date.
- BAC (budget at completion): the sum of the weights.
- SV = EV − PV, CV = EV − AC, SPI = EV / PV, CPI = EV / AC, EAC = BAC / CPI, ETC = EAC − AC, VAC = BAC − EAC,
  TCPI = (BAC − EV) / (BAC − AC).

Money stays integer won: each milestone's PV and EV share is floored to the won; EAC is BAC / CPI rounded to the
nearest won (ties to even), and ETC and VAC are computed from that rounded EAC so the identities hold exactly.
Ratios are exact `Fraction`s; a ratio whose denominator is zero is None (e.g. SPI before anything was planned),
and so is every figure derived from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction


@dataclass(frozen=True)
class PlannedWork:
    """A milestone as the baseline schedule sees it."""

    weight_krw: int
    baseline_start: date | None
    baseline_date: date


def planned_fraction(work: PlannedWork, as_of: date) -> Fraction:
    """Share of a milestone the baseline planned to be complete by the end of `as_of` (0..1)."""
    start = work.baseline_start
    if start is None or start >= work.baseline_date:
        return Fraction(1) if as_of >= work.baseline_date else Fraction(0)
    if as_of <= start:
        return Fraction(0)
    if as_of >= work.baseline_date:
        return Fraction(1)
    return Fraction((as_of - start).days, (work.baseline_date - start).days)


def planned_value(works: Iterable[PlannedWork], as_of: date) -> int:
    """PV in won at `as_of`: each milestone's weight times its planned fraction, floored to the won."""
    return sum(int(w.weight_krw * planned_fraction(w, as_of)) for w in works)


def earned_share(weight_krw: int, percent_complete: int) -> int:
    """The won one milestone has earned at a percent complete (floored)."""
    return weight_krw * max(0, min(100, percent_complete)) // 100


def earned_value(progress: Iterable[tuple[int, int]]) -> int:
    """EV in won from (weight, percent complete) pairs."""
    return sum(earned_share(weight, percent) for weight, percent in progress)


def ratio(numerator: int, denominator: int) -> Fraction | None:
    """numerator / denominator, or None when the denominator is zero."""
    if denominator == 0:
        return None
    return Fraction(numerator, denominator)


@dataclass(frozen=True)
class EarnedValue:
    """Every earned-value figure for one scope (a workstream or the program) at one date."""

    pv: int
    ev: int
    ac: int
    bac: int
    sv: int
    cv: int
    spi: Fraction | None
    cpi: Fraction | None
    eac: int | None
    etc: int | None
    vac: int | None
    tcpi: Fraction | None


def indicators(*, pv: int, ev: int, ac: int, bac: int) -> EarnedValue:
    """Derive SV, CV, SPI, CPI, EAC, ETC, VAC and TCPI from PV, EV, AC and BAC."""
    spi = ratio(ev, pv)
    cpi = ratio(ev, ac)
    # EAC = BAC / CPI; undefined without spend (CPI unknown) or without earned value (CPI = 0).
    eac = None if cpi is None or cpi == 0 else round(Fraction(bac) / cpi)
    return EarnedValue(
        pv=pv,
        ev=ev,
        ac=ac,
        bac=bac,
        sv=ev - pv,
        cv=ev - ac,
        spi=spi,
        cpi=cpi,
        eac=eac,
        etc=None if eac is None else eac - ac,
        vac=None if eac is None else bac - eac,
        tcpi=ratio(bac - ev, bac - ac),
    )


def total(parts: Iterable[EarnedValue]) -> EarnedValue:
    """The program's figures: PV, EV, AC and BAC add up; the ratios are recomputed, never averaged."""
    pv = ev = ac = bac = 0
    for part in parts:
        pv += part.pv
        ev += part.ev
        ac += part.ac
        bac += part.bac
    return indicators(pv=pv, ev=ev, ac=ac, bac=bac)


class Rag(StrEnum):
    """Red / amber / green status of a scope from its performance indices."""

    green = "green"
    amber = "amber"
    red = "red"
    not_started = "not_started"


# A scope is green when both indices are at least 0.95, amber when the worse one is at least 0.85, red otherwise.
# An index that is undefined (nothing planned yet, nothing spent yet) is left out; with neither defined the scope
# has not started. Being under budget (CPI above 1) never makes a scope worse.
GREEN_AT = Fraction(95, 100)
AMBER_AT = Fraction(85, 100)


def rag(value: EarnedValue) -> Rag:
    """The RAG status of one scope (see GREEN_AT and AMBER_AT)."""
    indices = [i for i in (value.spi, value.cpi) if i is not None]
    if not indices:
        return Rag.not_started
    worst = min(indices)
    if worst >= GREEN_AT:
        return Rag.green
    if worst >= AMBER_AT:
        return Rag.amber
    return Rag.red


def as_float(value: Fraction | None, digits: int = 4) -> float | None:
    """A ratio for JSON and reports: rounded to `digits` decimals, None stays None."""
    return None if value is None else round(float(value), digits)
