"""Replacement over HTTP: waves (list, read, create, change), assigning equipment, and progress with forecast."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from inventory.replacement import service
from inventory.replacement.models import (
    AssignmentRequest,
    AssignmentResult,
    ReplacementStatus,
    WaveCreate,
    WavePublic,
    WaveUpdate,
)
from tracker.deps import Cursor, IfMatch, Limit, ReadSessionDep, ReportReader, SessionDep, Writer, etag
from tracker.pagination import DEFAULT_LIMIT, Page
from tracker.plan.fields import PlanDate

router = APIRouter(prefix="/replacement", tags=["replacement"])

WaveId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The wave's id.")]


@router.get("", response_model=ReplacementStatus, summary="Replacement plan vs actual, burn-down and forecast")
def replacement_status(
    session: ReadSessionDep,
    _: ReportReader,
    as_of: Annotated[
        PlanDate | None, Query(description="The date to report as of (Asia/Seoul); default today.")
    ] = None,
) -> ReplacementStatus:
    """Planned vs actual replacements per quarter, the burn-down and the forecast completion per wave and overall."""
    return service.status(session=session, as_of=as_of)


@router.get("/waves", response_model=Page[WavePublic], summary="List replacement waves")
def list_waves(
    session: ReadSessionDep, _: ReportReader, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> Page[WavePublic]:
    """Waves by code, each with its planned, replaced and remaining equipment counts."""
    return service.list_waves(session=session, cursor=cursor, limit=limit)


@router.post("/waves", response_model=WavePublic, status_code=status.HTTP_201_CREATED, summary="Add a wave")
def create_wave(data: WaveCreate, session: SessionDep, principal: Writer, response: Response) -> WavePublic:
    """A wave with its target window, budget line and milestone (both of workstream legacy_replacement)."""
    wave = service.create(session=session, data=data, actor=principal)
    response.headers["ETag"] = etag(wave.version)
    return wave


@router.post("/assignments", response_model=AssignmentResult, summary="Put equipment into a wave or take it out")
def assign_equipment(data: AssignmentRequest, session: SessionDep, principal: Writer) -> AssignmentResult:
    """Set the wave of up to 1,000 items by asset tag (wave null: out of any wave), all or nothing.

    An unknown wave code is 409, unknown asset tags 404; every changed item is an audited equipment update.
    In-service items joining a wave become replacement_planned; planned items leaving one go back to in_service.
    """
    return service.assign(session=session, data=data, actor=principal)


@router.get("/waves/{wave_id}", response_model=WavePublic, summary="Read a wave")
def get_wave(wave_id: WaveId, session: ReadSessionDep, _: ReportReader, response: Response) -> WavePublic:
    """One wave with its counts; the ETag is its version."""
    wave = service.get(session=session, id=wave_id)
    response.headers["ETag"] = etag(wave.version)
    return wave


@router.patch("/waves/{wave_id}", response_model=WavePublic, summary="Change a wave")
def update_wave(
    wave_id: WaveId, data: WaveUpdate, session: SessionDep, principal: Writer, if_match: IfMatch, response: Response
) -> WavePublic:
    """Names, description, target dates, budget line, milestone; the code is fixed. Stale If-Match → 412."""
    wave = service.update(session=session, id=wave_id, data=data, if_match=if_match, actor=principal)
    response.headers["ETag"] = etag(wave.version)
    return wave
