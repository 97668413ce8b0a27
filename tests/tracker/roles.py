"""Who may call the foundation's routes."""

from tests.roles import ADMIN_ONLY, AUDITORS, Matrix

MATRIX: Matrix = {
    ("GET", "/api/v1/audit-events"): AUDITORS,
    ("GET", "/api/v1/audit-events/head"): AUDITORS,
    ("GET", "/api/v1/audit-events/verify"): AUDITORS,
    ("GET", "/api/v1/tokens"): ADMIN_ONLY,
    ("POST", "/api/v1/tokens"): ADMIN_ONLY,
    ("POST", "/api/v1/tokens/{name}/revoke"): ADMIN_ONLY,
}
