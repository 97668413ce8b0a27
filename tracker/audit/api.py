"""Read the audit chain over HTTP (regulators and admins)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter

from tracker.audit import service
from tracker.audit.models import AuditEventPublic, ChainHead, ChainVerification
from tracker.deps import Auditor, Cursor, Limit, ReadSessionDep
from tracker.pagination import DEFAULT_LIMIT, Page

router = APIRouter(prefix="/audit-events", tags=["audit"])


@router.get("", response_model=Page[AuditEventPublic], summary="List audit events in chain order")
def list_audit_events(
    session: ReadSessionDep,
    _: Auditor,
    entity_type: str | None = None,
    entity_id: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    request_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[AuditEventPublic]:
    """Events oldest first, filtered by entity, actor, action, request id or time."""
    return service.list_events(
        session,
        entity_type=entity_type,
        entity_id=entity_id,
        actor=actor,
        action=action,
        request_id=request_id,
        since=since,
        until=until,
        cursor=cursor,
        limit=limit,
    )


@router.get("/head", response_model=ChainHead, summary="The chain head: newest sequence number and hash")
def chain_head(session: ReadSessionDep, _: Auditor) -> ChainHead:
    """The newest event's sequence number and hash."""
    return service.head(session)


@router.get("/verify", response_model=ChainVerification, summary="Re-walk the chain and report the first break")
def verify_chain(session: ReadSessionDep, _: Auditor) -> ChainVerification:
    """Recompute every link and hash; `ok` is false with the first bad sequence number on any tampering."""
    return service.verify(session)
