"""Controls and findings over HTTP: everyone reads the catalog and findings, writers run and maintain them, only
approvers (ciso, admin) attest, accept risks or close findings by hand."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from tracker.audit.models import AuditEventPublic
from tracker.controls import service
from tracker.controls.models import (
    CONTROL_ID_PATTERN,
    MAX_ID,
    AttestationCreate,
    AttestationPublic,
    ControlCreate,
    ControlPublic,
    ControlSource,
    ControlUpdate,
    FindingMilestoneCreate,
    FindingPublic,
    FindingStatus,
    FindingUpdate,
    ResultPublic,
    RotationCreate,
    RotationPublic,
    RunDetail,
    RunPublic,
    Severity,
)
from tracker.deps import (
    Approver,
    Cursor,
    IfMatch,
    Limit,
    Reader,
    ReadSessionDep,
    ReportReader,
    SessionDep,
    Writer,
    etag,
)
from tracker.governance.fields import TEXT_PATTERN
from tracker.pagination import DEFAULT_LIMIT, Page

router = APIRouter(tags=["controls"])

ControlId = Annotated[
    str, Path(min_length=1, max_length=40, pattern=CONTROL_ID_PATTERN, description="The control's id, e.g. MSIT-2.")
]
RunId = Annotated[int, Path(ge=1, le=MAX_ID, description="The run's id.")]
FindingId = Annotated[int, Path(ge=1, le=MAX_ID, description="The finding's id.")]
MilestoneId = Annotated[int, Path(ge=1, le=MAX_ID, description="The milestone's id.")]


@router.get("/controls", response_model=Page[ControlPublic], summary="List the control catalog")
def list_controls(
    session: ReadSessionDep,
    _: ReportReader,
    source: ControlSource | None = None,
    enabled: bool | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[ControlPublic]:
    """Controls by id with their newest result's status."""
    return service.list_controls(session=session, source=source, enabled=enabled, cursor=cursor, limit=limit)


@router.post("/controls", response_model=ControlPublic, status_code=status.HTTP_201_CREATED, summary="Add a control")
def create_control(data: ControlCreate, session: SessionDep, principal: Writer, response: Response) -> ControlPublic:
    """Add a manual-attestation control (automated ones come from the catalog)."""
    control = service.create_control(session=session, data=data, actor=principal)
    response.headers["ETag"] = etag(control.version)
    return control


@router.post("/controls/run", response_model=RunDetail, status_code=status.HTTP_201_CREATED, summary="Run controls")
def run_controls(session: SessionDep, principal: Writer) -> RunDetail:
    """Evaluate every enabled control, record the run, and open, update or close findings."""
    return service.run(session=session, actor=principal)


@router.get("/controls/runs", response_model=Page[RunPublic], summary="List control runs")
def list_runs(
    session: ReadSessionDep, _: ReportReader, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> Page[RunPublic]:
    """Runs, newest first."""
    return service.list_runs(session=session, cursor=cursor, limit=limit)


@router.get("/controls/runs/{run_id}", response_model=RunDetail, summary="Get a control run")
def get_run(run_id: RunId, session: ReadSessionDep, _: ReportReader) -> RunDetail:
    """One run with every control's result."""
    return service.get_run(session=session, run_id=run_id)


@router.get(
    "/controls/auth-server-rotations", response_model=Page[RotationPublic], summary="List auth-server IP rotations"
)
def list_rotations(
    session: ReadSessionDep,
    _: Reader,
    server: Annotated[str | None, Query(min_length=1, max_length=100, pattern=TEXT_PATTERN)] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[RotationPublic]:
    """Recorded rotations of the authentication servers' IP addresses, newest first."""
    return service.list_rotations(session=session, server=server, cursor=cursor, limit=limit)


@router.post(
    "/controls/auth-server-rotations",
    response_model=RotationPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Record an auth-server IP rotation",
)
def record_rotation(data: RotationCreate, session: SessionDep, principal: Writer) -> RotationPublic:
    """Record that an authentication server's IP address was changed (MSIT order 6)."""
    return service.record_rotation(session=session, data=data, actor=principal)


@router.get("/controls/{control_id}", response_model=ControlPublic, summary="Get a control")
def get_control(control_id: ControlId, session: ReadSessionDep, _: ReportReader, response: Response) -> ControlPublic:
    """One control."""
    control = service.get_control(session=session, control_id=control_id)
    response.headers["ETag"] = etag(control.version)
    return control


@router.patch("/controls/{control_id}", response_model=ControlPublic, summary="Change a control")
def update_control(
    control_id: ControlId,
    data: ControlUpdate,
    session: SessionDep,
    principal: Writer,
    if_match: IfMatch,
    response: Response,
) -> ControlPublic:
    """Change titles, severity, owner, parameters or whether it runs."""
    control = service.update_control(
        session=session, control_id=control_id, data=data, if_match=if_match, actor=principal
    )
    response.headers["ETag"] = etag(control.version)
    return control


@router.get("/controls/{control_id}/results", response_model=Page[ResultPublic], summary="A control's results")
def list_results(
    control_id: ControlId, session: ReadSessionDep, _: ReportReader, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> Page[ResultPublic]:
    """The control's results over time, newest first."""
    return service.list_results(session=session, control_id=control_id, cursor=cursor, limit=limit)


@router.get(
    "/controls/{control_id}/attestations", response_model=list[AttestationPublic], summary="A control's attestations"
)
def list_attestations(control_id: ControlId, session: ReadSessionDep, _: ReportReader) -> list[AttestationPublic]:
    """Attestations of a manual control, oldest first."""
    return service.list_attestations(session=session, control_id=control_id)


@router.post(
    "/controls/{control_id}/attestations",
    response_model=AttestationPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Attest a manual control",
)
def attest(
    control_id: ControlId, data: AttestationCreate, session: SessionDep, principal: Approver
) -> AttestationPublic:
    """State that a manual control is met, naming the evidence (ciso or admin)."""
    return service.attest(session=session, control_id=control_id, data=data, actor=principal)


@router.get("/findings", response_model=Page[FindingPublic], summary="List findings")
def list_findings(
    session: ReadSessionDep,
    _: ReportReader,
    finding_status: Annotated[FindingStatus | None, Query(alias="status")] = None,
    severity: Severity | None = None,
    control_id: Annotated[str | None, Query(min_length=1, max_length=40, pattern=CONTROL_ID_PATTERN)] = None,
    owner: Annotated[str | None, Query(min_length=1, max_length=100, pattern=TEXT_PATTERN)] = None,
    overdue: Annotated[bool | None, Query(description="Open or in progress and past due today (Asia/Seoul).")] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[FindingPublic]:
    """Findings by id, filtered."""
    return service.list_findings(
        session=session,
        status=finding_status,
        severity=severity,
        control_id=control_id,
        owner=owner,
        overdue=overdue,
        cursor=cursor,
        limit=limit,
    )


@router.get("/findings/{finding_id}", response_model=FindingPublic, summary="Get a finding")
def get_finding(finding_id: FindingId, session: ReadSessionDep, _: ReportReader, response: Response) -> FindingPublic:
    """One finding with its newest evidence and linked milestones."""
    finding = service.get_finding(session=session, finding_id=finding_id)
    response.headers["ETag"] = etag(finding.version)
    return finding


@router.patch("/findings/{finding_id}", response_model=FindingPublic, summary="Change a finding")
def update_finding(
    finding_id: FindingId,
    data: FindingUpdate,
    session: SessionDep,
    principal: Writer,
    if_match: IfMatch,
    response: Response,
) -> FindingPublic:
    """Owner, note, status; risk acceptance (with expiry), due-date moves and manual closure need ciso or admin."""
    finding = service.update_finding(
        session=session, finding_id=finding_id, data=data, if_match=if_match, actor=principal
    )
    response.headers["ETag"] = etag(finding.version)
    return finding


@router.get("/findings/{finding_id}/history", response_model=list[AuditEventPublic], summary="A finding's history")
def finding_history(finding_id: FindingId, session: ReadSessionDep, _: Reader) -> list[AuditEventPublic]:
    """Every recorded state of the finding, from the audit chain."""
    return service.finding_history(session=session, finding_id=finding_id)


@router.post(
    "/findings/{finding_id}/milestones",
    response_model=FindingPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Link a milestone to a finding",
)
def link_milestone(
    finding_id: FindingId, data: FindingMilestoneCreate, session: SessionDep, principal: Writer
) -> FindingPublic:
    """A plan milestone that remediates the finding (it appears in the POA&M)."""
    return service.link_milestone(
        session=session, finding_id=finding_id, milestone_id=data.milestone_id, actor=principal
    )


@router.delete(
    "/findings/{finding_id}/milestones/{milestone_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Unlink a milestone from a finding",
)
def unlink_milestone(finding_id: FindingId, milestone_id: MilestoneId, session: SessionDep, principal: Writer) -> None:
    """Remove the link; the audit chain keeps that it existed."""
    service.unlink_milestone(session=session, finding_id=finding_id, milestone_id=milestone_id, actor=principal)
