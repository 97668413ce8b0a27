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
from reports.sections import (
    audit_trail,
    controls,
    executive,
    governance,
    incident,
    maturity,
    measures,
    orders,
    plan,
    provenance,
    schedule,
    verify_appendix,
)

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
# The plan and governance (tracker/plan, milestones, zero_trust, kpis, governance, commitments).
EXECUTIVE_SUMMARY = Section("executive_summary", "section.executive_summary", executive.build)
PLAN_BUDGET = Section("plan_budget", "section.plan_budget", plan.build)
WORKSTREAM_EVM = Section("workstream_evm", "section.workstream_evm", plan.build_workstreams)
LATE_MILESTONES = Section("late_milestones", "section.late_milestones", schedule.build_late)
PREVENTION_PLAN = Section("prevention_plan", "section.prevention_plan", schedule.build_prevention_plan)
OVERDUE = Section("overdue", "section.overdue", schedule.build_overdue)
ZERO_TRUST = Section("zero_trust", "section.zero_trust", maturity.build_zero_trust)
KPIS = Section("kpis", "section.kpis", maturity.build_kpis)
# The board pack reads the KPI table only: every chart costs render time in the 3 s budget.
KPIS_TABLE = Section("kpis", "section.kpis", partial(maturity.build_kpis, chart=False))
ACTIONS_DUE = Section("actions_due", "section.actions_due", governance.build_actions)
DECISIONS_REQUESTED = Section("decisions_requested", "section.decisions_requested", governance.build_decisions)
GOVERNANCE_RECORD = Section("governance_record", "section.governance_record", governance.build_record)
COMMITMENTS_REGISTER = Section("commitments_register", "section.commitments_register", governance.build_commitments)

# The regulator report embeds the signed export manifest of the same state and its own provenance record.
REGULATOR_ATTACHMENTS: tuple[AttachmentBuilder, ...] = (export_manifest, provenance_manifest)

# The board pack is what the board reads before each quarterly review: the plan, the remediation and what it must
# decide, in about fourteen pages. The incident background, each order's wording and the data provenance are in the
# regulator and management reports; the board pack's own provenance (chain head, as-of) is on every page and in its
# colophon. Each page also costs render time against the pack's 3-second budget at a million devices.
REPORTS: dict[ReportKind, ReportSpec] = {
    ReportKind.board: ReportSpec(
        kind=ReportKind.board,
        title="report.board.title",
        subtitle="report.board.subtitle",
        classification="classification.confidential",
        pdf_variant="pdf/ua-1",
        filename="board-report.pdf",
        sections=(
            EXECUTIVE_SUMMARY,
            PLAN_BUDGET,
            LATE_MILESTONES,
            REMEDIATION,
            FINDINGS,
            REPLACEMENT,
            ZERO_TRUST,
            KPIS_TABLE,
            ACTIONS_DUE,
            DECISIONS_REQUESTED,
            GOVERNANCE_RECORD,
        ),
    ),
    ReportKind.regulator: ReportSpec(
        kind=ReportKind.regulator,
        title="report.regulator.title",
        subtitle="report.regulator.subtitle",
        classification="classification.regulatory",
        pdf_variant="pdf/a-3b",
        filename="regulator-report.pdf",
        sections=(
            ORDERS,
            PREVENTION_PLAN,
            INCIDENT,
            EXPOSURE,
            FINDINGS,
            MEASURES,
            COMMITMENTS_REGISTER,
            GOVERNANCE_RECORD,
            PROVENANCE,
            AUDIT_TRAIL_VERIFIED,
            VERIFY_APPENDIX,
        ),
        attachments=REGULATOR_ATTACHMENTS,
    ),
    ReportKind.management: ReportSpec(
        kind=ReportKind.management,
        title="report.management.title",
        subtitle="report.management.subtitle",
        classification="classification.internal",
        pdf_variant="pdf/ua-1",
        filename="management-report.pdf",
        sections=(
            WORKSTREAM_EVM,
            LATE_MILESTONES,
            OVERDUE,
            REMEDIATION,
            FINDINGS,
            REPLACEMENT,
            KPIS,
            ZERO_TRUST,
            GOVERNANCE_RECORD,
            INCIDENT,
            ORDERS,
            MEASURES,
            PROVENANCE,
            AUDIT_TRAIL,
        ),
    ),
}
