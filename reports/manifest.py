"""The JSON file embedded in the regulator report (PDF/A-3 associated file).

Today it is `provenance.json`: what the report was built from (as-of, chain head, event count, sections). When the
audit export lands, the regulator report attaches the export manifest instead: swap `provenance_manifest` for a
builder with the same signature (`AttachmentBuilder`) in `reports/registry.py`; nothing else changes.
"""

from __future__ import annotations

from sqlmodel import Session

from reports.context import PdfFile, ReportContext
from tracker import __version__, canonical

PROVENANCE_FILE = "provenance.json"


def provenance(ctx: ReportContext, sections: list[str]) -> dict[str, object]:
    """The provenance record of one rendering."""
    return {
        "format": "sectrack-report-provenance/1",
        "report": ctx.kind.value,
        "lang": ctx.lang.value,
        "as_of": canonical.isoformat_utc(ctx.as_of),
        "generated_at": canonical.isoformat_utc(ctx.generated_at),
        "chain_head": {"seq": ctx.head.seq, "hash": ctx.head.hash},
        "events": ctx.head.seq,
        "reconstructed_from_audit_chain": ctx.historical,
        "demo_data": ctx.demo,
        "sections": sections,
        "generator": f"sectrack {__version__}",
    }


def provenance_manifest(session: Session, ctx: ReportContext, sections: list[str]) -> PdfFile:
    """`provenance.json`: canonical JSON of `provenance(...)`."""
    return PdfFile(
        name=PROVENANCE_FILE,
        content=canonical.dump_bytes(provenance(ctx, sections)) + b"\n",
        description="What this report was built from: as-of instant, audit-chain head, event count, sections.",
    )
