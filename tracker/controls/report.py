"""What the reports read of the controls domain: the newest run per control, findings by severity and age, trends.

Aggregates only (GROUP BY in SQL, bounded lists): the reports run on a million-unit fleet and, for `--as-of`, on a
snapshot rebuilt from the audit chain, so everything here reads the tables as they are in the session it is given.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlmodel import Session

from inventory.femtocells.models import Femtocell
from tracker.controls.models import (
    OPEN_FINDING_STATUSES,
    SEVERITY_ORDER,
    Control,
    ControlResult,
    ControlRun,
    Finding,
    FindingStatus,
    FleetFigures,
    ResultStatus,
)

_c = Control.__table__.c  # type: ignore[attr-defined]
_res = ControlResult.__table__.c  # type: ignore[attr-defined]
_run = ControlRun.__table__.c  # type: ignore[attr-defined]
_fd = Finding.__table__.c  # type: ignore[attr-defined]
_f = Femtocell.__table__.c  # type: ignore[attr-defined]

# Age buckets of open findings, in days since opened: (label key, lower bound inclusive, upper bound exclusive).
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 31),
    ("31-90", 31, 91),
    ("91-180", 91, 181),
    ("181+", 181, None),
)

_OPEN = [s.value for s in OPEN_FINDING_STATUSES]
_SEVERITY_RANK = case(*((_fd.severity == s.value, i) for i, s in enumerate(SEVERITY_ORDER)), else_=len(SEVERITY_ORDER))


@dataclass(frozen=True)
class ControlStatus:
    """One control as of the newest run: its result there, when it last passed, its open finding."""

    control_id: str
    title_ko: str
    title_en: str
    reference: str | None
    severity: str
    evaluator: str
    status: str | None
    measured: int | None
    threshold: int | None
    evidence: int
    summary: str
    details: dict[str, Any]
    last_passed_at: datetime | None
    open_finding_id: int | None

    def title(self, lang: str) -> str:
        """The title in `lang` (ko or en)."""
        return self.title_ko if lang == "ko" else self.title_en


@dataclass(frozen=True)
class RunSummary:
    """The figures of one run."""

    id: int
    started_at: datetime
    chain_head_seq: int
    evaluated: int
    passed: int
    failed: int
    not_applicable: int
    manual: int
    # FleetFigures as a dict, or None for a run recorded before runs kept them.
    fleet: dict[str, Any] | None = None


@dataclass
class FindingAges:
    """Open findings counted by severity and age bucket, with the overdue ones."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    overdue: dict[str, int] = field(default_factory=dict)
    risk_accepted: int = 0
    total_open: int = 0
    closed: int = 0


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive UTC from aggregates; everything else here is aware."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


_RUN_COLUMNS = (
    _run.id,
    _run.started_at,
    _run.chain_head_seq,
    _run.evaluated,
    _run.passed,
    _run.failed,
    _run.not_applicable,
    _run.manual,
    _run.fleet,
)


def _run_summary(row: Any) -> RunSummary:
    return RunSummary(
        id=int(row.id),
        started_at=_aware(row.started_at) or row.started_at,
        chain_head_seq=int(row.chain_head_seq),
        evaluated=int(row.evaluated),
        passed=int(row.passed),
        failed=int(row.failed),
        not_applicable=int(row.not_applicable),
        manual=int(row.manual),
        fleet=row.fleet,
    )


def latest_run(session: Session) -> RunSummary | None:
    """The newest complete run, or None when no run is recorded."""
    runs = run_trend(session, limit=1)
    return runs[-1] if runs else None


def control_statuses(session: Session, run: RunSummary | None) -> list[ControlStatus]:
    """Every enabled control with its result in `run` (None: no result), last pass and open finding."""
    results: dict[str, Any] = {}
    if run is not None:
        results = {
            r.control_id: r
            for r in session.execute(
                select(
                    _res.control_id,
                    _res.status,
                    _res.measured_value,
                    _res.threshold,
                    _res.evidence_count,
                    _res.summary,
                    _res.details,
                ).where(_res.run_id == run.id)
            )
        }
    last_pass = dict(
        session.execute(
            select(_res.control_id, func.max(_res.evaluated_at))
            .where(_res.status == ResultStatus.passed.value)
            .group_by(_res.control_id)
        ).all()
    )
    open_finding = dict(
        session.execute(
            select(_fd.control_id, func.max(_fd.id)).where(_fd.status.in_(_OPEN)).group_by(_fd.control_id)
        ).all()
    )
    rows = []
    for c in session.execute(
        select(_c.id, _c.title_ko, _c.title_en, _c.reference, _c.severity, _c.evaluator)
        .where(_c.enabled.is_(True))
        .order_by(_c.id)
    ):
        r = results.get(c.id)
        rows.append(
            ControlStatus(
                control_id=c.id,
                title_ko=c.title_ko,
                title_en=c.title_en,
                reference=c.reference,
                severity=str(c.severity),
                evaluator=c.evaluator,
                status=str(r.status) if r is not None else None,
                measured=r.measured_value if r is not None else None,
                threshold=r.threshold if r is not None else None,
                evidence=int(r.evidence_count) if r is not None else 0,
                summary=r.summary if r is not None else "",
                details=dict(r.details or {}) if r is not None else {},
                last_passed_at=_aware(last_pass.get(c.id)),
                open_finding_id=open_finding.get(c.id),
            )
        )
    return rows


def run_trend(session: Session, *, limit: int = 24) -> list[RunSummary]:
    """The newest `limit` runs, oldest first (one point per run for the trend chart)."""
    rows = session.execute(select(*_RUN_COLUMNS).order_by(_run.started_at.desc(), _run.id.desc()).limit(limit)).all()
    return [_run_summary(r) for r in reversed(rows)]


def finding_ages(session: Session, today: date) -> FindingAges:
    """Open findings by severity × age bucket (days since opened, as of `today`), overdue per severity."""
    ages = FindingAges(
        counts={s.value: dict.fromkeys((b for b, _, _ in AGE_BUCKETS), 0) for s in SEVERITY_ORDER},
        overdue=dict.fromkeys((s.value for s in SEVERITY_ORDER), 0),
    )
    rows = session.execute(
        select(_fd.severity, _fd.status, _fd.opened_at, _fd.due_on).where(_fd.status.in_(_OPEN))
    ).all()
    # Open findings are few (one per failing control at most); the bucketing is done here, on dates.
    for severity, status, opened_at, due_on in rows:
        age = (today - opened_at.date()).days
        bucket = next(b for b, low, high in AGE_BUCKETS if age >= low and (high is None or age < high))
        ages.counts[str(severity)][bucket] += 1
        ages.total_open += 1
        if str(status) == FindingStatus.risk_accepted.value:
            ages.risk_accepted += 1
        elif due_on < today:
            ages.overdue[str(severity)] += 1
    ages.closed = int(
        session.scalar(select(func.count()).where(_fd.status == FindingStatus.closed.value).select_from(Finding)) or 0
    )
    return ages


def open_findings(session: Session, *, limit: int) -> tuple[list[Finding], int]:
    """The open findings most in need of attention (by due date, then severity), at most `limit`, and the total."""
    total = int(session.scalar(select(func.count()).select_from(Finding).where(_fd.status.in_(_OPEN))) or 0)
    rows = session.scalars(
        select(Finding).where(_fd.status.in_(_OPEN)).order_by(_fd.due_on, _SEVERITY_RANK, _fd.id).limit(limit)
    ).all()
    return list(rows), total


def fleet_by_status(session: Session) -> dict[str, int]:
    """Femtocells per lifecycle status."""
    return {str(s): int(n) for s, n in session.execute(select(_f.status, func.count()).group_by(_f.status))}


def _month(session: Session, column: Any) -> Any:
    """'YYYY-MM' of a UTC instant column, in the dialect's own function."""
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.to_char(column, "YYYY-MM")


REMEDIATION_KINDS = ("blocked", "revoked", "decommissioned")


def monthly_remediation(session: Session, *, since: datetime | None, until: datetime) -> dict[str, Counter[str]]:
    """Per month from `since` (None: from the first record): units blocked, certificates revoked, units
    decommissioned, from their timestamps, up to `until`.

    One pass over the fleet: the three months are grouped together (few distinct combinations) and split here.
    """
    columns = {"blocked": _f.blocked_at, "revoked": _f.cert_revoked_at, "decommissioned": _f.decommissioned_at}
    in_range = {
        key: column <= until if since is None else and_(column >= since, column <= until)
        for key, column in columns.items()
    }
    months = [case((in_range[key], _month(session, column)), else_=None) for key, column in columns.items()]
    out: dict[str, Counter[str]] = {key: Counter() for key in columns}
    for *keys, n in session.execute(select(*months, func.count()).where(or_(*in_range.values())).group_by(*months)):
        for key, month in zip(columns, keys, strict=True):
            if month is not None:
                out[key][str(month)] += int(n)
    return out


def fleet_figures(session: Session, *, until: datetime) -> dict[str, Any]:
    """The fleet's figures for a control run to keep (see `FleetFigures`): two aggregate scans of the inventory."""
    monthly = monthly_remediation(session, since=None, until=until)
    figures = FleetFigures(
        by_status=fleet_by_status(session),
        monthly={kind: dict(sorted(monthly[kind].items())) for kind in REMEDIATION_KINDS},
    )
    return figures.model_dump()
