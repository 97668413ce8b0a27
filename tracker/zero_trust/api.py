"""Zero-trust maturity over HTTP: catalog, systems in scope, assessments, targets and the summary."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from tracker.deps import Cursor, IfMatch, Limit, Reader, ReadSessionDep, ReportReader, SessionDep, Writer, etag
from tracker.pagination import DEFAULT_LIMIT, Page
from tracker.zero_trust import service
from tracker.zero_trust.models import (
    ZtAssessmentCreate,
    ZtAssessmentPublic,
    ZtFunctionPublic,
    ZtPillar,
    ZtSummary,
    ZtSystemCreate,
    ZtSystemPublic,
    ZtSystemUpdate,
    ZtTargetCreate,
    ZtTargetPublic,
    ZtTargetUpdate,
)

router = APIRouter(prefix="/zero-trust", tags=["zero-trust"])

Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Year = Annotated[int | None, Query(ge=2000, le=2100)]


@router.get("/summary", response_model=ZtSummary, summary="Maturity per pillar against the year's target")
def zero_trust_summary(
    session: ReadSessionDep,
    _: ReportReader,
    year: Year = None,
    as_of: Annotated[date | None, Query(description="Assessments up to this date; default today.")] = None,
) -> ZtSummary:
    """Current stage per pillar (its weakest function; a function is the lower median over systems), the year's
    target and the gap in stage steps, with per-function and per-system detail for heatmaps."""
    return service.summary(session=session, year=year, as_of=as_of)


@router.get("/functions", response_model=list[ZtFunctionPublic], summary="The ZTMM v2 catalog")
def list_functions(session: ReadSessionDep, _: Reader, pillar: ZtPillar | None = None) -> list[ZtFunctionPublic]:
    """Pillars' functions and the cross-cutting capabilities, in model order."""
    return service.list_functions(session=session, pillar=pillar)


@router.get("/systems", response_model=Page[ZtSystemPublic], summary="List systems in scope")
def list_systems(
    session: ReadSessionDep, _: Reader, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> Page[ZtSystemPublic]:
    """Systems in the zero-trust scope, by code."""
    return service.list_systems(session=session, cursor=cursor, limit=limit)


@router.get("/systems/{id}", response_model=ZtSystemPublic, summary="One system")
def get_system(id: Id, session: ReadSessionDep, _: Reader, response: Response) -> ZtSystemPublic:
    """A system in scope; the ETag is its version."""
    system = service.get_system(session=session, id=id)
    response.headers["ETag"] = etag(system.version)
    return system


@router.post("/systems", response_model=ZtSystemPublic, status_code=status.HTTP_201_CREATED, summary="Add a system")
def create_system(data: ZtSystemCreate, session: SessionDep, principal: Writer) -> ZtSystemPublic:
    """A system and the pillars it is assessed against."""
    return service.create_system(session=session, data=data, actor=principal)


@router.patch("/systems/{id}", response_model=ZtSystemPublic, summary="Update a system")
def update_system(
    id: Id, data: ZtSystemUpdate, session: SessionDep, principal: Writer, if_match: IfMatch
) -> ZtSystemPublic:
    """Names, description, pillars in scope, source."""
    return service.update_system(session=session, id=id, data=data, if_match=if_match, actor=principal)


@router.get("/assessments", response_model=Page[ZtAssessmentPublic], summary="List assessments")
def list_assessments(
    session: ReadSessionDep,
    _: Reader,
    system_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    function_code: Annotated[str | None, Query(max_length=80)] = None,
    pillar: ZtPillar | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[ZtAssessmentPublic]:
    """Assessments, newest first."""
    return service.list_assessments(
        session=session, system_id=system_id, function_code=function_code, pillar=pillar, cursor=cursor, limit=limit
    )


@router.post(
    "/assessments",
    response_model=ZtAssessmentPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Record an assessment",
)
def create_assessment(data: ZtAssessmentCreate, session: SessionDep, principal: Writer) -> ZtAssessmentPublic:
    """The stage a system reached in a function, with assessor and evidence."""
    return service.create_assessment(session=session, data=data, actor=principal)


@router.get("/targets", response_model=list[ZtTargetPublic], summary="List targets")
def list_targets(
    session: ReadSessionDep, _: Reader, year: Year = None, pillar: ZtPillar | None = None
) -> list[ZtTargetPublic]:
    """Target stage per pillar and year."""
    return service.list_targets(session=session, year=year, pillar=pillar)


@router.post("/targets", response_model=ZtTargetPublic, status_code=status.HTTP_201_CREATED, summary="Set a target")
def create_target(data: ZtTargetCreate, session: SessionDep, principal: Writer) -> ZtTargetPublic:
    """One target per pillar and year (409 if it exists: change it instead)."""
    return service.create_target(session=session, data=data, actor=principal)


@router.patch("/targets/{id}", response_model=ZtTargetPublic, summary="Change a target")
def update_target(
    id: Id, data: ZtTargetUpdate, session: SessionDep, principal: Writer, if_match: IfMatch
) -> ZtTargetPublic:
    """The target stage or its source."""
    return service.update_target(session=session, id=id, data=data, if_match=if_match, actor=principal)
