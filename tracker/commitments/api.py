"""The public commitments register over HTTP: board members and regulators read it, writers maintain it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from tracker.commitments import service
from tracker.commitments.models import (
    MAX_ID,
    CommitmentCreate,
    CommitmentDetail,
    CommitmentPublic,
    CommitmentStatus,
    CommitmentUpdate,
    EvidenceCreate,
    EvidencePublic,
    MeasurementCreate,
    MeasurementPublic,
)
from tracker.deps import Cursor, IfMatch, Limit, ReadSessionDep, ReportReader, SessionDep, Writer, etag
from tracker.governance.fields import CODE_PATTERN, TEXT_PATTERN
from tracker.pagination import DEFAULT_LIMIT, Page

router = APIRouter(prefix="/commitments", tags=["commitments"])

CommitmentId = Annotated[int, Path(ge=1, le=MAX_ID, description="The commitment's id.")]


@router.get("", response_model=Page[CommitmentPublic], summary="List public commitments")
def list_commitments(
    session: ReadSessionDep,
    _: ReportReader,
    commitment_status: Annotated[CommitmentStatus | None, Query(alias="status")] = None,
    owner: Annotated[str | None, Query(min_length=1, max_length=100, pattern=TEXT_PATTERN)] = None,
    category: Annotated[str | None, Query(min_length=1, max_length=60, pattern=CODE_PATTERN)] = None,
    overdue: Annotated[bool | None, Query(description="Past due today (Asia/Seoul), not met.")] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[CommitmentPublic]:
    """Commitments by due date with their newest measured values."""
    return service.list(
        session=session,
        status=commitment_status,
        owner=owner,
        category=category,
        overdue=overdue,
        cursor=cursor,
        limit=limit,
    )


@router.post("", response_model=CommitmentPublic, status_code=status.HTTP_201_CREATED, summary="Add a commitment")
def create_commitment(
    data: CommitmentCreate, session: SessionDep, principal: Writer, response: Response
) -> CommitmentPublic:
    """Add a commitment with its window or due date and owner."""
    commitment = service.create(session=session, data=data, actor=principal)
    response.headers["ETag"] = etag(commitment.version)
    return commitment


@router.get("/{commitment_id}", response_model=CommitmentDetail, summary="Get a commitment")
def get_commitment(
    commitment_id: CommitmentId, session: ReadSessionDep, _: ReportReader, response: Response
) -> CommitmentDetail:
    """One commitment with every measurement and piece of evidence."""
    commitment = service.get(session=session, commitment_id=commitment_id)
    response.headers["ETag"] = etag(commitment.version)
    return commitment


@router.patch("/{commitment_id}", response_model=CommitmentDetail, summary="Change a commitment")
def update_commitment(
    commitment_id: CommitmentId,
    data: CommitmentUpdate,
    session: SessionDep,
    principal: Writer,
    if_match: IfMatch,
    response: Response,
) -> CommitmentDetail:
    """Change dates, owner or status; "met" needs evidence on file, "withdrawn" a status note."""
    commitment = service.update(
        session=session, commitment_id=commitment_id, data=data, if_match=if_match, actor=principal
    )
    response.headers["ETag"] = etag(commitment.version)
    return commitment


@router.get(
    "/{commitment_id}/measurements", response_model=list[MeasurementPublic], summary="A commitment's measurements"
)
def list_measurements(commitment_id: CommitmentId, session: ReadSessionDep, _: ReportReader) -> list[MeasurementPublic]:
    """Measured values, oldest first."""
    return service.list_measurements(session=session, commitment_id=commitment_id)


@router.post(
    "/{commitment_id}/measurements",
    response_model=MeasurementPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Record a measured value",
)
def add_measurement(
    commitment_id: CommitmentId, data: MeasurementCreate, session: SessionDep, principal: Writer
) -> MeasurementPublic:
    """E.g. customers refunded in a batch, notices sent, customers enrolled."""
    return service.add_measurement(session=session, commitment_id=commitment_id, data=data, actor=principal)


@router.get("/{commitment_id}/evidence", response_model=list[EvidencePublic], summary="A commitment's evidence")
def list_evidence(commitment_id: CommitmentId, session: ReadSessionDep, _: ReportReader) -> list[EvidencePublic]:
    """Filed evidence, oldest first."""
    return service.list_evidence(session=session, commitment_id=commitment_id)


@router.post(
    "/{commitment_id}/evidence",
    response_model=EvidencePublic,
    status_code=status.HTTP_201_CREATED,
    summary="File evidence",
)
def add_evidence(
    commitment_id: CommitmentId, data: EvidenceCreate, session: SessionDep, principal: Writer
) -> EvidencePublic:
    """A document, link, report or statement showing the commitment is (being) kept."""
    return service.add_evidence(session=session, commitment_id=commitment_id, data=data, actor=principal)
