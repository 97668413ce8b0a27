"""Replacement over HTTP: waves with ETag/If-Match, assignment errors as 409/404/422, status with ?as_of=."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.conftest import auth
from tests.inventory.factories import make_equipment
from tracker.auth.models import Principal, Role
from tracker.db import write_session

WAVE = {"code": "W1", "name_ko": "1차", "name_en": "Wave 1", "target_start": "2026-01-01", "target_end": "2026-12-31"}


def test_staff_create_and_patch_a_wave_with_if_match(client: TestClient, tokens: dict[Role, str]) -> None:
    staff = auth(tokens[Role.staff])
    created = client.post("/api/v1/replacement/waves", json=WAVE, headers=staff)
    assert created.status_code == 201 and created.headers["ETag"] == '"1"'
    wave_id = created.json()["id"]
    stale = client.patch(
        f"/api/v1/replacement/waves/{wave_id}", json={"name_en": "W one"}, headers={**staff, "If-Match": '"9"'}
    )
    assert stale.status_code == 412
    ok = client.patch(
        f"/api/v1/replacement/waves/{wave_id}", json={"name_en": "W one"}, headers={**staff, "If-Match": '"1"'}
    )
    assert ok.status_code == 200 and ok.headers["ETag"] == '"2"' and ok.json()["name_en"] == "W one"
    board = client.get(f"/api/v1/replacement/waves/{wave_id}", headers=auth(tokens[Role.board]))
    assert board.status_code == 200 and board.json()["planned_count"] == 0
    assert client.post("/api/v1/replacement/waves", json=WAVE, headers=staff).status_code == 409


def test_assignment_errors_name_the_wave_or_the_tags(
    engine: Engine, client: TestClient, tokens: dict[Role, str]
) -> None:
    staff = auth(tokens[Role.staff])
    with write_session(engine) as s:
        tag = make_equipment(s, Principal.system("test")).asset_tag
    client.post("/api/v1/replacement/waves", json=WAVE, headers=staff)
    unknown_wave = client.post(
        "/api/v1/replacement/assignments", json={"wave": "W9", "asset_tags": [tag]}, headers=staff
    )
    assert unknown_wave.status_code == 409 and "W9" in unknown_wave.json()["message"]
    unknown_tag = client.post(
        "/api/v1/replacement/assignments", json={"wave": "W1", "asset_tags": ["NOPE-1"]}, headers=staff
    )
    assert unknown_tag.status_code == 404 and "NOPE-1" in unknown_tag.json()["message"]
    bad = client.post("/api/v1/replacement/assignments", json={"wave": "W1", "asset_tags": ["a b"]}, headers=staff)
    assert bad.status_code == 422
    done = client.post("/api/v1/replacement/assignments", json={"wave": "W1", "asset_tags": [tag]}, headers=staff)
    assert done.status_code == 200 and done.json() == {"wave": "W1", "changed": 1, "unchanged": 0}


def test_status_answers_as_of_a_date(client: TestClient, tokens: dict[Role, str]) -> None:
    client.post("/api/v1/replacement/waves", json=WAVE, headers=auth(tokens[Role.staff]))
    response = client.get("/api/v1/replacement", params={"as_of": "2027-02-01"}, headers=auth(tokens[Role.regulator]))
    assert response.status_code == 200
    body = response.json()
    assert body["as_of"] == "2027-02-01" and body["window_days"] == 182
    assert body["programme"]["forecast_state"] == "empty" and [w["code"] for w in body["waves"]] == ["W1"]
