"""Zero-trust maturity: the roll-up rules on a hand-computed example, gaps to targets, assessment rules."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from tracker.auth.models import Principal
from tracker.errors import Conflict, NotFound, Stale
from tracker.zero_trust import maturity, service
from tracker.zero_trust.models import (
    ZtAssessmentCreate,
    ZtPillar,
    ZtStage,
    ZtSystemCreate,
    ZtSystemUpdate,
    ZtTargetCreate,
    ZtTargetUpdate,
)

TODAY = date(2026, 11, 21)
IDENTITY = [
    "identity.authentication",
    "identity.identity_stores",
    "identity.risk_assessments",
    "identity.access_management",
]


@pytest.fixture
def catalog(session: Session, actor: Principal) -> Session:
    """The identity pillar's functions, one data function, and three systems in scope for identity."""
    for i, code in enumerate([*IDENTITY, "data.data_encryption"]):
        pillar = ZtPillar.identity if code.startswith("identity") else ZtPillar.data
        service.create_function(
            session=session, code=code, pillar=pillar, name_en=code, name_ko=code, position=i, actor=actor
        )
    for code in ("S1", "S2", "S3"):
        service.create_system(
            session=session,
            data=ZtSystemCreate(code=code, name_ko=code, name_en=code, pillars=[ZtPillar.identity]),
            actor=actor,
        )
    return session


def assess(session: Session, actor: Principal, system: str, function: str, stage: ZtStage, day: date) -> None:
    system_id = next(s.id for s in service.list_systems(session=session).items if s.code == system)
    service.create_assessment(
        session=session,
        data=ZtAssessmentCreate(
            system_id=system_id, function_code=function, stage=stage, assessed_on=day, assessor="Assessor Lee"
        ),
        actor=actor,
        today=TODAY,
    )


def test_lower_median_weakest_function_and_gap() -> None:
    assert maturity.lower_median([1, 3, 2]) == 2
    assert maturity.lower_median([1, 2, 3, 4]) == 2
    assert maturity.pillar_level({"a": 3, "b": 2}) == 2 and maturity.pillar_level({}) is None
    assert maturity.gap_steps(2, 4) == 2 and maturity.gap_steps(4, 3) == 0 and maturity.gap_steps(None, 3) is None
    assert maturity.mean_level([1, 2, 2, 4]) == 2.2


def test_pillar_stage_gap_by_hand(catalog: Session, actor: Principal) -> None:
    # Authentication: S1 advanced, S2 advanced, S3 initial      -> lower median advanced
    # Identity stores: S1 initial, S2 advanced, S3 traditional  -> lower median initial
    # Risk assessments: S1 optimal, S2 optimal, S3 optimal       -> optimal
    # Access management: S1 advanced, S2 initial, (S3 never)     -> [3, 2, 1] -> initial
    # Pillar = weakest function = initial (level 2); target advanced (3) -> gap 1.
    day = date(2026, 10, 1)
    plan = {
        "identity.authentication": {"S1": ZtStage.advanced, "S2": ZtStage.advanced, "S3": ZtStage.initial},
        "identity.identity_stores": {"S1": ZtStage.initial, "S2": ZtStage.advanced, "S3": ZtStage.traditional},
        "identity.risk_assessments": {"S1": ZtStage.optimal, "S2": ZtStage.optimal, "S3": ZtStage.optimal},
        "identity.access_management": {"S1": ZtStage.advanced, "S2": ZtStage.initial},
    }
    for function, stages in plan.items():
        for system, stage in stages.items():
            assess(catalog, actor, system, function, stage, day)
    service.create_target(
        session=catalog, data=ZtTargetCreate(pillar=ZtPillar.identity, year=2026, stage=ZtStage.advanced), actor=actor
    )
    summary = service.summary(session=catalog, year=2026, as_of=TODAY)
    identity = next(p for p in summary.pillars if p.pillar == ZtPillar.identity)
    assert {f.code: f.stage for f in identity.functions} == {
        "identity.authentication": ZtStage.advanced,
        "identity.identity_stores": ZtStage.initial,
        "identity.risk_assessments": ZtStage.optimal,
        "identity.access_management": ZtStage.initial,
    }
    assert identity.current_stage == ZtStage.initial and identity.target_stage == ZtStage.advanced
    assert (identity.gap_steps, identity.met, identity.unassessed_pairs) == (1, False, 1)
    # Mean of the 12 pairs: (3+3+2) + (2+3+1) + (4+4+4) + (3+2+1) = 32 / 12 = 2.67
    assert identity.mean_level == 2.7
    assert {s.system_code: s.stage for s in identity.systems} == {
        "S1": ZtStage.initial,
        "S2": ZtStage.initial,
        "S3": ZtStage.traditional,
    }
    counts = {c.stage: c.count for c in identity.functions[0].counts}
    assert counts == {ZtStage.traditional: 0, ZtStage.initial: 1, ZtStage.advanced: 2, ZtStage.optimal: 0}
    data = next(p for p in summary.pillars if p.pillar == ZtPillar.data)
    assert (data.systems_in_scope, data.current_stage, data.gap_steps) == (0, None, None)


def test_the_latest_assessment_on_or_before_the_date_counts(catalog: Session, actor: Principal) -> None:
    for function in IDENTITY:
        for system in ("S1", "S2", "S3"):
            assess(catalog, actor, system, function, ZtStage.initial, date(2026, 3, 1))
            assess(catalog, actor, system, function, ZtStage.advanced, date(2026, 9, 1))
    before = service.summary(session=catalog, year=2026, as_of=date(2026, 8, 31))
    after = service.summary(session=catalog, year=2026, as_of=date(2026, 9, 1))
    stage = {
        s.as_of: next(p for p in s.pillars if p.pillar == ZtPillar.identity).current_stage for s in (before, after)
    }
    assert stage == {date(2026, 8, 31): ZtStage.initial, date(2026, 9, 1): ZtStage.advanced}
    identity = next(p for p in after.pillars if p.pillar == ZtPillar.identity)
    assert identity.target_stage is None and identity.gap_steps is None


def test_a_past_year_is_summarised_as_of_its_last_day(catalog: Session) -> None:
    assert service.summary(session=catalog, year=2025).as_of == date(2025, 12, 31)


def test_assessment_outside_the_systems_scope_or_in_the_future_is_refused(catalog: Session, actor: Principal) -> None:
    with pytest.raises(Conflict, match="not in scope for the data pillar") as exc:
        assess(catalog, actor, "S1", "data.data_encryption", ZtStage.initial, date(2026, 1, 1))
    assert exc.value.field == "function_code"
    with pytest.raises(Conflict, match="in the future"):
        assess(catalog, actor, "S1", "identity.authentication", ZtStage.initial, date(2026, 12, 1))
    with pytest.raises(NotFound, match="not a function"):
        assess(catalog, actor, "S1", "identity.nope", ZtStage.initial, date(2026, 1, 1))


def test_targets_are_unique_per_pillar_and_year_and_versioned(catalog: Session, actor: Principal) -> None:
    target = service.create_target(
        session=catalog, data=ZtTargetCreate(pillar=ZtPillar.identity, year=2027, stage=ZtStage.initial), actor=actor
    )
    with pytest.raises(Conflict, match="already has target"):
        service.create_target(
            session=catalog,
            data=ZtTargetCreate(pillar=ZtPillar.identity, year=2027, stage=ZtStage.optimal),
            actor=actor,
        )
    changed = service.update_target(
        session=catalog, id=target.id, data=ZtTargetUpdate(stage=ZtStage.advanced), if_match=1, actor=actor
    )
    assert (changed.stage, changed.version) == (ZtStage.advanced, 2)
    with pytest.raises(Stale):
        service.update_target(
            session=catalog, id=target.id, data=ZtTargetUpdate(stage=ZtStage.optimal), if_match=1, actor=actor
        )


def test_systems_keep_pillars_in_model_order_and_refuse_duplicates(catalog: Session, actor: Principal) -> None:
    system = service.create_system(
        session=catalog,
        data=ZtSystemCreate(
            code="S9", name_ko="s", name_en="s", pillars=[ZtPillar.data, ZtPillar.identity, ZtPillar.data]
        ),
        actor=actor,
    )
    assert system.pillars == [ZtPillar.identity, ZtPillar.data]
    with pytest.raises(Conflict):
        service.create_system(
            session=catalog,
            data=ZtSystemCreate(code="S9", name_ko="s", name_en="s", pillars=[ZtPillar.data]),
            actor=actor,
        )
    updated = service.update_system(
        session=catalog, id=system.id, data=ZtSystemUpdate(pillars=[ZtPillar.networks]), if_match=1, actor=actor
    )
    assert updated.pillars == [ZtPillar.networks] and updated.version == 2
    page = service.list_assessments(session=catalog, pillar=ZtPillar.identity)
    assert page.items == []
