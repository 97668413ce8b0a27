"""The real CLI writes the PDF reports: `sectrack report ...` and `sectrack demo`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Cli
from tests.reports import pdfs

pytestmark = pytest.mark.e2e


def test_report_command_writes_the_pdf_and_names_its_chain_head(cli: Cli, tmp_path: Path) -> None:
    cli("init")
    cli("token", "create", "--name", "ops", "--role", "staff")
    result = cli("report", "management", "--out", "reports/management.pdf", "--lang", "en")
    written = tmp_path / "reports" / "management.pdf"
    assert written.read_bytes().startswith(b"%PDF-")
    assert "audit-chain head #1" in result.stdout and "pages" in result.stdout
    assert pdfs.contains(pdfs.page_texts(written.read_bytes())[0], "Management monthly report")


def test_report_with_an_unusable_as_of_fails_with_one_line_and_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    cli("init")
    result = cli("report", "board", "--out", "board.pdf", "--as-of", "last tuesday", check=False)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error:") and "'last tuesday' is not an ISO date" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "board.pdf").exists()


def test_demo_writes_the_three_reports_into_out(cli: Cli, tmp_path: Path) -> None:
    cli("demo", "--out", "out", "--devices", "0")
    for name in ("board-report.pdf", "regulator-report.pdf", "management-report.pdf"):
        pdf = (tmp_path / "out" / name).read_bytes()
        assert all("DEMO DATA" in text for text in pdfs.page_texts(pdf)), name
