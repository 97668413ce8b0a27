"""Plan matters on agendas and reminders (late milestones, budget variance, milestones due), the governance record
the reports print, and the board pack rendered and archived for a meeting (service and HTTP)."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from reports import service as reports_service
from tests.conftest import auth
from tests.governance import factories
from tests.plan import factories as plan_factories
from tracker.auth.models import Principal, Role
from tracker.db import write_session
from tracker.errors import NotFound
from tracker.governance import agenda, due
from tracker.governance import service as governance_service
from tracker.governance.items import AgendaContext, Severity
from tracker.governance.models import BodyKind
from tracker.governance.schedule import Frequency
from tracker.milestones import service as milestones_service
from tracker.milestones.models import MilestoneStatus, MilestoneUpdate
from tracker.plan import service as plan_service

TODAY = date(2026, 11, 21)
M = plan_factories.M


def _ctx(review_id: int = 1, body_id: int = 1) -> AgendaContext:
    return AgendaContext(
        review_id=review_id, body_id=body_id, body_code="board", as_of=datetime(2026, 11, 21, tzinfo=UTC), today=TODAY
    )


def _plan(session: Session, actor: Principal) -> None:
    """A programme with three zero-trust milestones: 10, 45 and 120 days late (one held up by another), one done."""
    plan_factories.program(session, actor)
    plan_factories.budget_line(session, actor, amount_krw=1000 * M)
    a = plan_factories.milestone(session, actor, "A", baseline_date=date(2026, 11, 11), weight_krw=100 * M)
    plan_factories.milestone(session, actor, "B", baseline_date=date(2026, 10, 7), weight_krw=100 * M)
    c = plan_factories.milestone(session, actor, "C", baseline_date=date(2026, 7, 24), weight_krw=100 * M)
    plan_factories.depends(session, actor, a, c)
    d = plan_factories.milestone(session, actor, "D", baseline_date=date(2026, 3, 1), weight_krw=100 * M)
    milestones_service.update(
        session=session,
        id=d.id,
        data=MilestoneUpdate(status=MilestoneStatus.done, actual_date=date(2026, 2, 27), percent_complete=100),
        if_match=None,
        actor=actor,
        today=TODAY,
    )
    plan_factories.milestone(session, actor, "E", baseline_date=date(2026, 12, 1), weight_krw=100 * M)


def test_late_milestones_are_agenda_items_with_severity_by_days_late(session: Session, actor: Principal) -> None:
    _plan(session, actor)
    items = {i.ref_id: i for i in milestones_service.agenda_items(session, _ctx())}
    by_code = {milestones_service.get_by_code(session=session, code=c).id: c for c in "ABCDE"}
    severities = {by_code[int(ref)]: item.severity for ref, item in items.items()}
    assert severities == {"A": Severity.medium, "B": Severity.high, "C": Severity.critical}
    c_item = next(i for i in items.values() if i.title.startswith("Late milestone C:"))
    assert c_item.status == "120 days late" and c_item.detail is not None and "holds up 1" in c_item.detail


def test_plan_sources_are_registered_for_agendas_and_reminders() -> None:
    assert milestones_service.agenda_items in agenda.AGENDA_SOURCES
    assert plan_service.agenda_items in agenda.AGENDA_SOURCES
    assert milestones_service.due_items in due.DUE_SOURCES


def test_milestones_due_by_the_horizon_are_reminders_for_their_owner(session: Session, actor: Principal) -> None:
    _plan(session, actor)
    report = due.due_report(session=session, today=TODAY, days=14)
    entries = [e for o in report.owners for e in o.items if e.kind == "milestone"]
    assert sorted(e.title.split(":")[0] for e in entries) == ["A", "B", "C", "E"]
    assert {e.owner for e in entries} == {"Test Owner"}
    assert next(e for e in entries if e.title.startswith("E:")).overdue is False


def test_budget_variance_puts_red_and_amber_workstreams_on_the_agenda(session: Session, actor: Principal) -> None:
    _plan(session, actor)
    # One of four milestones due by now is done (EV 100M of PV 400M): SPI 0.25, red; nothing spent, CPI undefined.
    items = list(plan_service.agenda_items(session, _ctx()))
    assert [(i.kind, i.ref_id, i.severity) for i in items] == [("budget_variance", "zero_trust", Severity.high)]
    assert items[0].status == "SPI 0.25 CPI -"


def test_no_programme_means_no_budget_variance(session: Session) -> None:
    assert list(plan_service.agenda_items(session, _ctx())) == []


def test_governance_record_counts_held_missed_and_signed_off_meetings(session: Session, actor: Principal) -> None:
    board = factories.body(session, actor, code="board", kind=BodyKind.board, freq=Frequency.quarterly)
    factories.held(session, actor, board.id, date(2026, 2, 10))
    factories.signed_off(session, actor, board.id, date(2026, 5, 10))
    factories.review(session, actor, board.id, date(2026, 8, 10))  # missed
    factories.review(session, actor, board.id, date(2026, 12, 10))  # ahead
    officer = factories.body(session, actor, code="ciso", kind=BodyKind.officer, freq=Frequency.none, day=None)
    record = governance_service.governance_record(session=session, today=TODAY)
    assert [(r.code, r.due, r.held, r.missed, r.signed_off, r.next_meeting) for r in record] == [
        ("board", 3, 2, 1, 1, date(2026, 12, 10))
    ]
    assert officer.id not in {r.body_id for r in record}
    assert governance_service.board_meeting_for_pack(session=session, today=TODAY).scheduled_on == date(2026, 12, 10)  # type: ignore[union-attr]
    assert governance_service.latest_board_meeting(session=session, today=TODAY).scheduled_on == date(2026, 8, 10)  # type: ignore[union-attr]


def test_open_action_counts_split_overdue_and_due_soon(session: Session, actor: Principal) -> None:
    factories.action(session, actor, due_on=date(2026, 11, 1))
    factories.action(session, actor, due_on=date(2026, 12, 1))
    factories.action(session, actor, due_on=date(2027, 3, 1))
    assert governance_service.open_actions_counts(session=session, today=TODAY, horizon_days=30) == (1, 1)


def test_archiving_a_rendered_board_pack_stores_its_bytes_hash_and_chain_head(
    session: Session, actor: Principal
) -> None:
    board = factories.body(session, actor, code="board", kind=BodyKind.board, freq=Frequency.quarterly)
    meeting = factories.review(session, actor, board.id, date(2026, 12, 10))
    archived = reports_service.archive_board_pack(session=session, review_id=meeting.id, actor=actor, lang="en")
    pack = archived.pack
    assert pack.pack_version == 1 and pack.review_id == meeting.id
    assert pack.sha256 == hashlib.sha256(archived.rendered.pdf).hexdigest()
    assert pack.chain_head_seq == archived.rendered.context.head.seq
    assert archived.rendered.context.review_id == meeting.id
    stored = governance_service.board_pack_pdf(session=session, review_id=meeting.id, pack_version=1)
    assert stored.content == archived.rendered.pdf
    again = reports_service.archive_board_pack(session=session, review_id=meeting.id, actor=actor, lang="en")
    assert again.pack.pack_version == 2


def test_archiving_for_an_unknown_meeting_is_404_before_rendering(session: Session, actor: Principal) -> None:
    with pytest.raises(NotFound):
        reports_service.archive_board_pack(session=session, review_id=999, actor=actor)


def test_post_board_pack_renders_and_archives_for_writers_only(
    client: TestClient, tokens: dict[Role, str], engine: object
) -> None:
    with write_session(engine) as session:  # type: ignore[arg-type]
        actor = Principal.system("test")
        board = factories.body(session, actor, code="board", kind=BodyKind.board, freq=Frequency.quarterly)
        meeting_id = factories.review(session, actor, board.id, date(2026, 12, 10)).id
    url = f"/api/v1/reviews/{meeting_id}/board-pack"
    created = client.post(url, params={"lang": "en"}, headers=auth(tokens[Role.staff]))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["pack_version"] == 1 and body["generated_by"] == "staff-token"
    pdf = client.get(f"/api/v1/reviews/{meeting_id}/board-packs/1/pdf", headers=auth(tokens[Role.board]))
    assert pdf.status_code == 200 and hashlib.sha256(pdf.content).hexdigest() == body["sha256"]
    assert client.post(url, headers=auth(tokens[Role.board])).status_code == 403
    assert client.post("/api/v1/reviews/9999/board-pack", headers=auth(tokens[Role.ciso])).status_code == 404
    assert client.post(url, params={"lang": "fr"}, headers=auth(tokens[Role.ciso])).status_code == 422
