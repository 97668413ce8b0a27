"""FastAPI dependencies as annotated aliases: sessions, the current principal, role checks, If-Match."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Header, Query, Request
from sqlalchemy import Engine
from sqlmodel import Session

from tracker.auth import service as auth_service
from tracker.auth.models import (
    ADMINS,
    ALL_ROLES,
    APPROVERS,
    AUDITORS,
    READERS,
    REPORT_READERS,
    WRITERS,
    Principal,
    Role,
)
from tracker.db import read_session, write_session
from tracker.errors import Forbidden, Invalid, Unauthorized
from tracker.pagination import MAX_LIMIT


def get_engine(request: Request) -> Engine:
    """The engine the app was created with."""
    engine: Engine = request.app.state.engine
    return engine


def request_id(request: Request) -> str:
    """The id of this request (the X-Request-ID the client sent, or one generated for it)."""
    return str(request.scope.get("state", {}).get("request_id") or "")


def get_write_session(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    """A session whose transaction commits after the endpoint returns, or rolls back on error."""
    with write_session(engine) as session:
        yield session


def get_read_session(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    """A read-only session (never takes the SQLite write lock)."""
    with read_session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_write_session)]
ReadSessionDep = Annotated[Session, Depends(get_read_session)]


def get_principal(
    request: Request,
    engine: Annotated[Engine, Depends(get_engine)],
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Principal:
    """The principal behind the bearer token; 401 without a valid one."""
    if not authorization:
        raise Unauthorized("An 'Authorization: Bearer <token>' header is required.")
    scheme, _, secret = authorization.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("The Authorization header must be 'Bearer <token>'.")
    with read_session(engine) as session:
        principal = auth_service.authenticate(session=session, secret=secret.strip(), request_id=request_id(request))
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require_roles(roles: frozenset[Role]) -> Callable[[Principal], Principal]:
    """A dependency admitting only the given roles (403 for the others)."""
    allowed = ", ".join(sorted(str(r) for r in roles))

    def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise Forbidden(f"Role '{principal.role}' may not do this; allowed: {allowed}.")
        return principal

    return check


# One alias per role set, so a route's signature says who may call it.
AnyRole = Annotated[Principal, Depends(require_roles(ALL_ROLES))]
Reader = Annotated[Principal, Depends(require_roles(READERS))]
ReportReader = Annotated[Principal, Depends(require_roles(REPORT_READERS))]
Writer = Annotated[Principal, Depends(require_roles(WRITERS))]
Approver = Annotated[Principal, Depends(require_roles(APPROVERS))]
Auditor = Annotated[Principal, Depends(require_roles(AUDITORS))]
Admin = Annotated[Principal, Depends(require_roles(ADMINS))]

_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,18})"?\s*$')


def etag(version: int) -> str:
    """The ETag header value for a record version."""
    return f'"{version}"'


def parse_if_match(
    # Typed str (not str | None) with a pattern, so the OpenAPI document says exactly what a client may send.
    if_match: Annotated[
        str,
        Header(
            description='The ETag of the version you edited, e.g. "3" (or * for any version).',
            pattern=r'^\s*(\*|(W/)?"?[0-9]{1,18}"?)?\s*$',
        ),
    ] = "",
) -> int | None:
    """The record version named by If-Match, if the client sent one ('*' means any version)."""
    if not if_match.strip() or if_match.strip() == "*":
        return None
    match = _ETAG.match(if_match)
    if match is None:
        raise Invalid('If-Match must be an ETag this API returned, such as "3".', field="If-Match")
    return int(match.group(1))


IfMatch = Annotated[int | None, Depends(parse_if_match)]

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size (max 1000).")]
Cursor = Annotated[str | None, Query(max_length=2048, description="The next_cursor of the previous page.")]
