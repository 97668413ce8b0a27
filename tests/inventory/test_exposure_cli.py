"""`sectrack exposure`: the service's totals as JSON and as text, with --since/--until."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.inventory import exposure_data as data
from tracker import migrate
from tracker.auth.models import Principal
from tracker.cli import app
from tracker.db import get_engine, write_session
from tracker.errors import Invalid
from tracker.settings import get_settings


@pytest.fixture
def loaded() -> None:
    engine = get_engine(get_settings())
    migrate.upgrade(engine)
    with write_session(engine) as session:
        data.load(session, Principal.system("test"))


def test_json_totals_are_the_hand_computed_figures(loaded: None) -> None:
    result = CliRunner().invoke(app, ["exposure", "--json"])
    assert result.exit_code == 0, result.output
    totals = json.loads(result.output)["totals"]
    assert totals["exposed_subscribers"] == 5 and totals["unauthorized_cells"] == 8
    for raw in data.SUBSCRIBERS.values():
        assert raw not in result.output


def test_text_output_and_window(loaded: None) -> None:
    result = CliRunner().invoke(app, ["exposure", "--since", "2026-03-01", "--until", "2026-06-30"])
    assert result.exit_code == 0, result.output
    assert "Unauthorized cells: 4 (1 not in the inventory, 2 not blocked" in result.output
    assert "Exposed subscribers (each counted once): 2" in result.output
    assert data.ILLEGAL_2 in result.output and data.ILLEGAL_1 not in result.output


def test_a_bad_date_is_one_clear_error(loaded: None) -> None:
    # `sectrack` prints a SectrackError as one sentence on stderr (tracker.cli.main); here it surfaces as raised.
    result = CliRunner().invoke(app, ["exposure", "--since", "March"])
    assert result.exit_code != 0
    assert isinstance(result.exception, Invalid) and result.exception.field == "since"
    assert "--since 'March' is not a date" in str(result.exception)
