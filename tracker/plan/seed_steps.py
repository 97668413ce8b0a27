"""The plan's seed steps for `tracker.flows.SEED_STEPS`, imported on first use.

Loading the plan pulls in every plan model and networkx; deferring the import keeps `sectrack --help` and the
other commands quick.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.flows import SeedContext


def _deferred(module: str) -> Callable[[Session, SeedContext], dict[str, int]]:
    def step(session: Session, ctx: SeedContext) -> dict[str, int]:
        loaded: dict[str, int] = importlib.import_module(module).load(session, ctx)
        return loaded

    step.__name__ = step.__qualname__ = f"load_{module.split('.')[1]}"
    step.__doc__ = f"Seed step: {module}.load."
    return step


# In order: the budget first, since the milestones' weights are checked against it.
PLAN_SEED_STEPS = [
    _deferred("tracker.plan.seed"),
    _deferred("tracker.milestones.seed"),
    _deferred("tracker.zero_trust.seed"),
    _deferred("tracker.kpis.seed"),
]
