"""The board-pack archive (versions, hash, chain head, bytes kept out of the audit chain) and the distribution log."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfWriter
from sqlmodel import Session

from tests.governance import factories
from tracker.audit import service as audit
from tracker.auth.models import Principal
from tracker.errors import Conflict, Invalid, NotFound
from tracker.governance import service
from tracker.governance.models import Channel, DistributionCreate

AS_OF = datetime(2026, 11, 18, 0, 0, tzinfo=UTC)


def _pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _archive(session: Session, actor: Principal, review_id: int, pdf: bytes) -> int:
    head = audit.head(session)
    return service.archive_board_pack(
        session=session,
        meeting_id=review_id,
        pdf=pdf,
        as_of=AS_OF,
        chain_head_seq=head.seq,
        chain_head_hash=head.hash,
        actor=actor,
    ).pack_version


def test_each_generation_is_a_new_version_and_old_versions_stay_retrievable(session: Session, actor: Principal) -> None:
    board = factories.body(session, actor, code="board")
    meeting = factories.review(session, actor, board.id, date(2026, 11, 19))
    first, second = _pdf(1), _pdf(2)
    assert _archive(session, actor, meeting.id, first) == 1
    assert _archive(session, actor, meeting.id, second) == 2
    versions = service.list_board_packs(session=session, review_id=meeting.id)
    assert [(v.pack_version, v.sha256, v.size_bytes) for v in versions] == [
        (1, hashlib.sha256(first).hexdigest(), len(first)),
        (2, hashlib.sha256(second).hexdigest(), len(second)),
    ]
    assert versions[0].as_of == AS_OF and versions[0].generated_by == "tester"
    assert service.board_pack_pdf(session=session, review_id=meeting.id, pack_version=1).content == first
    assert service.get_review(session=session, review_id=meeting.id).board_pack_versions == [1, 2]


def test_the_archive_records_the_chain_head_and_keeps_the_bytes_out_of_the_audit_chain(
    session: Session, actor: Principal
) -> None:
    board = factories.body(session, actor, code="board")
    meeting = factories.review(session, actor, board.id, date(2026, 11, 19))
    head = audit.head(session)
    pdf = _pdf()
    _archive(session, actor, meeting.id, pdf)
    pack = service.get_board_pack(session=session, review_id=meeting.id, pack_version=1)
    assert (pack.chain_head_seq, pack.chain_head_hash) == (head.seq, head.hash)
    (event,) = audit.history(session, entity_type="board_pack", entity_id=pack.id)
    assert "pdf" not in event.state
    assert event.state["sha256"] == hashlib.sha256(pdf).hexdigest() and event.state["size_bytes"] == len(pdf)
    assert set(event.state) == {
        "id", "review_id", "pack_version", "sha256", "size_bytes", "as_of", "chain_head_seq", "chain_head_hash",
        "generated_at", "generated_by",
    }  # fmt: skip
    assert audit.verify(session).ok


def test_a_signed_off_meeting_may_still_archive_its_pack(session: Session, actor: Principal) -> None:
    board = factories.body(session, actor, code="board")
    signed = factories.signed_off(session, actor, board.id, date(2026, 8, 20))
    assert _archive(session, actor, signed.id, _pdf()) == 1


def test_archive_refuses_what_is_not_a_pdf_and_a_bad_chain_head(session: Session, actor: Principal) -> None:
    board = factories.body(session, actor, code="board")
    meeting = factories.review(session, actor, board.id, date(2026, 11, 19))
    with pytest.raises(Invalid, match="not a PDF"):
        _archive(session, actor, meeting.id, b"<html>")
    with pytest.raises(Invalid, match="chain head"):
        service.archive_board_pack(
            session=session, meeting_id=meeting.id, pdf=b"%PDF-1.7 x", as_of=AS_OF, chain_head_seq=1,
            chain_head_hash="nothex", actor=actor,
        )  # fmt: skip
    with pytest.raises(NotFound):
        _archive(session, actor, 999, _pdf())


def test_distribution_log_records_who_received_which_version_when(session: Session, actor: Principal) -> None:
    board = factories.body(session, actor, code="board")
    meeting = factories.review(session, actor, board.id, date(2026, 11, 19))
    _archive(session, actor, meeting.id, _pdf(1))
    _archive(session, actor, meeting.id, _pdf(2))
    sent = datetime.now(UTC)
    now = sent + timedelta(minutes=1)
    rows = service.record_distribution(
        session=session,
        review_id=meeting.id,
        data=DistributionCreate(
            pack_version=1,
            recipients=["Board chair", "Outside director A"],
            channel=Channel.secure_portal,
            sent_at=sent,
        ),
        actor=actor,
        now=now,
    )
    assert [(r.recipient, r.pack_version, r.sent_at) for r in rows] == [
        ("Board chair", 1, sent),
        ("Outside director A", 1, sent),
    ]
    service.record_distribution(
        session=session,
        review_id=meeting.id,
        data=DistributionCreate(pack_version=2, recipients=["Board chair"], channel=Channel.email, note="Revised"),
        actor=actor,
        now=now,
    )
    log = service.list_distributions(session=session, review_id=meeting.id)
    assert [(d.recipient, d.pack_version, d.channel, d.recorded_by) for d in log] == [
        ("Board chair", 1, Channel.secure_portal, "tester"),
        ("Outside director A", 1, Channel.secure_portal, "tester"),
        ("Board chair", 2, Channel.email, "tester"),
    ]
    assert len(audit.list_events(session, entity_type="board_pack_distribution").items) == 3


def test_distribution_needs_an_existing_version_and_a_plausible_time(session: Session, actor: Principal) -> None:
    board = factories.body(session, actor, code="board")
    meeting = factories.review(session, actor, board.id, date(2026, 11, 19))
    with pytest.raises(Conflict, match="no board pack version 1 \\(versions: none yet\\)"):
        service.record_distribution(
            session=session, review_id=meeting.id,
            data=DistributionCreate(pack_version=1, recipients=["Board chair"], channel=Channel.email), actor=actor,
        )  # fmt: skip
    _archive(session, actor, meeting.id, _pdf())
    with pytest.raises(Conflict, match="before version 1 was generated"):
        service.record_distribution(
            session=session, review_id=meeting.id,
            data=DistributionCreate(pack_version=1, recipients=["Board chair"], channel=Channel.email,
                                    sent_at=datetime(2026, 1, 1, tzinfo=UTC)),
            actor=actor,
        )  # fmt: skip
    with pytest.raises(Conflict, match="in the future"):
        service.record_distribution(
            session=session, review_id=meeting.id,
            data=DistributionCreate(pack_version=1, recipients=["Board chair"], channel=Channel.email,
                                    sent_at=datetime.now(UTC) + timedelta(days=1)),
            actor=actor,
        )  # fmt: skip
