"""A real `sectrack serve` process answering over TCP."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import CATALOG, Cli, Server

pytestmark = pytest.mark.e2e


def test_server_authenticates_with_a_cli_issued_token(cli: Cli, server: Server) -> None:
    secret = cli("token", "create", "--name", "auditor", "--role", "regulator").stdout.strip()
    assert httpx.get(f"{server.base_url}/api/v1/audit-events").status_code == 401
    response = httpx.get(f"{server.base_url}/api/v1/audit-events", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    # init's control catalog comes first, then the token the CLI just issued.
    types = [event["entity_type"] for event in response.json()["items"]]
    assert types == ["control"] * CATALOG + ["api_token"]
    assert response.headers["x-request-id"]


def test_server_serves_openapi_and_docs(server: Server) -> None:
    spec = httpx.get(f"{server.base_url}/openapi.json").json()
    assert spec["info"]["title"] == "sectrack"
    assert "/api/v1/audit-events" in spec["paths"]
    assert httpx.get(f"{server.base_url}/docs").status_code == 200
