"""The program summary from the database: the worked EVM example end to end, RAG, counts, series."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from tests.plan import factories as f
from tests.plan.factories import M
from tests.plan.test_evm import WORKED_EXAMPLE
from tracker.auth.models import Principal
from tracker.errors import NotFound
from tracker.milestones import service as milestones
from tracker.milestones.models import MilestoneUpdate
from tracker.plan import evm, service
from tracker.plan.models import WorkstreamCode


@pytest.fixture
def worked_example(session: Session, actor: Principal) -> Session:
    """The worked example of test_evm.py in the database: three zero-trust milestones, progress and spend."""
    f.program(session, actor, total_krw=5000 * M)
    line = f.budget_line(session, actor, amount_krw=2000 * M)
    ids = {
        "A": f.milestone(
            session,
            actor,
            "A",
            baseline_start=date(2026, 1, 1),
            baseline_date=date(2026, 1, 11),
            weight_krw=400 * M,
        ).id,
        "B": f.milestone(session, actor, "B", baseline_date=date(2026, 1, 20), weight_krw=600 * M).id,
        "C": f.milestone(
            session,
            actor,
            "C",
            baseline_start=date(2026, 1, 11),
            baseline_date=date(2026, 1, 31),
            weight_krw=1000 * M,
        ).id,
    }
    # Progress as the table says: A 30 % on 01-05, done 01-10; B 50 % on 01-18; C 40 % on 01-21.
    for code, pct, day in (("A", 30, 5), ("A", 100, 10), ("B", 50, 18), ("C", 40, 21)):
        milestones.update(
            session=session,
            id=ids[code],
            data=MilestoneUpdate(percent_complete=pct, reported_on=date(2026, 1, day)),
            if_match=None,
            actor=actor,
            today=date(2026, 1, 31),
        )
    f.spend(session, actor, line, 150 * M, on=date(2026, 1, 6))
    f.spend(session, actor, line, 850 * M, on=date(2026, 1, 21))
    return session


@pytest.mark.parametrize("row", WORKED_EXAMPLE[:2], ids=lambda r: str(r[0]))
def test_summary_reproduces_the_hand_computed_table(worked_example: Session, row: tuple) -> None:  # type: ignore[type-arg]
    as_of, _, ac, pv, ev, sv, cv, spi, cpi, eac, etc, vac, tcpi = row
    summary = service.summary(session=worked_example, as_of=as_of)
    zt = next(w for w in summary.workstreams if w.code == WorkstreamCode.zero_trust)
    got = zt.evm
    assert (got.pv, got.ev, got.ac, got.bac, got.sv, got.cv) == (pv, ev, ac, 2000 * M, sv, cv)
    assert (got.eac, got.etc, got.vac) == (eac, etc, vac)
    assert (got.spi, got.cpi, got.tcpi) == (evm.as_float(spi), evm.as_float(cpi), evm.as_float(tcpi))
    assert zt.weights_match_budget and zt.budget_krw == 2000 * M
    # Only zero trust has work, so the program equals the workstream.
    assert summary.evm == got
    assert summary.budget_krw == 2000 * M and summary.unallocated_krw == 3000 * M


def test_rag_and_milestone_counts_follow_the_as_of_date(worked_example: Session) -> None:
    early = service.summary(session=worked_example, as_of=date(2026, 1, 6))
    zt = next(w for w in early.workstreams if w.code == WorkstreamCode.zero_trust)
    assert zt.rag == "red"  # SPI 0.6
    assert (zt.milestones.total, zt.milestones.done, zt.milestones.late) == (3, 0, 0)
    later = service.summary(session=worked_example, as_of=date(2026, 1, 21))
    zt = next(w for w in later.workstreams if w.code == WorkstreamCode.zero_trust)
    assert zt.rag == "red"  # SPI 0.7333 despite CPI 1.1
    # A done on 01-10; B (due 01-20) is late as of 01-21.
    assert (zt.milestones.done, zt.milestones.late) == (1, 1)
    encryption = next(w for w in later.workstreams if w.code == WorkstreamCode.encryption)
    assert encryption.rag == "not_started" and encryption.evm.spi is None
    assert [y.year for y in later.years] == [2026, 2027, 2028, 2029, 2030]
    assert later.years[0].spent_krw == 1000 * M


def test_evm_series_has_pv_to_the_end_and_ev_ac_only_up_to_as_of(worked_example: Session) -> None:
    series = service.evm_series(session=worked_example, as_of=date(2026, 1, 21))
    days = [p.as_of for p in series.program]
    assert days[0] == date(2026, 1, 21) and days[1] == date(2026, 1, 31) and days[-1] == date(2030, 12, 31)
    assert series.program[0].pv == 1500 * M and series.program[0].ev == 1100 * M and series.program[0].ac == 1000 * M
    assert series.program[1].pv == 2000 * M and series.program[1].ev is None and series.program[1].ac is None
    assert series.program[-1].pv == 2000 * M
    assert series.workstreams[WorkstreamCode.zero_trust][0] == series.program[0]
    assert series.workstreams[WorkstreamCode.encryption][0].pv == 0


def test_summary_before_seed_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound, match="run 'sectrack seed'"):
        service.summary(session=session)
