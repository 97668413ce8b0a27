"""Build a report: context, section data (live or as of a past instant), HTML, PDF.

This module imports nothing heavy at load time (the CLI and the API import it); WeasyPrint and matplotlib load on
the first rendering.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from reports.context import ReportContext, ReportKind, ReportSpec, Section
from reports.i18n import Lang, Translator
from tracker import __version__
from tracker.audit import service as audit
from tracker.runtime import long_lived_objects_frozen
from tracker.system import service as system_service
from tracker.types import as_utc, now_utc, parse_instant

if TYPE_CHECKING:
    from reports.render import TemplateFetcher
    from tracker.auth.models import Principal
    from tracker.governance.models import BoardPackPublic


@dataclass
class RenderedReport:
    """A finished report and how it was made."""

    spec: ReportSpec
    context: ReportContext
    pdf: bytes
    html: str
    pages: int
    sections: list[str]
    omitted: list[str]
    attachments: list[str]
    render_seconds: float
    fetched: list[str] = field(default_factory=list)


def parse_as_of(text: str) -> datetime:
    """A user's as-of date or datetime (see `tracker.types.parse_instant`); the calendar's ends clamp, not fail.

    A date so early or late that it has no UTC equivalent shows the state before the first record, or now.
    """
    try:
        return parse_instant(text)
    except OverflowError:
        early = text.strip()[:1] in {"0", "1"}
        return datetime.min.replace(tzinfo=UTC) if early else datetime.max.replace(tzinfo=UTC)


def write_atomically(path: Path, content: bytes) -> None:
    """Write a file so that readers never see half of it (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(content)
    partial.replace(path)


def spec_for(kind: ReportKind | str) -> ReportSpec:
    """The registered report of this kind."""
    from reports.registry import REPORTS

    return REPORTS[ReportKind(kind)]


@contextmanager
def _data_session(session: Session, as_of: datetime, *, historical: bool) -> Iterator[Session]:
    if not historical:
        yield session
        return
    from reports.snapshot import snapshot_session

    with snapshot_session(session, as_of) as snapshot:
        yield snapshot


def _repeatable_read(session: Session) -> None:
    # On PostgreSQL every statement of a READ COMMITTED transaction sees new commits; a report must see one
    # state, the one its chain head names. (SQLite read transactions are snapshots already.)
    if session.get_bind().dialect.name == "postgresql" and not session.in_transaction():
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


@long_lived_objects_frozen()
def render_report(
    *,
    session: Session,
    kind: ReportKind | str | ReportSpec,
    lang: Lang | str = Lang.ko,
    as_of: datetime | None = None,
    now: datetime | None = None,
    fetcher: TemplateFetcher | None = None,
    export_manifest: bytes | None = None,
    review_id: int | None = None,
) -> RenderedReport:
    """Render a report as of now, or as of a past instant (rebuilt from the audit chain); returns the PDF.

    An `as_of` later than now shows the current state, labelled with the current time. When no change was recorded
    after `as_of`, the live data already is the state at `as_of` and is read directly. `export_manifest` is the
    manifest of an audit export of the same state, attached to the regulator report (one is built when absent).
    `review_id` names the board meeting a board pack is for (its agenda is the "decisions requested").
    """
    from reports.fonts import require_hangul_font
    from reports.render import render_html, write_pdf

    spec = kind if isinstance(kind, ReportSpec) else spec_for(kind)
    lang = Lang(lang)
    font = require_hangul_font()
    _repeatable_read(session)
    generated = now if now is not None else now_utc()
    effective = generated if as_of is None else min(as_utc(as_of), generated)
    live_head = audit.head(session)
    head = live_head if as_of is None else audit.head_as_of(session, effective)
    historical = head.seq != live_head.seq
    t = Translator(lang)
    with _data_session(session, effective, historical=historical) as data:
        ctx = ReportContext(
            kind=spec.kind,
            lang=lang,
            as_of=effective,
            generated_at=generated,
            head=head,
            demo=system_service.is_demo(session=data),
            historical=historical,
            t=t,
            export_manifest=export_manifest,
            review_id=review_id,
        )
        built: list[tuple[Section, Any]] = []
        omitted: list[Section] = []
        for section in spec.sections:
            payload = section.build(data, ctx)
            if payload is None:
                omitted.append(section)
            else:
                built.append((section, payload))
        keys = [s.key for s, _ in built]
        files = [make(data, ctx, keys) for make in spec.attachments]
    html = render_html(
        f"{spec.kind.value}.html",
        {
            "_": t,
            "lang": lang.value,
            "report": spec,
            "ctx": ctx,
            "sections": [{"key": s.key, "title": t(s.title), "template": s.template, "data": d} for s, d in built],
            "omitted": [t(s.title) for s in omitted],
            "attachments": [f.name for f in files],
            "font": font,
            "generator": f"sectrack {__version__}",
        },
    )
    result = write_pdf(html, variant=spec.pdf_variant, attachments=files, fetcher=fetcher)
    return RenderedReport(
        spec=spec,
        context=ctx,
        pdf=result.pdf,
        html=html,
        pages=result.pages,
        sections=keys,
        omitted=[s.key for s in omitted],
        attachments=[f.name for f in files],
        render_seconds=result.seconds,
        fetched=result.fetched,
    )


@dataclass
class ArchivedBoardPack:
    """A board pack rendered for a meeting and the archive record it was stored under."""

    rendered: RenderedReport
    pack: BoardPackPublic


def archive_board_pack(
    *,
    session: Session,
    review_id: int,
    actor: Principal,
    lang: Lang | str = Lang.ko,
    as_of: datetime | None = None,
    now: datetime | None = None,
) -> ArchivedBoardPack:
    """Render the board pack for meeting `review_id` and archive it as that meeting's next board-pack version.

    The pack's "decisions requested" is that meeting's agenda. The archive stores the PDF with its SHA-256, the
    instant it shows and the audit-chain head it was built from (`tracker.governance.service.archive_board_pack`),
    in the caller's transaction.
    """
    from tracker.governance import service as governance_service

    governance_service.get_review(session=session, review_id=review_id)  # an unknown meeting is a 404 before rendering
    rendered = render_report(
        session=session, kind=ReportKind.board, lang=lang, as_of=as_of, now=now, review_id=review_id
    )
    pack = governance_service.archive_board_pack(
        session=session,
        meeting_id=review_id,
        pdf=rendered.pdf,
        as_of=rendered.context.as_of,
        chain_head_seq=rendered.context.head.seq,
        chain_head_hash=rendered.context.head.hash,
        actor=actor,
    )
    return ArchivedBoardPack(rendered=rendered, pack=pack)
