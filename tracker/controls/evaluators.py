"""Automated control evaluators: each answers one of the regulator's orders (or a plan commitment) in SQL.

An evaluator is a function `(session, EvalContext) -> Evaluation`, registered by key in `EVALUATORS` with the
defaults of its parameters. Evaluators only read: they return aggregates (counted in the database, never by loading
a table) and a bounded sample of offending ids; the run (`tracker.controls.service.run`) stores them.

Access-event checks look back `lookback_days` from the run instant (default 365: the investigation reviewed about
13 months of access records). An offending cell counts as *blocked* once the network has rejected an attempt of
the same kind after the last one it accepted: detection alone is not enough, the order asks that such ids be blocked,
and a rejection after the acceptance is the evidence that they are.
"""

from __future__ import annotations

import heapq
import ipaddress
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, Interval, and_, case, cast, exists, func, literal, or_, select, true, union_all
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from inventory.access_events.exposure import AUTHORIZED_STATES
from inventory.access_events.models import AccessEvent, AccessResult
from inventory.equipment.models import Equipment, EquipmentStatus
from inventory.femtocells.models import Femtocell, FemtocellStatus
from tracker.controls.models import AuthServerRotation, ResultStatus, Severity
from tracker.errors import Invalid

_f = Femtocell.__table__.c  # type: ignore[attr-defined]
_e = AccessEvent.__table__.c  # type: ignore[attr-defined]
_q = Equipment.__table__.c  # type: ignore[attr-defined]
_r = AuthServerRotation.__table__.c  # type: ignore[attr-defined]

ACCEPTED = AccessResult.accepted.value
REJECTED = AccessResult.rejected.value
# Units that left the fleet's authorized use, and the column saying since when.
EXIT_SINCE = {
    FemtocellStatus.blocked.value: "blocked_at",
    FemtocellStatus.lost.value: "lost_at",
    FemtocellStatus.decommissioned.value: "decommissioned_at",
}
IN_SERVICE = (FemtocellStatus.registered.value, FemtocellStatus.active.value, FemtocellStatus.suspended.value)
# Units whose accepted attaches are unauthorized: every state but the exposure analysis's authorized ones, so order 1
# and the exposure figures count the same cells (registered and suspended units have no exit time: every attach).
NOT_AUTHORIZED = tuple(s.value for s in FemtocellStatus if s not in AUTHORIZED_STATES)


@dataclass(frozen=True)
class EvalContext:
    """What an evaluator gets: the run instant, today in Seoul, the control's parameters, the sample size."""

    now: datetime
    today: date
    params: Mapping[str, Any]
    sample_limit: int = 20


@dataclass
class Evaluation:
    """One evaluation's outcome; `severity` is set only when the evaluator escalates the control's own."""

    status: ResultStatus
    measured: int | None
    threshold: int | None
    evidence_count: int
    sample: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    summary: str = ""
    severity: Severity | None = None


@dataclass(frozen=True)
class Evaluator:
    """A registered evaluator: the function, its parameters' defaults and what it checks."""

    key: str
    fn: Callable[[Session, EvalContext], Evaluation]
    defaults: Mapping[str, Any]
    checks: str


def outcome(
    offending: int,
    *,
    population: int,
    threshold: int = 0,
    sample: list[str],
    details: dict[str, Any],
    summary: str,
    evidence: int | None = None,
    severity: Severity | None = None,
) -> Evaluation:
    """Pass when `offending` is at most `threshold`; not applicable when there was nothing to examine."""
    if population == 0 and offending == 0:
        status = ResultStatus.not_applicable
    else:
        status = ResultStatus.failed if offending > threshold else ResultStatus.passed
    return Evaluation(
        status=status,
        measured=offending,
        threshold=threshold,
        evidence_count=offending if evidence is None else evidence,
        sample=sample,
        details={"population": population, **details},
        summary=summary,
        severity=severity,
    )


# --- SQL helpers ---------------------------------------------------------------------------------------------------


def _days_between(session: Session, later: Any, earlier: Any) -> ColumnElement[Any]:
    """later - earlier in days (fractional), in the dialect's own arithmetic."""
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return func.extract("epoch", later - earlier) / 86400.0


def _window(ctx: EvalContext) -> datetime:
    return ctx.now - timedelta(days=int(ctx.params["lookback_days"]))


def v4_ranges(cidrs: Iterable[str]) -> list[tuple[int, int]]:
    """IPv4 CIDR blocks as merged, sorted (first, last) integer ranges; IPv6 blocks are refused."""
    spans = []
    for cidr in cidrs:
        net = ipaddress.ip_network(cidr, strict=False)
        if net.version != 4:
            raise Invalid(f"'{cidr}' is not an IPv4 range; operator ranges are IPv4 CIDR blocks.", field="cidrs")
        spans.append((int(net.network_address), int(net.broadcast_address)))
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(spans):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def gap_clauses(column: Any, ranges: list[tuple[int, int]], *, sqlite: bool = False) -> list[ColumnElement[bool]]:
    """The conditions, one per gap, whose union is "outside every range" (NULL, i.e. IPv6, is outside)."""
    if not ranges:
        return [true()]
    # SQLite's statistics do not count NULLs, so it would scan the table for IS NULL; unlikely() says it is rare.
    is_null = func.unlikely(column.is_(None)) if sqlite else column.is_(None)
    gaps: list[ColumnElement[bool]] = [is_null, column < ranges[0][0]]
    for (_, hi), (lo, _) in zip(ranges, ranges[1:], strict=False):
        gaps.append(and_(column > hi, column < lo))
    gaps.append(column > ranges[-1][1])
    return gaps


def outside_ranges(column: Any, ranges: list[tuple[int, int]]) -> ColumnElement[bool]:
    """`column` (an IPv4 address as an integer; NULL for IPv6) is not inside any range.

    Written as the complement's gaps (v < lo1 OR hi1 < v < lo2 ... OR v > hiN), so an index on the column reads
    only the outside addresses instead of every row.
    """
    return or_(*gap_clauses(column, ranges))


# --- evaluators ----------------------------------------------------------------------------------------------------


def shared_certificates(session: Session, ctx: EvalContext) -> Evaluation:
    """Order 2: no certificate shared by two or more femtocells (groups by fingerprint and their sizes).

    One pass over the fingerprint index: the groups stream by, counted by size, and the largest are kept.
    """
    sizes: Counter[int] = Counter()
    top: list[tuple[int, str]] = []
    for fp, n in session.execute(
        select(_f.cert_fingerprint, func.count()).group_by(_f.cert_fingerprint).having(func.count() > 1)
    ):
        sizes[int(n)] += 1
        heapq.heappush(top, (int(n), str(fp)))
        if len(top) > ctx.sample_limit:
            heapq.heappop(top)
    largest = sorted(top, key=lambda g: (-g[0], g[1]))
    population = int(session.scalar(select(func.count()).select_from(Femtocell)) or 0)
    group_count = sum(sizes.values())
    devices = sum(n * c for n, c in sizes.items())
    sample: list[str] = []
    for _, fp in largest:
        if len(sample) >= ctx.sample_limit:
            break
        sample += session.scalars(
            select(_f.serial).where(_f.cert_fingerprint == fp).order_by(_f.id).limit(ctx.sample_limit - len(sample))
        ).all()
    biggest = largest[0][0] if largest else 0
    return outcome(
        devices,
        population=population,
        sample=sample,
        details={
            "groups": group_count,
            "largest_group": biggest,
            "group_sizes": {str(n): sizes[n] for n in sorted(sizes, reverse=True)[:20]},
            "top_groups": [{"cert_fingerprint": fp, "devices": n} for n, fp in largest],
        },
        summary=f"{devices} femtocells share {group_count} certificate(s) (largest group {biggest}).",
    )


def certificate_validity(session: Session, ctx: EvalContext) -> Evaluation:
    """Order 3: certificates valid at most `max_validity_days`; no expired certificate on an active unit."""
    days = _days_between(session, _f.cert_not_after, _f.cert_not_before)
    limit = int(ctx.params["max_validity_days"])
    too_long = days > limit
    expired = and_(_f.status == FemtocellStatus.active.value, _f.cert_not_after < ctx.now)
    in_scope = _f.status.in_(IN_SERVICE)
    # The day arithmetic is the costly part of this scan: it is evaluated for the over-policy sum and the maximum,
    # and only for expired rows in the overlap (the AND tests the cheap comparison first).
    row = session.execute(
        select(
            func.count(),
            func.sum(case((too_long, 1), else_=0)),
            func.sum(case((expired, 1), else_=0)),
            func.sum(case((and_(expired, too_long), 1), else_=0)),
            func.max(days),
        ).where(in_scope)
    ).one()
    population, long_count, expired_count, both, longest = (
        int(row[0] or 0),
        int(row[1] or 0),
        int(row[2] or 0),
        int(row[3] or 0),
        row[4],
    )
    offending = long_count + expired_count - both
    sample = session.scalars(
        select(_f.serial).where(in_scope, or_(too_long, expired)).order_by(_f.id).limit(ctx.sample_limit)
    ).all()
    return outcome(
        offending,
        population=population,
        sample=list(sample),
        details={
            "validity_over_policy": long_count,
            "expired_on_active": expired_count,
            "longest_validity_days": round(float(longest)) if longest is not None else None,
            "max_validity_days": limit,
        },
        summary=(
            f"{long_count} in-service units hold certificates valid over {limit} days "
            f"(longest {round(float(longest)) if longest is not None else 0} days); "
            f"{expired_count} active units hold expired certificates."
        ),
    )


def _exit_since() -> ColumnElement[Any]:
    return case(*((_f.status == status, _f[column]) for status, column in EXIT_SINCE.items()), else_=None)


def unauthorized_cells(session: Session, ctx: EvalContext) -> Evaluation:
    """Order 1: no attempt accepted from a cell id absent from the inventory or not authorized; every such id blocked.

    A cell is unauthorized when no femtocell has its id, when its unit is registered or suspended (not authorized to
    carry traffic: `inventory.access_events.exposure.AUTHORIZED_STATES`), or when its unit was blocked, lost or
    decommissioned before the attempt. It stays offending until an attempt of it is rejected after its last
    accepted one.
    Two queries, so neither joins per event: accepted attempts grouped by cell, keeping the groups no femtocell
    has (one probe per distinct cell, on the covering index (cell_id, result, occurred_at)); and the units that
    left authorized use, each probing its own accepted attempts after it left.
    """
    since = _window(ctx)
    in_window = and_(_e.occurred_at >= since, _e.occurred_at <= ctx.now)
    exit_since = _exit_since()
    later = AccessEvent.__table__.alias("later")  # type: ignore[attr-defined]

    def blocked_since(cell: Any, last: Any) -> Any:
        # A rejection after the last accepted attempt: the network now blocks the id.
        return cast(
            exists(
                select(literal(1)).where(
                    later.c.cell_id == cell,
                    later.c.result == REJECTED,
                    later.c.occurred_at > last,
                    later.c.occurred_at <= ctx.now,
                )
            ),
            Integer,
        )

    # The window is written so SQLite cannot use the occurred_at index for it: the window usually spans most
    # events, and that index would cost a table lookup per event plus a sort, where the covering
    # (cell_id, result, occurred_at) index yields the groups in order with nothing else to read.
    unindexed_time = func.coalesce(_e.occurred_at, _e.occurred_at)
    absent_q = (
        select(
            _e.cell_id.label("cell_id"),
            func.max(_e.occurred_at).label("last"),
            func.count().label("n"),
            literal(1).label("absent"),
        )
        .where(_e.result == ACCEPTED, unindexed_time >= since, unindexed_time <= ctx.now)
        .group_by(_e.cell_id)
        .having(~exists(select(literal(1)).where(_f.cell_id == _e.cell_id)))
    )
    # Units that left authorized use, each probing its own accepted attempts after it left (one index range each).
    exited_q = (
        select(
            func.max(_f.cell_id).label("cell_id"),
            func.max(_e.occurred_at).label("last"),
            func.count().label("n"),
            literal(0).label("absent"),
        )
        .select_from(Femtocell.__table__)  # type: ignore[attr-defined]
        .join(
            AccessEvent.__table__,  # type: ignore[attr-defined]
            and_(
                _e.cell_id == _f.cell_id,
                _e.result == ACCEPTED,
                unindexed_time >= since,
                unindexed_time <= ctx.now,
                or_(exit_since.is_(None), unindexed_time > exit_since),
            ),
        )
        .where(_f.status.in_(NOT_AUTHORIZED))
        # Grouped in the order of the (status, id) index the units are read through: no sort.
        .group_by(_f.status, _f.id)
    )
    bad = absent_q.union_all(exited_q).subquery()
    detected = absent_count = accepted = 0
    unblocked: list[str] = []
    unblocked_count = 0
    for cell_id, n, is_absent, is_blocked in session.execute(
        select(bad.c.cell_id, bad.c.n, bad.c.absent, blocked_since(bad.c.cell_id, bad.c.last)).order_by(bad.c.cell_id)
    ):
        detected += 1
        absent_count += int(is_absent)
        accepted += int(n)
        if not is_blocked:
            unblocked_count += 1
            if len(unblocked) < ctx.sample_limit:
                unblocked.append(str(cell_id))
    population = int(session.scalar(select(func.count()).select_from(AccessEvent).where(in_window)) or 0)
    return outcome(
        unblocked_count,
        population=population,
        sample=unblocked,
        details={
            "unauthorized_ids": detected,
            "absent_from_inventory": absent_count,
            "inventoried_unauthorized": detected - absent_count,
            "accepted_attempts": accepted,
            "blocked_since": detected - unblocked_count,
            "lookback_days": int(ctx.params["lookback_days"]),
        },
        evidence=detected,
        summary=(
            f"{detected} unauthorized cell ids had attempts accepted ({absent_count} not in the inventory, "
            f"{accepted} accepted attempts); {unblocked_count} are not blocked."
        ),
    )


def operator_ip_ranges(session: Session, ctx: EvalContext) -> Evaluation:
    """Order 4: connections accepted only from the operator's wired ranges (`cidrs`), for events and active units.

    A cell offends when its last attempt from outside the ranges was accepted (no rejection from outside since);
    an active unit offends when the address it last connected from is outside.
    """
    ranges = v4_ranges(ctx.params["cidrs"])
    since = _window(ctx)
    # One index range per gap between the operator's ranges (UNION ALL), so only outside addresses are read; the
    # window is kept off the occurred_at index (see unauthorized_cells).
    unindexed_time = func.coalesce(_e.occurred_at, _e.occurred_at)
    outside_accepted = union_all(
        *(
            select(_e.cell_id.label("cell_id"), _e.occurred_at.label("occurred_at")).where(
                gap, _e.result == ACCEPTED, unindexed_time >= since, unindexed_time <= ctx.now
            )
            for gap in gap_clauses(_e.source_ip_v4, ranges, sqlite=session.get_bind().dialect.name == "sqlite")
        )
    ).subquery()
    last = (
        select(outside_accepted.c.cell_id, func.max(outside_accepted.c.occurred_at).label("last_accepted"))
        .group_by(outside_accepted.c.cell_id)
        .subquery()
    )
    later = AccessEvent.__table__.alias("later")  # type: ignore[attr-defined]
    blocked = exists(
        select(literal(1)).where(
            later.c.cell_id == last.c.cell_id,
            later.c.result == REJECTED,
            later.c.occurred_at > last.c.last_accepted,
            later.c.occurred_at <= ctx.now,
            outside_ranges(later.c.source_ip_v4, ranges),
        )
    )
    cells = 0
    unblocked = 0
    sample: list[str] = []
    for cell_id, is_blocked in session.execute(select(last.c.cell_id, cast(blocked, Integer)).order_by(last.c.cell_id)):
        cells += 1
        if not is_blocked:
            unblocked += 1
            if len(sample) < ctx.sample_limit:
                sample.append(str(cell_id))
    unit_outside = and_(
        _f.status == FemtocellStatus.active.value,
        _f.last_source_ip.is_not(None),
        outside_ranges(_f.last_source_ip_v4, ranges),
    )
    units = int(session.scalar(select(func.count()).select_from(Femtocell).where(unit_outside)) or 0)
    if len(sample) < ctx.sample_limit:
        sample += session.scalars(
            select(_f.cell_id).where(unit_outside).order_by(_f.id).limit(ctx.sample_limit - len(sample))
        ).all()
    population = int(
        session.scalar(select(func.count()).select_from(Femtocell).where(_f.status == FemtocellStatus.active.value))
        or 0
    )
    return outcome(
        unblocked + units,
        population=population + cells,
        sample=sample,
        details={
            "cells_accepted_from_outside": cells,
            "cells_still_accepted_from_outside": unblocked,
            "active_units_last_connected_from_outside": units,
            "ranges": list(ctx.params["cidrs"]),
            "lookback_days": int(ctx.params["lookback_days"]),
        },
        summary=(
            f"{unblocked} cells still have connections accepted from outside the operator's ranges "
            f"({cells} had any); {units} active units last connected from outside."
        ),
    )


def config_verified(session: Session, ctx: EvalContext) -> Evaluation:
    """Order 5: every active unit's configuration verified at its last connection (within `grace_minutes`)."""
    grace = timedelta(minutes=int(ctx.params["grace_minutes"]))
    active = and_(_f.status == FemtocellStatus.active.value, _f.last_seen_at.is_not(None))
    if session.get_bind().dialect.name == "sqlite":
        stale_verification = func.julianday(_f.config_verified_at) + grace.total_seconds() / 86400.0 < func.julianday(
            _f.last_seen_at
        )
    else:
        stale_verification = _f.config_verified_at + literal(grace, type_=Interval()) < _f.last_seen_at
    offending_clause = or_(_f.config_verified_at.is_(None), stale_verification)
    row = session.execute(
        select(
            func.count(),
            func.sum(case((_f.config_verified_at.is_(None), 1), else_=0)),
            func.sum(case((offending_clause, 1), else_=0)),
        ).where(active)
    ).one()
    population, never, offending = int(row[0] or 0), int(row[1] or 0), int(row[2] or 0)
    sample = session.scalars(select(_f.serial).where(active, offending_clause).order_by(_f.id).limit(ctx.sample_limit))
    return outcome(
        offending,
        population=population,
        sample=list(sample),
        details={"never_verified": never, "verified_before_last_connection": offending - never},
        summary=f"{offending} of {population} active units were not verified at their last connection ({never} never).",
    )


def decommissioned_revoked(session: Session, ctx: EvalContext) -> Evaluation:
    """Order 7: every decommissioned unit's certificate revoked, and none still accepted on the network after it."""
    since = _window(ctx)
    decommissioned = _f.status == FemtocellStatus.decommissioned.value
    unrevoked = _f.cert_revoked_at.is_(None)

    def last_of(result: str) -> Any:
        return (
            select(func.max(_e.occurred_at))
            .where(
                _e.cell_id == _f.cell_id,
                _e.result == result,
                _e.occurred_at > _f.decommissioned_at,
                _e.occurred_at >= since,
                _e.occurred_at <= ctx.now,
            )
            .scalar_subquery()
        )

    units = (
        select(
            _f.id.label("id"),
            _f.serial.label("serial"),
            case((unrevoked, 1), else_=0).label("unrevoked"),
            last_of(ACCEPTED).label("last_accepted"),
            last_of(REJECTED).label("last_rejected"),
        )
        .where(decommissioned)
        .subquery()
    )
    seen = and_(
        units.c.last_accepted.is_not(None),
        or_(units.c.last_rejected.is_(None), units.c.last_rejected < units.c.last_accepted),
    )
    population = int(session.scalar(select(func.count()).select_from(Femtocell).where(decommissioned)) or 0)
    offending = not_revoked = still_seen = 0
    sample: list[str] = []
    for serial, is_unrevoked, is_seen in session.execute(
        select(units.c.serial, units.c.unrevoked, case((seen, 1), else_=0))
        .where(or_(units.c.unrevoked == 1, seen))
        .order_by(units.c.id)
    ):
        offending += 1
        not_revoked += int(is_unrevoked)
        still_seen += int(is_seen)
        if len(sample) < ctx.sample_limit:
            sample.append(str(serial))
    return outcome(
        offending,
        population=population,
        sample=sample,
        details={
            "certificate_not_revoked": not_revoked,
            "accepted_after_decommissioning": still_seen,
            "lookback_days": int(ctx.params["lookback_days"]),
        },
        summary=(
            f"{not_revoked} of {population} decommissioned units keep an unrevoked certificate; "
            f"{still_seen} were still accepted on the network after decommissioning."
        ),
    )


def inactive_blocked(session: Session, ctx: EvalContext) -> Evaluation:
    """Order 7: units unseen for more than `inactive_days` are blocked; lost and recovered units are counted."""
    cutoff = ctx.now - timedelta(days=int(ctx.params["inactive_days"]))
    in_use = _f.status.in_([FemtocellStatus.active.value, FemtocellStatus.suspended.value])
    stale = and_(in_use, _f.last_seen_at < cutoff)
    offending = int(session.scalar(select(func.count()).select_from(Femtocell).where(stale)) or 0)
    by_status = dict(session.execute(select(_f.status, func.count()).group_by(_f.status)).all())
    population = sum(int(n) for n in by_status.values())
    lost = int(by_status.get(FemtocellStatus.lost, 0) or by_status.get(FemtocellStatus.lost.value, 0))
    in_use_count = sum(
        int(n) for status, n in by_status.items() if str(status) in (FemtocellStatus.active, FemtocellStatus.suspended)
    )
    # Only lost and decommissioned units can have been recovered: read those through the status index.
    recovered = int(
        session.scalar(
            select(func.count())
            .select_from(Femtocell)
            .where(
                _f.status.in_([FemtocellStatus.lost.value, FemtocellStatus.decommissioned.value]),
                _f.recovered_at.is_not(None),
            )
        )
        or 0
    )
    sample = session.scalars(select(_f.serial).where(stale).order_by(_f.id).limit(ctx.sample_limit))
    days = int(ctx.params["inactive_days"])
    return outcome(
        offending,
        population=in_use_count,
        sample=list(sample),
        details={"fleet": population, "lost": lost, "recovered": recovered, "inactive_days": days},
        summary=(
            f"{offending} units unseen for over {days} days are not blocked; {lost} lost and {recovered} recovered "
            f"units on record."
        ),
    )


def auth_server_rotation(session: Session, ctx: EvalContext) -> Evaluation:
    """Order 6: every authentication server's IP rotated within `rotation_days` (rotations recorded via the API)."""
    days = int(ctx.params["rotation_days"])
    latest = dict(
        session.execute(
            select(_r.server, func.max(_r.rotated_at)).where(_r.rotated_at <= ctx.now).group_by(_r.server)
        ).all()
    )
    servers = sorted(set(ctx.params["servers"]) | set(latest))
    ages: dict[str, int | None] = {}
    for server in servers:
        when = latest.get(server)
        ages[server] = None if when is None else (ctx.now - _aware(when)).days
    overdue = [s for s in servers if ages[s] is None or (ages[s] or 0) > days]
    oldest = max((a for a in ages.values() if a is not None), default=None)
    if not servers:
        return Evaluation(
            status=ResultStatus.failed,
            measured=None,
            threshold=days,
            evidence_count=0,
            details={"servers": 0, "rotation_days": days},
            summary="No authentication-server IP rotation has been recorded.",
        )
    return Evaluation(
        status=ResultStatus.failed if overdue else ResultStatus.passed,
        measured=oldest,
        threshold=days,
        evidence_count=len(overdue),
        sample=overdue[: ctx.sample_limit],
        details={"servers": len(servers), "days_since_rotation": ages, "rotation_days": days},
        summary=(
            f"{len(overdue)} of {len(servers)} authentication servers not rotated within {days} days"
            + (f" (oldest rotation {oldest} days ago)." if oldest is not None else ".")
        ),
    )


def _aware(value: datetime) -> datetime:
    from tracker.types import as_utc

    return as_utc(value)


def legacy_end_of_support(session: Session, ctx: EvalContext) -> Evaluation:
    """Plan: no legacy equipment past end of support still in service without a replacement wave.

    Escalated one severity step when any such item holds personal data.
    """
    in_service = _q.status.in_([EquipmentStatus.in_service.value, EquipmentStatus.replacement_planned.value])
    unplanned = or_(_q.replacement_wave.is_(None), _q.replacement_wave == "")
    offending_clause = and_(in_service, _q.end_of_support < ctx.today, unplanned)
    row = session.execute(
        select(
            func.count(),
            func.sum(case((offending_clause, 1), else_=0)),
            func.sum(case((and_(offending_clause, _q.holds_personal_data == true()), 1), else_=0)),
            func.sum(case((and_(in_service, _q.end_of_support < ctx.today), 1), else_=0)),
        ).where(in_service)
    ).one()
    population, offending, personal, past_support = (int(v or 0) for v in row)
    sample = session.scalars(
        select(_q.asset_tag)
        .where(offending_clause)
        .order_by(_q.holds_personal_data.desc(), _q.criticality, _q.id)
        .limit(ctx.sample_limit)
    )
    escalate = bool(personal) and bool(ctx.params["escalate_with_personal_data"])
    return outcome(
        offending,
        population=population,
        sample=list(sample),
        details={"past_end_of_support": past_support, "without_wave": offending, "holding_personal_data": personal},
        summary=(
            f"{offending} items past end of support are in service without a replacement wave "
            f"({personal} hold personal data)."
        ),
        severity=Severity.critical if escalate else None,
    )


def commitments_on_time(session: Session, ctx: EvalContext) -> Evaluation:
    """Plan commitments: none past its due date unmet (the commitments register's `overdue`)."""
    from tracker.commitments import service as commitments_service

    late = commitments_service.overdue(session=session, today=ctx.today)
    from tracker.commitments.models import Commitment

    population = int(session.scalar(select(func.count()).select_from(Commitment)) or 0)
    return outcome(
        len(late),
        population=population,
        sample=[c.code for c in late[: ctx.sample_limit]],
        details={"most_days_overdue": max((c.days_overdue for c in late), default=0)},
        summary=f"{len(late)} of {population} public commitments are past due and not met.",
    )


_WINDOW = {"lookback_days": 365}

EVALUATORS: dict[str, Evaluator] = {
    e.key: e
    for e in (
        Evaluator("shared_certificates", shared_certificates, {}, "certificates shared by two or more femtocells"),
        Evaluator(
            "certificate_validity",
            certificate_validity,
            {"max_validity_days": 31},
            "certificate validity over policy; expired certificates on active units",
        ),
        Evaluator(
            "unauthorized_cells",
            unauthorized_cells,
            dict(_WINDOW),
            "attempts accepted from cells absent from the inventory or not authorized, not since blocked",
        ),
        Evaluator(
            "operator_ip_ranges",
            operator_ip_ranges,
            {**_WINDOW, "cidrs": []},
            "connections accepted from outside the operator's IPv4 ranges",
        ),
        Evaluator("config_verified", config_verified, {"grace_minutes": 5}, "configuration verified at connection"),
        Evaluator(
            "decommissioned_revoked",
            decommissioned_revoked,
            dict(_WINDOW),
            "decommissioned units revoked and not accepted afterwards",
        ),
        Evaluator("inactive_blocked", inactive_blocked, {"inactive_days": 90}, "long-inactive units blocked"),
        Evaluator(
            "auth_server_rotation",
            auth_server_rotation,
            {"rotation_days": 90, "servers": []},
            "authentication-server IP rotated within the interval",
        ),
        Evaluator(
            "legacy_end_of_support",
            legacy_end_of_support,
            {"escalate_with_personal_data": True},
            "legacy equipment past end of support without a replacement wave",
        ),
        Evaluator("commitments_on_time", commitments_on_time, {}, "public commitments met by their due dates"),
    )
}


def check_parameters(evaluator: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters merged over the evaluator's defaults; unknown names and wrong types are refused (422)."""
    if evaluator not in EVALUATORS:
        unknown = sorted(set(params) - {"due_on"})
        if unknown:
            raise Invalid(f"A manual control takes only due_on, not '{unknown[0]}'.", field=f"parameters.{unknown[0]}")
        if "due_on" in params:
            try:
                date.fromisoformat(str(params["due_on"]))
            except ValueError as exc:
                raise Invalid("parameters.due_on must be a date (YYYY-MM-DD).", field="parameters.due_on") from exc
        return dict(params)
    defaults = EVALUATORS[evaluator].defaults
    merged = dict(defaults)
    for name, value in params.items():
        if name not in defaults:
            known = ", ".join(sorted(defaults)) or "none"
            raise Invalid(f"Unknown parameter '{name}' for {evaluator}; known: {known}.", field=f"parameters.{name}")
        default = defaults[name]
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 36_500
        else:
            ok = (
                isinstance(value, list)
                and len(value) <= 100
                and all(isinstance(v, str) and 0 < len(v) <= 100 for v in value)
            )
        if not ok:
            raise Invalid(f"Parameter '{name}' must look like {default!r}.", field=f"parameters.{name}")
        merged[name] = value
    if "cidrs" in merged:
        try:
            v4_ranges(merged["cidrs"])
        except ValueError as exc:
            raise Invalid(f"parameters.cidrs holds an invalid CIDR block: {exc}.", field="parameters.cidrs") from exc
    return merged
