"""Who may call the plan, milestone, zero-trust and KPI routes (board: plan summaries only)."""

from tests.roles import APPROVERS, READERS, REPORT_READERS, WRITERS, Matrix

MATRIX: Matrix = {
    # Plan summaries the board reads.
    ("GET", "/api/v1/plan"): REPORT_READERS,
    ("GET", "/api/v1/plan/evm-series"): REPORT_READERS,
    ("GET", "/api/v1/workstreams"): REPORT_READERS,
    ("GET", "/api/v1/workstreams/{code}"): REPORT_READERS,
    ("GET", "/api/v1/milestones"): REPORT_READERS,
    ("GET", "/api/v1/milestones/late"): REPORT_READERS,
    ("GET", "/api/v1/milestones/critical-path"): REPORT_READERS,
    ("GET", "/api/v1/milestones/{id}"): REPORT_READERS,
    ("GET", "/api/v1/milestones/{id}/dependencies"): REPORT_READERS,
    ("GET", "/api/v1/zero-trust/summary"): REPORT_READERS,
    ("GET", "/api/v1/kpis"): REPORT_READERS,
    ("GET", "/api/v1/kpis/status"): REPORT_READERS,
    ("GET", "/api/v1/kpis/{id}"): REPORT_READERS,
    ("GET", "/api/v1/kpis/{id}/measurements"): REPORT_READERS,
    # Detail records: staff, ciso, admin and regulators.
    ("GET", "/api/v1/budget-lines"): READERS,
    ("GET", "/api/v1/budget-lines/{id}"): READERS,
    ("GET", "/api/v1/budget-lines/{id}/rebaselines"): READERS,
    ("GET", "/api/v1/spend"): READERS,
    ("GET", "/api/v1/spend/{id}"): READERS,
    ("GET", "/api/v1/milestones/{id}/progress"): READERS,
    ("GET", "/api/v1/zero-trust/functions"): READERS,
    ("GET", "/api/v1/zero-trust/systems"): READERS,
    ("GET", "/api/v1/zero-trust/systems/{id}"): READERS,
    ("GET", "/api/v1/zero-trust/assessments"): READERS,
    ("GET", "/api/v1/zero-trust/targets"): READERS,
    # Writes.
    ("POST", "/api/v1/budget-lines"): WRITERS,
    ("PATCH", "/api/v1/budget-lines/{id}"): WRITERS,
    ("POST", "/api/v1/spend"): WRITERS,
    ("POST", "/api/v1/milestones"): WRITERS,
    ("PATCH", "/api/v1/milestones/{id}"): WRITERS,
    ("DELETE", "/api/v1/milestones/{id}"): WRITERS,
    ("POST", "/api/v1/milestones/{id}/slip"): WRITERS,
    ("POST", "/api/v1/milestones/{id}/dependencies"): WRITERS,
    ("DELETE", "/api/v1/milestones/{id}/dependencies/{predecessor_id}"): WRITERS,
    ("POST", "/api/v1/zero-trust/systems"): WRITERS,
    ("PATCH", "/api/v1/zero-trust/systems/{id}"): WRITERS,
    ("POST", "/api/v1/zero-trust/assessments"): WRITERS,
    ("POST", "/api/v1/zero-trust/targets"): WRITERS,
    ("PATCH", "/api/v1/zero-trust/targets/{id}"): WRITERS,
    ("POST", "/api/v1/kpis"): WRITERS,
    ("PATCH", "/api/v1/kpis/{id}"): WRITERS,
    ("PUT", "/api/v1/kpis/{id}/targets/{year}"): WRITERS,
    ("POST", "/api/v1/kpis/{id}/measurements"): WRITERS,
    # Approvals.
    ("POST", "/api/v1/budget-lines/{id}/rebaseline"): APPROVERS,
    ("POST", "/api/v1/milestones/{id}/rebaseline"): APPROVERS,
}

# Before `sectrack seed` there is no program to summarise: 404 naming the fix.
NOT_2XX_WHEN_EMPTY = {("GET", "/api/v1/plan"), ("GET", "/api/v1/plan/evm-series")}
