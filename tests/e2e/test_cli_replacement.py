"""The real CLI: `sectrack replacement status` after a seed, as a table and as JSON."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import Cli

pytestmark = pytest.mark.e2e


def test_replacement_status_table_json_and_errors(cli: Cli) -> None:
    cli.env["COLUMNS"] = "200"
    cli("init")
    seeded = cli("seed", "--devices", "0").stdout
    assert "replacement waves (illustrative): 4" in seeded
    table = cli("replacement", "status", "--as-of", "2026-11-22").stdout
    assert "W1" in table and "behind" in table and "not started" in table and "programme" in table
    body = json.loads(cli("replacement", "status", "--as-of", "2026-11-22", "--json").stdout)
    w1 = body["waves"][0]
    assert (w1["code"], w1["total"], w1["replaced"]) == ("W1", 179, 111)
    assert f"{w1['total']:,}" in table and w1["forecast_completion"] in table
    bad = cli("replacement", "status", "--as-of", "someday", check=False)
    assert bad.returncode == 2 and "not a date" in bad.stderr and "Traceback" not in bad.stderr
