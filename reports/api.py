"""The PDF reports over HTTP: board pack, regulator report, management report (board and regulator may read), and
the board pack rendered for a meeting and archived against it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status

from reports import service
from reports.context import ReportKind
from reports.i18n import Lang
from tracker.deps import ReadSessionDep, ReportReader, SessionDep, Writer
from tracker.governance.models import MAX_ID, BoardPackPublic

router = APIRouter(prefix="/reports", tags=["reports"])

AsOf = Annotated[
    str | None,
    Query(
        max_length=40,
        description="Render the state at a past instant (ISO date or datetime; a bare date means the end of that "
        "day in Seoul, a datetime without offset is Seoul time). Rebuilt from the audit chain. Default: now.",
        examples=["2026-06-30"],
        # What the parser accepts, stated so that clients (and schema-driven tests) send dates, not any string.
        json_schema_extra={
            "anyOf": [
                {"type": "string", "format": "date"},
                {"type": "string", "format": "date-time", "maxLength": 40},
            ]
        },
    ),
]
LangQuery = Annotated[Lang, Query(description="Report language: ko (default) or en.")]

_PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}, "description": "PDF"}
}


def _pdf(session: ReadSessionDep, kind: ReportKind, as_of: str | None, lang: Lang) -> Response:
    instant = service.parse_as_of(as_of) if as_of is not None else None
    rendered = service.render_report(session=session, kind=kind, lang=lang, as_of=instant)
    return Response(
        content=rendered.pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{rendered.spec.filename}"'},
    )


@router.get(
    "/board.pdf",
    response_class=Response,
    responses=_PDF,
    summary="The board pack (PDF/UA-1)",
)
def board_pdf(session: ReadSessionDep, _: ReportReader, as_of: AsOf = None, lang: LangQuery = Lang.ko) -> Response:
    """The quarterly board pack as of now or `as_of`."""
    return _pdf(session, ReportKind.board, as_of, lang)


@router.get(
    "/regulator.pdf",
    response_class=Response,
    responses=_PDF,
    summary="The regulator report (PDF/A-3b, manifest attached)",
)
def regulator_pdf(session: ReadSessionDep, _: ReportReader, as_of: AsOf = None, lang: LangQuery = Lang.ko) -> Response:
    """The regulator report as of now or `as_of`, with its manifest embedded as a PDF/A-3 associated file."""
    return _pdf(session, ReportKind.regulator, as_of, lang)


@router.get(
    "/management.pdf",
    response_class=Response,
    responses=_PDF,
    summary="The management monthly report (PDF/UA-1)",
)
def management_pdf(session: ReadSessionDep, _: ReportReader, as_of: AsOf = None, lang: LangQuery = Lang.ko) -> Response:
    """The monthly management report as of now or `as_of`."""
    return _pdf(session, ReportKind.management, as_of, lang)


# Archiving a board pack writes (a new version on the meeting), so it sits with the governance routes and admits
# writers only (admin, staff, ciso), like the distribution log; board members read the archived versions.
board_pack_router = APIRouter(tags=["governance"])

ReviewId = Annotated[int, Path(ge=1, le=MAX_ID, description="The review (meeting) id.")]


@board_pack_router.post(
    "/reviews/{review_id}/board-pack",
    response_model=BoardPackPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Render the board pack for a meeting and archive it",
)
def archive_board_pack(
    review_id: ReviewId,
    session: SessionDep,
    principal: Writer,
    as_of: AsOf = None,
    lang: LangQuery = Lang.ko,
) -> BoardPackPublic:
    """Render the board pack (its decisions requested: this meeting's agenda) and store it as the meeting's next
    board-pack version with its SHA-256, as-of time and audit-chain head; returns the archive record."""
    instant = service.parse_as_of(as_of) if as_of is not None else None
    archived = service.archive_board_pack(
        session=session, review_id=review_id, actor=principal, lang=lang, as_of=instant
    )
    return archived.pack
