"""The JSON files embedded in the regulator report (PDF/A-3 associated files).

`manifest.json` is the signed manifest of the audit export of the same state (the exact bytes the export's
Ed25519 signature covers), so a regulator can tie the ZIP they received to the report they read: same chain head,
same file hashes. `provenance.json` records what the report itself was built from (as-of, chain head, sections).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from sqlmodel import Session

from reports.context import PdfFile, ReportContext
from tracker import __version__, canonical
from tracker.errors import Invalid

PROVENANCE_FILE = "provenance.json"
EXPORT_MANIFEST_FILE = "manifest.json"


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


def export_manifest(session: Session, ctx: ReportContext, sections: list[str]) -> PdfFile:
    """`manifest.json` of the audit export of the report's state: the one given, or one built for the same instant.

    A given manifest must name the same audit-chain head as the report; otherwise the pair would describe two
    different states and is refused.
    """
    content = ctx.export_manifest if ctx.export_manifest is not None else _build_export_manifest(session, ctx)
    try:
        chain = json.loads(content)["chain"]
        seq, hash_ = int(chain["head_seq"]), str(chain["head_hash"])
    except (ValueError, KeyError, TypeError) as exc:
        raise Invalid("The export bundle's manifest.json is not a sectrack manifest.", field="export_bundle") from exc
    if (seq, hash_) != (ctx.head.seq, ctx.head.hash):
        raise Invalid(
            f"The export bundle is of audit-chain head #{seq}, the report of #{ctx.head.seq}; export and report "
            "the same instant (or leave the bundle out and one is built).",
            field="export_bundle",
        )
    return PdfFile(
        name=EXPORT_MANIFEST_FILE,
        content=content,
        description="Signed manifest of the audit export of this report's state (Ed25519 signature in the ZIP).",
        relationship="Source",
    )


def _build_export_manifest(session: Session, ctx: ReportContext) -> bytes:
    # Imported here: the export engine is only needed by the regulator report.
    from reports.export import service as export_service

    with tempfile.TemporaryDirectory(prefix="sectrack-report-export-") as tmp:
        bundle = Path(tmp) / "audit-export.zip"
        export_service.export_audit(session=session, out=bundle, as_of=ctx.as_of)
        return export_service.read_manifest(bundle)
