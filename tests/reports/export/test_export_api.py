"""The export endpoints over HTTP: a downloadable bundle that verifies, the POA&M, clear 422s."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from trestle.oscal.poam import PlanOfActionAndMilestones

from reports.export import rules
from reports.export.verify import verify_bundle
from tests.conftest import auth
from tests.reports.export.factories import read_entries
from tracker.auth.models import Role
from tracker.keys import public_key_pem


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary directory the endpoint writes its bundle to."""
    path = tmp_path / "scratch"
    path.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(path))
    return path


def test_a_regulator_downloads_a_bundle_that_verifies_and_the_temporary_file_is_removed(
    client: TestClient, tokens: dict[Role, str], scratch: Path, tmp_path: Path, signing_key: Ed25519PrivateKey
) -> None:
    response = client.get("/api/v1/exports/audit.zip", headers=auth(tokens[Role.regulator]))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith('attachment; filename="sectrack-audit-export-')
    saved = tmp_path / "download.zip"
    saved.write_bytes(response.content)
    report = verify_bundle(saved, trusted_key=public_key_pem(signing_key))
    assert report.ok and report.records == len(Role)
    assert list(scratch.iterdir()) == []


def test_as_of_gives_the_bundle_of_that_instant(client: TestClient, tokens: dict[Role, str], scratch: Path) -> None:
    response = client.get("/api/v1/exports/audit.zip?as_of=2020-01-01", headers=auth(tokens[Role.admin]))
    assert response.status_code == 200
    saved = scratch.parent / "old.zip"
    saved.write_bytes(response.content)
    manifest = json.loads(read_entries(saved)[rules.MANIFEST])
    assert manifest["as_of"] == "2020-01-01T14:59:59.999999Z" and manifest["chain"]["head_seq"] == 0


@pytest.mark.parametrize("as_of", ["yesterday", "2026-13-01", "2026-01-01T25:00"])
def test_an_as_of_that_is_not_an_instant_is_a_422_naming_the_field(
    client: TestClient, tokens: dict[Role, str], scratch: Path, as_of: str
) -> None:
    response = client.get("/api/v1/exports/audit.zip", params={"as_of": as_of}, headers=auth(tokens[Role.regulator]))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "as_of"
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize(("as_of", "point_in_time"), [("2999-01-01", False), ("0001-01-01T00:00:00+09:00", True)])
def test_instants_beyond_either_end_still_export(
    client: TestClient, tokens: dict[Role, str], scratch: Path, as_of: str, point_in_time: bool
) -> None:
    response = client.get("/api/v1/exports/poam.json", params={"as_of": as_of}, headers=auth(tokens[Role.staff]))
    assert response.status_code == 200, response.text
    version = response.json()["plan-of-action-and-milestones"]["metadata"]["version"]
    assert (version == "audit-chain-0") is point_in_time


def test_staff_read_the_poam_and_it_loads_in_trestle(client: TestClient, tokens: dict[Role, str]) -> None:
    response = client.get("/api/v1/exports/poam.json", headers=auth(tokens[Role.staff]))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    PlanOfActionAndMilestones.model_validate(response.json()["plan-of-action-and-milestones"])
