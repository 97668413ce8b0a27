"""Shared fixtures: a database engine on SQLite and (when SECTRACK_TEST_POSTGRES_URL is set) PostgreSQL.

Service tests use `session` (a write session on a fresh database). HTTP tests use `client` plus `tokens`, a role →
bearer-token map. The PostgreSQL variant migrates one database per test worker with Alembic once and truncates
every table after each test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from tracker import migrate
from tracker.app import create_app
from tracker.auth import service as auth_service
from tracker.auth.models import Principal, Role, TokenCreate
from tracker.db import make_engine, write_session
from tracker.keys import ensure_signing_key
from tracker.models import metadata

POSTGRES_URL = os.environ.get("SECTRACK_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


@pytest.fixture(scope="session")
def signing_key_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One Ed25519 signing key for the test session (exports sign with it)."""
    path = tmp_path_factory.mktemp("keys") / "signing-key.pem"
    ensure_signing_key(path)
    return path


@pytest.fixture(scope="session", autouse=True)
def _session_settings(signing_key_path: Path) -> Iterator[None]:
    """Keys for module- and session-scoped fixtures too (they run before the per-test settings below)."""
    from tracker.settings import get_settings

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SECTRACK_PSEUDONYM_KEY", "test-pseudonym-key")
        patch.setenv("SECTRACK_SIGNING_KEY", str(signing_key_path))
        get_settings.cache_clear()
        yield
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signing_key_path: Path) -> Iterator[None]:
    """Each test gets its own data directory and settings, never the developer's environment."""
    from tracker.settings import get_settings

    for var in ("SECTRACK_DATABASE_URL", "SECTRACK_SIGNING_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SECTRACK_PSEUDONYM_KEY", "test-pseudonym-key")
    monkeypatch.setenv("SECTRACK_SIGNING_KEY", str(signing_key_path))
    monkeypatch.setenv("SECTRACK_DATABASE_URL", f"sqlite:///{tmp_path / 'settings-default.db'}")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _worker_database_url(base_url: str, worker: str) -> str:
    # Unique per process: two suites running at once against one server must not drop each other's database.
    url = make_url(base_url)
    return url.set(database=f"{url.database}_{worker}_{os.getpid()}").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A PostgreSQL database of this test worker's own, migrated to head with Alembic once."""
    assert POSTGRES_URL is not None
    worker_id = getattr(request.config, "workerinput", {}).get("workerid", "main")
    admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    url = _worker_database_url(POSTGRES_URL, worker_id)
    name = make_url(url).database
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_all(engine: Engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE TABLE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """An empty database at the current schema: in-memory SQLite, or the worker's PostgreSQL database."""
    if request.param == "sqlite":
        eng = make_engine("sqlite://")
        metadata.create_all(eng)
        yield eng
        eng.dispose()
        return
    eng = request.getfixturevalue("postgres_engine")
    try:
        yield eng
    finally:
        _truncate_all(eng)


@pytest.fixture(params=BACKENDS)
def file_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database shared by several connections: a SQLite file migrated with Alembic, or PostgreSQL."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'file.db'}")
        migrate.upgrade(eng)
        yield eng
        eng.dispose()
        return
    eng = request.getfixturevalue("postgres_engine")
    try:
        yield eng
    finally:
        _truncate_all(eng)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A write session on a fresh database, committed at the end of the test."""
    with write_session(engine) as s:
        yield s


@pytest.fixture
def actor() -> Principal:
    """The principal service tests act as."""
    return Principal(name="tester", role=Role.admin, request_id=f"test-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def app(engine: Engine):  # type: ignore[no-untyped-def]
    """The API bound to the test database."""
    return create_app(engine)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """An HTTP client for the API (no token; see `tokens` and `auth`)."""
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def tokens(engine: Engine) -> dict[Role, str]:
    """One bearer token per role, issued through the service."""
    issued: dict[Role, str] = {}
    with write_session(engine) as s:
        for role in Role:
            token = auth_service.create(
                session=s, data=TokenCreate(name=f"{role}-token", role=role), actor=Principal.system("fixture")
            )
            issued[role] = token.token
    return issued


def auth(token: str) -> dict[str, str]:
    """Authorization header for a bearer token."""
    return {"Authorization": f"Bearer {token}"}
