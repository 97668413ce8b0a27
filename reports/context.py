"""What every report shares: the context it is built in, and the shape of its sections.

A report is an ordered list of sections. A section is a key, a title (message id), a data builder and a template
partial (`templates/sections/<key>.html`). The builder reads the database through services (aggregates in SQL,
never whole tables) and returns the dict its partial renders, or None when its domain has no data recorded: the
section is then left out of the body and the table of contents, and the colophon names it under "Sections left
out (no data recorded)", so a reader sees the omission instead of an empty shell.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from reports.i18n import Lang, Translator
from tracker.audit.models import ChainHead
from tracker.types import to_seoul


class ReportKind(StrEnum):
    """The reports sectrack produces."""

    board = "board"
    regulator = "regulator"
    management = "management"


@dataclass(frozen=True)
class ReportContext:
    """The instant and provenance a report is built for; passed to every section builder."""

    kind: ReportKind
    lang: Lang
    # The state shown is the state at `as_of` (UTC); `historical` when it was rebuilt from the audit chain.
    as_of: datetime
    generated_at: datetime
    head: ChainHead
    demo: bool
    historical: bool
    t: Translator = field(repr=False)
    # The signed manifest of an audit export made for this same instant (regulator report); None: build one.
    export_manifest: bytes | None = field(default=None, repr=False)
    # The board meeting a board pack is made for (`sectrack report board --review ID`); None: the next one.
    review_id: int | None = None

    @property
    def as_of_seoul(self) -> datetime:
        """The as-of instant in Asia/Seoul."""
        return to_seoul(self.as_of)


SectionData = Mapping[str, Any]
SectionBuilder = Callable[[Session, ReportContext], SectionData | None]


@dataclass(frozen=True)
class Section:
    """One block of a report: data builder + template partial, titled by a message id."""

    key: str
    title: str
    build: SectionBuilder

    @property
    def template(self) -> str:
        """The partial that renders this section's data."""
        return f"sections/{self.key}.html"


@dataclass(frozen=True)
class PdfFile:
    """A file to embed in a report's PDF (e.g. the manifest of the regulator report)."""

    name: str
    content: bytes
    description: str
    # PDF/A-3 AFRelationship: how the file relates to the document (ISO 32000-2, 7.11.3).
    relationship: str = "Supplement"


# Builds an embedded file from the same data session and context as the sections, plus the keys of the sections
# that were rendered.
AttachmentBuilder = Callable[[Session, ReportContext, list[str]], PdfFile]


@dataclass(frozen=True)
class ReportSpec:
    """A report: its sections in order, its markings and its PDF flavour."""

    kind: ReportKind
    title: str
    subtitle: str
    classification: str
    pdf_variant: str
    filename: str
    sections: tuple[Section, ...]
    attachments: tuple[AttachmentBuilder, ...] = ()

    def with_sections(self, *sections: Section) -> ReportSpec:
        """A copy with a different section list (tests, and previews of a domain's new section)."""
        return ReportSpec(
            kind=self.kind,
            title=self.title,
            subtitle=self.subtitle,
            classification=self.classification,
            pdf_variant=self.pdf_variant,
            filename=self.filename,
            sections=tuple(sections),
            attachments=self.attachments,
        )
