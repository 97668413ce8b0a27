"""A deterministic random walk of schedule changes on the seeded plan: every change is applied or refused with a
domain error, and after each one the schedule still honours every dependency and stays acyclic."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlmodel import Session

from tests.plan.test_seed import run_seed
from tracker.auth.models import Principal
from tracker.errors import SectrackError
from tracker.milestones import graph as graphs
from tracker.milestones import service
from tracker.milestones.models import DependencyCreate, MilestoneStatus, MilestoneUpdate

TODAY = date(2026, 11, 21)


def _assert_schedule_consistent(session: Session) -> None:
    schedule = service._load(session)
    assert graphs.find_cycle(schedule.graph) is None
    assert graphs.inconsistent_edges(schedule.nodes, schedule.graph) == []


def test_random_changes_keep_the_schedule_consistent(session: Session, actor: Principal) -> None:
    run_seed(session, actor)
    rng = random.Random(20261121)
    ids = [m.id for m in service.list_milestones(session=session, limit=1000).items]
    applied = refused = 0
    for _ in range(60):
        target = rng.choice(ids)
        operation = rng.choice(["slip", "forecast", "depend", "progress", "complete"])
        try:
            if operation == "slip":
                current = service.get(session=session, id=target).forecast_date
                service.propagate_slip(
                    session=session,
                    id=target,
                    forecast_date=current + timedelta(days=rng.randint(-60, 120)),
                    actor=actor,
                )
            elif operation == "forecast":
                service.update(
                    session=session,
                    id=target,
                    data=MilestoneUpdate(forecast_date=date(2026, 1, 1) + timedelta(days=rng.randint(0, 2000))),
                    if_match=None,
                    actor=actor,
                    today=TODAY,
                )
            elif operation == "depend":
                service.add_dependency(
                    session=session,
                    successor_id=target,
                    data=DependencyCreate(predecessor_id=rng.choice(ids)),
                    actor=actor,
                )
            elif operation == "progress":
                service.update(
                    session=session,
                    id=target,
                    data=MilestoneUpdate(percent_complete=rng.randint(1, 99), reported_on=TODAY),
                    if_match=None,
                    actor=actor,
                    today=TODAY,
                )
            else:
                service.update(
                    session=session,
                    id=target,
                    data=MilestoneUpdate(
                        status=MilestoneStatus.done, actual_date=TODAY - timedelta(days=rng.randint(0, 30))
                    ),
                    if_match=None,
                    actor=actor,
                    today=TODAY,
                )
            applied += 1
        except SectrackError:
            refused += 1
        _assert_schedule_consistent(session)
    assert applied > 10 and refused > 0
