"""Program, workstreams, budget lines, re-baselines, spend and the program summary with earned value.

Budget rules:
- The program total (1,000,000,000,000 won in the seed, a public figure) never changes through sectrack: the sum of
  all budget lines may not exceed it. The difference is the program's *unallocated* money.
- A budget line's amount changes only through a re-baseline approved by a ciso or admin. The money comes from (or
  returns to) a named counterpart line, or the unallocated money; each re-baseline is a `budget_rebaseline` record
  and an audit event, and the previous amount stays in both.
- A spend entry that would take a line's total spend above its amount is refused (409) naming the line, its amount,
  its spend and the excess. Negative entries correct earlier spend and may not take a line below zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import Select, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from tracker.audit import service as audit
from tracker.auth.models import Principal
from tracker.errors import Conflict, Invalid, NotFound
from tracker.governance.items import AgendaContext, AgendaItem, Severity
from tracker.milestones import service as milestones_service
from tracker.pagination import DEFAULT_LIMIT, Page, build_page, keyset_page
from tracker.plan import evm
from tracker.plan.calendar import month_ends, today_seoul
from tracker.plan.fields import changes_of
from tracker.plan.models import (
    BudgetLine,
    BudgetLineCreate,
    BudgetLinePublic,
    BudgetLineUpdate,
    BudgetRebaseline,
    BudgetRebaselinePublic,
    EarnedValuePublic,
    EvmPoint,
    EvmSeries,
    MilestoneCounts,
    PlanSummary,
    Program,
    ProgramCreate,
    ProgramPublic,
    RebaselineRequest,
    RebaselineResult,
    SpendEntry,
    SpendEntryCreate,
    SpendEntryPublic,
    Workstream,
    WorkstreamCode,
    WorkstreamCreate,
    WorkstreamPublic,
    WorkstreamSummary,
    YearBudget,
)
from tracker.records import check_version, flush_versioned
from tracker.types import now_utc

_LINE = BudgetLine.__table__.c  # type: ignore[attr-defined]
_SPEND = SpendEntry.__table__.c  # type: ignore[attr-defined]
_WS = Workstream.__table__.c  # type: ignore[attr-defined]
_LINE_TABLE = BudgetLine.__table__  # type: ignore[attr-defined]
_SPEND_TABLE = SpendEntry.__table__  # type: ignore[attr-defined]


def _won(amount: int) -> str:
    return f"{amount:,} won"


# --- program and workstreams -------------------------------------------------------------------------------------


def find_program(*, session: Session, for_update: bool = False) -> Program | None:
    """The program (there is one per database), or None before `sectrack seed`."""
    stmt = select(Program).order_by(col(Program.id)).limit(1)
    if for_update:
        stmt = stmt.with_for_update()
    return session.exec(stmt).first()


def get_program(*, session: Session, for_update: bool = False) -> Program:
    """The program; NotFound before it is loaded."""
    program = find_program(session=session, for_update=for_update)
    if program is None:
        raise NotFound("No program is loaded; run 'sectrack seed' to load seed/plan.yaml.")
    return program


def create_program(*, session: Session, data: ProgramCreate, actor: Principal) -> ProgramPublic:
    """Create the program (once per database)."""
    if find_program(session=session) is not None:
        raise Conflict("A program is already loaded; sectrack tracks one program per database.")
    if data.end_year < data.start_year:
        raise Invalid(f"end_year {data.end_year} is before start_year {data.start_year}.", field="end_year")
    program = Program.model_validate(data)
    session.add(program)
    session.flush()
    audit.record(session, actor=actor, action="create", entity_type="program", entity_id=program.id or 0, state=program)
    return ProgramPublic.model_validate(program, from_attributes=True)


def create_workstream(*, session: Session, data: WorkstreamCreate, actor: Principal) -> WorkstreamPublic:
    """Create one of the fixed workstreams under the program."""
    program = get_program(session=session)
    if session.exec(select(Workstream.id).where(col(Workstream.code) == data.code)).first() is not None:
        raise Conflict(f"Workstream '{data.code}' already exists.", field="code")
    assert program.id is not None
    ws = Workstream.model_validate(data.model_dump() | {"program_id": program.id})
    session.add(ws)
    session.flush()
    audit.record(session, actor=actor, action="create", entity_type="workstream", entity_id=ws.id or 0, state=ws)
    return _workstream_public(ws, 0)


def _workstream_public(ws: Workstream, budget: int) -> WorkstreamPublic:
    return WorkstreamPublic.model_validate(ws, from_attributes=True, update={"budget_krw": budget})


def _budget_by_workstream(session: Session) -> dict[str, int]:
    rows = session.execute(sa_select(_LINE.workstream, func.sum(_LINE.amount_krw)).group_by(_LINE.workstream))
    return {str(ws): int(total or 0) for ws, total in rows}


def list_workstreams(
    *, session: Session, cursor: str | None = None, limit: int = DEFAULT_LIMIT
) -> Page[WorkstreamPublic]:
    """Workstreams in plan order with their total budgets."""
    paged = keyset_page(
        select(Workstream), kind="workstream:id:asc", sort_column=_WS.id, id_column=_WS.id, cursor=cursor, limit=limit
    )
    rows = list(session.execute(paged).scalars())
    page = build_page(rows, kind="workstream:id:asc", limit=limit, sort_attr="id")
    budgets = _budget_by_workstream(session)
    return Page(
        items=[_workstream_public(ws, budgets.get(str(ws.code), 0)) for ws in page.items],
        next_cursor=page.next_cursor,
    )


def get_workstream(*, session: Session, code: WorkstreamCode) -> WorkstreamPublic:
    """One workstream by code."""
    ws = session.exec(select(Workstream).where(col(Workstream.code) == code)).first()
    if ws is None:
        raise NotFound(f"Workstream '{code}' is not loaded; run 'sectrack seed'.", field="code")
    return _workstream_public(ws, _budget_by_workstream(session).get(str(code), 0))


# --- budget lines ------------------------------------------------------------------------------------------------


def _spent_by_line(session: Session, line_ids: Sequence[int] | None = None) -> dict[int, int]:
    stmt = sa_select(_SPEND.budget_line_id, func.sum(_SPEND.amount_krw)).group_by(_SPEND.budget_line_id)
    if line_ids is not None:
        if not line_ids:
            return {}
        stmt = stmt.where(_SPEND.budget_line_id.in_(line_ids))
    return {int(line_id): int(total or 0) for line_id, total in session.execute(stmt)}


def _line_public(line: BudgetLine, spent: int) -> BudgetLinePublic:
    return BudgetLinePublic.model_validate(
        line, from_attributes=True, update={"spent_krw": spent, "remaining_krw": line.amount_krw - spent}
    )


def _line_row(session: Session, id: int, *, for_update: bool = False, field: str = "id") -> BudgetLine:
    stmt = select(BudgetLine).where(col(BudgetLine.id) == id)
    if for_update:
        stmt = stmt.with_for_update()
    line = session.exec(stmt).first()
    if line is None:
        raise NotFound(f"No budget line with id {id}.", field=field)
    return line


def _describe(line: BudgetLine) -> str:
    return f"Budget line {line.id} ({line.workstream} {line.year})"


def list_budget_lines(
    *,
    session: Session,
    workstream: WorkstreamCode | None = None,
    year: int | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[BudgetLinePublic]:
    """Budget lines by year, with what has been spent on each."""
    stmt = select(BudgetLine)
    if workstream is not None:
        stmt = stmt.where(col(BudgetLine.workstream) == workstream)
    if year is not None:
        stmt = stmt.where(col(BudgetLine.year) == year)
    kind = "budget_line:year:asc"
    paged = keyset_page(stmt, kind=kind, sort_column=_LINE.year, id_column=_LINE.id, cursor=cursor, limit=limit)
    rows = list(session.execute(paged).scalars())
    page = build_page(rows, kind=kind, limit=limit, sort_attr="year")
    spent = _spent_by_line(session, [line.id for line in page.items])
    return Page(items=[_line_public(line, spent.get(line.id, 0)) for line in page.items], next_cursor=page.next_cursor)


def get_budget_line(*, session: Session, id: int) -> BudgetLinePublic:
    """One budget line with its spend."""
    line = _line_row(session, id)
    return _line_public(line, _spent_by_line(session, [id]).get(id, 0))


def _allocated(session: Session) -> int:
    return int(session.execute(sa_select(func.coalesce(func.sum(_LINE.amount_krw), 0))).scalar_one())


def create_budget_line(*, session: Session, data: BudgetLineCreate, actor: Principal) -> BudgetLinePublic:
    """Add a budget line for a workstream and year; its amount must fit in the program's unallocated money."""
    program = get_program(session=session, for_update=True)
    if not program.start_year <= data.year <= program.end_year:
        raise Conflict(
            f"year {data.year} is outside the program's years {program.start_year}-{program.end_year}.", field="year"
        )
    if session.exec(select(Workstream.id).where(col(Workstream.code) == data.workstream)).first() is None:
        raise NotFound(f"Workstream '{data.workstream}' is not loaded; run 'sectrack seed'.", field="workstream")
    existing = session.exec(
        select(BudgetLine.id).where(col(BudgetLine.workstream) == data.workstream, col(BudgetLine.year) == data.year)
    ).first()
    if existing is not None:
        raise Conflict(
            f"Workstream '{data.workstream}' already has budget line {existing} for {data.year}.", field="year"
        )
    unallocated = program.total_krw - _allocated(session)
    if data.amount_krw > unallocated:
        raise Conflict(
            f"A new line of {_won(data.amount_krw)} exceeds the program's unallocated {_won(unallocated)} "
            f"(the total of {_won(program.total_krw)} is fixed); create it at 0 and re-baseline money into it.",
            field="amount_krw",
        )
    line = BudgetLine.model_validate(data)
    session.add(line)
    session.flush()
    audit.record(session, actor=actor, action="create", entity_type="budget_line", entity_id=line.id or 0, state=line)
    return _line_public(line, 0)


def update_budget_line(
    *, session: Session, id: int, data: BudgetLineUpdate, if_match: int | None, actor: Principal
) -> BudgetLinePublic:
    """Change a line's description or source (its amount changes only by re-baseline)."""
    line = _line_row(session, id, for_update=True)
    check_version(line, if_match, what=_describe(line))
    changes = changes_of(data)
    for key, value in changes.items():
        setattr(line, key, value)
    if changes:
        line.updated_at = now_utc()
        session.add(line)
        flush_versioned(session, what=_describe(line), expected=if_match)
        audit.record(
            session, actor=actor, action="update", entity_type="budget_line", entity_id=line.id or 0, state=line
        )
    return _line_public(line, _spent_by_line(session, [id]).get(id, 0))


def rebaseline(*, session: Session, id: int, data: RebaselineRequest, actor: Principal) -> RebaselineResult:
    """Approve a new amount for a budget line, moving the difference to or from a counterpart or unallocated money."""
    program = get_program(session=session, for_update=True)
    line = _line_row(session, id, for_update=True)
    counterpart: BudgetLine | None = None
    if data.counterpart_line_id is not None:
        if data.counterpart_line_id == id:
            raise Conflict("counterpart_line_id must be another budget line.", field="counterpart_line_id")
        counterpart = _line_row(session, data.counterpart_line_id, for_update=True, field="counterpart_line_id")
    ids = [id] + ([counterpart.id] if counterpart is not None and counterpart.id is not None else [])
    spent = _spent_by_line(session, ids)
    if data.amount_krw < spent.get(id, 0):
        raise Conflict(
            f"{_describe(line)} has already spent {_won(spent.get(id, 0))}; it cannot be re-baselined to "
            f"{_won(data.amount_krw)}.",
            field="amount_krw",
        )
    delta = data.amount_krw - line.amount_krw
    if delta == 0:
        raise Conflict(f"{_describe(line)} is already {_won(line.amount_krw)}.", field="amount_krw")
    if counterpart is not None:
        new_counterpart = counterpart.amount_krw - delta
        floor = spent.get(counterpart.id or 0, 0)
        if new_counterpart < floor:
            raise Conflict(
                f"Moving {_won(delta)} from {_describe(counterpart).lower()} would leave it {_won(new_counterpart)}, "
                f"below the {_won(floor)} it has spent.",
                field="counterpart_line_id",
            )
    else:
        unallocated = program.total_krw - _allocated(session)
        if delta > unallocated:
            raise Conflict(
                f"Raising {_describe(line).lower()} by {_won(delta)} needs more than the program's unallocated "
                f"{_won(unallocated)} (the total of {_won(program.total_krw)} is fixed); name a counterpart_line_id "
                f"to move the money from.",
                field="counterpart_line_id",
            )
    record = BudgetRebaseline(
        budget_line_id=id,
        previous_amount_krw=line.amount_krw,
        new_amount_krw=data.amount_krw,
        counterpart_line_id=counterpart.id if counterpart is not None else None,
        reason=data.reason,
        approved_by=actor.name,
        approved_role=str(actor.role),
    )
    stamp = now_utc()
    line.amount_krw, line.updated_at = data.amount_krw, stamp
    session.add(line)
    if counterpart is not None:
        counterpart.amount_krw, counterpart.updated_at = counterpart.amount_krw - delta, stamp
        session.add(counterpart)
    session.add(record)
    flush_versioned(session, what=_describe(line))
    audit.record(session, actor=actor, action="rebaseline", entity_type="budget_line", entity_id=id, state=line)
    if counterpart is not None:
        audit.record(
            session,
            actor=actor,
            action="rebaseline",
            entity_type="budget_line",
            entity_id=counterpart.id or 0,
            state=counterpart,
        )
    audit.record(
        session, actor=actor, action="create", entity_type="budget_rebaseline", entity_id=record.id or 0, state=record
    )
    return RebaselineResult(
        line=_line_public(line, spent.get(id, 0)),
        counterpart=None if counterpart is None else _line_public(counterpart, spent.get(counterpart.id or 0, 0)),
        rebaseline=BudgetRebaselinePublic.model_validate(record, from_attributes=True),
    )


def list_rebaselines(*, session: Session, id: int) -> list[BudgetRebaselinePublic]:
    """Every re-baseline of a line (as the re-baselined line or as the counterpart), oldest first."""
    _line_row(session, id)
    rows = session.exec(
        select(BudgetRebaseline)
        .where((col(BudgetRebaseline.budget_line_id) == id) | (col(BudgetRebaseline.counterpart_line_id) == id))
        .order_by(col(BudgetRebaseline.id))
    )
    return [BudgetRebaselinePublic.model_validate(r, from_attributes=True) for r in rows]


# --- spend -------------------------------------------------------------------------------------------------------


def _spend_public(entry: SpendEntry, line: BudgetLine) -> SpendEntryPublic:
    return SpendEntryPublic.model_validate(
        entry, from_attributes=True, update={"workstream": line.workstream, "year": line.year}
    )


def list_spend(
    *,
    session: Session,
    budget_line_id: int | None = None,
    workstream: WorkstreamCode | None = None,
    spent_from: date | None = None,
    spent_to: date | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[SpendEntryPublic]:
    """Spend entries, newest first, filtered by line, workstream and date range (inclusive)."""
    stmt = sa_select(SpendEntry, BudgetLine).join(BudgetLine, _LINE.id == _SPEND.budget_line_id)
    if budget_line_id is not None:
        stmt = stmt.where(col(SpendEntry.budget_line_id) == budget_line_id)
    if workstream is not None:
        stmt = stmt.where(col(BudgetLine.workstream) == workstream)
    if spent_from is not None:
        stmt = stmt.where(col(SpendEntry.spent_on) >= spent_from)
    if spent_to is not None:
        stmt = stmt.where(col(SpendEntry.spent_on) <= spent_to)
    kind = "spend:spent_on:desc"
    paged = keyset_page(
        cast("Select[Any]", stmt),
        kind=kind,
        sort_column=_SPEND.spent_on,
        id_column=_SPEND.id,
        descending=True,
        cursor=cursor,
        limit=limit,
    )
    pairs = [(row[0], row[1]) for row in session.execute(paged)]
    page = build_page([entry for entry, _ in pairs], kind=kind, limit=limit, sort_attr="spent_on")
    lines = {entry.id: line for entry, line in pairs}
    return Page(items=[_spend_public(e, lines[e.id]) for e in page.items], next_cursor=page.next_cursor)


def get_spend(*, session: Session, id: int) -> SpendEntryPublic:
    """One spend entry."""
    entry = session.get(SpendEntry, id)
    if entry is None:
        raise NotFound(f"No spend entry with id {id}.", field="id")
    return _spend_public(entry, _line_row(session, entry.budget_line_id))


def create_spend(*, session: Session, data: SpendEntryCreate, actor: Principal) -> SpendEntryPublic:
    """Record spend against a budget line; 409 if it would over-commit the line."""
    line = _line_row(session, data.budget_line_id, for_update=True, field="budget_line_id")
    if data.amount_krw == 0:
        raise Conflict("A spend entry moves money: its amount cannot be 0 won.", field="amount_krw")
    if data.spent_on.year != line.year:
        raise Conflict(
            f"spent_on {data.spent_on} is not in {line.year}, the year of {_describe(line).lower()}.", field="spent_on"
        )
    spent = _spent_by_line(session, [data.budget_line_id]).get(data.budget_line_id, 0)
    after = spent + data.amount_krw
    if data.amount_krw > 0 and after > line.amount_krw:
        raise Conflict(
            f"{_describe(line)} would be over-committed: its amount is {_won(line.amount_krw)}, "
            f"{_won(spent)} is already spent, and this entry of {_won(data.amount_krw)} exceeds it by "
            f"{_won(after - line.amount_krw)}; a ciso or admin can re-baseline the line.",
            field="amount_krw",
        )
    if after < 0:
        raise Conflict(
            f"A correction of {_won(data.amount_krw)} would take {_describe(line).lower()} below zero "
            f"(spent so far: {_won(spent)}).",
            field="amount_krw",
        )
    entry = SpendEntry.model_validate(data.model_dump() | {"created_by": actor.name})
    session.add(entry)
    session.flush()
    audit.record(session, actor=actor, action="create", entity_type="spend_entry", entity_id=entry.id or 0, state=entry)
    return _spend_public(entry, line)


# --- summary -----------------------------------------------------------------------------------------------------


def evm_public(value: evm.EarnedValue) -> EarnedValuePublic:
    """The API form of earned-value figures (ratios rounded to 4 decimals)."""
    return EarnedValuePublic(
        pv=value.pv,
        ev=value.ev,
        ac=value.ac,
        bac=value.bac,
        sv=value.sv,
        cv=value.cv,
        spi=evm.as_float(value.spi),
        cpi=evm.as_float(value.cpi),
        eac=value.eac,
        etc=value.etc,
        vac=value.vac,
        tcpi=evm.as_float(value.tcpi),
    )


def _spent_until(session: Session, as_of: date, group: str) -> dict[str, int]:
    key = _LINE.workstream if group == "workstream" else _LINE.year
    rows = session.execute(
        sa_select(key, func.sum(_SPEND.amount_krw))
        .select_from(_SPEND_TABLE.join(_LINE_TABLE, _LINE.id == _SPEND.budget_line_id))
        .where(_SPEND.spent_on <= as_of)
        .group_by(key)
    )
    return {str(k): int(total or 0) for k, total in rows}


def _scope_value(
    works: Sequence[milestones_service.EvmMilestone], as_of: date, ac: int
) -> tuple[evm.EarnedValue, MilestoneCounts]:
    pv = evm.planned_value((w.work for w in works), as_of)
    ev = evm.earned_value((w.work.weight_krw, w.percent_as_of(as_of)) for w in works)
    bac = sum(w.work.weight_krw for w in works)
    counts = MilestoneCounts(
        total=len(works),
        done=sum(1 for w in works if w.done_by(as_of)),
        late=sum(1 for w in works if w.late_as_of(as_of)),
    )
    return evm.indicators(pv=pv, ev=ev, ac=ac, bac=bac), counts


def summary(*, session: Session, as_of: date | None = None) -> PlanSummary:
    """The program as of a date (default today): earned value and RAG per workstream and overall, budget by year.

    RAG thresholds are in `tracker.plan.evm` (green: SPI and CPI ≥ 0.95; amber: the worse ≥ 0.85; else red).
    """
    as_of = as_of or today_seoul()
    program = get_program(session=session)
    workstreams = list(session.exec(select(Workstream).order_by(col(Workstream.id))))
    budgets = _budget_by_workstream(session)
    spent_ws = _spent_until(session, as_of, "workstream")
    by_ws: dict[str, list[milestones_service.EvmMilestone]] = defaultdict(list)
    for item in milestones_service.evm_inputs(session=session):
        by_ws[str(item.workstream)].append(item)
    parts: list[evm.EarnedValue] = []
    summaries: list[WorkstreamSummary] = []
    total_counts = MilestoneCounts(total=0, done=0, late=0)
    for ws in workstreams:
        code = str(ws.code)
        value, counts = _scope_value(by_ws.get(code, []), as_of, spent_ws.get(code, 0))
        parts.append(value)
        total_counts = MilestoneCounts(
            total=total_counts.total + counts.total,
            done=total_counts.done + counts.done,
            late=total_counts.late + counts.late,
        )
        summaries.append(
            WorkstreamSummary(
                code=ws.code,
                name_ko=ws.name_ko,
                name_en=ws.name_en,
                budget_krw=budgets.get(code, 0),
                weights_match_budget=value.bac == budgets.get(code, 0),
                evm=evm_public(value),
                rag=evm.rag(value),
                milestones=counts,
            )
        )
    program_value = evm.total(parts)
    budget_by_year = dict(
        (int(year), int(total or 0))
        for year, total in session.execute(
            sa_select(_LINE.year, func.sum(_LINE.amount_krw)).group_by(_LINE.year).order_by(_LINE.year)
        )
    )
    spent_year = _spent_until(session, as_of, "year")
    years = [
        YearBudget(year=year, budget_krw=budget_by_year.get(year, 0), spent_krw=spent_year.get(str(year), 0))
        for year in range(program.start_year, program.end_year + 1)
    ]
    allocated = sum(budgets.values())
    return PlanSummary(
        program=ProgramPublic.model_validate(program, from_attributes=True),
        as_of=as_of,
        budget_krw=allocated,
        unallocated_krw=program.total_krw - allocated,
        evm=evm_public(program_value),
        rag=evm.rag(program_value),
        milestones=total_counts,
        workstreams=summaries,
        years=years,
    )


def evm_series(*, session: Session, as_of: date | None = None) -> EvmSeries:
    """Month-end PV over the whole program and EV and AC up to `as_of` (default today), per workstream and overall.

    `as_of` itself is added as a point, so the curves end exactly where the summary stands.
    """
    as_of = as_of or today_seoul()
    program = get_program(session=session)
    first, last = date(program.start_year, 1, 1), date(program.end_year, 12, 31)
    points = month_ends(first, last)
    if as_of not in points and first <= as_of <= last:
        points = sorted([*points, as_of])
    by_ws: dict[str, list[milestones_service.EvmMilestone]] = defaultdict(list)
    for item in milestones_service.evm_inputs(session=session):
        by_ws[str(item.workstream)].append(item)
    # Spend per workstream per day, accumulated along the points (one query, however long the ledger).
    daily = session.execute(
        sa_select(_LINE.workstream, _SPEND.spent_on, func.sum(_SPEND.amount_krw))
        .select_from(_SPEND_TABLE.join(_LINE_TABLE, _LINE.id == _SPEND.budget_line_id))
        .where(_SPEND.spent_on <= as_of)
        .group_by(_LINE.workstream, _SPEND.spent_on)
        .order_by(_SPEND.spent_on)
    ).all()
    codes = [ws.code for ws in session.exec(select(Workstream).order_by(col(Workstream.id)))]
    series: dict[WorkstreamCode, list[EvmPoint]] = {}
    for code in codes:
        works = by_ws.get(str(code), [])
        spend = [(day, int(amount)) for ws, day, amount in daily if str(ws) == str(code)]
        series[code] = [_point(works, spend, day, as_of) for day in points]
    program_points = [
        EvmPoint(
            as_of=day,
            pv=sum(series[c][i].pv for c in codes),
            ev=None if day > as_of else sum(series[c][i].ev or 0 for c in codes),
            ac=None if day > as_of else sum(series[c][i].ac or 0 for c in codes),
        )
        for i, day in enumerate(points)
    ]
    return EvmSeries(as_of=as_of, program=program_points, workstreams=series)


def _point(
    works: Sequence[milestones_service.EvmMilestone], spend: Sequence[tuple[date, int]], day: date, as_of: date
) -> EvmPoint:
    pv = evm.planned_value((w.work for w in works), day)
    if day > as_of:
        return EvmPoint(as_of=day, pv=pv, ev=None, ac=None)
    ev = evm.earned_value((w.work.weight_krw, w.percent_as_of(day)) for w in works)
    ac = sum(amount for spent_on, amount in spend if spent_on <= day)
    return EvmPoint(as_of=day, pv=pv, ev=ev, ac=ac)


# --- agenda ------------------------------------------------------------------------------------------------------

_VARIANCE_SEVERITY = {evm.Rag.red: Severity.high, evm.Rag.amber: Severity.medium}


def agenda_items(session: Session, ctx: AgendaContext) -> Iterable[AgendaItem]:
    """Agenda source: budget variance — workstreams whose SPI or CPI is amber or red on the meeting's day."""
    if find_program(session=session) is None:
        return
    for ws in summary(session=session, as_of=ctx.today).workstreams:
        severity = _VARIANCE_SEVERITY.get(ws.rag)
        if severity is None:
            continue
        value = ws.evm
        spi = "-" if value.spi is None else f"{value.spi:.2f}"
        cpi = "-" if value.cpi is None else f"{value.cpi:.2f}"
        yield AgendaItem(
            kind="budget_variance",
            title=f"Budget variance: {ws.name_en} is {ws.rag.value} (SPI {spi}, CPI {cpi})"[:300],
            severity=severity,
            status=f"SPI {spi} CPI {cpi}",
            ref_type="workstream",
            ref_id=str(ws.code),
            detail=(
                f"Schedule variance {_won(value.sv)}, cost variance {_won(value.cv)}; "
                f"estimate at completion {_won(value.eac) if value.eac is not None else 'not defined'} "
                f"against a budget of {_won(value.bac)}."
            ),
        )
