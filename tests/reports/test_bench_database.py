"""The reports benchmark: its database (the control bench's fleet plus every other seed step, at the schema's head)
and the figures its measuring child reports."""

from __future__ import annotations

import sys
from pathlib import Path

from reports.bench import _child, build_database
from reports.context import ReportKind
from reports.registry import REPORTS
from reports.service import render_report
from tracker import migrate
from tracker.controls import report as controls_data
from tracker.db import make_engine, read_session


def test_the_bench_database_is_at_head_and_fills_every_board_section(tmp_path: Path) -> None:
    engine = make_engine(build_database(tmp_path / "bench.db", 500))
    try:
        assert migrate.is_current(engine)
        with read_session(engine) as session:
            run = controls_data.latest_run(session)
            assert run is not None and run.fleet is not None
            assert sum(run.fleet["by_status"].values()) == 500
            rendered = render_report(session=session, kind=ReportKind.board)
        assert rendered.sections == [s.key for s in REPORTS[ReportKind.board].sections]
        assert rendered.omitted == []
    finally:
        engine.dispose()


def test_the_measuring_child_times_imports_and_renderings_apart(tmp_path: Path) -> None:
    url = build_database(tmp_path / "bench.db", 200)
    figures = _child("board", url, 1)
    assert set(figures) == {"imports", "first", "cpu_first", "warm", "weasyprint", "peak_mb_first", "peak_mb", "pages"}
    assert all(figures[k] > 0 for k in figures)
    # networkx is imported with the report modules, so the timed renderings import nothing more.
    assert "networkx" in sys.modules
