"""The plan over HTTP: program summary with earned value, workstreams, budget lines, re-baselines, spend."""

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
from tracker.pagination import DEFAULT_LIMIT, Page
from tracker.plan import service
from tracker.plan.models import (
    MAX_YEAR,
    MIN_YEAR,
    BudgetLineCreate,
    BudgetLinePublic,
    BudgetLineUpdate,
    BudgetRebaselinePublic,
    EvmSeries,
    PlanSummary,
    RebaselineRequest,
    RebaselineResult,
    SpendEntryCreate,
    SpendEntryPublic,
    WorkstreamCode,
    WorkstreamPublic,
)

router = APIRouter(tags=["plan"])

AsOf = Annotated[date | None, Query(description="Business date (YYYY-MM-DD, Seoul); default today.")]
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/plan", response_model=PlanSummary, summary="Program summary with earned value per workstream")
def plan_summary(session: ReadSessionDep, _: ReportReader, as_of: AsOf = None) -> PlanSummary:
    """PV, EV, AC, BAC, SV, CV, SPI, CPI, EAC, ETC, VAC, TCPI (won; ratios to 4 decimals; null when undefined)
    for the program and each workstream, a RAG status, milestone counts and budget against spend by year."""
    return service.summary(session=session, as_of=as_of)


@router.get("/plan/evm-series", response_model=EvmSeries, summary="Month-end earned-value curves")
def plan_evm_series(session: ReadSessionDep, _: ReportReader, as_of: AsOf = None) -> EvmSeries:
    """PV over the whole program; EV and AC up to the as-of date; for the program and each workstream."""
    return service.evm_series(session=session, as_of=as_of)


@router.get("/workstreams", response_model=Page[WorkstreamPublic], summary="List workstreams with their budgets")
def list_workstreams(
    session: ReadSessionDep, _: ReportReader, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> Page[WorkstreamPublic]:
    """The plan's fixed workstreams, in plan order."""
    return service.list_workstreams(session=session, cursor=cursor, limit=limit)


@router.get("/workstreams/{code}", response_model=WorkstreamPublic, summary="One workstream")
def get_workstream(
    code: WorkstreamCode, session: ReadSessionDep, _: ReportReader, response: Response
) -> WorkstreamPublic:
    """A workstream by code, with its total budget."""
    ws = service.get_workstream(session=session, code=code)
    response.headers["ETag"] = etag(ws.version)
    return ws


@router.get("/budget-lines", response_model=Page[BudgetLinePublic], summary="List budget lines")
def list_budget_lines(
    session: ReadSessionDep,
    _: Reader,
    workstream: WorkstreamCode | None = None,
    year: Annotated[int | None, Query(ge=MIN_YEAR, le=MAX_YEAR)] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[BudgetLinePublic]:
    """Budget lines (workstream × year) with what has been spent on each."""
    return service.list_budget_lines(session=session, workstream=workstream, year=year, cursor=cursor, limit=limit)


@router.get("/budget-lines/{id}", response_model=BudgetLinePublic, summary="One budget line")
def get_budget_line(id: Id, session: ReadSessionDep, _: Reader, response: Response) -> BudgetLinePublic:
    """A budget line with its spend; the ETag is its version."""
    line = service.get_budget_line(session=session, id=id)
    response.headers["ETag"] = etag(line.version)
    return line


@router.post(
    "/budget-lines", response_model=BudgetLinePublic, status_code=status.HTTP_201_CREATED, summary="Add a budget line"
)
def create_budget_line(data: BudgetLineCreate, session: SessionDep, principal: Writer) -> BudgetLinePublic:
    """A new line for a workstream and year; its amount must fit in the program's unallocated money (409)."""
    return service.create_budget_line(session=session, data=data, actor=principal)


@router.patch("/budget-lines/{id}", response_model=BudgetLinePublic, summary="Edit a budget line's description")
def update_budget_line(
    id: Id, data: BudgetLineUpdate, session: SessionDep, principal: Writer, if_match: IfMatch
) -> BudgetLinePublic:
    """Description and source only; the amount changes through an approved re-baseline."""
    return service.update_budget_line(session=session, id=id, data=data, if_match=if_match, actor=principal)


@router.post("/budget-lines/{id}/rebaseline", response_model=RebaselineResult, summary="Re-baseline a budget line")
def rebaseline_budget_line(
    id: Id, data: RebaselineRequest, session: SessionDep, principal: Approver
) -> RebaselineResult:
    """A ciso or admin sets a new amount; the difference moves to or from a counterpart line or the unallocated
    money (the program total never changes). Recorded as a budget_rebaseline and audited."""
    return service.rebaseline(session=session, id=id, data=data, actor=principal)


@router.get(
    "/budget-lines/{id}/rebaselines", response_model=list[BudgetRebaselinePublic], summary="A line's re-baselines"
)
def list_rebaselines(id: Id, session: ReadSessionDep, _: Reader) -> list[BudgetRebaselinePublic]:
    """Every approved re-baseline touching the line, oldest first."""
    return service.list_rebaselines(session=session, id=id)


@router.get("/spend", response_model=Page[SpendEntryPublic], summary="List spend entries")
def list_spend(
    session: ReadSessionDep,
    _: Reader,
    budget_line_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    workstream: WorkstreamCode | None = None,
    spent_from: Annotated[date | None, Query(alias="from", description="First date, inclusive.")] = None,
    spent_to: Annotated[date | None, Query(alias="to", description="Last date, inclusive.")] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[SpendEntryPublic]:
    """Spend entries, newest first, by line, workstream and date range."""
    return service.list_spend(
        session=session,
        budget_line_id=budget_line_id,
        workstream=workstream,
        spent_from=spent_from,
        spent_to=spent_to,
        cursor=cursor,
        limit=limit,
    )


@router.get("/spend/{id}", response_model=SpendEntryPublic, summary="One spend entry")
def get_spend(id: Id, session: ReadSessionDep, _: Reader) -> SpendEntryPublic:
    """A spend entry with its line's workstream and year."""
    return service.get_spend(session=session, id=id)


@router.post("/spend", response_model=SpendEntryPublic, status_code=status.HTTP_201_CREATED, summary="Record spend")
def create_spend(data: SpendEntryCreate, session: SessionDep, principal: Writer) -> SpendEntryPublic:
    """Spend against a budget line in its year; 409 naming the excess when it would over-commit the line."""
    return service.create_spend(session=session, data=data, actor=principal)
