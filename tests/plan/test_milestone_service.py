"""Milestones in the database: cycles refused with the cycle named, slips propagated and reported, critical path,
lateness, deletion rules, status and progress, optimistic versioning, audit."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import inspect
from sqlmodel import Session

from tests.plan import factories as f
from tracker.audit import service as audit
from tracker.auth.models import Principal, Role
from tracker.errors import Conflict, NotFound, Stale
from tracker.milestones import service
from tracker.milestones.models import (
    DependencyCreate,
    Milestone,
    MilestoneRebaselineRequest,
    MilestoneStatus,
    MilestoneUpdate,
)
from tracker.plan.models import WorkstreamCode

TODAY = date(2026, 11, 21)


@pytest.fixture
def planned(session: Session, actor: Principal) -> Session:
    f.program(session, actor)
    return session


def chain(session: Session, actor: Principal) -> dict[str, int]:
    """A(Jan 1-Jan 31) -> B(Feb 1-Mar 2, 29 days) -> C(Mar 3-Apr 2, 30 days); D(no start, Jun 30) after A."""
    a = f.milestone(session, actor, "A", baseline_start=date(2027, 1, 1), baseline_date=date(2027, 1, 31))
    b = f.milestone(session, actor, "B", baseline_start=date(2027, 2, 1), baseline_date=date(2027, 3, 2))
    c = f.milestone(session, actor, "C", baseline_start=date(2027, 3, 3), baseline_date=date(2027, 4, 2))
    d = f.milestone(session, actor, "D", baseline_date=date(2027, 6, 30))
    f.depends(session, actor, b, a)
    f.depends(session, actor, c, b)
    f.depends(session, actor, d, a)
    return {"A": a.id, "B": b.id, "C": c.id, "D": d.id}


def test_a_dependency_that_closes_a_cycle_is_409_naming_the_cycle_in_order(planned: Session, actor: Principal) -> None:
    ids = chain(planned, actor)
    with pytest.raises(Conflict) as exc:
        service.add_dependency(
            session=planned, successor_id=ids["A"], data=DependencyCreate(predecessor_id=ids["C"]), actor=actor
        )
    assert "would close the cycle C → A → B → C" in exc.value.message
    assert exc.value.field == "predecessor_id"
    with pytest.raises(Conflict, match="cycle A → A"):
        service.add_dependency(
            session=planned, successor_id=ids["A"], data=DependencyCreate(predecessor_id=ids["A"]), actor=actor
        )
    with pytest.raises(Conflict, match="already depends on"):
        service.add_dependency(
            session=planned, successor_id=ids["B"], data=DependencyCreate(predecessor_id=ids["A"]), actor=actor
        )


def test_moving_a_forecast_pushes_dependents_and_reports_which_now_miss_their_baseline(
    planned: Session, actor: Principal
) -> None:
    ids = chain(planned, actor)
    a = service.get(session=planned, id=ids["A"])
    change = service.update(
        session=planned,
        id=ids["A"],
        data=MilestoneUpdate(forecast_date=date(2027, 2, 20)),
        if_match=a.version,
        actor=actor,
        today=TODAY,
    )
    slip = change.slip
    assert slip is not None and slip.slip_days == 20 and slip.applied
    # B takes 29 days after A: 2027-03-21 (was 03-02); C 30 days after B: 2027-04-20 (was 04-02). D has float.
    moved = {m.code: (m.new_forecast, m.slip_days, m.newly_misses_baseline) for m in slip.moved}
    assert moved == {"B": (date(2027, 3, 21), 19, True), "C": (date(2027, 4, 20), 18, True)}
    assert slip.now_missing_baseline == ["A", "B", "C"]
    assert service.get(session=planned, id=ids["C"]).forecast_date == date(2027, 4, 20)
    assert service.get(session=planned, id=ids["D"]).forecast_date == date(2027, 6, 30)
    actions = [e.action for e in audit.history(planned, entity_type="milestone", entity_id=ids["C"])]
    assert actions == ["create", "reschedule"]


def test_slip_dry_run_reports_without_writing(planned: Session, actor: Principal) -> None:
    ids = chain(planned, actor)
    before = service.get(session=planned, id=ids["B"])
    report = service.propagate_slip(
        session=planned, id=ids["A"], forecast_date=date(2027, 3, 31), actor=actor, dry_run=True
    )
    assert not report.applied
    assert [m.code for m in report.moved] == ["B", "C", "D"][: len(report.moved)]
    assert {m.code for m in report.moved} == {"B", "C"}
    after = service.get(session=planned, id=ids["B"])
    assert (after.forecast_date, after.version) == (before.forecast_date, before.version)
    assert service.get(session=planned, id=ids["A"]).forecast_date == date(2027, 1, 31)


def test_slip_through_the_service_writes_and_stops_at_float(planned: Session, actor: Principal) -> None:
    ids = chain(planned, actor)
    report = service.propagate_slip(session=planned, id=ids["A"], forecast_date=date(2027, 7, 15), actor=actor)
    moved = {m.code: m.new_forecast for m in report.moved}
    # D has no duration: it only has to finish no earlier than A.
    assert moved == {"B": date(2027, 8, 13), "C": date(2027, 9, 12), "D": date(2027, 7, 15)}
    assert service.get(session=planned, id=ids["A"]).forecast_date == date(2027, 7, 15)


def test_forecast_earlier_than_the_predecessors_allow_is_409(planned: Session, actor: Principal) -> None:
    ids = chain(planned, actor)
    with pytest.raises(Conflict) as exc:
        service.update(
            session=planned,
            id=ids["B"],
            data=MilestoneUpdate(forecast_date=date(2027, 2, 10)),
            if_match=None,
            actor=actor,
            today=TODAY,
        )
    assert "predecessor 'A' finishes on 2027-01-31" in exc.value.message
    assert "2027-03-01 at the earliest" in exc.value.message


def test_a_new_dependency_pushes_the_successor_when_it_must(planned: Session, actor: Principal) -> None:
    early = f.milestone(planned, actor, "E1", baseline_start=date(2027, 1, 1), baseline_date=date(2027, 1, 11))
    late = f.milestone(planned, actor, "L1", baseline_date=date(2027, 3, 1), forecast_date=date(2027, 3, 20))
    change = service.add_dependency(
        session=planned, successor_id=early.id, data=DependencyCreate(predecessor_id=late.id), actor=actor
    )
    assert change.dependency.predecessor_code == "L1" and change.dependency.successor_code == "E1"
    assert [(m.code, m.new_forecast) for m in change.moved] == [("E1", date(2027, 3, 30))]


def test_critical_path_matches_the_hand_computed_network(planned: Session, actor: Principal) -> None:
    # The textbook network in dates: A 3 days, B 4 and C 2 after A, D 5 after B, E 3 after C, F 2 after D and E.
    d0 = date(2027, 1, 1)

    def ms(code: str, start: int, end: int) -> int:
        return f.milestone(
            planned,
            actor,
            code,
            baseline_start=date.fromordinal(d0.toordinal() + start),
            baseline_date=date.fromordinal(d0.toordinal() + end),
        ).id

    ids = {"A": ms("A", 0, 3), "B": ms("B", 3, 7), "C": ms("C", 3, 5), "D": ms("D", 7, 12), "E": ms("E", 5, 8)}
    ids["F"] = ms("F", 12, 14)
    for pred, succ in [("A", "B"), ("A", "C"), ("B", "D"), ("C", "E"), ("D", "F"), ("E", "F")]:
        service.add_dependency(
            session=planned, successor_id=ids[succ], data=DependencyCreate(predecessor_id=ids[pred]), actor=actor
        )
    path = service.critical_path(session=planned)
    assert path.target_code == "F" and path.finish == date(2027, 1, 15)
    assert [(s.code, s.duration_days, s.float_days) for s in path.steps] == [
        ("A", 3, 0),
        ("B", 4, 0),
        ("D", 5, 0),
        ("F", 2, 0),
    ]
    to_e = service.critical_path(session=planned, to=ids["E"])
    assert [s.code for s in to_e.steps] == ["A", "C", "E"] and [s.float_days for s in to_e.steps] == [0, 0, 0]
    with pytest.raises(NotFound):
        service.critical_path(session=planned, to=999_999)


def test_critical_path_of_an_empty_plan_is_empty(planned: Session) -> None:
    path = service.critical_path(session=planned)
    assert path.steps == [] and path.target_code is None


def test_late_lists_open_milestones_most_late_first_with_what_they_delay(planned: Session, actor: Principal) -> None:
    ids = chain(planned, actor)
    service.propagate_slip(session=planned, id=ids["B"], forecast_date=date(2027, 3, 12), actor=actor)
    done_late = f.milestone(
        planned,
        actor,
        "X",
        baseline_date=date(2026, 6, 1),
        status=MilestoneStatus.done,
        actual_date=date(2026, 7, 1),
    )
    overdue = f.milestone(planned, actor, "Y", baseline_date=date(2026, 11, 1), forecast_date=date(2026, 11, 1))
    late = service.late(session=planned, as_of=TODAY)
    assert [(x.milestone.code, x.days_late) for x in late] == [("Y", 20), ("B", 10), ("C", 9)]
    by_code = {x.milestone.code: x for x in late}
    assert [d.code for d in by_code["B"].delays] == ["C"]
    assert by_code["Y"].expected_finish == TODAY
    assert done_late.code not in by_code
    # Before X was done (as of 2026-06-20) it was late too; Y was not yet due. B and C are judged by today's
    # forecast (earlier forecasts live in the audit chain, not in the schedule).
    earlier = [x.milestone.code for x in service.late(session=planned, as_of=date(2026, 6, 20))]
    assert earlier == ["X", "B", "C"]
    page = service.list_milestones(session=planned, late=True, as_of=TODAY)
    assert sorted(m.code for m in page.items) == ["B", "C", "Y"]
    on_time = service.list_milestones(session=planned, late=False, as_of=TODAY)
    assert sorted(m.code for m in on_time.items) == ["A", "D", "X"]
    assert overdue.id in {m.id for m in page.items}


def test_list_filters_and_pages(planned: Session, actor: Principal) -> None:
    chain(planned, actor)
    f.milestone(
        planned, actor, "ENC", baseline_date=date(2027, 5, 1), workstream=WorkstreamCode.encryption, owner="DPO"
    )
    assert [m.code for m in service.list_milestones(session=planned, workstream=WorkstreamCode.encryption).items] == [
        "ENC"
    ]
    assert [m.code for m in service.list_milestones(session=planned, owner="DPO").items] == ["ENC"]
    first = service.list_milestones(session=planned, limit=2)
    second = service.list_milestones(session=planned, limit=2, cursor=first.next_cursor)
    third = service.list_milestones(session=planned, limit=2, cursor=second.next_cursor)
    assert [m.code for m in first.items + second.items + third.items] == ["A", "B", "C", "ENC", "D"]
    assert third.next_cursor is None
    b = [m for m in second.items + first.items if m.code == "B"][0]
    assert b.predecessor_ids == [first.items[0].id]


def test_delete_is_refused_while_anything_depends_on_the_milestone(planned: Session, actor: Principal) -> None:
    ids = chain(planned, actor)
    with pytest.raises(Conflict, match="B, D depend on it"):
        service.delete_milestone(session=planned, id=ids["A"], if_match=None, actor=actor)
    service.remove_dependency(session=planned, successor_id=ids["B"], predecessor_id=ids["A"], actor=actor)
    service.remove_dependency(session=planned, successor_id=ids["D"], predecessor_id=ids["A"], actor=actor)
    service.delete_milestone(session=planned, id=ids["A"], if_match=1, actor=actor)
    with pytest.raises(NotFound):
        service.get(session=planned, id=ids["A"])
    deletions = audit.list_events(planned, action="delete").items
    assert [e.entity_type for e in deletions] == ["milestone_dependency", "milestone_dependency", "milestone"]
    assert deletions[-1].state["code"] == "A"
    with pytest.raises(NotFound):
        service.remove_dependency(session=planned, successor_id=ids["C"], predecessor_id=ids["A"], actor=actor)


def test_stale_if_match_is_412_and_the_version_moves_once_per_update(planned: Session, actor: Principal) -> None:
    m = f.milestone(planned, actor, "A", baseline_date=date(2027, 1, 31))
    change = service.update(
        session=planned,
        id=m.id,
        data=MilestoneUpdate(owner="CISO", percent_complete=10, reported_on=date(2026, 11, 1)),
        if_match=1,
        actor=actor,
        today=TODAY,
    )
    assert change.milestone.version == 2 and change.milestone.status == MilestoneStatus.in_progress
    assert change.slip is None
    with pytest.raises(Stale):
        service.update(session=planned, id=m.id, data=MilestoneUpdate(owner="x"), if_match=1, actor=actor, today=TODAY)
    with pytest.raises(Stale):
        service.delete_milestone(session=planned, id=m.id, if_match=1, actor=actor)


def test_completing_records_100_percent_on_the_actual_date_and_finish_pushes_dependents(
    planned: Session, actor: Principal
) -> None:
    ids = chain(planned, actor)
    for day, pct in ((date(2026, 10, 1), 40), (date(2026, 11, 1), 80)):
        service.update(
            session=planned,
            id=ids["A"],
            data=MilestoneUpdate(percent_complete=pct, reported_on=day),
            if_match=None,
            actor=actor,
            today=TODAY,
        )
    done = service.update(
        session=planned,
        id=ids["A"],
        data=MilestoneUpdate(status=MilestoneStatus.done, actual_date=date(2026, 11, 20)),
        if_match=None,
        actor=actor,
        today=TODAY,
    )
    assert (done.milestone.percent_complete, done.milestone.forecast_date) == (100, date(2026, 11, 20))
    progress = [(p.reported_on, p.percent_complete) for p in service.list_progress(session=planned, id=ids["A"])]
    assert progress == [(date(2026, 10, 1), 40), (date(2026, 11, 1), 80), (date(2026, 11, 20), 100)]
    # Finished early: nothing is pulled earlier.
    assert done.slip is not None and done.slip.moved == []


def test_status_rules(planned: Session, actor: Principal) -> None:
    m = f.milestone(planned, actor, "A", baseline_date=date(2027, 1, 31))

    def patch(**fields: object) -> object:
        return service.update(
            session=planned, id=m.id, data=MilestoneUpdate(**fields), if_match=None, actor=actor, today=TODAY
        )

    with pytest.raises(Conflict, match="100 percent complete means done"):
        patch(status=MilestoneStatus.in_progress, percent_complete=100)
    with pytest.raises(Conflict, match="in the future"):
        patch(status=MilestoneStatus.done, actual_date=date(2026, 12, 1))
    with pytest.raises(Conflict, match="only set on done"):
        patch(actual_date=date(2026, 1, 1))
    patch(percent_complete=100, reported_on=date(2026, 11, 2))
    assert service.get(session=planned, id=m.id).status == MilestoneStatus.done
    with pytest.raises(Conflict, match="100 percent complete means done"):
        patch(status=MilestoneStatus.in_progress)
    reopened = patch(status=MilestoneStatus.in_progress, percent_complete=90, note="Evidence rejected")
    assert reopened.milestone.actual_date is None  # type: ignore[attr-defined]
    patch(status=MilestoneStatus.cancelled)
    with pytest.raises(Conflict, match="cannot go from cancelled to planned; allowed next states: none"):
        patch(status=MilestoneStatus.planned)


def test_progress_reports_are_kept_in_date_order(planned: Session, actor: Principal) -> None:
    m = f.milestone(planned, actor, "A", baseline_date=date(2027, 1, 31))
    service.update(
        session=planned,
        id=m.id,
        data=MilestoneUpdate(percent_complete=30, reported_on=date(2026, 10, 31)),
        if_match=None,
        actor=actor,
        today=TODAY,
    )
    with pytest.raises(Conflict, match="already has a progress report dated 2026-10-31") as exc:
        service.update(
            session=planned,
            id=m.id,
            data=MilestoneUpdate(percent_complete=20, reported_on=date(2026, 9, 30)),
            if_match=None,
            actor=actor,
            today=TODAY,
        )
    assert exc.value.field == "reported_on"
    assert service.get(session=planned, id=m.id).percent_complete == 30


def test_rebaseline_is_recorded_and_a_longer_duration_moves_the_forecast(planned: Session, actor: Principal) -> None:
    ids = chain(planned, actor)
    ciso = Principal(name="ciso-kim", role=Role.ciso)
    change = service.rebaseline(
        session=planned,
        id=ids["B"],
        data=MilestoneRebaselineRequest(baseline_date=date(2027, 4, 1), weight_krw=5, reason="Scope grew"),
        actor=ciso,
    )
    assert change.milestone.baseline_date == date(2027, 4, 1) and change.milestone.weight_krw == 5
    # B now lasts 59 days after A (2027-01-31): forecast 2027-03-31 at the earliest; its own forecast was 03-02.
    assert change.slip is not None and change.slip.new_forecast == date(2027, 3, 31)
    assert [(m.code, m.new_forecast) for m in change.slip.moved] == [("C", date(2027, 4, 30))]
    events = audit.list_events(planned, entity_type="milestone_rebaseline").items
    assert events[0].state["previous_baseline_date"] == "2027-03-02" and events[0].actor == "ciso-kim"


def test_audit_states_are_full_rows_under_the_table_name(planned: Session, actor: Principal) -> None:
    ids = chain(planned, actor)
    columns = {c.key for c in inspect(Milestone).columns}
    event = audit.history(planned, entity_type="milestone", entity_id=ids["A"])[0]
    assert set(event.state) == columns
    assert event.state["evidence_refs"] == []
    edges = audit.list_events(planned, entity_type="milestone_dependency").items
    assert len(edges) == 3 and {"predecessor_id", "successor_id"} <= set(edges[0].state)


def test_unknown_workstream_and_duplicate_code_are_refused(session: Session, actor: Principal) -> None:
    with pytest.raises(NotFound, match="not loaded"):
        f.milestone(session, actor, "A", baseline_date=date(2027, 1, 31))
    f.program(session, actor)
    f.milestone(session, actor, "A", baseline_date=date(2027, 1, 31))
    with pytest.raises(Conflict, match="code 'A' already exists"):
        f.milestone(session, actor, "A", baseline_date=date(2027, 1, 31))
