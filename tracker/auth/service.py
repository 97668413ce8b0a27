"""Issue, list, revoke and check API tokens."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from tracker.audit import service as audit
from tracker.auth.models import ApiToken, Principal, Role, TokenCreate, TokenIssued, TokenPublic
from tracker.errors import Conflict, NotFound, Unauthorized
from tracker.types import now_utc

TOKEN_PREFIX = "st_"


def hash_token(token: str) -> str:
    """SHA-256 of a token; tokens carry 256 random bits, so a fast hash is the right tool here."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _audit_state(token: ApiToken) -> dict[str, object]:
    # The hash stays out of the chain: exports must never help anyone guess a live token.
    state = audit.state_of(token)
    state.pop("token_hash", None)
    return state


def create(*, session: Session, data: TokenCreate, actor: Principal) -> TokenIssued:
    """Issue a token; the secret is returned here and never again."""
    if session.exec(select(ApiToken).where(ApiToken.name == data.name)).first() is not None:
        raise Conflict(f"A token named '{data.name}' already exists.", field="name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=data.name,
        role=Role(data.role),
        token_hash=hash_token(secret),
        prefix=secret[:10],
        created_by=actor.name,
    )
    session.add(token)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"A token named '{data.name}' already exists.", field="name") from exc
    audit.record(
        session,
        actor=actor,
        action="create",
        entity_type="api_token",
        entity_id=token.id or 0,
        state=_audit_state(token),
    )
    return TokenIssued(**TokenPublic.model_validate(token, from_attributes=True).model_dump(), token=secret)


def list_tokens(*, session: Session, include_revoked: bool = True) -> list[TokenPublic]:
    """Every token, oldest first, without secrets."""
    stmt = select(ApiToken).order_by(ApiToken.id)  # type: ignore[arg-type]
    if not include_revoked:
        stmt = stmt.where(ApiToken.revoked_at.is_(None))  # type: ignore[union-attr]
    return [TokenPublic.model_validate(t, from_attributes=True) for t in session.exec(stmt)]


def revoke(*, session: Session, name: str, actor: Principal) -> TokenPublic:
    """Revoke a token by name; it stops working at once. Revoking twice is a conflict."""
    token = session.exec(select(ApiToken).where(ApiToken.name == name)).first()
    if token is None:
        raise NotFound(f"No token named '{name}'.", field="name")
    if token.revoked_at is not None:
        raise Conflict(f"Token '{name}' was already revoked.", field="name")
    token.revoked_at = now_utc()
    token.revoked_by = actor.name
    token.version += 1
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="revoke",
        entity_type="api_token",
        entity_id=token.id or 0,
        state=_audit_state(token),
    )
    return TokenPublic.model_validate(token, from_attributes=True)


def authenticate(*, session: Session, secret: str, request_id: str) -> Principal:
    """The principal a bearer token stands for; Unauthorized if unknown or revoked."""
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(secret))).first()
    if token is None or token.revoked_at is not None:
        raise Unauthorized("The API token is unknown or revoked.")
    return Principal(name=token.name, role=Role(token.role), request_id=request_id)
