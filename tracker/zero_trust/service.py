"""Zero-trust catalog, systems in scope, assessments over time, yearly targets and the maturity summary.

The roll-up rules (unassessed pairs count as traditional; a function is the lower median over systems; a pillar is
its weakest function) are in `tracker.zero_trust.maturity`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from tracker.audit import service as audit
from tracker.auth.models import Principal
from tracker.errors import Conflict, NotFound
from tracker.pagination import DEFAULT_LIMIT, Page, build_page, keyset_page
from tracker.plan.calendar import today_seoul
from tracker.plan.fields import changes_of
from tracker.records import check_version, flush_versioned
from tracker.types import now_utc
from tracker.zero_trust import maturity
from tracker.zero_trust.models import (
    CROSS_CUTTING,
    LEVEL_STAGE,
    STAGE_LEVEL,
    StageCount,
    ZtAssessment,
    ZtAssessmentCreate,
    ZtAssessmentPublic,
    ZtFunction,
    ZtFunctionPublic,
    ZtFunctionSummary,
    ZtPillar,
    ZtPillarSummary,
    ZtStage,
    ZtSummary,
    ZtSystem,
    ZtSystemCreate,
    ZtSystemPublic,
    ZtSystemStage,
    ZtSystemUpdate,
    ZtTarget,
    ZtTargetCreate,
    ZtTargetPublic,
    ZtTargetUpdate,
)

_A = ZtAssessment.__table__.c  # type: ignore[attr-defined]
_F = ZtFunction.__table__.c  # type: ignore[attr-defined]
_S = ZtSystem.__table__.c  # type: ignore[attr-defined]

# Pillar names for summaries; the catalog in seed/zero_trust.yaml carries the same names.
PILLAR_NAMES: dict[ZtPillar, tuple[str, str]] = {
    ZtPillar.identity: ("Identity", "신원"),
    ZtPillar.devices: ("Devices", "기기"),
    ZtPillar.networks: ("Networks", "네트워크"),
    ZtPillar.applications_workloads: ("Applications & Workloads", "애플리케이션 및 워크로드"),
    ZtPillar.data: ("Data", "데이터"),
    ZtPillar.visibility_analytics: ("Visibility & Analytics", "가시성 및 분석"),
    ZtPillar.automation_orchestration: ("Automation & Orchestration", "자동화 및 오케스트레이션"),
    ZtPillar.governance: ("Governance", "거버넌스"),
}


# --- catalog -----------------------------------------------------------------------------------------------------


def create_function(
    *, session: Session, code: str, pillar: ZtPillar, name_en: str, name_ko: str, position: int, actor: Principal
) -> ZtFunctionPublic:
    """Add a catalog function (the seed loads the ZTMM v2 catalog)."""
    if session.exec(select(ZtFunction.id).where(col(ZtFunction.code) == code)).first() is not None:
        raise Conflict(f"Zero-trust function '{code}' already exists.", field="code")
    function = ZtFunction(code=code, pillar=pillar, name_en=name_en, name_ko=name_ko, position=position)
    session.add(function)
    session.flush()
    audit.record(
        session, actor=actor, action="create", entity_type="zt_function", entity_id=function.id or 0, state=function
    )
    return ZtFunctionPublic.model_validate(function, from_attributes=True)


def list_functions(*, session: Session, pillar: ZtPillar | None = None) -> list[ZtFunctionPublic]:
    """The catalog in model order."""
    stmt = select(ZtFunction).order_by(col(ZtFunction.position), col(ZtFunction.id))
    if pillar is not None:
        stmt = stmt.where(col(ZtFunction.pillar) == pillar)
    return [ZtFunctionPublic.model_validate(f, from_attributes=True) for f in session.exec(stmt)]


# --- systems -----------------------------------------------------------------------------------------------------


def _system_row(session: Session, id: int, *, field: str = "id") -> ZtSystem:
    system = session.get(ZtSystem, id)
    if system is None:
        raise NotFound(f"No zero-trust system with id {id}.", field=field)
    return system


def _system_public(system: ZtSystem) -> ZtSystemPublic:
    return ZtSystemPublic.model_validate(system, from_attributes=True)


def _unique_pillars(pillars: list[ZtPillar]) -> list[ZtPillar]:
    # Catalog order, no duplicates, so the stored list reads the same however it was sent.
    chosen = {ZtPillar(p) for p in pillars}
    return [p for p in ZtPillar if p in chosen]


def list_systems(*, session: Session, cursor: str | None = None, limit: int = DEFAULT_LIMIT) -> Page[ZtSystemPublic]:
    """Systems in scope, by code."""
    kind = "zt_system:code:asc"
    paged = keyset_page(select(ZtSystem), kind=kind, sort_column=_S.code, id_column=_S.id, cursor=cursor, limit=limit)
    page = build_page(list(session.execute(paged).scalars()), kind=kind, limit=limit, sort_attr="code")
    return Page(items=[_system_public(s) for s in page.items], next_cursor=page.next_cursor)


def get_system(*, session: Session, id: int) -> ZtSystemPublic:
    """One system."""
    return _system_public(_system_row(session, id))


def create_system(*, session: Session, data: ZtSystemCreate, actor: Principal) -> ZtSystemPublic:
    """Add a system to the zero-trust scope."""
    if session.exec(select(ZtSystem.id).where(col(ZtSystem.code) == data.code)).first() is not None:
        raise Conflict(f"A zero-trust system with code '{data.code}' already exists.", field="code")
    system = ZtSystem.model_validate(data.model_dump() | {"pillars": _unique_pillars(data.pillars)})
    session.add(system)
    session.flush()
    audit.record(session, actor=actor, action="create", entity_type="zt_system", entity_id=system.id or 0, state=system)
    return _system_public(system)


def update_system(
    *, session: Session, id: int, data: ZtSystemUpdate, if_match: int | None, actor: Principal
) -> ZtSystemPublic:
    """Change a system's names, description, pillars in scope or source."""
    system = _system_row(session, id)
    check_version(system, if_match, what=f"Zero-trust system '{system.code}'")
    changes = changes_of(data)
    for key, value in changes.items():
        setattr(system, key, _unique_pillars(value) if key == "pillars" else value)
    if changes:
        system.updated_at = now_utc()
        session.add(system)
        flush_versioned(session, what=f"Zero-trust system '{system.code}'", expected=if_match)
        audit.record(
            session, actor=actor, action="update", entity_type="zt_system", entity_id=system.id or 0, state=system
        )
    return _system_public(system)


# --- assessments -------------------------------------------------------------------------------------------------


def _function_by_code(session: Session, code: str) -> ZtFunction:
    function = session.exec(select(ZtFunction).where(col(ZtFunction.code) == code)).first()
    if function is None:
        raise NotFound(f"'{code}' is not a function of the zero-trust catalog.", field="function_code")
    return function


def list_assessments(
    *,
    session: Session,
    system_id: int | None = None,
    function_code: str | None = None,
    pillar: ZtPillar | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[ZtAssessmentPublic]:
    """Assessments, newest first, filtered by system, function or pillar."""
    stmt = sa_select(ZtAssessment, _F.pillar).join(ZtFunction.__table__, _F.code == _A.function_code)  # type: ignore[attr-defined]
    if system_id is not None:
        stmt = stmt.where(_A.system_id == system_id)
    if function_code is not None:
        stmt = stmt.where(_A.function_code == function_code)
    if pillar is not None:
        stmt = stmt.where(_F.pillar == pillar)
    kind = "zt_assessment:assessed_on:desc"
    paged = keyset_page(
        stmt, kind=kind, sort_column=_A.assessed_on, id_column=_A.id, descending=True, cursor=cursor, limit=limit
    )
    pairs = [(row[0], row[1]) for row in session.execute(paged)]
    page = build_page([a for a, _ in pairs], kind=kind, limit=limit, sort_attr="assessed_on")
    pillars = {a.id: p for a, p in pairs}
    return Page(
        items=[
            ZtAssessmentPublic.model_validate(a, from_attributes=True, update={"pillar": pillars[a.id]})
            for a in page.items
        ],
        next_cursor=page.next_cursor,
    )


def create_assessment(
    *, session: Session, data: ZtAssessmentCreate, actor: Principal, today: date | None = None
) -> ZtAssessmentPublic:
    """Record the stage a system reached in a function; the function's pillar must be in the system's scope."""
    today = today or today_seoul()
    system = _system_row(session, data.system_id, field="system_id")
    function = _function_by_code(session, data.function_code)
    if function.pillar not in {ZtPillar(p) for p in system.pillars}:
        raise Conflict(
            f"System '{system.code}' is not in scope for the {function.pillar} pillar; add the pillar to the "
            f"system first.",
            field="function_code",
        )
    if data.assessed_on > today:
        raise Conflict(f"assessed_on {data.assessed_on} is in the future.", field="assessed_on")
    assessment = ZtAssessment.model_validate(data.model_dump() | {"created_by": actor.name})
    session.add(assessment)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="create",
        entity_type="zt_assessment",
        entity_id=assessment.id or 0,
        state=assessment,
    )
    return ZtAssessmentPublic.model_validate(assessment, from_attributes=True, update={"pillar": function.pillar})


# --- targets -----------------------------------------------------------------------------------------------------


def list_targets(*, session: Session, year: int | None = None, pillar: ZtPillar | None = None) -> list[ZtTargetPublic]:
    """Targets by year and pillar."""
    stmt = select(ZtTarget).order_by(col(ZtTarget.year), col(ZtTarget.id))
    if year is not None:
        stmt = stmt.where(col(ZtTarget.year) == year)
    if pillar is not None:
        stmt = stmt.where(col(ZtTarget.pillar) == pillar)
    return [ZtTargetPublic.model_validate(t, from_attributes=True) for t in session.exec(stmt)]


def create_target(*, session: Session, data: ZtTargetCreate, actor: Principal) -> ZtTargetPublic:
    """Set the stage a pillar should reach by the end of a year (one target per pillar and year)."""
    existing = session.exec(
        select(ZtTarget.id).where(col(ZtTarget.pillar) == data.pillar, col(ZtTarget.year) == data.year)
    ).first()
    if existing is not None:
        raise Conflict(
            f"The {data.pillar} pillar already has target {existing} for {data.year}; change that one.", field="year"
        )
    target = ZtTarget.model_validate(data)
    session.add(target)
    session.flush()
    audit.record(session, actor=actor, action="create", entity_type="zt_target", entity_id=target.id or 0, state=target)
    return ZtTargetPublic.model_validate(target, from_attributes=True)


def update_target(
    *, session: Session, id: int, data: ZtTargetUpdate, if_match: int | None, actor: Principal
) -> ZtTargetPublic:
    """Change a target's stage or source."""
    target = session.get(ZtTarget, id)
    if target is None:
        raise NotFound(f"No zero-trust target with id {id}.", field="id")
    what = f"Zero-trust target {id} ({target.pillar} {target.year})"
    check_version(target, if_match, what=what)
    changes = changes_of(data)
    for key, value in changes.items():
        setattr(target, key, value)
    if changes:
        target.updated_at = now_utc()
        session.add(target)
        flush_versioned(session, what=what, expected=if_match)
        audit.record(
            session, actor=actor, action="update", entity_type="zt_target", entity_id=target.id or 0, state=target
        )
    return ZtTargetPublic.model_validate(target, from_attributes=True)


# --- summary -----------------------------------------------------------------------------------------------------


def _latest_levels(session: Session, as_of: date) -> dict[tuple[int, str], int]:
    """The level of each (system, function) pair's latest assessment on or before `as_of` (one windowed query)."""
    ranked = (
        sa_select(
            _A.system_id,
            _A.function_code,
            _A.stage,
            func.row_number()
            .over(partition_by=(_A.system_id, _A.function_code), order_by=(_A.assessed_on.desc(), _A.id.desc()))
            .label("rank"),
        )
        .where(_A.assessed_on <= as_of)
        .subquery()
    )
    rows = session.execute(
        sa_select(ranked.c.system_id, ranked.c.function_code, ranked.c.stage).where(ranked.c.rank == 1)
    )
    return {(int(system_id), str(code)): STAGE_LEVEL[ZtStage(stage)] for system_id, code, stage in rows}


def summary(*, session: Session, year: int | None = None, as_of: date | None = None) -> ZtSummary:
    """Maturity per pillar as of a date against the year's targets, with per-function and per-system detail.

    `year` defaults to the current year; `as_of` to today, or the year's last day for a past year.
    """
    today = today_seoul()
    year = year or today.year
    as_of = as_of or min(today, date(year, 12, 31))
    systems = list(session.exec(select(ZtSystem).order_by(col(ZtSystem.code))))
    functions = list(session.exec(select(ZtFunction).order_by(col(ZtFunction.position), col(ZtFunction.id))))
    latest = _latest_levels(session, as_of)
    targets = {
        ZtPillar(t.pillar): STAGE_LEVEL[ZtStage(t.stage)]
        for t in session.exec(select(ZtTarget).where(col(ZtTarget.year) == year))
    }
    by_pillar: dict[ZtPillar, list[ZtFunction]] = defaultdict(list)
    for function in functions:
        by_pillar[ZtPillar(function.pillar)].append(function)
    pillars: list[ZtPillarSummary] = []
    for pillar in ZtPillar:
        in_scope = [s for s in systems if pillar in {ZtPillar(p) for p in s.pillars}]
        function_levels: dict[str, int] = {}
        function_rows: list[ZtFunctionSummary] = []
        pair_levels: list[int] = []
        system_levels: dict[int, list[int]] = defaultdict(list)
        unassessed = 0
        for function in by_pillar.get(pillar, []):
            if not in_scope:
                continue
            levels: dict[str, int] = {}
            for system in in_scope:
                level = latest.get((system.id or 0, function.code))
                if level is None:
                    unassessed += 1
                    level = STAGE_LEVEL[ZtStage.traditional]
                levels[system.code] = level
                system_levels[system.id or 0].append(level)
                pair_levels.append(level)
            function_levels[function.code] = maturity.function_level(levels)
            function_rows.append(
                ZtFunctionSummary(
                    code=function.code,
                    name_en=function.name_en,
                    name_ko=function.name_ko,
                    stage=LEVEL_STAGE[function_levels[function.code]],
                    counts=[
                        StageCount(stage=stage, count=sum(1 for v in levels.values() if v == STAGE_LEVEL[stage]))
                        for stage in ZtStage
                    ],
                )
            )
        current = maturity.pillar_level(function_levels)
        target = targets.get(pillar)
        gap = maturity.gap_steps(current, target)
        name_en, name_ko = PILLAR_NAMES[pillar]
        pillars.append(
            ZtPillarSummary(
                pillar=pillar,
                cross_cutting=pillar in CROSS_CUTTING,
                name_en=name_en,
                name_ko=name_ko,
                systems_in_scope=len(in_scope),
                current_stage=None if current is None else LEVEL_STAGE[current],
                mean_level=maturity.mean_level(pair_levels),
                target_stage=None if target is None else LEVEL_STAGE[target],
                gap_steps=gap,
                met=None if gap is None else gap == 0,
                unassessed_pairs=unassessed,
                functions=function_rows,
                systems=[
                    ZtSystemStage(
                        system_id=s.id or 0, system_code=s.code, stage=LEVEL_STAGE[min(system_levels[s.id or 0])]
                    )
                    for s in in_scope
                    if system_levels.get(s.id or 0)
                ],
            )
        )
    return ZtSummary(year=year, as_of=as_of, pillars=pillars)
