"""The real CLI: `sectrack seed` loads the plan and `sectrack plan ...` shows it."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Cli

pytestmark = pytest.mark.e2e


def test_seed_then_plan_status_late_and_critical_path(cli: Cli) -> None:
    cli.env["COLUMNS"] = "200"  # wide tables, as on a real terminal; the output is not a tty here
    cli("init")
    seeded = cli("seed", "--devices", "0").stdout
    assert "budget lines: 35" in seeded and "milestones: 46" in seeded and "zero-trust assessments" in seeded
    status = cli("plan", "status", "--as-of", "2026-11-21").stdout
    assert "legacy_replacement" in status and "red" in status and "1,000.0" in status
    late = cli("plan", "late", "--as-of", "2026-11-21").stdout
    assert "W1" in late and "W2" in late
    path = cli("plan", "critical-path", "--to", "W2").stdout
    assert "LEG-0" in path and "W2 finishes on 2028-03-26" in path
    again = cli("seed", "--devices", "0", check=False)  # a second seed is refused, nothing half-merged
    assert again.returncode == 1 and "already seeded" in again.stderr and "Traceback" not in again.stderr


def test_plan_commands_fail_with_one_line_errors(cli: Cli) -> None:
    cli("init")
    missing = cli("plan", "status", check=False)
    assert missing.returncode == 1 and "sectrack seed" in missing.stderr and "Traceback" not in missing.stderr
    bad = cli("plan", "status", "--as-of", "tomorrow", check=False)
    assert bad.returncode == 2 and "not a date" in bad.stderr
    unknown = cli("plan", "critical-path", "--to", "NOPE", check=False)
    assert unknown.returncode == 1 and "NOPE" in unknown.stderr
