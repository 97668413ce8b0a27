"""Budget lines, spend and re-baselines: the program total holds, over-commitment is refused, re-baselines are
approved records in the audit chain."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from tests.plan import factories as f
from tests.plan.factories import M
from tracker.audit import service as audit
from tracker.auth.models import Principal, Role
from tracker.db import write_session
from tracker.errors import Conflict, NotFound, SectrackError, Stale
from tracker.plan import service
from tracker.plan.models import BudgetLineCreate, BudgetLineUpdate, RebaselineRequest, WorkstreamCode


@pytest.fixture
def planned(session: Session, actor: Principal) -> Session:
    f.program(session, actor, total_krw=3000 * M)
    return session


def test_budget_lines_may_not_exceed_the_program_total(planned: Session, actor: Principal) -> None:
    f.budget_line(planned, actor, amount_krw=2000 * M)
    with pytest.raises(Conflict, match="exceeds the program's unallocated 1,000,000,000 won"):
        f.budget_line(planned, actor, year=2027, amount_krw=1001 * M)
    f.budget_line(planned, actor, year=2027, amount_krw=1000 * M)


def test_one_line_per_workstream_and_year_and_years_inside_the_program(planned: Session, actor: Principal) -> None:
    f.budget_line(planned, actor, amount_krw=1 * M)
    with pytest.raises(Conflict, match="already has budget line"):
        f.budget_line(planned, actor, amount_krw=1 * M)
    with pytest.raises(Conflict, match="outside the program's years 2026-2030") as exc:
        service.create_budget_line(
            session=planned,
            data=BudgetLineCreate(workstream=WorkstreamCode.encryption, year=2031, amount_krw=0),
            actor=actor,
        )
    assert exc.value.field == "year"


def test_spend_that_over_commits_a_line_is_409_naming_line_amount_spend_and_excess(
    planned: Session, actor: Principal
) -> None:
    line = f.budget_line(planned, actor, amount_krw=1000 * M)
    f.spend(planned, actor, line, 700 * M)
    with pytest.raises(Conflict) as exc:
        f.spend(planned, actor, line, 400 * M)
    message = exc.value.message
    assert f"Budget line {line.id} (zero_trust 2026)" in message
    assert "its amount is 1,000,000,000 won" in message
    assert "700,000,000 won is already spent" in message
    assert "exceeds it by 100,000,000 won" in message
    assert service.get_budget_line(session=planned, id=line.id).spent_krw == 700 * M


def test_spend_up_to_the_exact_amount_is_accepted(planned: Session, actor: Principal) -> None:
    line = f.budget_line(planned, actor, amount_krw=1000 * M)
    f.spend(planned, actor, line, 600 * M)
    f.spend(planned, actor, line, 400 * M)
    got = service.get_budget_line(session=planned, id=line.id)
    assert (got.spent_krw, got.remaining_krw) == (1000 * M, 0)


def test_spend_outside_the_line_year_is_422(planned: Session, actor: Principal) -> None:
    line = f.budget_line(planned, actor)
    with pytest.raises(Conflict, match="not in 2026") as exc:
        f.spend(planned, actor, line, 1 * M, on=date(2027, 1, 5))
    assert exc.value.field == "spent_on"


def test_spend_on_an_unknown_line_is_422_naming_the_field(planned: Session, actor: Principal) -> None:
    line = f.budget_line(planned, actor)
    ghost = line.model_copy(update={"id": 999_999})
    with pytest.raises(NotFound) as exc:
        f.spend(planned, actor, ghost, 1 * M)
    assert exc.value.field == "budget_line_id"


def test_a_negative_correction_reduces_spend_but_not_below_zero(planned: Session, actor: Principal) -> None:
    line = f.budget_line(planned, actor)
    f.spend(planned, actor, line, 300 * M)
    f.spend(planned, actor, line, -100 * M)
    assert service.get_budget_line(session=planned, id=line.id).spent_krw == 200 * M
    with pytest.raises(Conflict, match="below zero"):
        f.spend(planned, actor, line, -201 * M)


def test_rebaseline_moves_money_from_a_counterpart_and_keeps_the_previous_baseline(
    planned: Session, actor: Principal
) -> None:
    line = f.budget_line(planned, actor, amount_krw=1000 * M)
    other = f.budget_line(planned, actor, year=2027, amount_krw=2000 * M)
    f.spend(planned, actor, line, 1000 * M)
    ciso = Principal(name="ciso-kim", role=Role.ciso)
    result = service.rebaseline(
        session=planned,
        id=line.id,
        data=RebaselineRequest(amount_krw=1200 * M, reason="Vendor price rise", counterpart_line_id=other.id),
        actor=ciso,
    )
    assert (result.line.amount_krw, result.line.version) == (1200 * M, 2)
    assert result.counterpart is not None and result.counterpart.amount_krw == 1800 * M
    record = result.rebaseline
    assert (record.previous_amount_krw, record.new_amount_krw, record.approved_by) == (1000 * M, 1200 * M, "ciso-kim")
    f.spend(planned, actor, line, 200 * M)  # fits now
    history = audit.history(planned, entity_type="budget_line", entity_id=line.id)
    assert [(e.action, e.state["amount_krw"]) for e in history] == [("create", 1000 * M), ("rebaseline", 1200 * M)]
    assert history[-1].actor == "ciso-kim" and history[-1].role == "ciso"
    made = audit.history(planned, entity_type="budget_rebaseline", entity_id=record.id)
    assert made[0].state["reason"] == "Vendor price rise"
    assert [r.id for r in service.list_rebaselines(session=planned, id=other.id)] == [record.id]


def test_rebaseline_without_counterpart_draws_only_on_unallocated_money(planned: Session, actor: Principal) -> None:
    line = f.budget_line(planned, actor, amount_krw=2500 * M)
    service.rebaseline(
        session=planned, id=line.id, data=RebaselineRequest(amount_krw=3000 * M, reason="Scope added"), actor=actor
    )
    with pytest.raises(Conflict, match="needs more than the program's unallocated 0 won"):
        service.rebaseline(
            session=planned,
            id=line.id,
            data=RebaselineRequest(amount_krw=3000 * M + 1, reason="One won more"),
            actor=actor,
        )
    summary_total = sum(line.amount_krw for line in service.list_budget_lines(session=planned).items)
    assert summary_total == 3000 * M


def test_rebaseline_below_what_is_spent_is_refused(planned: Session, actor: Principal) -> None:
    line = f.budget_line(planned, actor)
    other = f.budget_line(planned, actor, year=2027, amount_krw=100 * M)
    f.spend(planned, actor, line, 800 * M)
    f.spend(planned, actor, other, 100 * M, on=date(2027, 2, 1))
    with pytest.raises(Conflict, match="already spent 800,000,000 won"):
        service.rebaseline(
            session=planned, id=line.id, data=RebaselineRequest(amount_krw=700 * M, reason="Cut the line"), actor=actor
        )
    with pytest.raises(Conflict, match="below the 100,000,000 won it has spent"):
        service.rebaseline(
            session=planned,
            id=line.id,
            data=RebaselineRequest(amount_krw=1050 * M, reason="Move money", counterpart_line_id=other.id),
            actor=actor,
        )


def test_patch_changes_only_description_and_honours_if_match(planned: Session, actor: Principal) -> None:
    line = f.budget_line(planned, actor)
    updated = service.update_budget_line(
        session=planned, id=line.id, data=BudgetLineUpdate(description="ZT licences"), if_match=1, actor=actor
    )
    assert (updated.description, updated.version, updated.amount_krw) == ("ZT licences", 2, line.amount_krw)
    with pytest.raises(Stale):
        service.update_budget_line(
            session=planned, id=line.id, data=BudgetLineUpdate(description="x"), if_match=1, actor=actor
        )
    with pytest.raises(NotFound):
        service.get_budget_line(session=planned, id=999_999)


def test_list_spend_filters_by_workstream_line_and_dates(planned: Session, actor: Principal) -> None:
    zt = f.budget_line(planned, actor)
    enc = f.budget_line(planned, actor, workstream=WorkstreamCode.encryption)
    f.spend(planned, actor, zt, 1 * M, on=date(2026, 1, 10))
    f.spend(planned, actor, zt, 2 * M, on=date(2026, 2, 10))
    f.spend(planned, actor, enc, 3 * M, on=date(2026, 2, 20))
    by_ws = service.list_spend(session=planned, workstream=WorkstreamCode.zero_trust)
    assert [e.amount_krw for e in by_ws.items] == [2 * M, 1 * M]
    in_feb = service.list_spend(session=planned, spent_from=date(2026, 2, 1), spent_to=date(2026, 2, 28))
    assert [(e.amount_krw, e.workstream) for e in in_feb.items] == [(3 * M, "encryption"), (2 * M, "zero_trust")]
    assert [e.amount_krw for e in service.list_spend(session=planned, budget_line_id=enc.id).items] == [3 * M]
    first = service.list_spend(session=planned, limit=2)
    rest = service.list_spend(session=planned, limit=2, cursor=first.next_cursor)
    assert [e.amount_krw for e in first.items + rest.items] == [3 * M, 2 * M, 1 * M]


def test_workstreams_list_their_budgets(planned: Session, actor: Principal) -> None:
    f.budget_line(planned, actor, amount_krw=100 * M)
    f.budget_line(planned, actor, year=2027, amount_krw=50 * M)
    items = service.list_workstreams(session=planned).items
    assert [w.code for w in items][:2] == ["zero_trust", "security_monitoring"]
    assert items[0].budget_krw == 150 * M and len(items) == 7


def test_concurrent_spend_cannot_over_commit_a_line(file_engine: Engine) -> None:
    admin = Principal.system("test")
    with write_session(file_engine) as s:
        f.program(s, admin)
        line = f.budget_line(s, admin, amount_krw=100 * M)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def spend_60() -> None:
        barrier.wait()
        try:
            with write_session(file_engine) as s:
                f.spend(s, admin, line, 60 * M)
            outcomes.append("ok")
        except SectrackError as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=spend_60) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["Conflict", "ok"]
    with write_session(file_engine) as s:
        assert service.get_budget_line(session=s, id=line.id).spent_krw == 60 * M
