"""`sectrack check` on the seeded demo database: the numbers the CLI prints are those the API serves and those the
database holds, and the failures look like the incident (shared certificates, 10-year validity, unknown cell ids)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from seed import synthetic
from tests.e2e.conftest import Cli
from tracker.app import create_app
from tracker.db import make_engine, read_session

pytestmark = pytest.mark.e2e


def test_check_json_agrees_with_the_api_and_the_database(cli: Cli) -> None:
    cli("init")
    seeded = cli("seed", "--devices", "400").stdout
    assert "findings opened:" in seeded
    token = cli("token", "create", "--name", "auditor", "--role", "regulator").stdout.strip()
    run = json.loads(cli("check", "--json").stdout)
    results = {r["control_id"]: r for r in run["results"]}

    # Like the incident: one shared certificate valid for ten years, unknown cell ids accepted.
    assert results["MSIT-2"]["status"] == "fail" and results["MSIT-2"]["details"]["groups"] == 1
    assert results["MSIT-3"]["details"]["longest_validity_days"] == 3653
    assert 0 < results["MSIT-1"]["details"]["absent_from_inventory"] <= synthetic.ILLEGAL_CELLS
    assert set(results["MSIT-1"]["sample"]) & set(synthetic.illegal_cell_ids(2025))

    engine = make_engine(cli.env["SECTRACK_DATABASE_URL"])
    with read_session(engine) as session:
        shared = session.execute(
            text(
                "SELECT count(*) FROM femtocell WHERE cert_fingerprint IN "
                "(SELECT cert_fingerprint FROM femtocell GROUP BY cert_fingerprint HAVING count(*) > 1)"
            )
        ).scalar()
        open_findings = session.execute(text("SELECT count(*) FROM finding WHERE status != 'closed'")).scalar()
        stored = session.execute(
            text("SELECT control_id, measured_value FROM control_result WHERE run_id = :r"), {"r": run["id"]}
        ).all()
    assert results["MSIT-2"]["measured_value"] == shared
    assert {c: v for c, v in stored} == {c: r["measured_value"] for c, r in results.items()}
    assert open_findings == run["failed"]

    with TestClient(create_app(engine)) as client:
        headers = {"Authorization": f"Bearer {token}"}
        served = client.get(f"/api/v1/controls/runs/{run['id']}", headers=headers).json()
        findings = client.get("/api/v1/findings", params={"status": "open", "limit": 100}, headers=headers).json()
    assert served == run
    assert len(findings["items"]) == run["failed"]
    engine.dispose()

    table = Cli(env=cli.env | {"COLUMNS": "200"}, cwd=cli.cwd)("check").stdout
    assert "MSIT-2" in table and "One certificate per femtocell" in table and "fail" in table
