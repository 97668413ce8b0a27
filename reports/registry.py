"""The section registry: which sections each report has, in order.

To add a section (a domain's part of a report):
1. write `build(session, ctx) -> dict | None` in your domain (aggregates in SQL through your service; None when
   nothing is recorded, and the section is then left out and named in the colophon);
2. write `templates/sections/<key>.html`, rendering that dict (labels through `_("…")`, registered with
   `reports.i18n.register`);
3. add `Section("<key>", "<title message id>", build)` to the reports below, where it belongs.
"""

from __future__ import annotations

from functools import partial

from inventory.access_events import exposure_report
from inventory.replacement import report as replacement
from reports.context import AttachmentBuilder, ReportKind, ReportSpec, Section
from reports.manifest import export_manifest, provenance_manifest
from reports.sections import audit_trail, controls, incident, measures, orders, provenance, verify_appendix

INCIDENT = Section("incident", "section.incident", incident.build)
EXPOSURE = Section("exposure", "section.exposure", exposure_report.build)
ORDERS = Section("regulator_orders", "section.regulator_orders", orders.build)
MEASURES = Section("customer_measures", "section.customer_measures", measures.build)
PROVENANCE = Section("provenance", "section.provenance", provenance.build)
# Verification re-hashes the whole chain: the regulator report pays for it, management reads counts only.
AUDIT_TRAIL_VERIFIED = Section("audit_trail", "section.audit_trail", partial(audit_trail.build, verify=True))
AUDIT_TRAIL = Section("audit_trail", "section.audit_trail", partial(audit_trail.build, verify=False))
REMEDIATION = Section("femtocell_remediation", "section.femtocell_remediation", controls.remediation)
FINDINGS = Section("findings", "section.findings", controls.findings)
VERIFY_APPENDIX = Section("verify_appendix", "section.verify_appendix", verify_appendix.build)
REPLACEMENT = Section("replacement", "section.replacement", replacement.build)

# The regulator report embeds the signed export manifest of the same state and its own provenance record.
REGULATOR_ATTACHMENTS: tuple[AttachmentBuilder, ...] = (export_manifest, provenance_manifest)

REPORTS: dict[ReportKind, ReportSpec] = {
    ReportKind.board: ReportSpec(
        kind=ReportKind.board,
        title="report.board.title",
        subtitle="report.board.subtitle",
        classification="classification.confidential",
        pdf_variant="pdf/ua-1",
        filename="board-report.pdf",
        sections=(INCIDENT, EXPOSURE, ORDERS, REMEDIATION, FINDINGS, REPLACEMENT, PROVENANCE),
    ),
    ReportKind.regulator: ReportSpec(
        kind=ReportKind.regulator,
        title="report.regulator.title",
        subtitle="report.regulator.subtitle",
        classification="classification.regulatory",
        pdf_variant="pdf/a-3b",
        filename="regulator-report.pdf",
        sections=(ORDERS, INCIDENT, EXPOSURE, FINDINGS, MEASURES, PROVENANCE, AUDIT_TRAIL_VERIFIED, VERIFY_APPENDIX),
        attachments=REGULATOR_ATTACHMENTS,
    ),
    ReportKind.management: ReportSpec(
        kind=ReportKind.management,
        title="report.management.title",
        subtitle="report.management.subtitle",
        classification="classification.internal",
        pdf_variant="pdf/ua-1",
        filename="management-report.pdf",
        sections=(INCIDENT, ORDERS, REMEDIATION, FINDINGS, MEASURES, REPLACEMENT, PROVENANCE, AUDIT_TRAIL),
    ),
}
