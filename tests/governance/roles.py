"""Who may call the governance and commitments routes: board members read reviews, decisions, board packs and
commitments; regulators read everything; writers write; only approvers sign off."""

from tests.roles import APPROVERS, READERS, REPORT_READERS, WRITERS, Matrix

V = "/api/v1"

MATRIX: Matrix = {
    ("GET", f"{V}/bodies"): REPORT_READERS,
    ("GET", f"{V}/bodies/{{body_id}}"): REPORT_READERS,
    ("PATCH", f"{V}/bodies/{{body_id}}"): WRITERS,
    ("POST", f"{V}/bodies/{{body_id}}/members"): WRITERS,
    ("GET", f"{V}/raci"): REPORT_READERS,
    ("POST", f"{V}/raci"): WRITERS,
    ("GET", f"{V}/reviews"): REPORT_READERS,
    ("POST", f"{V}/reviews"): WRITERS,
    ("POST", f"{V}/reviews/schedule"): WRITERS,
    ("GET", f"{V}/reviews/{{review_id}}"): REPORT_READERS,
    ("PATCH", f"{V}/reviews/{{review_id}}"): WRITERS,
    ("POST", f"{V}/reviews/{{review_id}}/prepare"): WRITERS,
    ("POST", f"{V}/reviews/{{review_id}}/hold"): WRITERS,
    ("POST", f"{V}/reviews/{{review_id}}/sign-off"): APPROVERS,
    ("GET", f"{V}/reviews/{{review_id}}/decisions"): REPORT_READERS,
    ("POST", f"{V}/reviews/{{review_id}}/decisions"): WRITERS,
    ("PATCH", f"{V}/reviews/{{review_id}}/decisions/{{decision_id}}"): WRITERS,
    ("GET", f"{V}/reviews/{{review_id}}/board-packs"): REPORT_READERS,
    ("GET", f"{V}/reviews/{{review_id}}/board-packs/{{pack_version}}"): REPORT_READERS,
    ("GET", f"{V}/reviews/{{review_id}}/board-packs/{{pack_version}}/pdf"): REPORT_READERS,
    ("POST", f"{V}/reviews/{{review_id}}/distributions"): WRITERS,
    ("GET", f"{V}/reviews/{{review_id}}/distributions"): READERS,
    ("GET", f"{V}/actions"): READERS,
    ("POST", f"{V}/actions"): WRITERS,
    ("GET", f"{V}/actions/{{action_id}}"): READERS,
    ("PATCH", f"{V}/actions/{{action_id}}"): WRITERS,
    ("GET", f"{V}/due"): READERS,
    ("GET", f"{V}/commitments"): REPORT_READERS,
    ("POST", f"{V}/commitments"): WRITERS,
    ("GET", f"{V}/commitments/{{commitment_id}}"): REPORT_READERS,
    ("PATCH", f"{V}/commitments/{{commitment_id}}"): WRITERS,
    ("GET", f"{V}/commitments/{{commitment_id}}/measurements"): REPORT_READERS,
    ("POST", f"{V}/commitments/{{commitment_id}}/measurements"): WRITERS,
    ("GET", f"{V}/commitments/{{commitment_id}}/evidence"): REPORT_READERS,
    ("POST", f"{V}/commitments/{{commitment_id}}/evidence"): WRITERS,
}
