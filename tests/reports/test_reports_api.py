"""The reports over HTTP: PDFs for every role that may read them, with as_of and lang."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from reports.manifest import PROVENANCE_FILE
from tests.conftest import auth
from tests.reports import pdfs
from tracker.auth.models import Role


def test_board_member_downloads_the_board_pack_as_a_pdf(client: TestClient, tokens: dict[Role, str]) -> None:
    response = client.get("/api/v1/reports/board.pdf", headers=auth(tokens[Role.board]))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'inline; filename="board-report.pdf"'
    assert response.content.startswith(b"%PDF-")
    assert pdfs.contains(pdfs.page_texts(response.content)[0], "이사회 보고 자료")


def test_regulator_gets_the_english_regulator_report_with_its_manifest(
    client: TestClient, tokens: dict[Role, str]
) -> None:
    response = client.get("/api/v1/reports/regulator.pdf?lang=en", headers=auth(tokens[Role.regulator]))
    assert response.status_code == 200
    assert pdfs.contains(pdfs.page_texts(response.content)[0], "Regulator report")
    assert PROVENANCE_FILE in pdfs.attachments(response.content)


def test_as_of_before_any_record_renders_an_empty_chain_head(client: TestClient, tokens: dict[Role, str]) -> None:
    response = client.get("/api/v1/reports/management.pdf?as_of=2020-01-01&lang=en", headers=auth(tokens[Role.ciso]))
    assert response.status_code == 200
    cover = pdfs.page_texts(response.content)[0]
    assert pdfs.contains(cover, "Point-in-time reconstruction")
    assert pdfs.contains(cover, "#0") and pdfs.contains(cover, "0" * 64)


@pytest.mark.parametrize("as_of", ["yesterday", "2026-13-01", "2026-06-31"])
def test_an_unusable_as_of_is_a_422_naming_the_field(client: TestClient, tokens: dict[Role, str], as_of: str) -> None:
    response = client.get(f"/api/v1/reports/board.pdf?as_of={as_of}", headers=auth(tokens[Role.board]))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "as_of"


def test_an_unknown_language_is_a_422(client: TestClient, tokens: dict[Role, str]) -> None:
    response = client.get("/api/v1/reports/board.pdf?lang=fr", headers=auth(tokens[Role.board]))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "lang"
