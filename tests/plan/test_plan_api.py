"""The plan over HTTP: summary for the board, ETag/If-Match on milestones, 409 bodies naming cycles and excess."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.conftest import auth
from tests.plan import factories as f
from tests.plan.factories import M
from tests.plan.test_seed import run_seed
from tracker.auth.models import Principal, Role
from tracker.db import write_session


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    with write_session(engine) as s:
        run_seed(s, Principal.system("seed"))
    return engine


def test_board_reads_the_plan_summary_with_earned_value(
    seeded: Engine, client: TestClient, tokens: dict[Role, str]
) -> None:
    response = client.get("/api/v1/plan", params={"as_of": "2026-11-21"}, headers=auth(tokens[Role.board]))
    assert response.status_code == 200
    body = response.json()
    assert body["as_of"] == "2026-11-21" and body["program"]["total_krw"] == 1_000_000_000_000
    evm = body["evm"]
    assert set(evm) == {"pv", "ev", "ac", "bac", "sv", "cv", "spi", "cpi", "eac", "etc", "vac", "tcpi"}
    assert isinstance(evm["pv"], int) and isinstance(evm["spi"], float)
    assert evm["sv"] == evm["ev"] - evm["pv"]
    assert len(body["workstreams"]) == 7 and {w["rag"] for w in body["workstreams"]} <= {
        "green",
        "amber",
        "red",
        "not_started",
    }
    # The board reads summaries, not the ledger.
    assert client.get("/api/v1/spend", headers=auth(tokens[Role.board])).status_code == 403


def test_plan_summary_before_seed_is_404_naming_the_fix(client: TestClient, tokens: dict[Role, str]) -> None:
    response = client.get("/api/v1/plan", headers=auth(tokens[Role.staff]))
    assert response.status_code == 404 and "sectrack seed" in response.json()["message"]


def test_bad_as_of_is_422_naming_the_field(client: TestClient, tokens: dict[Role, str]) -> None:
    response = client.get("/api/v1/plan", params={"as_of": "2026-13-40"}, headers=auth(tokens[Role.staff]))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "as_of"


def test_milestone_patch_needs_the_current_etag_and_reports_the_slip(
    seeded: Engine, client: TestClient, tokens: dict[Role, str]
) -> None:
    staff = auth(tokens[Role.staff])
    listed = client.get("/api/v1/milestones", params={"limit": 1000}, headers=staff).json()["items"]
    w1 = next(m for m in listed if m["code"] == "W1")
    got = client.get(f"/api/v1/milestones/{w1['id']}", headers=staff)
    assert got.headers["ETag"] == f'"{w1["version"]}"'
    moved = client.patch(
        f"/api/v1/milestones/{w1['id']}",
        json={"forecast_date": "2027-05-31"},
        headers=staff | {"If-Match": got.headers["ETag"]},
    )
    assert moved.status_code == 200, moved.text
    slip = moved.json()["slip"]
    # Two more months on wave 1 push waves 2-4 and, past wave 4's float, the program's close-out.
    assert slip["slip_days"] == 61 and [m["code"] for m in slip["moved"]] == ["W2", "W3", "W4", "PGM-END"]
    assert slip["now_missing_baseline"] == ["W1", "W2", "W3", "W4", "PGM-END"]
    stale = client.patch(
        f"/api/v1/milestones/{w1['id']}",
        json={"owner": "someone"},
        headers=staff | {"If-Match": got.headers["ETag"]},
    )
    assert stale.status_code == 412 and stale.json()["errors"][0]["field"] == "If-Match"


def test_cycle_is_409_naming_the_cycle(seeded: Engine, client: TestClient, tokens: dict[Role, str]) -> None:
    staff = auth(tokens[Role.staff])
    listed = client.get("/api/v1/milestones", params={"limit": 1000}, headers=staff).json()["items"]
    ids = {m["code"]: m["id"] for m in listed}
    response = client.post(
        f"/api/v1/milestones/{ids['W1']}/dependencies", json={"predecessor_id": ids["W3"]}, headers=staff
    )
    assert response.status_code == 409
    assert "W3 → W1 → W2 → W3" in response.json()["message"]


def test_late_filter_and_critical_path_over_http(seeded: Engine, client: TestClient, tokens: dict[Role, str]) -> None:
    board = auth(tokens[Role.board])
    late = client.get("/api/v1/milestones", params={"late": "true", "as_of": "2026-11-21"}, headers=board).json()
    assert "W1" in {m["code"] for m in late["items"]}
    detail = client.get("/api/v1/milestones/late", params={"as_of": "2026-11-21"}, headers=board).json()
    assert detail[0]["milestone"]["code"] == "W1" and detail[0]["delays"][0]["code"] == "W2"
    path = client.get("/api/v1/milestones/critical-path", headers=board).json()
    assert path["target_code"] == "PGM-END" and path["steps"][-1]["code"] == "PGM-END"


def test_over_commitment_is_409_and_rebaseline_is_for_approvers(
    engine: Engine, client: TestClient, tokens: dict[Role, str]
) -> None:
    with write_session(engine) as s:
        actor = Principal.system("fixture")
        f.program(s, actor)
        line = f.budget_line(s, actor, amount_krw=100 * M)
    staff, ciso = auth(tokens[Role.staff]), auth(tokens[Role.ciso])
    entry = {"budget_line_id": line.id, "spent_on": "2026-05-01", "amount_krw": 150 * M, "reference": "PO-1"}
    over = client.post("/api/v1/spend", json=entry, headers=staff)
    assert over.status_code == 409 and "exceeds it by 50,000,000 won" in over.json()["message"]
    request = {"amount_krw": 150 * M, "reason": "Approved by the CISO"}
    assert client.post(f"/api/v1/budget-lines/{line.id}/rebaseline", json=request, headers=staff).status_code == 403
    approved = client.post(f"/api/v1/budget-lines/{line.id}/rebaseline", json=request, headers=ciso)
    assert approved.status_code == 200 and approved.json()["rebaseline"]["approved_role"] == "ciso"
    assert client.post("/api/v1/spend", json=entry, headers=staff).status_code == 201
    zero = client.post("/api/v1/spend", json=entry | {"amount_krw": 0}, headers=staff)
    assert zero.status_code == 409 and zero.json()["errors"][0]["field"] == "amount_krw"


def test_zero_trust_summary_and_kpi_status_for_the_board(
    seeded: Engine, client: TestClient, tokens: dict[Role, str]
) -> None:
    board = auth(tokens[Role.board])
    summary = client.get("/api/v1/zero-trust/summary", params={"year": 2026, "as_of": "2026-11-21"}, headers=board)
    assert summary.status_code == 200
    pillars = summary.json()["pillars"]
    assert [p["pillar"] for p in pillars][:5] == ["identity", "devices", "networks", "applications_workloads", "data"]
    assert all(p["gap_steps"] is not None for p in pillars)
    status = client.get("/api/v1/kpis/status", params={"as_of": str(date(2026, 11, 21))}, headers=board).json()
    assert {s["kpi"]["code"] for s in status} >= {"MFA-PRIV", "RT-MON"}
