"""Helpers every mutable record shares: optimistic versioning and If-Match checks."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import declared_attr
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from tracker.errors import Conflict, Stale


class VersionedMixin:
    """Make the table's `version` column SQLAlchemy's version counter.

    Every UPDATE then says `WHERE id = ? AND version = ?` and bumps the version, so two writers that read the same
    version cannot both win: the second gets StaleDataError (see `flush_versioned`). Put it first in the bases:
    `class Femtocell(VersionedMixin, FemtocellBase, table=True)`, with `version: int = Field(default=1)`.
    """

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


def check_version(record: Any, expected: int | None, *, what: str) -> None:
    """Raise Stale (412) when the client's If-Match version is not the record's current version."""
    if expected is not None and record.version != expected:
        raise Stale(
            f"{what} is at version {record.version}, not {expected}; reload it and apply your change again.",
            field="If-Match",
        )


def flush_versioned(session: Session, *, what: str, expected: int | None = None) -> None:
    """Flush pending changes; losing a race on the same version is 412 with If-Match, else 409."""
    try:
        session.flush()
    except StaleDataError as exc:
        message = f"{what} was changed by someone else at the same moment; reload and retry."
        if expected is not None:
            raise Stale(message, field="If-Match") from exc
        raise Conflict(message) from exc
