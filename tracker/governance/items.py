"""The plug-in types of the agenda and the reminders: small records any domain can produce.

A domain contributes agenda items with one function `(session, AgendaContext) -> Iterable[AgendaItem]` registered in
`tracker.governance.agenda.AGENDA_SOURCES`, and reminders with one function `(session, today, until) ->
Iterable[DueItem]` registered in `tracker.governance.due.DUE_SOURCES`. This module imports nothing from the
domains, so a source module can import it without cycles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Severity(StrEnum):
    """How urgently the board or task force should look at an item (ordering of agendas)."""

    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"
    info = "info"


SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}


@dataclass(frozen=True)
class AgendaContext:
    """What an agenda source may need: the meeting being prepared and the instant the agenda is taken at.

    Sources answer as of `as_of` where their data allows (e.g. an action closed after `as_of` was still open then),
    so agendas of past meetings can be rebuilt faithfully.
    """

    review_id: int
    body_id: int
    body_code: str
    as_of: datetime
    today: date


@dataclass(frozen=True)
class AgendaItem:
    """One line of a meeting's agenda: what, whose, by when, how bad, and what it refers to."""

    kind: str
    title: str
    severity: Severity = Severity.info
    owner: str | None = None
    due_on: date | None = None
    status: str = ""
    ref_type: str | None = None
    ref_id: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class DueItem:
    """One thing someone owes by a date: an action, a commitment, a review to hold or sign off, a finding."""

    kind: str
    title: str
    owner: str
    due_on: date
    status: str
    ref_type: str
    ref_id: str
