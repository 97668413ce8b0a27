"""Exposure analysis: which subscribers attached through unauthorized femtocells, through which cells, and when.

The definition (issue 4; the regulator's order 1 in FACTS.md):
- A cell id is **unauthorized** when it is seen in the access events and either is absent from the femtocell
  inventory (an illegal unit, or a clone of an identity nobody issued), or its femtocell is not in one of
  `AUTHORIZED_STATES`.
- `AUTHORIZED_STATES` is {active} only. `registered` units have not been activated (no configuration check, no
  activation): a registered unit carrying traffic is live without authorization. `suspended` units have had service
  withdrawn; the network must refuse them, so an attach accepted through one is a failure of the block. `blocked`,
  `lost` and `decommissioned` units are out of the operator's authorized use by definition (a lost or decommissioned
  unit still accepting attaches is exactly the incident's pattern).
- **Which attaches**: a blocked, lost or decommissioned unit had an authorized period when the inventory records one:
  from `activated_at` to the earliest of `lost_at`, `blocked_at` and `decommissioned_at` (a unit lost, recovered and
  then decommissioned counts from when it was lost). Its attaches inside that period, while it was active and in the
  operator's hands, are not exposure; those before activation or after it left service are. Cells absent from the
  inventory, units never activated, registered and suspended units (the inventory keeps no time of suspension), and
  an illegal id registered later as blocked to shut it out, count every attach: that errs towards reporting
  exposure, never towards hiding it.
- A subscriber is **exposed** through a cell when an attach through it that counts was *accepted*. Rejected
  attempts count as attempts, never as exposure. Totals count each subscriber once across all cells (a subscriber
  who attached through two illegal cells is one exposed subscriber, not two).
- A cell is **blocked now** when its femtocell's status is `blocked`, or it is `decommissioned` with its certificate
  revoked (`cert_revoked_at`): the network refuses both. A cell id absent from the inventory is never blocked here:
  block it by registering its id as a blocked unit.
- `since`/`until` bound the access events considered (inclusive): a cell is listed when it was seen while
  unauthorized inside that window.

Everything is aggregated in SQL, from indexes: the non-authorized units come from the femtocell table, each checked
with a seek in the (cell_id, occurred_at) index; ids absent from the inventory from one pass over that index's
distinct cell ids, each probed in the femtocell cell_id index; the events of the unauthorized cells are then read
once from the covering (cell_id, result, occurred_at, subscriber_pseudonym) index (migration 0005), grouped by
(cell, result, subscriber) for both the per-cell figures and the distinct total. A page of cells groups the events
in index order and stops when the page is full. Subscribers appear only as pseudonyms (HMAC, see
`access_events.service`), and only in `list_subscribers`, for investigators; the summary, the cells and the reports
give counts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    case,
    func,
    literal,
    null,
    or_,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.sql.selectable import CTE
from sqlmodel import Field, Session, SQLModel

from inventory.access_events.models import AccessEvent, AccessResult
from inventory.femtocells.models import Femtocell, FemtocellStatus
from inventory.fields import KEY_PATTERN, Instant
from tracker.errors import Invalid, NotFound
from tracker.pagination import DEFAULT_LIMIT, Page, decode_cursor, encode_cursor
from tracker.types import UTCDateTime

# The only state in which a femtocell may carry subscribers' traffic (see the module docstring for why).
AUTHORIZED_STATES: frozenset[FemtocellStatus] = frozenset({FemtocellStatus.active})
# States for which the inventory's lifecycle timestamps say when the unit left authorized use.
_TIMED_STATES = (FemtocellStatus.blocked, FemtocellStatus.lost, FemtocellStatus.decommissioned)
# The summary's list of most-exposing cells is bounded: the full list is paged (`list_cells`).
DEFAULT_TOP = 20
MAX_TOP = 1000

_events = AccessEvent.__table__  # type: ignore[attr-defined]
_femtocells = Femtocell.__table__  # type: ignore[attr-defined]
_CELLS_KIND = "exposure:cell_id"
_SUBSCRIBERS_KIND = "exposure:subscriber"


class ExposureWindow(SQLModel):
    """The span of access events considered (inclusive); open on a side left unset."""

    since: Instant | None = None
    until: Instant | None = None


class ExposedCell(SQLModel):
    """One unauthorized cell id and what passed through it."""

    cell_id: str
    in_inventory: bool
    femtocell_id: int | None
    status: FemtocellStatus | None
    # The unit's authorized period, when the inventory records one: activated at `authorized_from`, out of service
    # (lost, blocked or decommissioned) from `authorized_until`. Attaches inside it are not exposure; null
    # `authorized_from`: every attach counts.
    authorized_from: datetime | None
    authorized_until: datetime | None
    blocked: bool
    attempts: int
    accepted_attaches: int
    rejected_attempts: int
    exposed_subscribers: int
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    first_accepted_at: datetime | None
    last_accepted_at: datetime | None


class ExposureTotals(SQLModel):
    """Totals across every unauthorized cell; subscribers counted once however many cells they attached through."""

    unauthorized_cells: int
    cells_not_in_inventory: int
    cells_with_accepted_attaches: int
    cells_not_blocked: int
    exposed_subscribers: int
    accepted_attaches: int
    rejected_attempts: int
    first_accepted_at: datetime | None
    last_accepted_at: datetime | None


class ExposureSummary(SQLModel):
    """The exposure analysis: totals and the cells that exposed the most subscribers."""

    since: datetime | None
    until: datetime | None
    authorized_states: list[FemtocellStatus]
    totals: ExposureTotals
    # The `top` cells by exposed subscribers (then accepted attaches, then cell id); the full list is paged.
    top_cells: list[ExposedCell]


class ExposedSubscriber(SQLModel):
    """A pseudonymized subscriber that attached through one unauthorized cell (for investigators only)."""

    subscriber_pseudonym: str
    accepted_attaches: int
    first_accepted_at: datetime
    last_accepted_at: datetime


class CellIdPath(SQLModel):
    """A cell id as a path parameter."""

    cell_id: str = Field(min_length=1, max_length=64, schema_extra={"pattern": KEY_PATTERN})


# --- the definition, as SQL -------------------------------------------------------------------------------------


def _earlier(a: ColumnElement[Any], b: ColumnElement[Any]) -> ColumnElement[Any]:
    """The earlier of two nullable instants, ignoring a null (SQLite's min() and LEAST disagree on nulls)."""
    return case((a.is_(None), b), (b.is_(None), a), (a <= b, a), else_=b)


def _outside(occurred: ColumnElement[Any], start: ColumnElement[Any], end: ColumnElement[Any]) -> ColumnElement[bool]:
    """Whether an attach falls outside the unit's authorized period [start, end) (no start: no period)."""
    return or_(start.is_(None), occurred < start, and_(end.is_not(None), occurred >= end))


def _window(column: ColumnElement[Any], window: ExposureWindow) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if window.since is not None:
        conditions.append(column >= window.since)
    if window.until is not None:
        conditions.append(column <= window.until)
    return conditions


def unauthorized_cells(
    window: ExposureWindow | None = None,
    *,
    cell_id: str | None = None,
    after: str | None = None,
    limit: int | None = None,
) -> CTE:
    """The unauthorized cell ids seen in the window, as a CTE (optionally one cell, or a page by cell id).

    Columns: cell_id, femtocell_id (null: not in the inventory), status, authorized_from and authorized_until (the
    recorded authorized period, attaches inside it do not count; null from: every attach counts), blocked (1 or 0).
    Every listed cell has at least one event that counts in the window. Reusable by any check that needs the
    definition (controls, reports).
    """
    w = window or ExposureWindow()
    e, f = _events.c, _femtocells.c
    start, since, blocked = _period_and_blocking()
    # IN rather than NOT IN: the status index can serve it.
    not_authorized = f.status.in_(sorted(s.value for s in FemtocellStatus if s not in AUTHORIZED_STATES))
    columns: list[ColumnElement[Any]] = [f.id, f.status, start, since, blocked]
    names = ("femtocell_id", "status", "authorized_from", "authorized_until", "blocked")
    later = _events.alias("exposure_later")

    def seen_outside(cell: ColumnElement[Any]) -> ColumnElement[bool]:
        # Seen outside the unit's authorized period (any time, when it has none): index seeks, no table rows.
        return (
            select(literal(1))
            .where(
                later.c.cell_id == cell, _outside(later.c.occurred_at, start, since), *_window(later.c.occurred_at, w)
            )
            .exists()
        )

    if limit is None:
        # Units in the inventory: the non-authorized ones (status index), each checked with an index seek.
        units = select(f.cell_id.label("cell_id"), *(c.label(n) for c, n in zip(columns, names, strict=True))).where(
            not_authorized, seen_outside(f.cell_id)
        )
        # Ids not in the inventory: the distinct cell ids (one pass over the (cell_id, occurred_at) index), each
        # probed in the femtocell cell_id index; no table row is read for the many authorized units.
        seen = select(e.cell_id.label("cell_id")).where(*_window(e.occurred_at, w)).distinct()
        if cell_id is not None:
            units = units.where(f.cell_id == cell_id)
            seen = seen.where(e.cell_id == cell_id)
        seen_sq = seen.subquery("exposure_seen")
        known = _femtocells.alias("exposure_known")
        unknown = select(
            seen_sq.c.cell_id,
            type_coerce(null(), Integer()).label("femtocell_id"),
            type_coerce(null(), String()).label("status"),
            type_coerce(null(), UTCDateTime()).label("authorized_from"),
            type_coerce(null(), UTCDateTime()).label("authorized_until"),
            literal(0).label("blocked"),
        ).where(~select(literal(1)).where(known.c.cell_id == seen_sq.c.cell_id).exists())
        return union_all(units, unknown).cte("exposure_cells")
    # A page joins the events to the inventory and groups in index order, which streams: it stops once the page is
    # full rather than reading every cell id. Grouped by the event's cell id alone (so the index order serves the
    # GROUP BY): the unit's columns are the same on every row of a group, max() only satisfies PostgreSQL.
    stmt = (
        select(e.cell_id.label("cell_id"), *(func.max(c).label(n) for c, n in zip(columns, names, strict=True)))
        .select_from(_events.outerjoin(_femtocells, f.cell_id == e.cell_id))
        .where(or_(f.id.is_(None), and_(not_authorized, seen_outside(e.cell_id))), *_window(e.occurred_at, w))
    )
    if after is not None:
        stmt = stmt.where(e.cell_id > after)
    return stmt.group_by(e.cell_id).order_by(e.cell_id).limit(limit).cte("exposure_cells")


def _period_and_blocking() -> tuple[ColumnElement[Any], ColumnElement[Any], ColumnElement[Any]]:
    """A femtocell's authorized period (from, until; null from: none recorded) and whether it is blocked (1/0)."""
    f = _femtocells.c
    timed = f.status.in_([s.value for s in _TIMED_STATES])
    since = type_coerce(
        case((timed, _earlier(_earlier(f.lost_at, f.blocked_at), f.decommissioned_at)), else_=null()),
        UTCDateTime(),
    )
    start = type_coerce(case((timed, f.activated_at), else_=null()), UTCDateTime())
    blocked = or_(
        f.status == FemtocellStatus.blocked.value,
        and_(f.status == FemtocellStatus.decommissioned.value, f.cert_revoked_at.is_not(None)),
    )
    # 1/0 rather than a boolean: PostgreSQL has no max(boolean) (the page groups).
    return start, since, case((blocked, 1), else_=0)


def _exposed_events(cells: CTE, window: ExposureWindow) -> Any:
    """The join condition of unauthorized cells to their events that count (in the window, after `since`)."""
    e = _events.c
    return and_(
        e.cell_id == cells.c.cell_id,
        _outside(e.occurred_at, cells.c.authorized_from, cells.c.authorized_until),
        *_window(e.occurred_at, window),
    )


def _pairs(cells: CTE, window: ExposureWindow) -> CTE:
    """Events that count, grouped by (cell, result, subscriber): the per-cell figures and the distinct-subscriber
    total both read this, so the events are read once (a CTE used twice is materialized on both engines)."""
    e = _events.c
    return (
        select(
            e.cell_id.label("cell_id"),
            e.result.label("result"),
            e.subscriber_pseudonym.label("subscriber_pseudonym"),
            func.count().label("n"),
            func.min(e.occurred_at).label("first_at"),
            func.max(e.occurred_at).label("last_at"),
        )
        .select_from(cells.join(_events, _exposed_events(cells, window)))
        .group_by(e.cell_id, e.result, e.subscriber_pseudonym)
        .cte("exposure_pairs")
    )


def _per_cell(cells: CTE, window: ExposureWindow, pairs: CTE | None = None) -> Select[Any]:
    """One aggregate row per unauthorized cell (inner join: a listed cell always has an event that counts)."""
    pairs = pairs if pairs is not None else _pairs(cells, window)
    q = pairs.c
    is_accepted = q.result == AccessResult.accepted.value

    def accepted(column: ColumnElement[Any]) -> ColumnElement[Any]:
        return case((is_accepted, column), else_=null())

    return (
        select(
            cells.c.cell_id,
            cells.c.femtocell_id,
            cells.c.status,
            cells.c.authorized_from,
            cells.c.authorized_until,
            cells.c.blocked,
            func.sum(q.n).label("attempts"),
            func.coalesce(func.sum(accepted(q.n)), 0).label("accepted_attaches"),
            # One pair per (cell, accepted, subscriber): counting them counts distinct subscribers.
            func.count(accepted(literal(1))).label("exposed_subscribers"),
            type_coerce(func.min(q.first_at), UTCDateTime()).label("first_seen_at"),
            type_coerce(func.max(q.last_at), UTCDateTime()).label("last_seen_at"),
            type_coerce(func.min(accepted(q.first_at)), UTCDateTime()).label("first_accepted_at"),
            type_coerce(func.max(accepted(q.last_at)), UTCDateTime()).label("last_accepted_at"),
        )
        .select_from(cells.join(pairs, q.cell_id == cells.c.cell_id))
        .group_by(
            cells.c.cell_id,
            cells.c.femtocell_id,
            cells.c.status,
            cells.c.authorized_from,
            cells.c.authorized_until,
            cells.c.blocked,
        )
    )


def _instant(value: Any) -> datetime | None:
    """An instant from an aggregate, timezone-aware UTC (SQLite hands back text for min/max of expressions)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _as_cell(row: Any) -> ExposedCell:
    m = row._mapping
    attempts, accepted = int(m["attempts"]), int(m["accepted_attaches"])
    return ExposedCell(
        cell_id=m["cell_id"],
        in_inventory=m["femtocell_id"] is not None,
        femtocell_id=m["femtocell_id"],
        status=FemtocellStatus(m["status"]) if m["status"] is not None else None,
        authorized_from=_instant(m["authorized_from"]),
        authorized_until=_instant(m["authorized_until"]),
        blocked=bool(m["blocked"]),
        attempts=attempts,
        accepted_attaches=accepted,
        rejected_attempts=attempts - accepted,
        exposed_subscribers=int(m["exposed_subscribers"]),
        first_seen_at=_instant(m["first_seen_at"]),
        last_seen_at=_instant(m["last_seen_at"]),
        first_accepted_at=_instant(m["first_accepted_at"]),
        last_accepted_at=_instant(m["last_accepted_at"]),
    )


def _check_window(window: ExposureWindow | None) -> ExposureWindow:
    w = window or ExposureWindow()
    if w.since is not None and w.until is not None and w.since > w.until:
        raise Invalid("'since' must not be after 'until'.", field="since")
    return w


# --- the analysis -----------------------------------------------------------------------------------------------


def summary(*, session: Session, window: ExposureWindow | None = None, top: int = DEFAULT_TOP) -> ExposureSummary:
    """Totals across all unauthorized cells (each subscriber counted once) and the `top` most-exposing cells.

    One statement: the cells and their aggregates are computed once (a CTE used twice is materialized on both
    engines) and feed the totals, the distinct-subscriber count and the top cells.
    """
    w = _check_window(window)
    cells = unauthorized_cells(w)
    pairs = _pairs(cells, w)
    per_cell = _per_cell(cells, w, pairs).cte("exposure_per_cell")
    p = per_cell.c
    tot = select(
        func.count().label("cells"),
        func.coalesce(func.sum(case((p.femtocell_id.is_(None), 1), else_=0)), 0).label("unknown"),
        func.coalesce(func.sum(case((p.accepted_attaches > 0, 1), else_=0)), 0).label("exposing"),
        func.coalesce(func.sum(case((p.blocked == 1, 0), else_=1)), 0).label("open"),
        func.coalesce(func.sum(p.accepted_attaches), 0).label("accepted"),
        func.coalesce(func.sum(p.attempts - p.accepted_attaches), 0).label("rejected"),
        func.min(p.first_accepted_at).label("first"),
        func.max(p.last_accepted_at).label("last"),
    ).subquery("exposure_totals")
    # GROUP BY then count: SQLite sorts; count(DISTINCT) would build a B-tree row by row (about twice as slow).
    distinct = (
        select(pairs.c.subscriber_pseudonym)
        .where(pairs.c.result == AccessResult.accepted.value)
        .group_by(pairs.c.subscriber_pseudonym)
        .subquery("exposure_distinct")
    )
    subs = select(func.count().label("subscribers")).select_from(distinct).subquery("exposure_subscribers")
    ranked = (
        select(per_cell)
        .order_by(p.exposed_subscribers.desc(), p.accepted_attaches.desc(), p.cell_id)
        .limit(top)
        .subquery("exposure_top")
    )
    stmt = (
        select(tot, subs, ranked)
        .select_from(tot.join(subs, true()).outerjoin(ranked, true()))
        .order_by(ranked.c.exposed_subscribers.desc(), ranked.c.accepted_attaches.desc(), ranked.c.cell_id)
    )
    rows = session.execute(stmt).all()
    first = rows[0]
    totals = ExposureTotals(
        unauthorized_cells=int(first.cells),
        cells_not_in_inventory=int(first.unknown),
        cells_with_accepted_attaches=int(first.exposing),
        cells_not_blocked=int(first.open),
        exposed_subscribers=int(first.subscribers),
        accepted_attaches=int(first.accepted),
        rejected_attempts=int(first.rejected),
        first_accepted_at=_instant(first.first),
        last_accepted_at=_instant(first.last),
    )
    return ExposureSummary(
        since=w.since,
        until=w.until,
        authorized_states=sorted(AUTHORIZED_STATES),
        totals=totals,
        top_cells=[_as_cell(r) for r in rows if r.cell_id is not None],
    )


def totals(*, session: Session, window: ExposureWindow | None = None) -> ExposureTotals:
    """Totals across all unauthorized cells in the window (each subscriber counted once)."""
    return summary(session=session, window=window, top=0).totals


def list_cells(
    *,
    session: Session,
    window: ExposureWindow | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[ExposedCell]:
    """Every unauthorized cell in the window, by cell id, one keyset page at a time."""
    w = _check_window(window)
    after: str | None = None
    if cursor is not None:
        (after,) = decode_cursor(cursor, kind=_CELLS_KIND, arity=1)
        if not isinstance(after, str):
            raise Invalid("The cursor was not made for this list.", field="cursor")
    # Every listed cell has an event that counts, so the page can be cut from the cells before aggregating.
    per_cell = _per_cell(unauthorized_cells(w, after=after, limit=limit + 1), w).subquery("exposure_per_cell")
    rows = [_as_cell(r) for r in session.execute(select(per_cell).order_by(per_cell.c.cell_id))]
    if len(rows) > limit:
        return Page(items=rows[:limit], next_cursor=encode_cursor(_CELLS_KIND, [rows[limit - 1].cell_id]))
    return Page(items=rows, next_cursor=None)


def get_cell(*, session: Session, cell_id: str, window: ExposureWindow | None = None) -> ExposedCell:
    """One unauthorized cell's exposure; 404 when the cell id was not seen while unauthorized in the window."""
    w = _check_window(window)
    rows = session.execute(_per_cell(unauthorized_cells(w, cell_id=cell_id), w)).all()
    if not rows:
        raise NotFound(f"Cell '{cell_id}' was not seen while unauthorized in this window.", field="cell_id")
    return _as_cell(rows[0])


def list_subscribers(
    *,
    session: Session,
    cell_id: str,
    window: ExposureWindow | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[ExposedSubscriber]:
    """The pseudonyms of the subscribers exposed through one unauthorized cell, by pseudonym (investigators only)."""
    w = _check_window(window)
    cells = unauthorized_cells(w, cell_id=cell_id)
    if session.execute(select(cells.c.cell_id)).first() is None:
        raise NotFound(f"Cell '{cell_id}' was not seen while unauthorized in this window.", field="cell_id")
    e = _events.c
    stmt = (
        select(
            e.subscriber_pseudonym,
            func.count().label("accepted_attaches"),
            func.min(e.occurred_at).label("first_accepted_at"),
            func.max(e.occurred_at).label("last_accepted_at"),
        )
        .select_from(cells.join(_events, _exposed_events(cells, w)))
        .where(e.result == AccessResult.accepted.value)
        .group_by(e.subscriber_pseudonym)
    )
    if cursor is not None:
        (after,) = decode_cursor(cursor, kind=_SUBSCRIBERS_KIND, arity=1)
        if not isinstance(after, str):
            raise Invalid("The cursor was not made for this list.", field="cursor")
        stmt = stmt.where(e.subscriber_pseudonym > after)
    rows = [
        ExposedSubscriber(
            subscriber_pseudonym=r.subscriber_pseudonym,
            accepted_attaches=int(r.accepted_attaches),
            first_accepted_at=_instant(r.first_accepted_at),  # type: ignore[arg-type]
            last_accepted_at=_instant(r.last_accepted_at),  # type: ignore[arg-type]
        )
        for r in session.execute(stmt.order_by(e.subscriber_pseudonym).limit(limit + 1))
    ]
    if len(rows) > limit:
        last = rows[limit - 1].subscriber_pseudonym
        return Page(items=rows[:limit], next_cursor=encode_cursor(_SUBSCRIBERS_KIND, [last]))
    return Page(items=rows, next_cursor=None)
