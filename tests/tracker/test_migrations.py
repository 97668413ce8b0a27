"""Alembic migrations produce exactly the models' schema, on SQLite and PostgreSQL, and `init` is idempotent."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from tracker import migrate
from tracker.db import make_engine
from tracker.models import metadata


def _schema_diff(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def test_migrations_produce_the_models_schema(file_engine: Engine) -> None:
    assert _schema_diff(file_engine) == []
    assert migrate.is_current(file_engine)


def test_upgrade_twice_is_a_no_op(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    migrate.upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    migrate.upgrade(engine)
    assert set(inspect(engine).get_table_names()) == tables
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_fresh_database_is_not_current(tmp_path: Path) -> None:
    assert not migrate.is_current(make_engine(f"sqlite:///{tmp_path / 'empty.db'}"))


def test_every_table_is_created_by_a_migration(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'y.db'}")
    migrate.upgrade(engine)
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())
