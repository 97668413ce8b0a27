"""Governance over HTTP: bodies and RACI, the review cycle, decisions, action items, board packs, reminders.

Board members read reviews, decisions and board packs; regulators read everything; writers (admin, staff, ciso)
write; only approvers (ciso, admin) sign a review off.
"""

from __future__ import annotations

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
from tracker.governance import due, service
from tracker.governance.fields import TEXT_PATTERN, Day
from tracker.governance.models import (
    MAX_ID,
    ActionCreate,
    ActionPublic,
    ActionStatus,
    ActionUpdate,
    BoardPackPublic,
    BodyDetail,
    BodyMemberCreate,
    BodyMemberPublic,
    BodyPublic,
    BodyUpdate,
    BodyUpdateResult,
    DecisionCreate,
    DecisionPublic,
    DecisionUpdate,
    DistributionCreate,
    DistributionPublic,
    DueReport,
    HoldRequest,
    LinkType,
    RaciCreate,
    RaciPublic,
    ReviewCreate,
    ReviewDetail,
    ReviewPublic,
    ReviewUpdate,
    ScheduleRequest,
    ScheduleResult,
    SignOffRequest,
    Workstream,
)
from tracker.governance.schedule import ReviewStatus
from tracker.pagination import DEFAULT_LIMIT, Page

router = APIRouter(tags=["governance"])

BodyId = Annotated[int, Path(ge=1, le=MAX_ID, description="The body's id.")]
ReviewId = Annotated[int, Path(ge=1, le=MAX_ID, description="The review (meeting) id.")]
DecisionId = Annotated[int, Path(ge=1, le=MAX_ID, description="The decision's id.")]
ActionId = Annotated[int, Path(ge=1, le=MAX_ID, description="The action item's id.")]
PackVersion = Annotated[int, Path(ge=1, le=MAX_ID, description="The board-pack version (1, 2, ...).")]
TextQuery = Annotated[str | None, Query(min_length=1, max_length=100, pattern=TEXT_PATTERN)]
FilterId = Annotated[int | None, Query(ge=1, le=MAX_ID)]

_PDF = {200: {"content": {"application/pdf": {}}, "description": "The archived PDF, byte for byte."}}


# --- bodies and RACI -----------------------------------------------------------------------------------------------


@router.get("/bodies", response_model=list[BodyPublic], summary="List governance bodies and their cadences")
def list_bodies(session: ReadSessionDep, _: ReportReader) -> list[BodyPublic]:
    """The board, management committee, task force and CISO, with how often each meets."""
    return service.list_bodies(session=session)


@router.get("/bodies/{body_id}", response_model=BodyDetail, summary="Get a body with its members and RACI")
def get_body(body_id: BodyId, session: ReadSessionDep, _: ReportReader, response: Response) -> BodyDetail:
    """One body, its members (by role title) and its RACI assignments."""
    body = service.get_body(session=session, body_id=body_id)
    response.headers["ETag"] = etag(body.version)
    return body


@router.patch("/bodies/{body_id}", response_model=BodyUpdateResult, summary="Change a body's cadence or officers")
def update_body(
    body_id: BodyId, data: BodyUpdate, session: SessionDep, principal: Writer, if_match: IfMatch, response: Response
) -> BodyUpdateResult:
    """A new cadence moves, removes or adds the body's future meetings that nobody has prepared yet."""
    result = service.update_body(session=session, body_id=body_id, data=data, if_match=if_match, actor=principal)
    response.headers["ETag"] = etag(result.body.version)
    return result


@router.post(
    "/bodies/{body_id}/members",
    response_model=BodyMemberPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Seat a member on a body",
)
def add_member(body_id: BodyId, data: BodyMemberCreate, session: SessionDep, principal: Writer) -> BodyMemberPublic:
    """Add a member by name and role title."""
    return service.add_member(session=session, body_id=body_id, data=data, actor=principal)


@router.get("/raci", response_model=list[RaciPublic], summary="RACI per workstream")
def list_raci(
    session: ReadSessionDep, _: ReportReader, workstream: Workstream | None = None, body_id: FilterId = None
) -> list[RaciPublic]:
    """Who is Responsible, Accountable, Consulted and Informed for each workstream."""
    return service.list_raci(session=session, workstream=workstream, body_id=body_id)


@router.post("/raci", response_model=RaciPublic, status_code=status.HTTP_201_CREATED, summary="Assign a RACI role")
def assign_raci(data: RaciCreate, session: SessionDep, principal: Writer) -> RaciPublic:
    """Give a body (or one of its members) a RACI letter for a workstream; one Accountable per workstream."""
    return service.assign_raci(session=session, data=data, actor=principal)


# --- reviews -------------------------------------------------------------------------------------------------------


@router.get("/reviews", response_model=Page[ReviewPublic], summary="List review meetings")
def list_reviews(
    session: ReadSessionDep,
    _: ReportReader,
    body_id: FilterId = None,
    review_status: Annotated[
        ReviewStatus | None, Query(alias="status", description="As of today in Asia/Seoul.")
    ] = None,
    since: Annotated[Day | None, Query(description="Scheduled on or after this day.")] = None,
    until: Annotated[Day | None, Query(description="Scheduled on or before this day.")] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[ReviewPublic]:
    """Meetings by scheduled date; `status=missed` lists meetings whose day passed without being held."""
    return service.list_reviews(
        session=session, body_id=body_id, status=review_status, since=since, until=until, cursor=cursor, limit=limit
    )


@router.post("/reviews", response_model=ReviewDetail, status_code=status.HTTP_201_CREATED, summary="Call a meeting")
def create_review(data: ReviewCreate, session: SessionDep, principal: Writer, response: Response) -> ReviewDetail:
    """An extraordinary meeting, or a regular one for a cadence slot that has none."""
    review = service.create_review(session=session, data=data, actor=principal)
    response.headers["ETag"] = etag(review.version)
    return review


@router.post("/reviews/schedule", response_model=ScheduleResult, summary="Schedule meetings from the cadences")
def schedule_reviews(data: ScheduleRequest, session: SessionDep, principal: Writer) -> ScheduleResult:
    """Create every regular meeting the cadences call for up to `until`; running it again creates nothing new."""
    return service.schedule(session=session, until=data.until, body_id=data.body_id, actor=principal)


@router.get("/reviews/{review_id}", response_model=ReviewDetail, summary="Get a meeting")
def get_review(review_id: ReviewId, session: ReadSessionDep, _: ReportReader, response: Response) -> ReviewDetail:
    """A meeting with attendees, agenda snapshot, decisions and board-pack versions."""
    review = service.get_review(session=session, review_id=review_id)
    response.headers["ETag"] = etag(review.version)
    return review


@router.patch("/reviews/{review_id}", response_model=ReviewDetail, summary="Edit a meeting")
def update_review(
    review_id: ReviewId,
    data: ReviewUpdate,
    session: SessionDep,
    principal: Writer,
    if_match: IfMatch,
    response: Response,
) -> ReviewDetail:
    """Move it while still ahead, correct minutes and attendance once held, explain a miss; 409 once signed off."""
    review = service.update_review(session=session, review_id=review_id, data=data, if_match=if_match, actor=principal)
    response.headers["ETag"] = etag(review.version)
    return review


@router.post("/reviews/{review_id}/prepare", response_model=ReviewDetail, summary="Snapshot the agenda")
def prepare_review(review_id: ReviewId, session: SessionDep, principal: Writer, response: Response) -> ReviewDetail:
    """Take the agenda from the live state now (overdue actions, commitments due, missed reviews, ...)."""
    review = service.prepare(session=session, review_id=review_id, actor=principal)
    response.headers["ETag"] = etag(review.version)
    return review


@router.post("/reviews/{review_id}/hold", response_model=ReviewDetail, summary="Record that a meeting was held")
def hold_review(
    review_id: ReviewId,
    data: HoldRequest,
    session: SessionDep,
    principal: Writer,
    if_match: IfMatch,
    response: Response,
) -> ReviewDetail:
    """The day it was held, who attended, and the minutes."""
    review = service.hold(session=session, review_id=review_id, data=data, if_match=if_match, actor=principal)
    response.headers["ETag"] = etag(review.version)
    return review


@router.post("/reviews/{review_id}/sign-off", response_model=ReviewDetail, summary="Sign off a meeting (CISO, admin)")
def sign_off_review(
    review_id: ReviewId,
    data: SignOffRequest,
    session: SessionDep,
    principal: Approver,
    if_match: IfMatch,
    response: Response,
) -> ReviewDetail:
    """Sign off a held meeting as chair or CISO; afterwards it, its decisions, agenda and attendees are frozen."""
    review = service.sign_off(session=session, review_id=review_id, data=data, if_match=if_match, actor=principal)
    response.headers["ETag"] = etag(review.version)
    return review


@router.get("/reviews/{review_id}/decisions", response_model=list[DecisionPublic], summary="A meeting's decisions")
def list_decisions(review_id: ReviewId, session: ReadSessionDep, _: ReportReader) -> list[DecisionPublic]:
    """Decisions in order, each with its number of open action items."""
    return service.list_decisions(session=session, review_id=review_id)


@router.post(
    "/reviews/{review_id}/decisions",
    response_model=DecisionPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Record a decision",
)
def add_decision(review_id: ReviewId, data: DecisionCreate, session: SessionDep, principal: Writer) -> DecisionPublic:
    """Record a decision of a held meeting."""
    return service.add_decision(session=session, review_id=review_id, data=data, actor=principal)


@router.patch(
    "/reviews/{review_id}/decisions/{decision_id}", response_model=DecisionPublic, summary="Correct a decision"
)
def update_decision(
    review_id: ReviewId,
    decision_id: DecisionId,
    data: DecisionUpdate,
    session: SessionDep,
    principal: Writer,
    if_match: IfMatch,
    response: Response,
) -> DecisionPublic:
    """Correct a decision's wording until the meeting is signed off."""
    decision = service.update_decision(
        session=session, review_id=review_id, decision_id=decision_id, data=data, if_match=if_match, actor=principal
    )
    response.headers["ETag"] = etag(decision.version)
    return decision


@router.get("/reviews/{review_id}/board-packs", response_model=list[BoardPackPublic], summary="Board-pack versions")
def list_board_packs(review_id: ReviewId, session: ReadSessionDep, _: ReportReader) -> list[BoardPackPublic]:
    """Every archived version of the meeting's board pack, with hash, as-of time and chain head."""
    return service.list_board_packs(session=session, review_id=review_id)


@router.get(
    "/reviews/{review_id}/board-packs/{pack_version}",
    response_model=BoardPackPublic,
    summary="One board-pack version's metadata",
)
def get_board_pack(
    review_id: ReviewId, pack_version: PackVersion, session: ReadSessionDep, _: ReportReader
) -> BoardPackPublic:
    """Hash, size, as-of time and chain head of one version."""
    return service.get_board_pack(session=session, review_id=review_id, pack_version=pack_version)


@router.get(
    "/reviews/{review_id}/board-packs/{pack_version}/pdf",
    response_class=Response,
    responses=_PDF,  # type: ignore[arg-type]
    summary="The archived board-pack PDF",
)
def get_board_pack_pdf(
    review_id: ReviewId, pack_version: PackVersion, session: ReadSessionDep, _: ReportReader
) -> Response:
    """The stored PDF of one version, exactly as archived (its SHA-256 is in the ETag)."""
    stored = service.board_pack_pdf(session=session, review_id=review_id, pack_version=pack_version)
    return Response(
        content=stored.content,
        media_type="application/pdf",
        headers={"ETag": f'"{stored.sha256}"', "Content-Disposition": f'inline; filename="{stored.filename}"'},
    )


@router.post(
    "/reviews/{review_id}/distributions",
    response_model=list[DistributionPublic],
    status_code=status.HTTP_201_CREATED,
    summary="Log a board-pack distribution",
)
def record_distribution(
    review_id: ReviewId, data: DistributionCreate, session: SessionDep, principal: Writer
) -> list[DistributionPublic]:
    """Record who received which version, when and how (one row per recipient)."""
    return service.record_distribution(session=session, review_id=review_id, data=data, actor=principal)


@router.get(
    "/reviews/{review_id}/distributions",
    response_model=list[DistributionPublic],
    summary="The board-pack distribution log",
)
def list_distributions(review_id: ReviewId, session: ReadSessionDep, _: Reader) -> list[DistributionPublic]:
    """Who received which version of the meeting's board pack, in the order sent."""
    return service.list_distributions(session=session, review_id=review_id)


# --- action items --------------------------------------------------------------------------------------------------


@router.get("/actions", response_model=Page[ActionPublic], summary="List action items")
def list_actions(
    session: ReadSessionDep,
    _: Reader,
    owner: TextQuery = None,
    action_status: Annotated[ActionStatus | None, Query(alias="status")] = None,
    overdue: Annotated[bool | None, Query(description="Open and past due today (Asia/Seoul).")] = None,
    review_id: FilterId = None,
    link_type: LinkType | None = None,
    link_ref: TextQuery = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[ActionPublic]:
    """Action items by due date, filtered by owner, status, overdue, meeting or linked record."""
    return service.list_actions(
        session=session,
        owner=owner,
        status=action_status,
        overdue=overdue,
        review_id=review_id,
        link_type=link_type,
        link_ref=link_ref,
        cursor=cursor,
        limit=limit,
    )


@router.post("/actions", response_model=ActionPublic, status_code=status.HTTP_201_CREATED, summary="Add an action")
def create_action(data: ActionCreate, session: SessionDep, principal: Writer, response: Response) -> ActionPublic:
    """An action with an owner and due date, optionally raised by a meeting or decision and linked to records."""
    action = service.create_action(session=session, data=data, actor=principal)
    response.headers["ETag"] = etag(action.version)
    return action


@router.get("/actions/{action_id}", response_model=ActionPublic, summary="Get an action item")
def get_action(action_id: ActionId, session: ReadSessionDep, _: Reader, response: Response) -> ActionPublic:
    """One action item with its links; `overdue` as of today."""
    action = service.get_action(session=session, action_id=action_id)
    response.headers["ETag"] = etag(action.version)
    return action


@router.patch("/actions/{action_id}", response_model=ActionPublic, summary="Progress or close an action")
def update_action(
    action_id: ActionId,
    data: ActionUpdate,
    session: SessionDep,
    principal: Writer,
    if_match: IfMatch,
    response: Response,
) -> ActionPublic:
    """Change status (open, in_progress, done, cancelled), owner, due date or links."""
    action = service.update_action(session=session, action_id=action_id, data=data, if_match=if_match, actor=principal)
    response.headers["ETag"] = etag(action.version)
    return action


# --- reminders -----------------------------------------------------------------------------------------------------


@router.get("/due", response_model=DueReport, summary="Everything due or overdue, by owner")
def due_report(
    session: ReadSessionDep,
    _: Reader,
    days: Annotated[int, Query(ge=0, le=due.MAX_DAYS, description="Horizon in days from today.")] = due.DEFAULT_DAYS,
) -> DueReport:
    """Actions, commitments, meetings to hold and sign-offs due within `days`, and everything overdue."""
    return due.due_report(session=session, days=days)
