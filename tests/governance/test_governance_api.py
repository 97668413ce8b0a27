"""Governance over HTTP: the review cycle end to end, sign-off roles, ETags, the board-pack PDF and distribution."""

from __future__ import annotations

import hashlib

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.conftest import auth
from tests.governance import factories
from tracker.audit import service as audit
from tracker.auth.models import Principal, Role
from tracker.db import write_session
from tracker.governance import service

V = "/api/v1"
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _held_board_meeting(engine: Engine) -> int:
    from datetime import date

    actor = Principal.system("fixture")
    with write_session(engine) as session:
        board = factories.body(session, actor, code="board")
        return factories.held(session, actor, board.id, date(2026, 11, 19)).id


def test_review_cycle_over_http_with_sign_off_for_approvers_only(
    client: TestClient, tokens: dict[Role, str], engine: Engine
) -> None:
    review_id = _held_board_meeting(engine)
    staff, ciso, board = auth(tokens[Role.staff]), auth(tokens[Role.ciso]), auth(tokens[Role.board])
    decision = client.post(f"{V}/reviews/{review_id}/decisions", json={"text": "Approve wave 2"}, headers=staff)
    assert decision.status_code == 201 and decision.json()["number"] == 1
    action = client.post(
        f"{V}/actions",
        json={"title": "Publish wave 2 plan", "owner": "CTO", "due_on": "2099-01-31",
              "decision_id": decision.json()["id"], "links": [{"link_type": "milestone", "link_ref": "LR-W2"}]},
        headers=staff,
    )  # fmt: skip
    assert action.status_code == 201 and action.json()["review_id"] == review_id
    body = {"capacity": "chair", "note": "Minutes approved."}
    assert client.post(f"{V}/reviews/{review_id}/sign-off", json=body, headers=staff).status_code == 403
    assert client.post(f"{V}/reviews/{review_id}/sign-off", json=body, headers=board).status_code == 403
    signed = client.post(f"{V}/reviews/{review_id}/sign-off", json=body, headers=ciso)
    assert signed.status_code == 200 and signed.json()["status"] == "signed_off"
    assert signed.json()["signed_off_by"] == "ciso-token"
    frozen = client.patch(f"{V}/reviews/{review_id}", json={"minutes": "Rewritten"}, headers=staff)
    assert frozen.status_code == 409
    assert "signed off on" in frozen.json()["message"] and "by ciso-token" in frozen.json()["message"]
    # The board reads what it decided; the action keeps moving after the freeze.
    seen = client.get(f"{V}/reviews/{review_id}", headers=board).json()
    assert [d["text"] for d in seen["decisions"]] == ["Approve wave 2"] and seen["decisions"][0]["open_actions"] == 1
    done = client.patch(f"{V}/actions/{action.json()['id']}", json={"status": "done"}, headers=staff)
    assert done.status_code == 200 and done.json()["status"] == "done"


def test_get_sets_an_etag_and_a_stale_if_match_is_412(
    client: TestClient, tokens: dict[Role, str], engine: Engine
) -> None:
    review_id = _held_board_meeting(engine)
    staff = auth(tokens[Role.staff])
    got = client.get(f"{V}/reviews/{review_id}", headers=staff)
    etag = got.headers["ETag"]
    updated = client.patch(
        f"{V}/reviews/{review_id}", json={"location": "Board room"}, headers=staff | {"If-Match": etag}
    )
    assert updated.status_code == 200 and updated.headers["ETag"] != etag
    stale = client.patch(f"{V}/reviews/{review_id}", json={"location": "Elsewhere"}, headers=staff | {"If-Match": etag})
    assert stale.status_code == 412 and stale.json()["errors"][0]["field"] == "If-Match"
    bad = client.patch(f"{V}/reviews/{review_id}", json={}, headers=staff | {"If-Match": "not-an-etag"})
    assert bad.status_code == 422


def test_board_pack_pdf_is_served_byte_for_byte_and_distribution_is_logged(
    client: TestClient, tokens: dict[Role, str], engine: Engine
) -> None:
    review_id = _held_board_meeting(engine)
    with write_session(engine) as session:
        head = audit.head(session)
        from datetime import UTC, datetime

        service.archive_board_pack(
            session=session, meeting_id=review_id, pdf=PDF, as_of=datetime.now(UTC), chain_head_seq=head.seq,
            chain_head_hash=head.hash, actor=Principal.system("reports"),
        )  # fmt: skip
    board, staff = auth(tokens[Role.board]), auth(tokens[Role.staff])
    versions = client.get(f"{V}/reviews/{review_id}/board-packs", headers=board).json()
    assert [(v["pack_version"], v["sha256"]) for v in versions] == [(1, hashlib.sha256(PDF).hexdigest())]
    pdf = client.get(f"{V}/reviews/{review_id}/board-packs/1/pdf", headers=board)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.content == PDF
    assert client.get(f"{V}/reviews/{review_id}/board-packs/2/pdf", headers=board).status_code == 404
    sent = client.post(
        f"{V}/reviews/{review_id}/distributions",
        json={"pack_version": 1, "recipients": ["Board chair", "Outside director A"], "channel": "secure_portal"},
        headers=staff,
    )
    assert sent.status_code == 201 and [d["recipient"] for d in sent.json()] == ["Board chair", "Outside director A"]
    missing = client.post(
        f"{V}/reviews/{review_id}/distributions",
        json={"pack_version": 2, "recipients": ["Board chair"], "channel": "email"},
        headers=staff,
    )
    assert missing.status_code == 409 and missing.json()["errors"][0]["field"] == "pack_version"
    log = client.get(f"{V}/reviews/{review_id}/distributions", headers=auth(tokens[Role.regulator]))
    assert len(log.json()) == 2


def test_schedule_over_http_is_idempotent_and_lists_filter_by_status(
    client: TestClient, tokens: dict[Role, str], engine: Engine
) -> None:
    from datetime import date

    with write_session(engine) as session:
        factories.body(session, Principal.system("fixture"), day=28, start=date(2026, 1, 1))
    staff = auth(tokens[Role.staff])
    first = client.post(f"{V}/reviews/schedule", json={"until": "2026-03-31"}, headers=staff).json()
    again = client.post(f"{V}/reviews/schedule", json={"until": "2026-03-31"}, headers=staff).json()
    assert (first["created"], again["created"], again["existing"]) == (3, 0, 3)
    missed = client.get(f"{V}/reviews", params={"status": "missed"}, headers=auth(tokens[Role.board])).json()
    # Every 2026 Q1 meeting is long past and none was held.
    assert [r["scheduled_on"] for r in missed["items"]] == ["2026-01-28", "2026-02-28", "2026-03-28"]


def test_text_with_control_characters_is_refused_naming_the_field(client: TestClient, tokens: dict[Role, str]) -> None:
    response = client.post(
        f"{V}/commitments",
        json={"code": "x", "category": "y", "title_ko": "a\x00b", "title_en": "t", "due_on": "2026-01-01",
              "owner": "o"},
        headers=auth(tokens[Role.staff]),
    )  # fmt: skip
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "title_ko"
    out_of_range = client.post(
        f"{V}/commitments",
        json={"code": "x", "category": "y", "title_ko": "a", "title_en": "t", "due_on": "1999-12-31", "owner": "o"},
        headers=auth(tokens[Role.staff]),
    )
    assert out_of_range.status_code == 422 and out_of_range.json()["errors"][0]["field"] == "due_on"
