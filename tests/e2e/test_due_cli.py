"""`sectrack due` on the demo database: reminders grouped by owner, as a table and as JSON."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import Cli

pytestmark = pytest.mark.e2e


def test_due_lists_overdue_items_by_owner_as_table_and_json(cli: Cli) -> None:
    cli("init")
    cli("seed", "--devices", "0")
    report = json.loads(cli("due", "--as-of", "2026-11-21", "--json").stdout)
    assert (report["today"], report["until"], report["overdue"]) == ("2026-11-21", "2026-12-05", 8)
    first = report["owners"][0]
    assert first["owner"] == "Customer Experience Division"
    assert first["items"][0]["ref_id"] == "refund_notices" and first["items"][0]["days_late"] == 205
    kinds = {item["kind"] for owner in report["owners"] for item in owner["items"]}
    assert {"action", "commitment", "milestone", "review", "review_missed", "review_sign_off"} <= kinds
    wider = json.loads(cli("due", "--as-of", "2026-11-21", "--days", "60", "--json").stdout)
    assert wider["due"] > report["due"]
    wide = Cli(env=cli.env | {"COLUMNS": "200"}, cwd=cli.cwd)
    table = wide("due", "--as-of", "2026-11-21").stdout
    assert "205 days late" in table and "Customer Experience Division" in table


def test_due_with_a_bad_date_is_one_clear_error(cli: Cli) -> None:
    cli("init")
    result = cli("due", "--as-of", "21/11/2026", check=False)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: --as-of '21/11/2026' is not a date (YYYY-MM-DD)."


def test_due_on_an_empty_database_says_so(cli: Cli) -> None:
    cli("init")
    assert "Nothing due" in cli("due").stdout
