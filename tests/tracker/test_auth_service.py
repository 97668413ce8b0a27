"""API tokens: issued once, stored hashed, revocable, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import Session

from tracker.audit import service as audit
from tracker.auth import service
from tracker.auth.models import Principal, Role, TokenCreate
from tracker.errors import Conflict, NotFound, Unauthorized


def test_token_is_stored_only_as_a_hash(session: Session, actor: Principal) -> None:
    issued = service.create(session=session, data=TokenCreate(name="ops", role=Role.staff), actor=actor)
    stored = session.execute(text("SELECT token_hash, prefix FROM api_token")).one()
    assert issued.token not in stored
    assert stored[0] == service.hash_token(issued.token)
    assert issued.token.startswith(stored[1])


def test_token_authenticates_as_its_name_and_role(session: Session, actor: Principal) -> None:
    issued = service.create(session=session, data=TokenCreate(name="board-lee", role=Role.board), actor=actor)
    principal = service.authenticate(session=session, secret=issued.token, request_id="r1")
    assert (principal.name, principal.role, principal.request_id) == ("board-lee", Role.board, "r1")


def test_revoked_and_unknown_tokens_are_refused(session: Session, actor: Principal) -> None:
    issued = service.create(session=session, data=TokenCreate(name="temp", role=Role.staff), actor=actor)
    service.revoke(session=session, name="temp", actor=actor)
    with pytest.raises(Unauthorized):
        service.authenticate(session=session, secret=issued.token, request_id="r")
    with pytest.raises(Unauthorized):
        service.authenticate(session=session, secret="st_unknown", request_id="r")


def test_duplicate_name_is_a_conflict_and_unknown_revoke_not_found(session: Session, actor: Principal) -> None:
    service.create(session=session, data=TokenCreate(name="dup", role=Role.staff), actor=actor)
    with pytest.raises(Conflict):
        service.create(session=session, data=TokenCreate(name="dup", role=Role.admin), actor=actor)
    with pytest.raises(NotFound):
        service.revoke(session=session, name="ghost", actor=actor)


def test_issue_and_revoke_are_audited_without_the_secret_or_its_hash(session: Session, actor: Principal) -> None:
    issued = service.create(session=session, data=TokenCreate(name="aud", role=Role.regulator), actor=actor)
    service.revoke(session=session, name="aud", actor=actor)
    events = audit.history(session, entity_type="api_token", entity_id=1)
    assert [e.action for e in events] == ["create", "revoke"]
    assert events[1].state["revoked_by"] == actor.name
    for event in events:
        assert "token_hash" not in event.state
        assert issued.token not in str(event.state)


def test_token_names_are_validated() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        TokenCreate(name="has space", role=Role.staff)
