"""The controls and findings API: runs, catalog edits with If-Match, findings with ETags, roles on approvals."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.conftest import auth
from tests.controls.factories import load_catalog, plant
from tracker.auth.models import Principal, Role
from tracker.db import write_session
from tracker.governance.schedule import seoul_today

V = "/api/v1"


def _seed(engine: Engine) -> None:
    with write_session(engine) as session:
        actor = Principal.system("fixture")
        load_catalog(session, actor)
        plant(session, actor)


def test_a_run_over_http_records_results_and_opens_findings(
    engine: Engine, client: TestClient, tokens: dict[Role, str]
) -> None:
    _seed(engine)
    response = client.post(f"{V}/controls/run", headers=auth(tokens[Role.staff]))
    assert response.status_code == 201, response.text
    run = response.json()
    assert run["failed"] == 10 and run["findings_opened"] == 10
    listed = client.get(f"{V}/controls/runs", headers=auth(tokens[Role.board])).json()
    assert [r["id"] for r in listed["items"]] == [run["id"]]
    detail = client.get(f"{V}/controls/runs/{run['id']}", headers=auth(tokens[Role.regulator])).json()
    assert {r["control_id"] for r in detail["results"]} >= {"MSIT-1", "MSIT-2", "MSIT-8"}
    trend = client.get(f"{V}/controls/MSIT-2/results", headers=auth(tokens[Role.board])).json()
    assert [r["status"] for r in trend["items"]] == ["fail"]
    control = client.get(f"{V}/controls/MSIT-2", headers=auth(tokens[Role.board]))
    assert control.json()["last_status"] == "fail" and control.headers["ETag"] == '"1"'
    findings = client.get(
        f"{V}/findings", params={"control_id": "MSIT-2", "status": "open"}, headers=auth(tokens[Role.board])
    ).json()
    assert len(findings["items"]) == 1 and findings["items"][0]["measured_value"] == 2


def test_control_parameters_are_checked_and_patches_honour_if_match(
    engine: Engine, client: TestClient, tokens: dict[Role, str]
) -> None:
    _seed(engine)
    headers = auth(tokens[Role.admin])
    bad = client.patch(f"{V}/controls/MSIT-3", json={"parameters": {"max_days": 5}}, headers=headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "parameters.max_days"
    bad_cidr = client.patch(f"{V}/controls/MSIT-4", json={"parameters": {"cidrs": ["10.0.0.0/33"]}}, headers=headers)
    assert bad_cidr.status_code == 422
    ok = client.patch(
        f"{V}/controls/MSIT-3", json={"parameters": {"max_validity_days": 45}}, headers=headers | {"If-Match": '"1"'}
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["parameters"] == {"max_validity_days": 45} and ok.headers["ETag"] == '"2"'
    stale = client.patch(f"{V}/controls/MSIT-3", json={"owner": "PKI"}, headers=headers | {"If-Match": '"1"'})
    assert stale.status_code == 412


def test_manual_controls_are_created_and_attested_by_approvers_only(
    client: TestClient, tokens: dict[Role, str]
) -> None:
    body = {
        "id": "ISMS-2.9.4",
        "title_ko": "로그 및 접속기록 관리",
        "title_en": "Logs and access records kept",
        "source": "isms_p",
        "severity": "medium",
        "owner": "SOC",
    }
    created = client.post(f"{V}/controls", json=body, headers=auth(tokens[Role.staff]))
    assert created.status_code == 201 and created.json()["evaluator"] == "manual"
    assert client.post(f"{V}/controls", json=body, headers=auth(tokens[Role.staff])).status_code == 409
    attestation = {"statement": "Retention verified.", "evidence_refs": ["SOC audit 2026-10"]}
    path = f"{V}/controls/ISMS-2.9.4/attestations"
    assert client.post(path, json=attestation, headers=auth(tokens[Role.staff])).status_code == 403
    done = client.post(path, json=attestation, headers=auth(tokens[Role.ciso]))
    assert done.status_code == 201 and done.json()["attested_by"] == "ciso-token"
    assert len(client.get(path, headers=auth(tokens[Role.board])).json()) == 1


def test_findings_patch_with_etag_and_roles_on_risk_acceptance(
    engine: Engine, client: TestClient, tokens: dict[Role, str]
) -> None:
    _seed(engine)
    client.post(f"{V}/controls/run", headers=auth(tokens[Role.staff]))
    finding = client.get(f"{V}/findings", params={"control_id": "MSIT-2"}, headers=auth(tokens[Role.staff])).json()[
        "items"
    ][0]
    path = f"{V}/findings/{finding['id']}"
    got = client.get(path, headers=auth(tokens[Role.staff]))
    etag = got.headers["ETag"]
    until = (seoul_today() + timedelta(days=60)).isoformat()
    accept = {"status": "risk_accepted", "risk_accepted_until": until}
    assert client.patch(path, json=accept, headers=auth(tokens[Role.staff]) | {"If-Match": etag}).status_code == 403
    accepted = client.patch(path, json=accept, headers=auth(tokens[Role.ciso]) | {"If-Match": etag})
    assert accepted.status_code == 200 and accepted.json()["risk_accepted_by"] == "ciso-token"
    stale = client.patch(path, json={"note": "late"}, headers=auth(tokens[Role.staff]) | {"If-Match": etag})
    assert stale.status_code == 412
    history = client.get(f"{path}/history", headers=auth(tokens[Role.regulator])).json()
    assert [e["state"]["status"] for e in history] == ["open", "risk_accepted"]
    assert history[-1]["actor"] == "ciso-token"


def test_auth_server_rotations_are_recorded_and_listed(client: TestClient, tokens: dict[Role, str]) -> None:
    body = {"server": "femto-aaa-01", "previous_ip": "10.250.0.10", "new_ip": "10.250.0.11"}
    created = client.post(f"{V}/controls/auth-server-rotations", json=body, headers=auth(tokens[Role.staff]))
    assert created.status_code == 201, created.text
    same = client.post(
        f"{V}/controls/auth-server-rotations",
        json=body | {"new_ip": "10.250.0.10"},
        headers=auth(tokens[Role.staff]),
    )
    assert same.status_code == 409
    listed = client.get(f"{V}/controls/auth-server-rotations", headers=auth(tokens[Role.regulator])).json()
    assert [r["new_ip"] for r in listed["items"]] == ["10.250.0.11"]


def test_milestone_links_over_http(engine: Engine, client: TestClient, tokens: dict[Role, str]) -> None:
    from datetime import date

    from tests.plan import factories as plan_factories

    _seed(engine)
    with write_session(engine) as session:
        actor = Principal.system("fixture")
        plan_factories.program(session, actor)
        milestone = plan_factories.milestone(session, actor, "FEM-Y", baseline_date=date(2027, 6, 30))
    client.post(f"{V}/controls/run", headers=auth(tokens[Role.staff]))
    finding_id = client.get(f"{V}/findings", headers=auth(tokens[Role.staff])).json()["items"][0]["id"]
    path = f"{V}/findings/{finding_id}/milestones"
    linked = client.post(path, json={"milestone_id": milestone.id}, headers=auth(tokens[Role.staff]))
    assert linked.status_code == 201 and linked.json()["milestone_ids"] == [milestone.id]
    missing = client.post(path, json={"milestone_id": 999}, headers=auth(tokens[Role.staff]))
    assert missing.status_code == 404
    gone = client.delete(f"{path}/{milestone.id}", headers=auth(tokens[Role.staff]))
    assert gone.status_code == 204
    assert client.delete(f"{path}/{milestone.id}", headers=auth(tokens[Role.staff])).status_code == 404
