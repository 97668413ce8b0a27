"""Fixtures for export tests: a populated database and a way to export it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine

from reports.export import service
from reports.export.bundle import ExportResult
from tests.reports.export.factories import populate
from tracker.auth.models import Principal
from tracker.db import read_session, write_session
from tracker.keys import load_signing_key

Exporter = Callable[..., ExportResult]


@pytest.fixture
def signing_key(signing_key_path: Path) -> Ed25519PrivateKey:
    """The key the test settings sign exports with."""
    return load_signing_key(signing_key_path)


@pytest.fixture
def populated(engine: Engine, actor: Principal) -> Engine:
    """The test database with a small chain of tokens, system facts and widgets."""
    with write_session(engine) as session:
        populate(session, actor)
    return engine


@pytest.fixture
def export(tmp_path: Path) -> Exporter:
    """Export a database to a file in tmp_path through the service, in a fresh read session as the CLI does."""
    counter = iter(range(1, 1000))

    def run(engine: Engine, *, as_of: datetime | str | None = None, name: str | None = None) -> ExportResult:
        out = tmp_path / (name or f"bundle-{next(counter)}.zip")
        with read_session(engine) as session:
            return service.export_audit(session=session, out=out, as_of=as_of)

    return run
