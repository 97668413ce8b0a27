"""Who may call the export routes."""

from tests.roles import AUDITORS, READERS, Matrix

MATRIX: Matrix = {
    # The bundle holds the whole audit log, which only auditors may read.
    ("GET", "/api/v1/exports/audit.zip"): AUDITORS,
    # The POA&M holds finding data that every reader already sees.
    ("GET", "/api/v1/exports/poam.json"): READERS,
}
