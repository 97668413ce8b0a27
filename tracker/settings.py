"""Runtime settings from the environment (`SECTRACK_*`)."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PSEUDONYM_KEY_FILE = "pseudonym.key"
SIGNING_KEY_FILE = "signing-key.pem"


class Settings(BaseSettings):
    """sectrack configuration; every field reads `SECTRACK_<NAME>` from the environment."""

    model_config = SettingsConfigDict(env_prefix="SECTRACK_", extra="ignore")

    database_url: str = Field(default="sqlite:///./sectrack.db", repr=False)
    pseudonym_key: str | None = Field(default=None, repr=False)
    signing_key: Path | None = None
    # Requests whose body exceeds this many bytes are refused with 413 before they are read whole.
    max_body_bytes: int = 512 * 1024 * 1024
    sqlite_busy_timeout_ms: int = 30_000
    log_level: str = "INFO"
    # Days to remediate a finding by severity (JSON in SECTRACK_FINDING_SLA_DAYS); missing severities keep these.
    finding_sla_days: dict[str, int] = Field(
        default_factory=lambda: {"critical": 7, "high": 30, "medium": 90, "low": 180}
    )

    @field_validator("database_url")
    @classmethod
    def _normalise_postgres_driver(cls, value: str) -> str:
        # Operators paste libpq-style URLs; we only ship the psycopg 3 driver.
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    @property
    def is_sqlite(self) -> bool:
        """True when the database is an embedded SQLite file or memory database."""
        return self.database_url.startswith("sqlite")

    @property
    def data_dir(self) -> Path:
        """Directory that holds generated keys: beside the SQLite file, else the working directory."""
        if self.is_sqlite:
            path = sqlite_path(self.database_url)
            if path is not None:
                return path.parent
        return Path.cwd()

    def signing_key_path(self) -> Path:
        """Path of the Ed25519 private key (configured, or beside the database)."""
        return self.signing_key if self.signing_key is not None else self.data_dir / SIGNING_KEY_FILE

    def pseudonym_key_bytes(self, *, create: bool = False) -> bytes:
        """The HMAC key for subscriber pseudonyms; generated into the data directory on `init`."""
        if self.pseudonym_key:
            return self.pseudonym_key.encode("utf-8")
        path = self.data_dir / PSEUDONYM_KEY_FILE
        if path.exists():
            return path.read_text(encoding="ascii").strip().encode("utf-8")
        if not create:
            from tracker.errors import ConfigurationError

            raise ConfigurationError(
                f"No pseudonymization key: set SECTRACK_PSEUDONYM_KEY or run 'sectrack init' to create {path}."
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        # Create with 0600 so the key is never world-readable, even briefly.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key + "\n")
        return key.encode("utf-8")


def sqlite_path(url: str) -> Path | None:
    """The file path of a SQLite URL, or None for an in-memory database."""
    rest = url.split(":///", 1)[1] if ":///" in url else ""
    rest = rest.split("?", 1)[0]
    if not rest or rest == ":memory:":
        return None
    return Path(rest).expanduser().resolve()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
