"""KPIs over HTTP: definitions, yearly targets, measurements and the latest status."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from tracker.deps import Cursor, IfMatch, Limit, ReadSessionDep, ReportReader, SessionDep, Writer, etag
from tracker.kpis import service
from tracker.kpis.models import (
    KpiCreate,
    KpiMeasurementCreate,
    KpiMeasurementPublic,
    KpiPublic,
    KpiStatus,
    KpiTargetPublic,
    KpiTargetPut,
    KpiUpdate,
)
from tracker.pagination import DEFAULT_LIMIT, Page

router = APIRouter(prefix="/kpis", tags=["kpis"])

Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("", response_model=Page[KpiPublic], summary="List KPIs")
def list_kpis(
    session: ReadSessionDep, _: ReportReader, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> Page[KpiPublic]:
    """KPIs by code with their yearly targets (percent values in basis points)."""
    return service.list_kpis(session=session, cursor=cursor, limit=limit)


@router.get("/status", response_model=list[KpiStatus], summary="Latest value of every KPI against its target")
def kpi_status(
    session: ReadSessionDep,
    _: ReportReader,
    as_of: Annotated[date | None, Query(description="Measurements up to this date; default today.")] = None,
) -> list[KpiStatus]:
    """Each KPI's newest measurement on or before `as_of`, that year's target, and whether it is met."""
    return service.latest(session=session, as_of=as_of)


@router.get("/{id}", response_model=KpiPublic, summary="One KPI")
def get_kpi(id: Id, session: ReadSessionDep, _: ReportReader, response: Response) -> KpiPublic:
    """A KPI with its targets; the ETag is its version."""
    kpi = service.get(session=session, id=id)
    response.headers["ETag"] = etag(kpi.version)
    return kpi


@router.post("", response_model=KpiPublic, status_code=status.HTTP_201_CREATED, summary="Define a KPI")
def create_kpi(data: KpiCreate, session: SessionDep, principal: Writer) -> KpiPublic:
    """A KPI of a workstream, in percent (basis points) or a plain number."""
    return service.create(session=session, data=data, actor=principal)


@router.patch("/{id}", response_model=KpiPublic, summary="Update a KPI")
def update_kpi(id: Id, data: KpiUpdate, session: SessionDep, principal: Writer, if_match: IfMatch) -> KpiPublic:
    """Names, description, direction, source."""
    return service.update(session=session, id=id, data=data, if_match=if_match, actor=principal)


@router.put("/{id}/targets/{year}", response_model=KpiTargetPublic, summary="Set a KPI's target for a year")
def put_target(
    id: Id,
    year: Annotated[int, Path(ge=2000, le=2100)],
    data: KpiTargetPut,
    session: SessionDep,
    principal: Writer,
) -> KpiTargetPublic:
    """Create or replace the year's target."""
    return service.put_target(session=session, id=id, year=year, data=data, actor=principal)


@router.get("/{id}/measurements", response_model=Page[KpiMeasurementPublic], summary="A KPI's measurements")
def list_measurements(
    id: Id,
    session: ReadSessionDep,
    _: ReportReader,
    since: date | None = None,
    until: date | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[KpiMeasurementPublic]:
    """Measurements oldest first, optionally between two dates (inclusive)."""
    return service.list_measurements(session=session, id=id, since=since, until=until, cursor=cursor, limit=limit)


@router.post(
    "/{id}/measurements",
    response_model=KpiMeasurementPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Record a measurement",
)
def add_measurement(id: Id, data: KpiMeasurementCreate, session: SessionDep, principal: Writer) -> KpiMeasurementPublic:
    """A value on a date, with its source."""
    return service.add_measurement(session=session, id=id, data=data, actor=principal)
