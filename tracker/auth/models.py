"""API token table, roles and the acting principal."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from tracker.types import UTCDateTime, enum_column, now_utc


class Role(StrEnum):
    """What a token may do; each endpoint names the roles it admits."""

    admin = "admin"
    staff = "staff"
    ciso = "ciso"
    board = "board"
    regulator = "regulator"


# Role sets used by endpoints; named once so a route's signature says who may call it.
ALL_ROLES = frozenset(Role)
WRITERS = frozenset({Role.admin, Role.staff, Role.ciso})
APPROVERS = frozenset({Role.admin, Role.ciso})
READERS = frozenset({Role.admin, Role.staff, Role.ciso, Role.regulator})
REPORT_READERS = frozenset({Role.admin, Role.staff, Role.ciso, Role.board, Role.regulator})
AUDITORS = frozenset({Role.admin, Role.regulator})
ADMINS = frozenset({Role.admin})


@dataclass(frozen=True)
class Principal:
    """Who is acting: the token name (or CLI user), its role, and the request the action belongs to."""

    name: str
    role: Role
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @classmethod
    def system(cls, name: str = "system", request_id: str | None = None) -> Principal:
        """The principal for CLI and seed actions run by the operator on the server itself."""
        return cls(name=name, role=Role.admin, request_id=request_id or f"cli-{uuid.uuid4().hex}")


class ApiToken(SQLModel, table=True):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(100), nullable=False, unique=True))
    role: Role = Field(sa_column=enum_column(Role))
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    # The first characters, so an admin can tell tokens apart without the secret.
    prefix: str = Field(sa_column=Column(String(16), nullable=False))
    created_at: datetime = Field(default_factory=now_utc, sa_type=UTCDateTime, nullable=False)
    created_by: str = Field(sa_column=Column(String(100), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_by: str | None = Field(default=None, sa_column=Column(String(100)))
    version: int = Field(default=1, nullable=False)


class TokenCreate(SQLModel):
    """Request to issue a token."""

    name: str = Field(min_length=1, max_length=100, schema_extra={"pattern": r"^[A-Za-z0-9][A-Za-z0-9._@-]*$"})
    role: Role


class TokenPublic(SQLModel):
    """A token as listed: never the secret."""

    id: int
    name: str
    role: Role
    prefix: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None
    revoked_by: str | None


class TokenIssued(TokenPublic):
    """The one response that carries the secret."""

    token: str
