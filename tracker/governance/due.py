"""Reminders: everything due or overdue — actions, commitments, meetings, sign-offs — grouped by owner.

`DUE_SOURCES` lists one function per kind of obligation; each gets the session, today and the horizon and returns
`DueItem`s that are due by the horizon (overdue ones included). A domain adds its obligations (e.g. findings past
their SLA) by appending one function here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta

from sqlmodel import Session

from inventory.replacement import service as replacement_service
from tracker.commitments import service as commitments_service
from tracker.controls import sources as controls_sources
from tracker.governance import sources
from tracker.governance.items import DueItem
from tracker.governance.models import DueEntry, DueReport, OwnerDue
from tracker.governance.schedule import seoul_today
from tracker.milestones import service as milestones_service

DueSource = Callable[[Session, date, date], Iterable[DueItem]]

DUE_SOURCES: list[DueSource] = [
    sources.due_actions,
    sources.due_reviews,
    commitments_service.due_items,
    controls_sources.due_findings,
    replacement_service.due_items,
    milestones_service.due_items,
]

DEFAULT_DAYS = 14
MAX_DAYS = 366


def due_report(*, session: Session, today: date | None = None, days: int = DEFAULT_DAYS) -> DueReport:
    """Everything overdue on `today` or due within `days` days, grouped by owner, the most overdue first."""
    today = today or seoul_today()
    until = today + timedelta(days=days)
    by_owner: dict[str, list[DueEntry]] = defaultdict(list)
    for source in DUE_SOURCES:
        for item in source(session, today, until):
            late = (today - item.due_on).days
            by_owner[item.owner].append(
                DueEntry(
                    kind=item.kind,
                    title=item.title,
                    owner=item.owner,
                    due_on=item.due_on,
                    days_late=late,
                    overdue=late > 0,
                    status=item.status,
                    ref_type=item.ref_type,
                    ref_id=item.ref_id,
                )
            )
    owners = []
    for owner, entries in by_owner.items():
        entries.sort(key=lambda e: (-e.days_late, e.kind, e.title))
        overdue = sum(1 for e in entries if e.overdue)
        owners.append(OwnerDue(owner=owner, overdue=overdue, due=len(entries) - overdue, items=entries))
    # Owners with the most overdue items first, then the one with the oldest overdue item.
    owners.sort(key=lambda o: (-o.overdue, -max(e.days_late for e in o.items), o.owner))
    overdue_total = sum(o.overdue for o in owners)
    return DueReport(
        today=today,
        until=until,
        overdue=overdue_total,
        due=sum(len(o.items) for o in owners) - overdue_total,
        owners=owners,
    )
