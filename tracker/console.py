"""Shared pieces of the command line: consoles, the CLI principal, the ready-to-use engine."""

from __future__ import annotations

import getpass

from rich.console import Console
from sqlalchemy import Engine

from tracker import migrate
from tracker.auth.models import Principal
from tracker.db import get_engine
from tracker.errors import ConfigurationError
from tracker.settings import Settings, get_settings

console = Console()
err_console = Console(stderr=True, soft_wrap=True)


def cli_actor() -> Principal:
    """The principal CLI changes are attributed to: the operating-system user, with admin rights."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Principal.system(name=f"cli:{user}")


def ready_engine(settings: Settings | None = None) -> Engine:
    """The configured engine, after checking that `sectrack init` has brought the schema to head."""
    settings = settings or get_settings()
    engine = get_engine(settings)
    if not migrate.is_current(engine):
        where = engine.url.render_as_string(hide_password=True)
        raise ConfigurationError(
            f"The database {where} is not initialised or not at the current schema; run 'sectrack init'."
        )
    return engine
