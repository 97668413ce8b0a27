"""Cross-cutting HTTP behaviour: error shape, request ids, body limits, tokens over HTTP, no 500 from clients."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.conftest import auth
from tracker.app import create_app
from tracker.audit import service as audit
from tracker.auth.models import Role
from tracker.db import read_session


def test_every_response_carries_a_request_id(client: TestClient) -> None:
    assert len(client.get("/healthz").headers["X-Request-ID"]) == 32
    assert client.get("/api/v1/tokens").headers["X-Request-ID"]


def test_client_request_id_is_echoed_and_stored_on_the_events_it_caused(
    client: TestClient, tokens: dict[Role, str], engine: Engine
) -> None:
    response = client.post(
        "/api/v1/tokens",
        json={"name": "new-staff", "role": "staff"},
        headers=auth(tokens[Role.admin]) | {"X-Request-ID": "req-abc-123"},
    )
    assert response.status_code == 201
    assert response.headers["X-Request-ID"] == "req-abc-123"
    with read_session(engine) as s:
        events = audit.list_events(s, request_id="req-abc-123").items
    assert [(e.action, e.entity_type, e.actor) for e in events] == [("create", "api_token", "admin-token")]


def test_unusable_request_id_is_replaced(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert response.headers["X-Request-ID"] != "bad id with spaces"


def test_validation_errors_name_the_field(client: TestClient, tokens: dict[Role, str]) -> None:
    response = client.post("/api/v1/tokens", json={"name": "x", "role": "emperor"}, headers=auth(tokens[Role.admin]))
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid"
    assert [e["field"] for e in body["errors"]] == ["role"]
    assert body["request_id"] == response.headers["X-Request-ID"]


def test_malformed_json_is_422_not_500(client: TestClient, tokens: dict[Role, str]) -> None:
    response = client.post(
        "/api/v1/tokens",
        content=b"{not json",
        headers=auth(tokens[Role.admin]) | {"Content-Type": "application/json"},
    )
    assert response.status_code == 422


def test_bad_cursor_is_422_naming_cursor(client: TestClient, tokens: dict[Role, str]) -> None:
    response = client.get("/api/v1/audit-events", params={"cursor": "@@@"}, headers=auth(tokens[Role.regulator]))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "cursor"


def test_limit_out_of_range_is_422(client: TestClient, tokens: dict[Role, str]) -> None:
    response = client.get("/api/v1/audit-events", params={"limit": 1001}, headers=auth(tokens[Role.regulator]))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "limit"


def test_unknown_path_is_json_404(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_oversized_body_is_413(engine: Engine, tokens: dict[Role, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECTRACK_MAX_BODY_BYTES", "1000")
    from tracker.settings import get_settings

    get_settings.cache_clear()
    with TestClient(create_app(engine)) as small:
        declared = small.post("/api/v1/tokens", content=b"x" * 5000, headers=auth(tokens[Role.admin]))
        assert declared.status_code == 413 and declared.json()["error"] == "too_large"

        def chunks():  # type: ignore[no-untyped-def]
            for _ in range(10):
                yield b"y" * 500

        streamed = small.post(
            "/api/v1/tokens",
            content=chunks(),
            headers=auth(tokens[Role.admin]) | {"Content-Type": "application/json"},
        )
        assert streamed.status_code == 413


def test_token_lifecycle_over_http(client: TestClient, tokens: dict[Role, str]) -> None:
    admin = auth(tokens[Role.admin])
    created = client.post("/api/v1/tokens", json={"name": "analyst-kim", "role": "staff"}, headers=admin)
    assert created.status_code == 201
    secret = created.json()["token"]
    assert client.get("/api/v1/audit-events/head", headers=auth(secret)).status_code == 403
    listed = client.get("/api/v1/tokens", headers=admin).json()
    assert "token" not in listed[0] and "token_hash" not in listed[0]
    assert (
        client.post("/api/v1/tokens", json={"name": "analyst-kim", "role": "staff"}, headers=admin).status_code == 409
    )
    assert client.post("/api/v1/tokens/analyst-kim/revoke", headers=admin).status_code == 200
    assert client.get("/api/v1/tokens", headers=auth(secret)).status_code == 401
    assert client.post("/api/v1/tokens/analyst-kim/revoke", headers=admin).status_code == 409


def test_unexpected_errors_answer_plain_500_without_internals(engine: Engine) -> None:
    app: FastAPI = create_app(engine)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals /etc/passwd")

    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/boom")
    assert response.status_code == 500
    assert "secret" not in response.text and "Traceback" not in response.text
    assert response.json()["request_id"] == response.headers["X-Request-ID"]
