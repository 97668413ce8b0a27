"""Exposure over HTTP: figures equal the service's, roles (pseudonyms for investigators only), validation."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.conftest import auth
from tests.inventory import exposure_data as data
from tracker.auth.models import Principal, Role
from tracker.db import write_session


@pytest.fixture
def loaded(engine: Engine) -> None:
    with write_session(engine) as session:
        data.load(session, Principal.system("test"))


def _iso(value: object) -> object:
    return value.isoformat().replace("+00:00", "Z") if hasattr(value, "isoformat") else value


def test_summary_totals_are_the_hand_computed_figures(
    client: TestClient, tokens: dict[Role, str], loaded: None
) -> None:
    body = client.get("/api/v1/exposure", headers=auth(tokens[Role.regulator])).json()
    totals = body["totals"]
    for key, expected in data.EXPECTED_TOTALS.items():
        value = totals[key]
        assert (value if isinstance(value, int) else value.replace("+00:00", "Z")) == _iso(expected), key
    assert body["authorized_states"] == ["active"]
    assert body["top_cells"][0]["cell_id"] == data.ILLEGAL_1


def test_window_query_filters(client: TestClient, tokens: dict[Role, str], loaded: None) -> None:
    body = client.get("/api/v1/exposure", params=data.WINDOW, headers=auth(tokens[Role.staff])).json()
    assert body["totals"]["unauthorized_cells"] == data.EXPECTED_WINDOW_TOTALS["unauthorized_cells"]
    assert body["totals"]["exposed_subscribers"] == data.EXPECTED_WINDOW_TOTALS["exposed_subscribers"]
    cells = client.get("/api/v1/exposure/cells", params=data.WINDOW, headers=auth(tokens[Role.staff])).json()
    assert len(cells["items"]) == 4 and cells["next_cursor"] is None


@pytest.mark.parametrize(
    "params",
    [
        {"since": "yesterday"},
        {"since": "2026-05-01T00:00:00Z", "until": "2026-04-01T00:00:00Z"},
        {"top": "1001"},
        {"top": "-1"},
    ],
)
def test_bad_query_is_422(client: TestClient, tokens: dict[Role, str], params: dict[str, str]) -> None:
    response = client.get("/api/v1/exposure", params=params, headers=auth(tokens[Role.staff]))
    assert response.status_code == 422, response.text


def test_cell_detail_and_bad_cell_id(client: TestClient, tokens: dict[Role, str], loaded: None) -> None:
    headers = auth(tokens[Role.regulator])
    cell = client.get(f"/api/v1/exposure/cells/{data.ILLEGAL_1}", headers=headers).json()
    assert (cell["exposed_subscribers"], cell["accepted_attaches"], cell["in_inventory"]) == (3, 4, False)
    assert client.get(f"/api/v1/exposure/cells/{data.ACTIVE}", headers=headers).status_code == 404
    assert client.get("/api/v1/exposure/cells/bad%20id", headers=headers).status_code == 422


def test_pseudonyms_only_for_investigators_and_never_raw_ids(
    client: TestClient, tokens: dict[Role, str], loaded: None
) -> None:
    url = f"/api/v1/exposure/cells/{data.ILLEGAL_1}/subscribers"
    for role in (Role.regulator, Role.board):
        assert client.get(url, headers=auth(tokens[role])).status_code == 403
    listed = client.get(url, params={"limit": "2"}, headers=auth(tokens[Role.ciso]))
    assert listed.status_code == 200
    page = listed.json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    assert all(len(s["subscriber_pseudonym"]) == 64 for s in page["items"])
    texts = [listed.text]
    for path in ("/api/v1/exposure", "/api/v1/exposure/cells", f"/api/v1/exposure/cells/{data.ILLEGAL_1}"):
        texts.append(client.get(path, headers=auth(tokens[Role.staff])).text)
    assert all("subscriber_pseudonym" not in text for text in texts[1:])  # aggregates carry counts only
    for raw in data.SUBSCRIBERS.values():
        assert not any(raw in text for text in texts)
