"""Build valid plan records through the services (so every factory-made record is audited like real ones)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from tracker.auth.models import Principal
from tracker.milestones import service as milestones
from tracker.milestones.models import DependencyCreate, MilestoneCreate, MilestonePublic
from tracker.plan import service as plan
from tracker.plan.models import (
    WORKSTREAM_NAMES,
    BudgetLineCreate,
    BudgetLinePublic,
    ProgramCreate,
    SpendEntryCreate,
    SpendEntryPublic,
    WorkstreamCode,
    WorkstreamCreate,
)

M = 1_000_000  # one million won


def program(session: Session, actor: Principal, *, total_krw: int = 10_000 * M) -> None:
    """A 2026-2030 program with every workstream."""
    plan.create_program(
        session=session,
        data=ProgramCreate(
            code="TEST",
            name_ko="시험 계획",
            name_en="Test plan",
            total_krw=total_krw,
            start_year=2026,
            end_year=2030,
            source="test",
        ),
        actor=actor,
    )
    for code, (ko, en) in WORKSTREAM_NAMES.items():
        plan.create_workstream(session=session, data=WorkstreamCreate(code=code, name_ko=ko, name_en=en), actor=actor)


def budget_line(
    session: Session,
    actor: Principal,
    *,
    workstream: WorkstreamCode = WorkstreamCode.zero_trust,
    year: int = 2026,
    amount_krw: int = 1000 * M,
) -> BudgetLinePublic:
    """A budget line (the program must have room for it)."""
    return plan.create_budget_line(
        session=session,
        data=BudgetLineCreate(workstream=workstream, year=year, amount_krw=amount_krw),
        actor=actor,
    )


def spend(
    session: Session, actor: Principal, line: BudgetLinePublic, amount_krw: int, *, on: date | None = None
) -> SpendEntryPublic:
    """A spend entry on a line, dated in the line's year."""
    return plan.create_spend(
        session=session,
        data=SpendEntryCreate(
            budget_line_id=line.id,
            spent_on=on or date(line.year, 3, 15),
            amount_krw=amount_krw,
            reference=f"PO-{line.id}-{amount_krw}",
        ),
        actor=actor,
    )


def milestone(
    session: Session,
    actor: Principal,
    code: str,
    *,
    baseline_date: date,
    baseline_start: date | None = None,
    workstream: WorkstreamCode = WorkstreamCode.zero_trust,
    today: date = date(2026, 11, 21),
    **fields: Any,
) -> MilestonePublic:
    """A milestone with sensible defaults."""
    data = MilestoneCreate(
        code=code,
        title_ko=f"{code} 제목",
        title_en=f"{code} title",
        workstream=workstream,
        owner=fields.pop("owner", "Test Owner"),
        baseline_start=baseline_start,
        baseline_date=baseline_date,
        **fields,
    )
    return milestones.create(session=session, data=data, actor=actor, today=today)


def depends(session: Session, actor: Principal, successor: MilestonePublic, predecessor: MilestonePublic) -> None:
    """Make `successor` depend on `predecessor`."""
    milestones.add_dependency(
        session=session, successor_id=successor.id, data=DependencyCreate(predecessor_id=predecessor.id), actor=actor
    )
