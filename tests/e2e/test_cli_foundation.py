"""The real CLI: init, tokens, audit verification, clear one-line errors."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.e2e.conftest import CATALOG, Cli

pytestmark = pytest.mark.e2e


def test_init_is_idempotent_and_creates_keys(cli: Cli, tmp_path: Path) -> None:
    first = cli("init")
    assert "Database ready" in first.stdout
    assert (tmp_path / "signing-key.pem").exists() and (tmp_path / "pseudonym.key").exists()
    assert f"control catalog: {CATALOG} controls" in first.stdout
    second = cli("init")
    assert "Created" not in second.stdout


def test_init_loads_the_control_catalog_so_check_runs_without_demo_data(cli: Cli) -> None:
    cli("init")
    run = json.loads(cli("check", "--json").stdout)
    assert run["evaluated"] == CATALOG
    assert cli("seed", "--devices", "0", check=False).returncode == 0  # the catalog is not demo data


def test_commands_before_init_fail_with_one_clear_line(cli: Cli) -> None:
    result = cli("token", "list", check=False)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("error:") and "sectrack init" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_token_create_prints_the_secret_once_and_list_never_does(cli: Cli) -> None:
    cli("init")
    created = cli("token", "create", "--name", "ops-kim", "--role", "staff")
    secret = created.stdout.strip()
    assert secret.startswith("st_") and len(secret) > 30
    listed = cli("token", "list").stdout
    assert "ops-kim" in listed and secret not in listed
    revoked = cli("token", "revoke", "ops-kim")
    assert "revoked" in revoked.stdout


def test_bad_role_and_duplicate_names_are_clear_errors(cli: Cli) -> None:
    cli("init")
    bad_role = cli("token", "create", "--name", "x", "--role", "emperor", check=False)
    assert bad_role.returncode != 0 and "Traceback" not in bad_role.stderr
    cli("token", "create", "--name", "dup", "--role", "staff")
    duplicate = cli("token", "create", "--name", "dup", "--role", "staff", check=False)
    assert duplicate.returncode == 1 and "already exists" in duplicate.stderr


def test_audit_verify_passes_then_names_the_first_tampered_event(cli: Cli, tmp_path: Path) -> None:
    cli("init")
    for name in ("a", "b", "c"):
        cli("token", "create", "--name", name, "--role", "staff")
    ok = cli("audit", "verify")
    assert f"intact: {CATALOG + 3} events" in ok.stdout
    with sqlite3.connect(tmp_path / "e2e.db") as conn:
        conn.execute("UPDATE audit_event SET actor = 'mallory' WHERE seq = 2")
    broken = cli("audit", "verify", check=False)
    assert broken.returncode == 1
    assert "seq 2" in broken.stderr


def test_python_dash_m_and_help_work(cli: Cli) -> None:
    result = cli("--help")
    for command in ("init", "seed", "demo", "token", "serve", "audit"):
        assert command in result.stdout
