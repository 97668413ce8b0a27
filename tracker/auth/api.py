"""Manage API tokens over HTTP (admin only)."""

from __future__ import annotations

from fastapi import APIRouter, status

from tracker.auth import service
from tracker.auth.models import TokenCreate, TokenIssued, TokenPublic
from tracker.deps import Admin, ReadSessionDep, SessionDep

router = APIRouter(prefix="/tokens", tags=["tokens"])


@router.get("", response_model=list[TokenPublic], summary="List tokens (never their secrets)")
def list_tokens(session: ReadSessionDep, _: Admin) -> list[TokenPublic]:
    """Every token with its role and revocation state."""
    return service.list_tokens(session=session)


@router.post("", response_model=TokenIssued, status_code=status.HTTP_201_CREATED, summary="Issue a token")
def create_token(data: TokenCreate, session: SessionDep, principal: Admin) -> TokenIssued:
    """Issue a token; the secret is in this response only."""
    return service.create(session=session, data=data, actor=principal)


@router.post("/{name}/revoke", response_model=TokenPublic, summary="Revoke a token")
def revoke_token(name: str, session: SessionDep, principal: Admin) -> TokenPublic:
    """Revoke a token by name; it stops working at once."""
    return service.revoke(session=session, name=name, actor=principal)
