"""Settings, SQLite connection pragmas, key files and UTC handling."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from tracker.db import make_engine, read_session, write_session
from tracker.errors import ConfigurationError, Invalid
from tracker.keys import ensure_signing_key, load_signing_key
from tracker.settings import Settings
from tracker.types import parse_instant


def test_postgres_urls_are_given_the_psycopg_driver() -> None:
    assert Settings(database_url="postgresql://u@h/db").database_url == "postgresql+psycopg://u@h/db"
    assert Settings(database_url="postgres://u@h/db").database_url == "postgresql+psycopg://u@h/db"


def test_sqlite_file_runs_in_wal_with_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}", busy_timeout_ms=1234)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1234


def test_pseudonym_key_is_created_once_with_private_permissions(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'k.db'}", pseudonym_key=None)
    with pytest.raises(ConfigurationError):
        settings.pseudonym_key_bytes()
    key = settings.pseudonym_key_bytes(create=True)
    assert settings.pseudonym_key_bytes() == key and len(key) == 64
    mode = stat.S_IMODE(os.stat(tmp_path / "pseudonym.key").st_mode)
    assert mode == 0o600


def test_signing_key_is_created_once_and_loads(tmp_path: Path) -> None:
    path = tmp_path / "signing-key.pem"
    assert ensure_signing_key(path) is True
    assert ensure_signing_key(path) is False
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    load_signing_key(path)


def test_missing_signing_key_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="sectrack init"):
        load_signing_key(tmp_path / "nope.pem")


def test_timestamps_come_back_aware_in_utc(engine: Engine) -> None:
    from tracker.system.models import SystemMeta

    seoul = timezone(timedelta(hours=9))
    with write_session(engine) as s:
        s.add(SystemMeta(key="k", value="1", updated_at=datetime(2026, 1, 1, 9, 0, tzinfo=seoul)))
    with read_session(engine) as s:
        row = s.get(SystemMeta, "k")
        assert row is not None
        assert row.updated_at == datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
        assert row.updated_at.utcoffset() == timedelta(0)


def test_naive_timestamps_are_refused(engine: Engine) -> None:
    from tracker.system.models import SystemMeta

    with pytest.raises(Exception, match="naive"), write_session(engine) as s:
        s.add(SystemMeta(key="k", value="1", updated_at=datetime(2026, 1, 1)))
        s.flush()


def test_read_sessions_do_not_block_a_writer(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'rw.db'}", busy_timeout_ms=100)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    with read_session(engine) as reader:
        reader.execute(text("SELECT count(*) FROM t")).scalar()
        with write_session(engine) as writer:
            writer.execute(text("INSERT INTO t VALUES (1)"))


def test_bare_date_means_end_of_that_day_in_seoul() -> None:
    assert parse_instant("2026-06-30") == datetime(2026, 6, 30, 14, 59, 59, 999999, tzinfo=UTC)
    assert parse_instant("2026-06-30T09:00:00") == datetime(2026, 6, 30, 0, 0, tzinfo=UTC)
    assert parse_instant("2026-06-30T09:00:00Z") == datetime(2026, 6, 30, 9, 0, tzinfo=UTC)
    with pytest.raises(Invalid):
        parse_instant("June 30")
