"""Domain errors. Services raise these; one handler in `tracker.app` maps them to HTTP, the CLI to one line."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True)
class ErrorDetail:
    """One problem with the input: the field (and, for imports, the line) it concerns."""

    message: str
    field: str | None = None
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form; absent keys are omitted rather than null."""
        out: dict[str, Any] = {"message": self.message}
        if self.field is not None:
            out["field"] = self.field
        if self.line is not None:
            out["line"] = self.line
        return out


class SectrackError(Exception):
    """Base of every error a user can cause; carries the HTTP status it maps to."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, errors: Iterable[ErrorDetail] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = list(errors)
        if field is not None and not self.errors:
            self.errors = [ErrorDetail(message=message, field=field)]

    def as_dict(self) -> dict[str, Any]:
        """The JSON body every API error response carries."""
        return {"error": self.code, "message": self.message, "errors": [e.as_dict() for e in self.errors]}


class Unauthorized(SectrackError):
    """No token, or a token that is unknown or revoked."""

    status_code = 401
    code = "unauthorized"


class Forbidden(SectrackError):
    """The caller's role may not do this."""

    status_code = 403
    code = "forbidden"


class NotFound(SectrackError):
    """The named record does not exist."""

    status_code = 404
    code = "not_found"


class Conflict(SectrackError):
    """A duplicate natural key, a dependency cycle, an illegal state transition, a frozen record."""

    status_code = 409
    code = "conflict"


class Stale(SectrackError):
    """The client's If-Match version is not the record's current version."""

    status_code = 412
    code = "precondition_failed"


class TooLarge(SectrackError):
    """The request body or a line in it exceeds the configured limit."""

    status_code = 413
    code = "too_large"


class Invalid(SectrackError):
    """Input that fails validation; `errors` names every field (and line) at fault."""

    status_code = 422
    code = "invalid"


class ConfigurationError(SectrackError):
    """The installation is not usable as configured (missing key, font, database)."""

    status_code = 500
    code = "configuration"


class ErrorItem(BaseModel):
    """One problem in an error response."""

    message: str
    field: str | None = None
    line: int | None = None


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: str
    message: str
    errors: list[ErrorItem] = []
    request_id: str | None = None


def _response(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


# Documented on every /api/v1 operation, so clients and schema-driven tests know the error shape.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _response("No token, or an unknown or revoked token."),
    403: _response("The token's role may not do this."),
    404: _response("No such record."),
    409: _response("Duplicate natural key, dependency cycle, illegal state transition or frozen record."),
    412: _response("If-Match names a version that is no longer current."),
    413: _response("The request body is too large."),
    422: _response("Invalid input; `errors` names each field (and line, for imports)."),
    503: _response("The database is busy or unavailable; retry."),
}
