"""KPIs: integer values (basis points for percent), yearly targets, latest status against the target."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from tests.plan import factories as f
from tracker.auth.models import Principal
from tracker.errors import Conflict
from tracker.kpis import service
from tracker.kpis.models import KpiCreate, KpiDirection, KpiMeasurementCreate, KpiTargetPut, KpiUnit, KpiUpdate
from tracker.plan.models import WorkstreamCode

TODAY = date(2026, 11, 21)


@pytest.fixture
def planned(session: Session, actor: Principal) -> Session:
    f.program(session, actor)
    return session


def kpi(session: Session, actor: Principal, code: str, **fields: object) -> int:
    data = KpiCreate(
        code=code,
        name_ko=code,
        name_en=code,
        workstream=WorkstreamCode.access_privilege,
        unit=fields.pop("unit", KpiUnit.percent),
        **fields,  # type: ignore[arg-type]
    )
    return service.create(session=session, data=data, actor=actor).id


def measure(session: Session, actor: Principal, id: int, day: date, value: int) -> None:
    service.add_measurement(
        session=session, id=id, data=KpiMeasurementCreate(measured_on=day, value=value), actor=actor, today=TODAY
    )


def test_latest_measurement_is_compared_with_that_years_target(planned: Session, actor: Principal) -> None:
    mfa = kpi(planned, actor, "MFA")
    service.put_target(session=planned, id=mfa, year=2026, data=KpiTargetPut(value=9_000), actor=actor)
    service.put_target(session=planned, id=mfa, year=2027, data=KpiTargetPut(value=10_000), actor=actor)
    measure(planned, actor, mfa, date(2026, 6, 30), 5_000)
    measure(planned, actor, mfa, date(2026, 10, 31), 9_125)
    now = next(s for s in service.latest(session=planned, as_of=TODAY) if s.kpi.code == "MFA")
    assert (now.latest and now.latest.value, now.target, now.met) == (9_125, 9_000, True)
    assert (now.latest_display, now.target_display) == ("91.25%", "90.00%")
    midyear = service.latest(session=planned, as_of=date(2026, 7, 1))[0]
    assert (midyear.latest and midyear.latest.value, midyear.met) == (5_000, False)
    early = service.latest(session=planned, as_of=date(2026, 1, 1))[0]
    assert (early.latest, early.met, early.target) == (None, None, 9_000)


def test_lower_is_better_kpis_meet_their_target_from_below(planned: Session, actor: Principal) -> None:
    eos = kpi(planned, actor, "EOS", direction=KpiDirection.lower_is_better)
    service.put_target(session=planned, id=eos, year=2026, data=KpiTargetPut(value=2_000), actor=actor)
    measure(planned, actor, eos, date(2026, 10, 31), 2_650)
    assert service.latest(session=planned, as_of=TODAY)[0].met is False
    measure(planned, actor, eos, date(2026, 11, 20), 1_990)
    assert service.latest(session=planned, as_of=TODAY)[0].met is True


def test_percent_values_are_basis_points_up_to_100_percent(planned: Session, actor: Principal) -> None:
    mfa = kpi(planned, actor, "MFA")
    with pytest.raises(Conflict, match="basis points") as exc:
        measure(planned, actor, mfa, date(2026, 1, 1), 10_001)
    assert exc.value.field == "value"
    count = kpi(planned, actor, "BLOCKED", unit=KpiUnit.number)
    measure(planned, actor, count, date(2026, 1, 1), 123_456)
    status = next(s for s in service.latest(session=planned, as_of=TODAY) if s.kpi.code == "BLOCKED")
    assert status.latest_display == "123,456"
    with pytest.raises(Conflict, match="in the future"):
        measure(planned, actor, count, date(2026, 12, 1), 1)


def test_targets_are_replaced_in_place_and_codes_are_unique(planned: Session, actor: Principal) -> None:
    mfa = kpi(planned, actor, "MFA")
    first = service.put_target(session=planned, id=mfa, year=2026, data=KpiTargetPut(value=8_000), actor=actor)
    again = service.put_target(session=planned, id=mfa, year=2026, data=KpiTargetPut(value=8_000), actor=actor)
    changed = service.put_target(session=planned, id=mfa, year=2026, data=KpiTargetPut(value=9_000), actor=actor)
    assert (first.id, first.version, again.version) == (changed.id, 1, 1)
    assert (changed.value, changed.version) == (9_000, 2)
    assert [t.value for t in service.get(session=planned, id=mfa).targets] == [9_000]
    with pytest.raises(Conflict):
        kpi(planned, actor, "MFA")
    renamed = service.update(session=planned, id=mfa, data=KpiUpdate(name_en="MFA coverage"), if_match=1, actor=actor)
    assert renamed.name_en == "MFA coverage" and renamed.version == 2


def test_measurements_are_listed_oldest_first_within_dates(planned: Session, actor: Principal) -> None:
    mfa = kpi(planned, actor, "MFA")
    for month in (3, 6, 9):
        measure(planned, actor, mfa, date(2026, month, 30), month * 100)
    page = service.list_measurements(session=planned, id=mfa, since=date(2026, 4, 1))
    assert [m.value for m in page.items] == [600, 900]
