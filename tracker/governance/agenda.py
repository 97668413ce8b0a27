"""The agenda of a meeting, taken from pluggable sources at preparation time.

`AGENDA_SOURCES` lists one function per kind of matter; each gets the session and an `AgendaContext` and returns
`AgendaItem`s. A domain adds its matters (failing controls, late milestones, budget variance...) by appending one
function here. Items are ordered by severity, then due date, so the worst comes first whatever its source.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from sqlmodel import Session

from inventory.replacement import service as replacement_service
from tracker.commitments import service as commitments_service
from tracker.controls import sources as controls_sources
from tracker.governance import sources
from tracker.governance.items import SEVERITY_RANK, AgendaContext, AgendaItem
from tracker.milestones import service as milestones_service
from tracker.plan import service as plan_service

AgendaSource = Callable[[Session, AgendaContext], Iterable[AgendaItem]]

# Ordered only for reading; the agenda is sorted by severity and due date afterwards.
AGENDA_SOURCES: list[AgendaSource] = [
    sources.overdue_actions,
    sources.actions_due_soon,
    sources.carried_over_actions,
    sources.missed_reviews,
    commitments_service.agenda_items,
    controls_sources.failing_controls,
    controls_sources.overdue_findings,
    replacement_service.agenda_items,
    milestones_service.agenda_items,
    plan_service.agenda_items,
]


def source_name(source: AgendaSource) -> str:
    """The dotted name a snapshot records as an item's source."""
    return f"{getattr(source, '__module__', '?')}.{getattr(source, '__name__', type(source).__name__)}"


def collect(session: Session, ctx: AgendaContext) -> list[tuple[str, AgendaItem]]:
    """Every source's items for this meeting, worst first, each with the name of the source that gave it."""
    found = [(source_name(src), item) for src in AGENDA_SOURCES for item in src(session, ctx)]
    return sorted(
        found,
        key=lambda pair: (
            SEVERITY_RANK[pair[1].severity],
            pair[1].due_on or date.max,
            pair[1].kind,
            pair[1].title,
        ),
    )
