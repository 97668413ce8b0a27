"""Who may download the PDF reports: every role (board and regulator included)."""

from tests.roles import REPORT_READERS, Matrix

MATRIX: Matrix = {
    ("GET", "/api/v1/reports/board.pdf"): REPORT_READERS,
    ("GET", "/api/v1/reports/regulator.pdf"): REPORT_READERS,
    ("GET", "/api/v1/reports/management.pdf"): REPORT_READERS,
}
