"""Controls: the catalog, runs that evaluate it, findings with SLA due dates, attestations and rotations.

A run evaluates every enabled control (`evaluators.EVALUATORS`, or an attestation for manual controls), stores a
result per control and reconciles findings: a failing control with no open finding gets one (due date from the
severity SLA, `Settings.finding_sla_days`), a still-failing one is brought up to date, and an open finding whose
control passes (or no longer applies) is closed automatically. A risk acceptance that expired is reopened by the
next run. Findings are never deleted. Every row written is audited with its full state (entity type == table).
"""

from __future__ import annotations

import builtins
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from tracker.audit import service as audit
from tracker.audit.models import AuditEventPublic
from tracker.auth.models import APPROVERS, Principal
from tracker.controls.evaluators import EVALUATORS, EvalContext, Evaluation, check_parameters
from tracker.controls.models import (
    DEFAULT_SAMPLE,
    MANUAL,
    OPEN_FINDING_STATUSES,
    SEVERITY_ORDER,
    AttestationCreate,
    AttestationPublic,
    AuthServerRotation,
    Closure,
    Control,
    ControlAttestation,
    ControlCreate,
    ControlPublic,
    ControlResult,
    ControlRun,
    ControlSource,
    ControlUpdate,
    Finding,
    FindingMilestone,
    FindingPublic,
    FindingStatus,
    FindingUpdate,
    ResultPublic,
    ResultStatus,
    RotationCreate,
    RotationPublic,
    RunDetail,
    RunPublic,
    Severity,
)
from tracker.controls.report import fleet_figures
from tracker.errors import Conflict, Forbidden, Invalid, NotFound
from tracker.governance.fields import changes_of
from tracker.governance.schedule import seoul_today
from tracker.milestones.models import Milestone
from tracker.pagination import DEFAULT_LIMIT, Page, build_page, keyset_page
from tracker.records import check_version, flush_versioned
from tracker.settings import get_settings
from tracker.types import as_utc, now_utc, to_seoul

_c = Control.__table__.c  # type: ignore[attr-defined]
_run = ControlRun.__table__.c  # type: ignore[attr-defined]
_res = ControlResult.__table__.c  # type: ignore[attr-defined]
_fd = Finding.__table__.c  # type: ignore[attr-defined]
_fm = FindingMilestone.__table__.c  # type: ignore[attr-defined]
_att = ControlAttestation.__table__.c  # type: ignore[attr-defined]
_rot = AuthServerRotation.__table__.c  # type: ignore[attr-defined]

DEFAULT_SLA_DAYS = {"critical": 7, "high": 30, "medium": 90, "low": 180}
# A risk may be accepted for at most this long before it must be looked at again.
MAX_RISK_ACCEPTANCE_DAYS = 366


def sla_days(severity: Severity | str) -> int:
    """Days to remediate a finding of this severity (settings `finding_sla_days`, else the defaults)."""
    configured = get_settings().finding_sla_days
    key = str(severity)
    return int(configured.get(key, DEFAULT_SLA_DAYS[key]))


def _audit(session: Session, actor: Principal, action: str, entity_type: str, row: Any) -> None:
    audit.record(session, actor=actor, action=action, entity_type=entity_type, entity_id=row.id, state=row)


# ---------------------------------------------------------------------------------------------------------------
# Catalog
# ---------------------------------------------------------------------------------------------------------------


def _load_control(session: Session, control_id: str) -> Control:
    control = session.get(Control, control_id)
    if control is None:
        raise NotFound(f"No control with id '{control_id}'.", field="control_id")
    return control


def _control_public(session: Session, rows: builtins.list[Control]) -> builtins.list[ControlPublic]:
    ids = [r.id for r in rows]
    latest: dict[str, tuple[str, int]] = {}
    if ids:
        newest = (
            select(_res.control_id, func.max(_res.run_id).label("run_id"))
            .where(_res.control_id.in_(ids))
            .group_by(_res.control_id)
            .subquery()
        )
        for control_id, status, run_id in session.execute(
            select(_res.control_id, _res.status, _res.run_id).join(
                newest, and_(newest.c.control_id == _res.control_id, newest.c.run_id == _res.run_id)
            )
        ):
            latest[control_id] = (status, run_id)
    out = []
    for row in rows:
        status, run_id = latest.get(row.id, (None, None))
        out.append(ControlPublic.model_validate(row.model_dump() | {"last_status": status, "last_run_id": run_id}))
    return out


def get_control(*, session: Session, control_id: str) -> ControlPublic:
    """One control with its newest result's status."""
    return _control_public(session, [_load_control(session, control_id)])[0]


def list_controls(
    *,
    session: Session,
    source: ControlSource | None = None,
    enabled: bool | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[ControlPublic]:
    """The catalog by id, filtered."""
    stmt = select(Control)
    if source is not None:
        stmt = stmt.where(_c.source == source.value)
    if enabled is not None:
        stmt = stmt.where(_c.enabled == enabled)
    kind = "control:id:asc"
    stmt = keyset_page(stmt, kind=kind, sort_column=_c.id, id_column=_c.id, cursor=cursor, limit=limit)
    page = build_page(builtins.list(session.scalars(stmt)), kind=kind, limit=limit, sort_attr="id")
    return Page[ControlPublic](items=_control_public(session, page.items), next_cursor=page.next_cursor)


def create_control(*, session: Session, data: ControlCreate, actor: Principal) -> ControlPublic:
    """Add a manual-attestation control (automated controls come from the catalog file)."""
    if session.get(Control, data.id) is not None:
        raise Conflict(f"A control with id '{data.id}' already exists.", field="id")
    values = data.model_dump(exclude={"due_on"})
    params = {"due_on": data.due_on.isoformat()} if data.due_on else {}
    control = Control(**values, evaluator=MANUAL, parameters=params)
    session.add(control)
    flush_versioned(session, what=f"Control '{data.id}'")
    _audit(session, actor, "create", "control", control)
    return get_control(session=session, control_id=control.id)


def update_control(
    *, session: Session, control_id: str, data: ControlUpdate, if_match: int | None, actor: Principal
) -> ControlPublic:
    """Change a control; given parameters are merged over the current ones and checked against the evaluator."""
    control = _load_control(session, control_id)
    what = f"Control '{control_id}'"
    check_version(control, if_match, what=what)
    changes = changes_of(
        data, required=frozenset({"title_ko", "title_en", "severity", "owner", "parameters", "enabled"})
    )
    params = changes.pop("parameters", None)
    if params is not None:
        control.parameters = check_parameters(control.evaluator, {**control.parameters, **params})
    for name, value in changes.items():
        setattr(control, name, value)
    control.updated_at = now_utc()
    session.add(control)
    flush_versioned(session, what=what, expected=if_match)
    _audit(session, actor, "update", "control", control)
    return get_control(session=session, control_id=control_id)


def load_catalog(session: Session, entries: Iterable[Mapping[str, Any]], *, actor: Principal) -> int:
    """Create the catalog's controls that do not exist yet (existing ones keep their edits); returns how many."""
    created = 0
    for entry in entries:
        if session.get(Control, entry["id"]) is not None:
            continue
        evaluator = str(entry["evaluator"])
        if evaluator != MANUAL and evaluator not in EVALUATORS:
            raise Invalid(f"Control {entry['id']} names an unknown evaluator '{evaluator}'.", field="evaluator")
        control = Control(
            id=entry["id"],
            title_ko=entry["title"]["ko"],
            title_en=entry["title"]["en"],
            description_ko=entry.get("description", {}).get("ko", ""),
            description_en=entry.get("description", {}).get("en", ""),
            source=ControlSource(entry["source"]),
            reference=entry.get("reference"),
            severity=Severity(entry["severity"]),
            parameters=check_parameters(evaluator, entry.get("parameters") or {}),
            evaluator=evaluator,
            owner=entry["owner"],
            enabled=bool(entry.get("enabled", True)),
        )
        session.add(control)
        session.flush()
        _audit(session, actor, "create", "control", control)
        created += 1
    return created


# ---------------------------------------------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------------------------------------------


def _latest_attestation(session: Session, control_id: str, today: date) -> ControlAttestation | None:
    return session.scalars(
        select(ControlAttestation)
        .where(
            _att.control_id == control_id,
            _att.attested_on <= today,
            (_att.valid_until.is_(None)) | (_att.valid_until >= today),
        )
        .order_by(_att.attested_at.desc(), _att.id.desc())
        .limit(1)
    ).first()


def _evaluate_manual(session: Session, control: Control, today: date) -> Evaluation:
    attestation = _latest_attestation(session, control.id, today)
    if attestation is not None:
        return Evaluation(
            status=ResultStatus.passed,
            measured=None,
            threshold=None,
            evidence_count=len(attestation.evidence_refs),
            sample=[],
            details={
                "attestation_id": attestation.id,
                "attested_by": attestation.attested_by,
                "attested_on": attestation.attested_on.isoformat(),
                "valid_until": attestation.valid_until.isoformat() if attestation.valid_until else None,
                "evidence_refs": builtins.list(attestation.evidence_refs)[:DEFAULT_SAMPLE],
            },
            summary=f"Attested by {attestation.attested_by} on {attestation.attested_on.isoformat()}.",
        )
    due = control.parameters.get("due_on")
    if due is not None and today > date.fromisoformat(str(due)):
        return Evaluation(
            status=ResultStatus.failed,
            measured=None,
            threshold=None,
            evidence_count=0,
            details={"due_on": due},
            summary=f"No current attestation; it was due on {due}.",
        )
    return Evaluation(
        status=ResultStatus.manual,
        measured=None,
        threshold=None,
        evidence_count=0,
        details={"due_on": due},
        summary="Awaiting attestation" + (f" (due {due})." if due else "."),
    )


def evaluate(session: Session, control: Control, *, now: datetime, sample_limit: int = DEFAULT_SAMPLE) -> Evaluation:
    """Evaluate one control at `now` without recording anything."""
    today = to_seoul(now).date()
    if control.evaluator == MANUAL:
        return _evaluate_manual(session, control, today)
    evaluator = EVALUATORS.get(control.evaluator)
    if evaluator is None:
        return Evaluation(
            status=ResultStatus.not_applicable,
            measured=None,
            threshold=None,
            evidence_count=0,
            summary=f"Unknown evaluator '{control.evaluator}'.",
        )
    params = {**evaluator.defaults, **control.parameters}
    return evaluator.fn(session, EvalContext(now=now, today=today, params=params, sample_limit=sample_limit))


@dataclass
class _Tally:
    opened: int = 0
    updated: int = 0
    closed: int = 0


def run(
    *, session: Session, actor: Principal, now: datetime | None = None, sample_limit: int = DEFAULT_SAMPLE
) -> RunDetail:
    """Evaluate every enabled control, record the run and its results, and open, update or close findings."""
    now = as_utc(now) if now is not None else now_utc()
    clock = time.perf_counter()
    head = audit.head(session)
    controls = builtins.list(session.scalars(select(Control).where(_c.enabled.is_(True)).order_by(_c.id)))
    run_row = ControlRun(
        started_at=now,
        finished_at=now,
        chain_head_seq=head.seq,
        chain_head_hash=head.hash,
        actor=actor.name,
    )
    session.add(run_row)
    session.flush()
    tally = _Tally()
    results: builtins.list[ControlResult] = []
    counts = {status: 0 for status in ResultStatus}
    for control in controls:
        started = time.perf_counter()
        evaluation = evaluate(session, control, now=now, sample_limit=sample_limit)
        result = ControlResult(
            run_id=run_row.id or 0,
            control_id=control.id,
            status=evaluation.status,
            severity=evaluation.severity or control.severity,
            measured_value=evaluation.measured,
            threshold=evaluation.threshold,
            evidence_count=evaluation.evidence_count,
            sample=builtins.list(evaluation.sample)[:sample_limit],
            details=evaluation.details,
            summary=evaluation.summary[:500],
            evaluated_at=now,
            duration_ms=round((time.perf_counter() - started) * 1000),
        )
        session.add(result)
        session.flush()
        _audit(session, actor, "create", "control_result", result)
        results.append(result)
        counts[evaluation.status] += 1
        _reconcile(session, control, result, run_row, actor=actor, now=now, tally=tally)
    run_row.evaluated = len(results)
    run_row.passed = counts[ResultStatus.passed]
    run_row.failed = counts[ResultStatus.failed]
    run_row.not_applicable = counts[ResultStatus.not_applicable]
    run_row.manual = counts[ResultStatus.manual]
    run_row.findings_opened, run_row.findings_updated, run_row.findings_closed = (
        tally.opened,
        tally.updated,
        tally.closed,
    )
    # Same transaction, same snapshot as the evaluators: the reports' fleet figures agree with these results.
    run_row.fleet = fleet_figures(session, until=now)
    elapsed = time.perf_counter() - clock
    run_row.duration_ms = round(elapsed * 1000)
    run_row.finished_at = now + timedelta(seconds=elapsed)
    session.add(run_row)
    session.flush()
    _audit(session, actor, "create", "control_run", run_row)
    return RunDetail.model_validate(
        run_row.model_dump() | {"results": [ResultPublic.model_validate(r.model_dump()) for r in results]}
    )


def _open_finding(session: Session, control_id: str) -> Finding | None:
    return session.scalars(
        select(Finding)
        .where(_fd.control_id == control_id, _fd.status.in_([s.value for s in OPEN_FINDING_STATUSES]))
        .order_by(_fd.id.desc())
        .limit(1)
    ).first()


def _reconcile(
    session: Session,
    control: Control,
    result: ControlResult,
    run_row: ControlRun,
    *,
    actor: Principal,
    now: datetime,
    tally: _Tally,
) -> None:
    """Open, update or close the control's finding for this result."""
    finding = _open_finding(session, control.id)
    today = to_seoul(now).date()
    status = ResultStatus(result.status)
    if status is ResultStatus.failed:
        severity = Severity(result.severity)
        if finding is None:
            finding = Finding(
                control_id=control.id,
                title=f"{control.id}: {control.title_en}"[:400],
                severity=severity,
                status=FindingStatus.open,
                owner=control.owner,
                opened_at=now,
                due_on=today + timedelta(days=sla_days(severity)),
                opened_run_id=run_row.id,
                created_at=now,
                updated_at=now,
            )
            _copy_evidence(finding, result, run_row)
            session.add(finding)
            session.flush()
            _audit(session, actor, "create", "finding", finding)
            tally.opened += 1
            return
        if FindingStatus(finding.status) is FindingStatus.risk_accepted and (
            finding.risk_accepted_until is None or finding.risk_accepted_until < today
        ):
            # The acceptance lapsed and the control still fails: the finding is live again.
            finding.status = FindingStatus.open
        if SEVERITY_ORDER.index(severity) < SEVERITY_ORDER.index(Severity(finding.severity)):
            # Escalated: the SLA of the worse severity, counted from when the finding was opened.
            finding.severity = severity
            opened_day = to_seoul(finding.opened_at).date()
            finding.due_on = min(finding.due_on, opened_day + timedelta(days=sla_days(severity)))
        _copy_evidence(finding, result, run_row)
        finding.updated_at = now
        session.add(finding)
        flush_versioned(session, what=f"Finding {finding.id}")
        _audit(session, actor, "update", "finding", finding)
        tally.updated += 1
    elif status in (ResultStatus.passed, ResultStatus.not_applicable) and finding is not None:
        finding.status = FindingStatus.closed
        finding.closure = Closure.automatic
        finding.closed_at = now
        finding.closed_by = actor.name
        finding.closed_reason = (
            f"Control {control.id} {'passed' if status is ResultStatus.passed else 'no longer applies'} "
            f"in run {run_row.id}."
        )
        finding.last_run_id = run_row.id
        finding.updated_at = now
        session.add(finding)
        flush_versioned(session, what=f"Finding {finding.id}")
        _audit(session, actor, "update", "finding", finding)
        tally.closed += 1


def _copy_evidence(finding: Finding, result: ControlResult, run_row: ControlRun) -> None:
    finding.last_run_id = run_row.id
    finding.measured_value = result.measured_value
    finding.threshold = result.threshold
    finding.evidence_count = result.evidence_count
    finding.sample = builtins.list(result.sample)
    finding.summary = result.summary


def get_run(*, session: Session, run_id: int) -> RunDetail:
    """One run with every result."""
    row = session.get(ControlRun, run_id)
    if row is None:
        raise NotFound(f"No control run with id {run_id}.", field="run_id")
    results = session.scalars(select(ControlResult).where(_res.run_id == run_id).order_by(_res.control_id))
    return RunDetail.model_validate(
        row.model_dump() | {"results": [ResultPublic.model_validate(r.model_dump()) for r in results]}
    )


def list_runs(*, session: Session, cursor: str | None = None, limit: int = DEFAULT_LIMIT) -> Page[RunPublic]:
    """Runs, newest first."""
    kind = "control_run:id:desc"
    stmt = keyset_page(
        select(ControlRun),
        kind=kind,
        sort_column=_run.id,
        id_column=_run.id,
        descending=True,
        cursor=cursor,
        limit=limit,
    )
    page = build_page(builtins.list(session.scalars(stmt)), kind=kind, limit=limit, sort_attr="id")
    return Page[RunPublic](
        items=[RunPublic.model_validate(r.model_dump()) for r in page.items], next_cursor=page.next_cursor
    )


def latest_run(*, session: Session) -> RunDetail | None:
    """The newest run, or None before the first."""
    run_id = session.scalar(select(func.max(_run.id)))
    return get_run(session=session, run_id=run_id) if run_id is not None else None


def list_results(
    *, session: Session, control_id: str, cursor: str | None = None, limit: int = DEFAULT_LIMIT
) -> Page[ResultPublic]:
    """A control's results over time, newest first (its trend)."""
    _load_control(session, control_id)
    kind = f"control_result:{control_id}:run_id:desc"
    stmt = keyset_page(
        select(ControlResult).where(_res.control_id == control_id),
        kind=kind,
        sort_column=_res.run_id,
        id_column=_res.id,
        descending=True,
        cursor=cursor,
        limit=limit,
    )
    page = build_page(builtins.list(session.scalars(stmt)), kind=kind, limit=limit, sort_attr="run_id")
    return Page[ResultPublic](
        items=[ResultPublic.model_validate(r.model_dump()) for r in page.items], next_cursor=page.next_cursor
    )


# ---------------------------------------------------------------------------------------------------------------
# Findings
# ---------------------------------------------------------------------------------------------------------------

_LIVE = (FindingStatus.open.value, FindingStatus.in_progress.value)


def _overdue_on(today: date) -> ColumnElement[bool]:
    """Open or in-progress findings past their due date (an accepted risk is not overdue while it holds)."""
    return and_(_fd.status.in_(_LIVE), _fd.due_on < today)


def _load_finding(session: Session, finding_id: int) -> Finding:
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise NotFound(f"No finding with id {finding_id}.", field="finding_id")
    return finding


def _finding_public(session: Session, rows: builtins.list[Finding], today: date) -> builtins.list[FindingPublic]:
    ids = [r.id for r in rows]
    links: dict[int, builtins.list[int]] = {}
    if ids:
        for finding_id, milestone_id in session.execute(
            select(_fm.finding_id, _fm.milestone_id).where(_fm.finding_id.in_(ids)).order_by(_fm.milestone_id)
        ):
            links.setdefault(finding_id, []).append(milestone_id)
    return [
        FindingPublic.model_validate(
            r.model_dump()
            | {
                "overdue": r.status in _LIVE and r.due_on < today,
                "milestone_ids": links.get(r.id or 0, []),
            }
        )
        for r in rows
    ]


def get_finding(*, session: Session, finding_id: int, today: date | None = None) -> FindingPublic:
    """One finding."""
    return _finding_public(session, [_load_finding(session, finding_id)], today or seoul_today())[0]


def list_findings(
    *,
    session: Session,
    status: FindingStatus | None = None,
    severity: Severity | None = None,
    control_id: str | None = None,
    owner: str | None = None,
    overdue: bool | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    today: date | None = None,
) -> Page[FindingPublic]:
    """Findings by id, filtered; `overdue` is judged on today (Asia/Seoul)."""
    today = today or seoul_today()
    stmt = select(Finding)
    if status is not None:
        stmt = stmt.where(_fd.status == status.value)
    if severity is not None:
        stmt = stmt.where(_fd.severity == severity.value)
    if control_id is not None:
        stmt = stmt.where(_fd.control_id == control_id)
    if owner is not None:
        stmt = stmt.where(_fd.owner == owner)
    if overdue is True:
        stmt = stmt.where(_overdue_on(today))
    elif overdue is False:
        stmt = stmt.where(~_overdue_on(today))
    kind = "finding:id:asc"
    stmt = keyset_page(stmt, kind=kind, sort_column=_fd.id, id_column=_fd.id, cursor=cursor, limit=limit)
    page = build_page(builtins.list(session.scalars(stmt)), kind=kind, limit=limit, sort_attr="id")
    return Page[FindingPublic](items=_finding_public(session, page.items, today), next_cursor=page.next_cursor)


def _require_approver(actor: Principal, what: str) -> None:
    if actor.role not in APPROVERS:
        raise Forbidden(f"Only the ciso or an admin may {what}; role '{actor.role}' may not.")


def update_finding(
    *,
    session: Session,
    finding_id: int,
    data: FindingUpdate,
    if_match: int | None,
    actor: Principal,
    today: date | None = None,
) -> FindingPublic:
    """Change owner, due date, note or status; accepting a risk or closing by hand needs ciso or admin."""
    today = today or seoul_today()
    finding = _load_finding(session, finding_id)
    what = f"Finding {finding_id}"
    check_version(finding, if_match, what=what)
    current = FindingStatus(finding.status)
    if current is FindingStatus.closed:
        raise Conflict(f"{what} is closed, which is final; a new failure opens a new finding.", field="status")
    changes = changes_of(data, required=frozenset({"status", "owner", "due_on"}))
    new_status = changes.pop("status", None)
    until = changes.pop("risk_accepted_until", None)
    reason = changes.pop("closed_reason", None)
    if "due_on" in changes and changes["due_on"] != finding.due_on:
        _require_approver(actor, "move a finding's due date")
    for name, value in changes.items():
        setattr(finding, name, value)
    now = now_utc()
    if new_status is not None and FindingStatus(new_status) is not current:
        _change_status(
            finding, FindingStatus(new_status), until=until, reason=reason, actor=actor, now=now, today=today
        )
    elif until is not None:
        if current is not FindingStatus.risk_accepted:
            raise Conflict(
                f"{what} is {current}; risk_accepted_until applies only with status risk_accepted.",
                field="risk_accepted_until",
            )
        _accept(finding, until, actor=actor, now=now, today=today)
    elif reason is not None:
        raise Conflict("closed_reason applies only when closing the finding.", field="closed_reason")
    finding.updated_at = now
    session.add(finding)
    flush_versioned(session, what=what, expected=if_match)
    _audit(session, actor, "update", "finding", finding)
    return get_finding(session=session, finding_id=finding_id, today=today)


def _accept(finding: Finding, until: date | None, *, actor: Principal, now: datetime, today: date) -> None:
    _require_approver(actor, "accept a finding's risk")
    if until is None:
        raise Conflict(
            "Accepting a risk needs risk_accepted_until (when it must be looked at again).", field="risk_accepted_until"
        )
    if until <= today or until > today + timedelta(days=MAX_RISK_ACCEPTANCE_DAYS):
        raise Conflict(
            f"risk_accepted_until must be after today ({today.isoformat()}) and within "
            f"{MAX_RISK_ACCEPTANCE_DAYS} days.",
            field="risk_accepted_until",
        )
    finding.status = FindingStatus.risk_accepted
    finding.risk_accepted_until = until
    finding.risk_accepted_by = actor.name
    finding.risk_accepted_at = now


def _change_status(
    finding: Finding,
    new: FindingStatus,
    *,
    until: date | None,
    reason: str | None,
    actor: Principal,
    now: datetime,
    today: date,
) -> None:
    if new is FindingStatus.risk_accepted:
        _accept(finding, until, actor=actor, now=now, today=today)
        return
    if until is not None:
        raise Conflict("risk_accepted_until applies only with status risk_accepted.", field="risk_accepted_until")
    if new is FindingStatus.closed:
        _require_approver(actor, "close a finding by hand")
        if not reason:
            raise Conflict("Closing a finding by hand needs a closed_reason.", field="closed_reason")
        finding.status = FindingStatus.closed
        finding.closure = Closure.manual
        finding.closed_at = now
        finding.closed_by = actor.name
        finding.closed_reason = reason
        return
    if reason is not None:
        raise Conflict("closed_reason applies only when closing the finding.", field="closed_reason")
    finding.status = new


def finding_history(*, session: Session, finding_id: int) -> builtins.list[AuditEventPublic]:
    """Every recorded state of a finding, oldest first, from the audit chain."""
    _load_finding(session, finding_id)
    return audit.history(session, entity_type="finding", entity_id=finding_id)


def link_milestone(*, session: Session, finding_id: int, milestone_id: int, actor: Principal) -> FindingPublic:
    """Link a plan milestone that remediates the finding."""
    _load_finding(session, finding_id)
    if session.get(Milestone, milestone_id) is None:
        raise NotFound(f"No milestone with id {milestone_id}.", field="milestone_id")
    exists = session.scalar(
        select(func.count())
        .select_from(FindingMilestone)
        .where(_fm.finding_id == finding_id, _fm.milestone_id == milestone_id)
    )
    if exists:
        raise Conflict(f"Milestone {milestone_id} is already linked to finding {finding_id}.", field="milestone_id")
    link = FindingMilestone(finding_id=finding_id, milestone_id=milestone_id, created_by=actor.name)
    session.add(link)
    session.flush()
    _audit(session, actor, "create", "finding_milestone", link)
    return get_finding(session=session, finding_id=finding_id)


def unlink_milestone(*, session: Session, finding_id: int, milestone_id: int, actor: Principal) -> None:
    """Remove a milestone link (the audit chain keeps that it existed)."""
    _load_finding(session, finding_id)
    link = session.scalars(
        select(FindingMilestone).where(_fm.finding_id == finding_id, _fm.milestone_id == milestone_id)
    ).first()
    if link is None:
        raise NotFound(f"Milestone {milestone_id} is not linked to finding {finding_id}.", field="milestone_id")
    _audit(session, actor, "delete", "finding_milestone", link)
    session.delete(link)
    session.flush()


# ---------------------------------------------------------------------------------------------------------------
# Attestations and rotations
# ---------------------------------------------------------------------------------------------------------------


def attest(
    *, session: Session, control_id: str, data: AttestationCreate, actor: Principal, today: date | None = None
) -> AttestationPublic:
    """Record that a manual control is met, with evidence references (ciso or admin)."""
    _require_approver(actor, "attest a control")
    today = today or seoul_today()
    control = _load_control(session, control_id)
    if control.evaluator != MANUAL:
        raise Conflict(f"Control '{control_id}' is evaluated automatically; only manual controls are attested.")
    attested_on = data.attested_on or today
    if attested_on > today:
        raise Conflict(f"attested_on {attested_on.isoformat()} is in the future.", field="attested_on")
    if data.valid_until is not None and data.valid_until < attested_on:
        raise Conflict("valid_until is before attested_on.", field="valid_until")
    row = ControlAttestation(
        control_id=control_id,
        statement=data.statement,
        evidence_refs=builtins.list(data.evidence_refs),
        attested_on=attested_on,
        valid_until=data.valid_until,
        attested_by=actor.name,
        attested_role=str(actor.role),
    )
    session.add(row)
    session.flush()
    _audit(session, actor, "create", "control_attestation", row)
    return AttestationPublic.model_validate(row.model_dump())


def list_attestations(*, session: Session, control_id: str) -> builtins.list[AttestationPublic]:
    """A control's attestations, oldest first."""
    _load_control(session, control_id)
    rows = session.scalars(select(ControlAttestation).where(_att.control_id == control_id).order_by(_att.id))
    return [AttestationPublic.model_validate(r.model_dump()) for r in rows]


def record_rotation(*, session: Session, data: RotationCreate, actor: Principal) -> RotationPublic:
    """Record an authentication-server IP rotation (MSIT order 6)."""
    now = now_utc()
    rotated_at = data.rotated_at or now
    if rotated_at > now + timedelta(minutes=5):
        raise Conflict("rotated_at is in the future.", field="rotated_at")
    if data.previous_ip is not None and data.previous_ip == data.new_ip:
        raise Conflict("new_ip is the same as previous_ip: that is not a rotation.", field="new_ip")
    row = AuthServerRotation(
        server=data.server,
        previous_ip=data.previous_ip,
        new_ip=data.new_ip,
        rotated_at=rotated_at,
        note=data.note,
        recorded_by=actor.name,
    )
    session.add(row)
    session.flush()
    _audit(session, actor, "create", "auth_server_rotation", row)
    return RotationPublic.model_validate(row.model_dump())


def list_rotations(
    *, session: Session, server: str | None = None, cursor: str | None = None, limit: int = DEFAULT_LIMIT
) -> Page[RotationPublic]:
    """Recorded rotations, newest first."""
    stmt = select(AuthServerRotation)
    if server is not None:
        stmt = stmt.where(_rot.server == server)
    kind = "auth_server_rotation:id:desc"
    stmt = keyset_page(
        stmt, kind=kind, sort_column=_rot.id, id_column=_rot.id, descending=True, cursor=cursor, limit=limit
    )
    page = build_page(builtins.list(session.scalars(stmt)), kind=kind, limit=limit, sort_attr="id")
    return Page[RotationPublic](
        items=[RotationPublic.model_validate(r.model_dump()) for r in page.items], next_cursor=page.next_cursor
    )
