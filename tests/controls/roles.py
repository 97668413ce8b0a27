"""Who may call the controls and findings routes: everyone reads the catalog, runs and findings; writers run and
maintain them; only approvers attest (and, checked in the service, accept risks or close by hand)."""

from tests.roles import APPROVERS, READERS, REPORT_READERS, WRITERS, Matrix

V = "/api/v1"

MATRIX: Matrix = {
    ("GET", f"{V}/controls"): REPORT_READERS,
    ("POST", f"{V}/controls"): WRITERS,
    ("POST", f"{V}/controls/run"): WRITERS,
    ("GET", f"{V}/controls/runs"): REPORT_READERS,
    ("GET", f"{V}/controls/runs/{{run_id}}"): REPORT_READERS,
    ("GET", f"{V}/controls/auth-server-rotations"): READERS,
    ("POST", f"{V}/controls/auth-server-rotations"): WRITERS,
    ("GET", f"{V}/controls/{{control_id}}"): REPORT_READERS,
    ("PATCH", f"{V}/controls/{{control_id}}"): WRITERS,
    ("GET", f"{V}/controls/{{control_id}}/results"): REPORT_READERS,
    ("GET", f"{V}/controls/{{control_id}}/attestations"): REPORT_READERS,
    ("POST", f"{V}/controls/{{control_id}}/attestations"): APPROVERS,
    ("GET", f"{V}/findings"): REPORT_READERS,
    ("GET", f"{V}/findings/{{finding_id}}"): REPORT_READERS,
    ("PATCH", f"{V}/findings/{{finding_id}}"): WRITERS,
    ("GET", f"{V}/findings/{{finding_id}}/history"): READERS,
    ("POST", f"{V}/findings/{{finding_id}}/milestones"): WRITERS,
    ("DELETE", f"{V}/findings/{{finding_id}}/milestones/{{milestone_id}}"): WRITERS,
}
