"""Every route × every role: who gets in (2xx or a non-auth 4xx), who gets 403, and 401 without a token.

The matrix is written out by hand on purpose: it is the access policy as the product promises it (DESIGN.md, Auth),
checked against what the code does. Each test package lists its domain's routes in a `roles.py` (a `MATRIX` dict,
built from the role sets in `tests/roles.py`); a new route fails `test_matrix_covers_every_route` until listed.
"""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import auth
from tests.roles import collect_matrix, collect_not_2xx_when_empty
from tracker.auth.models import Role

MATRIX = collect_matrix()

# Lists and reads an allowed role must get 2xx from on an empty database (others may answer 404/409/422).
MUST_SUCCEED = {k for k in MATRIX if k[0] == "GET" and "{" not in k[1]} - collect_not_2xx_when_empty()


def _api_routes(app: FastAPI) -> set[tuple[str, str]]:
    # The OpenAPI document lists every mounted operation, however routers are nested.
    return {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/v1")
        for method in operations
    }


def _concrete(path: str) -> str:
    # Unknown ids: an allowed role then sees 404, which still proves it got past authorization.
    return re.sub(r"\{[^}]+\}", "999999", path)


def test_matrix_covers_every_route(app: FastAPI) -> None:
    assert _api_routes(app) == set(MATRIX)


@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
def test_route_admits_exactly_its_roles(client: TestClient, tokens: dict[Role, str], route: tuple[str, str]) -> None:
    method, path = route
    for role in Role:
        response = client.request(method, _concrete(path), headers=auth(tokens[role]), json={})
        if role in MATRIX[route]:
            assert response.status_code not in (401, 403), (role, response.text)
            assert response.status_code < 500, (role, response.text)
            if route in MUST_SUCCEED:
                assert 200 <= response.status_code < 300, (role, response.text)
        else:
            assert response.status_code == 403, (role, response.status_code, response.text)
            assert response.json()["error"] == "forbidden"


@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
def test_route_refuses_missing_and_bad_tokens(
    client: TestClient, tokens: dict[Role, str], route: tuple[str, str]
) -> None:
    method, path = route
    assert client.request(method, _concrete(path)).status_code == 401
    bad = client.request(method, _concrete(path), headers=auth("st_not-a-real-token"))
    assert bad.status_code == 401
    assert bad.headers["WWW-Authenticate"] == "Bearer"


def test_healthz_needs_no_token(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"
