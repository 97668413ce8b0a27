"""The real CLI: export the audit bundle and the POA&M, verify bundles, clear failures."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from trestle.oscal.poam import PlanOfActionAndMilestones

from tests.e2e.conftest import CATALOG, Cli
from tracker.keys import load_signing_key, public_key_pem

pytestmark = pytest.mark.e2e


@pytest.fixture
def initialised(cli: Cli) -> Cli:
    """An initialised database with a few audited changes."""
    cli("init")
    for name in ("ops-kim", "ops-lee"):
        cli("token", "create", "--name", name, "--role", "staff")
    cli("token", "revoke", "ops-lee")
    return cli


def test_export_then_verify_passes_and_names_the_trusted_key(initialised: Cli, tmp_path: Path) -> None:
    exported = initialised("export", "audit", "--out", "bundle.zip")
    assert f"{CATALOG + 3} audit events" in exported.stdout
    assert f"{CATALOG + 2} records in 2 entity types" in exported.stdout
    plain = initialised("verify", "bundle.zip")
    assert "intact" in plain.stdout and "warning:" in plain.stderr and "self-consistent" in plain.stderr
    key = tmp_path / "operator-public.pem"
    key.write_bytes(public_key_pem(load_signing_key(tmp_path / "signing-key.pem")))
    trusted = initialised("verify", "bundle.zip", "--public-key", str(key))
    assert "with the trusted key" in trusted.stdout and trusted.stderr == ""


def test_a_tampered_bundle_exits_1_naming_each_problem_on_stderr(initialised: Cli, tmp_path: Path) -> None:
    initialised("export", "audit", "--out", "bundle.zip")
    with zipfile.ZipFile(tmp_path / "bundle.zip") as source, zipfile.ZipFile(tmp_path / "bad.zip", "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "data/api_token.csv":
                data = data.replace(b"ops-kim", b"ops-kom")
            target.writestr(info, data)
    result = initialised("verify", "bad.zip", check=False)
    assert result.returncode == 1
    assert "data/api_token.csv: SHA-256 does not match the manifest (the file was altered)" in result.stderr
    assert "data/api_token.csv line 2: record differs from data/api_token.jsonl line 1" in result.stderr
    assert "Traceback" not in result.stderr and "NOT intact" in result.stderr


def test_two_exports_of_the_same_past_instant_are_identical(initialised: Cli, tmp_path: Path) -> None:
    first = initialised("export", "audit", "--out", "a.zip")
    as_of = json.loads(zipfile.ZipFile(tmp_path / "a.zip").read("manifest.json"))["as_of"]
    assert as_of in first.stdout
    initialised("export", "audit", "--out", "p1.zip", "--as-of", as_of)
    initialised("token", "create", "--name", "later", "--role", "board")
    initialised("export", "audit", "--out", "p2.zip", "--as-of", as_of)
    assert (tmp_path / "p1.zip").read_bytes() == (tmp_path / "p2.zip").read_bytes()


def test_export_poam_writes_oscal_that_trestle_loads(initialised: Cli, tmp_path: Path) -> None:
    initialised("export", "poam", "--out", "poam.json")
    model = PlanOfActionAndMilestones.oscal_read(tmp_path / "poam.json")
    assert isinstance(model, PlanOfActionAndMilestones) and model.poam_items[0].title == "No open findings"


def test_verify_of_something_that_is_not_a_bundle_is_one_clear_failure(initialised: Cli, tmp_path: Path) -> None:
    (tmp_path / "junk.zip").write_bytes(b"not a zip at all")
    junk = initialised("verify", "junk.zip", check=False)
    assert junk.returncode == 1 and "not a readable ZIP archive" in junk.stderr and "Traceback" not in junk.stderr
    missing = initialised("verify", "nowhere.zip", check=False)
    assert missing.returncode == 1 and "no such file" in missing.stderr
    bad_key = initialised("verify", "junk.zip", "--public-key", "nokey.pem", check=False)
    assert bad_key.returncode == 2 and bad_key.stderr.startswith("error:") and "nokey.pem" in bad_key.stderr


def test_an_as_of_that_is_not_a_date_is_refused_with_exit_2(initialised: Cli) -> None:
    result = initialised("export", "audit", "--out", "x.zip", "--as-of", "last tuesday", check=False)
    assert result.returncode == 2 and "as_of" not in result.stdout and "'last tuesday'" in result.stderr
    assert "Traceback" not in result.stderr
