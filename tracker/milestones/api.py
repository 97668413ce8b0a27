"""Milestones over HTTP: CRUD with ETags, dependencies (409 naming a cycle), slips, critical path, lateness."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

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
from tracker.milestones import service
from tracker.milestones.models import (
    CriticalPathPublic,
    DependencyChange,
    DependencyCreate,
    DependencyPublic,
    LateMilestone,
    MilestoneChange,
    MilestoneCreate,
    MilestoneProgressPublic,
    MilestonePublic,
    MilestoneRebaselineRequest,
    MilestoneStatus,
    MilestoneUpdate,
    SlipReport,
    SlipRequest,
)
from tracker.pagination import DEFAULT_LIMIT, Page
from tracker.plan.models import WorkstreamCode

router = APIRouter(prefix="/milestones", tags=["milestones"])

Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
AsOf = Annotated[date | None, Query(description="Business date (YYYY-MM-DD, Seoul); default today.")]


@router.get("", response_model=Page[MilestonePublic], summary="List milestones")
def list_milestones(
    session: ReadSessionDep,
    _: ReportReader,
    workstream: WorkstreamCode | None = None,
    status: MilestoneStatus | None = None,
    late: Annotated[bool | None, Query(description="Only late (true) or only on-time (false) milestones.")] = None,
    owner: Annotated[str | None, Query(max_length=100)] = None,
    as_of: AsOf = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[MilestonePublic]:
    """Milestones by baseline date; `late` is judged as of `as_of`."""
    return service.list_milestones(
        session=session,
        workstream=workstream,
        status=status,
        late=late,
        owner=owner,
        as_of=as_of,
        cursor=cursor,
        limit=limit,
    )


@router.get("/late", response_model=list[LateMilestone], summary="Late milestones and what they delay")
def late_milestones(session: ReadSessionDep, _: ReportReader, as_of: AsOf = None) -> list[LateMilestone]:
    """Open milestones past or forecast past their baseline date, most late first, with their open dependents."""
    return service.late(session=session, as_of=as_of)


@router.get("/critical-path", response_model=CriticalPathPublic, summary="Critical path to a milestone")
def critical_path(
    session: ReadSessionDep,
    _: ReportReader,
    to: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Target milestone id; default the end.")] = None,
) -> CriticalPathPublic:
    """The chain of driving milestones to `to` (default: the milestone that finishes last), with float per step."""
    return service.critical_path(session=session, to=to)


@router.get("/{id}", response_model=MilestonePublic, summary="One milestone")
def get_milestone(id: Id, session: ReadSessionDep, _: ReportReader, response: Response) -> MilestonePublic:
    """A milestone with its predecessors; the ETag is its version."""
    milestone = service.get(session=session, id=id)
    response.headers["ETag"] = etag(milestone.version)
    return milestone


@router.post("", response_model=MilestonePublic, status_code=status.HTTP_201_CREATED, summary="Add a milestone")
def create_milestone(data: MilestoneCreate, session: SessionDep, principal: Writer) -> MilestonePublic:
    """A new milestone (forecast defaults to the baseline date)."""
    return service.create(session=session, data=data, actor=principal)


@router.patch("/{id}", response_model=MilestoneChange, summary="Update a milestone")
def update_milestone(
    id: Id, data: MilestoneUpdate, session: SessionDep, principal: Writer, if_match: IfMatch
) -> MilestoneChange:
    """Progress, status, forecast, owner, evidence...; a moved forecast returns the slip it propagated."""
    return service.update(session=session, id=id, data=data, if_match=if_match, actor=principal)


@router.delete("/{id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a milestone")
def delete_milestone(id: Id, session: SessionDep, principal: Writer, if_match: IfMatch) -> None:
    """Only when nothing depends on it (409 otherwise); its own dependencies and progress go with it."""
    service.delete_milestone(session=session, id=id, if_match=if_match, actor=principal)


@router.post("/{id}/slip", response_model=SlipReport, summary="Move a forecast and propagate the slip")
def slip_milestone(id: Id, data: SlipRequest, session: SessionDep, principal: Writer) -> SlipReport:
    """Which dependents move and which then miss their baseline; `dry_run` only reports."""
    return service.propagate_slip(
        session=session, id=id, forecast_date=data.forecast_date, actor=principal, dry_run=data.dry_run
    )


@router.post("/{id}/rebaseline", response_model=MilestoneChange, summary="Re-baseline a milestone")
def rebaseline_milestone(
    id: Id, data: MilestoneRebaselineRequest, session: SessionDep, principal: Approver
) -> MilestoneChange:
    """A ciso or admin changes baseline dates or weight, with a reason; recorded and audited."""
    return service.rebaseline(session=session, id=id, data=data, actor=principal)


@router.get("/{id}/progress", response_model=list[MilestoneProgressPublic], summary="A milestone's progress reports")
def list_progress(id: Id, session: ReadSessionDep, _: Reader) -> list[MilestoneProgressPublic]:
    """Percent complete by business date, oldest first (earned value reads these)."""
    return service.list_progress(session=session, id=id)


@router.get("/{id}/dependencies", response_model=list[DependencyPublic], summary="A milestone's dependencies")
def list_dependencies(id: Id, session: ReadSessionDep, _: ReportReader) -> list[DependencyPublic]:
    """Edges into and out of the milestone."""
    return service.list_dependencies(session=session, id=id)


@router.post(
    "/{id}/dependencies",
    response_model=DependencyChange,
    status_code=status.HTTP_201_CREATED,
    summary="Make a milestone depend on another",
)
def add_dependency(id: Id, data: DependencyCreate, session: SessionDep, principal: Writer) -> DependencyChange:
    """409 naming the cycle if the edge would close one; forecasts the new constraint pushes are reported."""
    return service.add_dependency(session=session, successor_id=id, data=data, actor=principal)


@router.delete(
    "/{id}/dependencies/{predecessor_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Remove a dependency"
)
def remove_dependency(
    id: Id,
    predecessor_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    session: SessionDep,
    principal: Writer,
) -> None:
    """Forecasts stay where they are; nothing is pulled earlier."""
    service.remove_dependency(session=session, successor_id=id, predecessor_id=predecessor_id, actor=principal)
