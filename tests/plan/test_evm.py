"""Earned value: a worked example computed by hand, and the FACTS.md identities as properties (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.plan import evm
from tracker.plan.evm import EarnedValue, PlannedWork, Rag

M = 1_000_000  # one million won

# Three milestones of one workstream (BAC 2,000 million won):
#   A  400M  linear from 2026-01-01 to 2026-01-11 (10 days)
#   B  600M  a step on 2026-01-20 (no start)
#   C 1000M  linear from 2026-01-11 to 2026-01-31 (20 days)
WORKS = {
    "A": PlannedWork(weight_krw=400 * M, baseline_start=date(2026, 1, 1), baseline_date=date(2026, 1, 11)),
    "B": PlannedWork(weight_krw=600 * M, baseline_start=None, baseline_date=date(2026, 1, 20)),
    "C": PlannedWork(weight_krw=1000 * M, baseline_start=date(2026, 1, 11), baseline_date=date(2026, 1, 31)),
}
BAC = 2000 * M

# Percent complete as reported by each date, and spend to date.
# Hand computation of PV:
#   01-06: A 5/10 of 400 = 200;                       B 0;   C 0             -> 200
#   01-21: A 400;  B 600 (on/after 01-20);            C 10/20 of 1000 = 500   -> 1500
#   02-15: everything planned                                                 -> 2000
# EV: 01-06: A 30 % of 400 = 120.   01-21: A 400 + B 50 % of 600 = 300 + C 40 % of 1000 = 400 -> 1100.   02-15: 2000
WORKED_EXAMPLE = [
    # as_of, progress (A, B, C), AC, PV, EV, SV, CV, SPI, CPI, EAC, ETC, VAC, TCPI
    (
        date(2026, 1, 6),
        (30, 0, 0),
        150 * M,
        200 * M,
        120 * M,
        -80 * M,
        -30 * M,
        Fraction(3, 5),
        Fraction(4, 5),
        2500 * M,  # 2000 / 0.8
        2350 * M,  # 2500 - 150
        -500 * M,  # 2000 - 2500
        Fraction(1880, 1850),  # (2000 - 120) / (2000 - 150)
    ),
    (
        date(2026, 1, 21),
        (100, 50, 40),
        1000 * M,
        1500 * M,
        1100 * M,
        -400 * M,
        100 * M,
        Fraction(11, 15),
        Fraction(11, 10),
        1_818_181_818,  # 2000M / 1.1 = 1,818,181,818.18 -> nearest won
        818_181_818,  # EAC - AC
        181_818_182,  # BAC - EAC
        Fraction(9, 10),  # (2000 - 1100) / (2000 - 1000)
    ),
    (
        date(2026, 2, 15),
        (100, 100, 100),
        2100 * M,
        2000 * M,
        2000 * M,
        0,
        -100 * M,
        Fraction(1),
        Fraction(20, 21),
        2100 * M,  # 2000 / (2000/2100)
        0,
        -100 * M,
        Fraction(0),  # (2000 - 2000) / (2000 - 2100)
    ),
]


@pytest.mark.parametrize("row", WORKED_EXAMPLE, ids=lambda r: str(r[0]))
def test_worked_example_matches_the_hand_computed_table(row: tuple) -> None:  # type: ignore[type-arg]
    as_of, percents, ac, pv, ev, sv, cv, spi, cpi, eac, etc, vac, tcpi = row
    assert evm.planned_value(WORKS.values(), as_of) == pv
    earned = evm.earned_value(zip((w.weight_krw for w in WORKS.values()), percents, strict=True))
    assert earned == ev
    value = evm.indicators(pv=pv, ev=ev, ac=ac, bac=BAC)
    assert value == EarnedValue(
        pv=pv, ev=ev, ac=ac, bac=BAC, sv=sv, cv=cv, spi=spi, cpi=cpi, eac=eac, etc=etc, vac=vac, tcpi=tcpi
    )


def test_linear_milestone_is_planned_evenly_between_its_start_and_baseline_date() -> None:
    work = WORKS["C"]
    assert evm.planned_fraction(work, date(2026, 1, 11)) == 0
    assert evm.planned_fraction(work, date(2026, 1, 16)) == Fraction(1, 4)
    assert evm.planned_fraction(work, date(2026, 1, 31)) == 1
    assert evm.planned_fraction(work, date(2027, 1, 1)) == 1


def test_milestone_without_start_is_planned_all_at_once_on_its_baseline_date() -> None:
    work = WORKS["B"]
    assert evm.planned_fraction(work, date(2026, 1, 19)) == 0
    assert evm.planned_fraction(work, date(2026, 1, 20)) == 1


def test_ratios_with_a_zero_denominator_are_undefined_and_so_is_everything_derived() -> None:
    nothing_yet = evm.indicators(pv=0, ev=0, ac=0, bac=BAC)
    assert nothing_yet.spi is None and nothing_yet.cpi is None
    assert nothing_yet.eac is None and nothing_yet.etc is None and nothing_yet.vac is None
    assert nothing_yet.tcpi == 1
    spent_but_nothing_earned = evm.indicators(pv=10, ev=0, ac=5, bac=100)
    assert spent_but_nothing_earned.cpi == 0 and spent_but_nothing_earned.eac is None
    budget_exhausted = evm.indicators(pv=100, ev=50, ac=100, bac=100)
    assert budget_exhausted.tcpi is None


@pytest.mark.parametrize(
    ("spi", "cpi", "expected"),
    [
        (Fraction(1), Fraction(1), Rag.green),
        (Fraction(95, 100), Fraction(2), Rag.green),
        (Fraction(94, 100), Fraction(1), Rag.amber),
        (Fraction(1), Fraction(85, 100), Rag.amber),
        (Fraction(84, 100), Fraction(1), Rag.red),
        (None, Fraction(90, 100), Rag.amber),
        (Fraction(1), None, Rag.green),
        (None, None, Rag.not_started),
    ],
)
def test_rag_thresholds(spi: Fraction | None, cpi: Fraction | None, expected: Rag) -> None:
    value = EarnedValue(pv=1, ev=1, ac=1, bac=1, sv=0, cv=0, spi=spi, cpi=cpi, eac=1, etc=0, vac=0, tcpi=None)
    assert evm.rag(value) == expected


money = st.integers(min_value=0, max_value=10**13)


@given(pv=money, ev=money, ac=money, bac=money)
def test_identities_hold_for_any_figures(pv: int, ev: int, ac: int, bac: int) -> None:
    v = evm.indicators(pv=pv, ev=ev, ac=ac, bac=bac)
    assert v.sv == ev - pv
    assert v.cv == ev - ac
    assert v.spi == (Fraction(ev, pv) if pv else None)
    assert v.cpi == (Fraction(ev, ac) if ac else None)
    assert v.tcpi == (Fraction(bac - ev, bac - ac) if bac != ac else None)
    if v.cpi:
        assert v.eac is not None and v.etc is not None and v.vac is not None
        # EAC = BAC / CPI to the nearest won; ETC and VAC are exact from that EAC.
        assert abs(v.eac - Fraction(bac) / v.cpi) <= Fraction(1, 2)
        assert v.etc == v.eac - ac
        assert v.vac == bac - v.eac
    else:
        assert v.eac is None and v.etc is None and v.vac is None


@given(parts=st.lists(st.tuples(money, money, money, money), min_size=1, max_size=7))
def test_program_figures_add_up_and_ratios_are_recomputed(parts: list[tuple[int, int, int, int]]) -> None:
    values = [evm.indicators(pv=p, ev=e, ac=a, bac=b) for p, e, a, b in parts]
    program = evm.total(values)
    assert program.pv == sum(v.pv for v in values)
    assert program.ev == sum(v.ev for v in values)
    assert program.ac == sum(v.ac for v in values)
    assert program.bac == sum(v.bac for v in values)
    assert program == evm.indicators(pv=program.pv, ev=program.ev, ac=program.ac, bac=program.bac)


work_strategy = st.builds(
    lambda weight, start_offset, length: PlannedWork(
        weight_krw=weight,
        baseline_start=None if start_offset is None else date(2026, 1, 1) + timedelta(days=start_offset),
        baseline_date=date(2026, 1, 1) + timedelta(days=(start_offset or 0) + length),
    ),
    st.integers(min_value=0, max_value=10**12),
    st.one_of(st.none(), st.integers(min_value=0, max_value=1500)),
    st.integers(min_value=0, max_value=800),
)


@given(works=st.lists(work_strategy, max_size=12), day1=st.integers(0, 2500), day2=st.integers(0, 2500))
def test_planned_value_never_decreases_and_ends_at_bac(works: list[PlannedWork], day1: int, day2: int) -> None:
    start = date(2025, 12, 1)
    early, late = sorted((start + timedelta(days=day1), start + timedelta(days=day2)))
    bac = sum(w.weight_krw for w in works)
    assert 0 <= evm.planned_value(works, early) <= evm.planned_value(works, late) <= bac
    assert evm.planned_value(works, date(2035, 1, 1)) == bac


@given(weight=st.integers(0, 10**12), percent=st.integers(0, 100))
def test_earned_share_is_at_most_the_weight(weight: int, percent: int) -> None:
    share = evm.earned_share(weight, percent)
    assert 0 <= share <= weight
    assert evm.earned_share(weight, 100) == weight
