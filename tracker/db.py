"""Engine and sessions for SQLite (embedded default) and PostgreSQL (production).

SQLite runs in WAL mode with foreign keys and a busy timeout. Write sessions open their transaction with
`BEGIN IMMEDIATE`, so two writers queue on the database lock instead of failing later when a read snapshot
cannot be upgraded; read-only sessions keep `BEGIN DEFERRED` and never block writers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

from tracker.settings import Settings, get_settings, sqlite_path

_ENGINES: dict[str, Engine] = {}


def make_engine(url: str, *, busy_timeout_ms: int = 30_000, echo: bool = False) -> Engine:
    """Create an engine for a SQLite or PostgreSQL URL with sectrack's connection settings."""
    if url.startswith("sqlite"):
        return _make_sqlite_engine(url, busy_timeout_ms=busy_timeout_ms, echo=echo)
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _make_sqlite_engine(url: str, *, busy_timeout_ms: int, echo: bool) -> Engine:
    path = sqlite_path(url)
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": busy_timeout_ms / 1000}}
    if path is None:
        # One shared connection, or every session would see its own empty memory database.
        kwargs["poolclass"] = StaticPool
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below own BEGIN; pysqlite's implicit BEGIN cannot be IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if path is not None:
            cursor.execute("PRAGMA journal_mode=WAL")
            # NORMAL is durable against process crashes in WAL mode and much faster than FULL.
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def get_engine(settings: Settings | None = None) -> Engine:
    """The process-wide engine for the configured database (created on first use)."""
    settings = settings or get_settings()
    url = settings.database_url
    if url not in _ENGINES:
        _ENGINES[url] = make_engine(url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    return _ENGINES[url]


def dispose_engines() -> None:
    """Close every pooled connection (tests and CLI exit)."""
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()


def read_engine(engine: Engine) -> Engine:
    """A view of `engine` whose transactions are read-only friendly (deferred BEGIN on SQLite)."""
    if engine.dialect.name != "sqlite":
        return engine
    return engine.execution_options(sqlite_begin="DEFERRED")


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session for one unit of work: committed on success, rolled back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session that only reads; it never takes SQLite's write lock."""
    with Session(read_engine(engine), expire_on_commit=False) as session:
        try:
            yield session
        finally:
            session.rollback()
