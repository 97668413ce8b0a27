"""The POA&M findings provider (`reports.export.oscal.FINDINGS_PROVIDERS`): findings and their milestones as of T.

Read from the audit chain, not the tables: every finding, milestone link and milestone is audited with its full
state, so the newest state of each at or before `as_of` is what the plan showed then, and a POA&M of a past instant
is the same every time it is built.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from reports.export.oscal import PoamFinding, PoamMilestone
from tracker.audit import service as audit


def _day(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def findings(session: Session, as_of: datetime) -> Iterable[PoamFinding]:
    """Every finding as it stood at `as_of` (closed ones too), with the milestones linked to it then."""
    links: dict[int, list[int]] = {}
    for _, state in audit.states_as_of(session, entity_type="finding_milestone", as_of=as_of):
        links.setdefault(int(state["finding_id"]), []).append(int(state["milestone_id"]))
    wanted = {m for ids in links.values() for m in ids}
    milestones: dict[int, PoamMilestone] = {}
    if wanted:
        for entity_id, state in audit.states_as_of(session, entity_type="milestone", as_of=as_of):
            if int(entity_id) in wanted:
                milestones[int(entity_id)] = PoamMilestone(
                    id=int(entity_id),
                    title=f"{state.get('code', '')} {state.get('title_en', '')}".strip(),
                    baseline_date=_day(state.get("baseline_date")),
                    forecast_date=_day(state.get("forecast_date")),
                    status=str(state.get("status", "")),
                )
    out = []
    for entity_id, state in audit.states_as_of(session, entity_type="finding", as_of=as_of):
        finding_id = int(entity_id)
        description = state.get("summary") or state.get("title", "")
        if state.get("status") == "risk_accepted":
            description += (
                f" Risk accepted by {state.get('risk_accepted_by')} until {state.get('risk_accepted_until')}."
            )
        out.append(
            PoamFinding(
                id=finding_id,
                control_id=str(state["control_id"]),
                title=str(state["title"]),
                description=description,
                severity=str(state["severity"]),
                status=str(state["status"]),
                opened_at=datetime.fromisoformat(str(state["opened_at"]).replace("Z", "+00:00")),
                due_date=_day(state.get("due_on")),
                owner=str(state.get("owner") or ""),
                milestones=tuple(milestones[m] for m in sorted(links.get(finding_id, [])) if m in milestones),
            )
        )
    return out
