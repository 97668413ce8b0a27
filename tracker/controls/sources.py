"""The controls domain's agenda and reminder sources (registered in tracker.governance.agenda and .due).

Agenda items answer as of the meeting's instant where the data allows: the newest control run started by then, and
findings opened by then and not closed by then.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, or_, select
from sqlmodel import Session

from tracker.controls.models import Control, ControlResult, ControlRun, Finding, FindingStatus, ResultStatus
from tracker.governance.items import AgendaContext, AgendaItem, DueItem, Severity

_c = Control.__table__.c  # type: ignore[attr-defined]
_run = ControlRun.__table__.c  # type: ignore[attr-defined]
_res = ControlResult.__table__.c  # type: ignore[attr-defined]
_fd = Finding.__table__.c  # type: ignore[attr-defined]

_LIVE = (FindingStatus.open.value, FindingStatus.in_progress.value)


def failing_controls(session: Session, ctx: AgendaContext) -> Iterable[AgendaItem]:
    """Controls failing in the newest run before the meeting, at their (possibly escalated) severity."""
    run_id = session.scalar(select(func.max(_run.id)).where(_run.started_at <= ctx.as_of))
    if run_id is None:
        return
    rows = session.execute(
        select(_res.control_id, _res.severity, _res.summary, _c.title_en, _c.title_ko, _c.owner)
        .join(Control, _c.id == _res.control_id)
        .where(_res.run_id == run_id, _res.status == ResultStatus.failed.value)
        .order_by(_res.control_id)
    )
    for control_id, severity, summary, title_en, title_ko, owner in rows:
        yield AgendaItem(
            kind="control_failing",
            title=f"{control_id}: {title_en} / {title_ko}",
            severity=Severity(str(severity)),
            owner=owner,
            status=f"failing in control run {run_id}",
            ref_type="control",
            ref_id=control_id,
            detail=summary,
        )


def overdue_findings(session: Session, ctx: AgendaContext) -> Iterable[AgendaItem]:
    """Findings open on the meeting's day and past their SLA due date (critical findings stay critical)."""
    rows = session.scalars(
        select(Finding)
        .where(
            _fd.opened_at <= ctx.as_of,
            or_(_fd.closed_at.is_(None), _fd.closed_at > ctx.as_of),
            _fd.status != FindingStatus.risk_accepted.value,
            _fd.due_on < ctx.today,
        )
        .order_by(_fd.due_on, _fd.id)
    )
    for finding in rows:
        severity = Severity.critical if str(finding.severity) == "critical" else Severity.high
        yield AgendaItem(
            kind="finding_overdue",
            title=finding.title,
            severity=severity,
            owner=finding.owner,
            due_on=finding.due_on,
            status=f"{(ctx.today - finding.due_on).days} days overdue",
            ref_type="finding",
            ref_id=str(finding.id),
            detail=finding.summary,
        )


def due_findings(session: Session, today: date, until: date) -> Iterable[DueItem]:
    """Reminder source: open or in-progress findings due by `until`, overdue ones included, by owner."""
    rows = session.scalars(
        select(Finding).where(_fd.status.in_(_LIVE), _fd.due_on <= until).order_by(_fd.due_on, _fd.id)
    )
    for finding in rows:
        yield DueItem(
            kind="finding",
            title=finding.title,
            owner=finding.owner,
            due_on=finding.due_on,
            status=str(finding.status),
            ref_type="finding",
            ref_id=str(finding.id),
        )
