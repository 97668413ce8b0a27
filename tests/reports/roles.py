"""Who may download the PDF reports: every role (board and regulator included); who may render and archive a
meeting's board pack: writers (it adds a version to the meeting, like the distribution log)."""

from tests.roles import REPORT_READERS, WRITERS, Matrix

MATRIX: Matrix = {
    ("GET", "/api/v1/reports/board.pdf"): REPORT_READERS,
    ("GET", "/api/v1/reports/regulator.pdf"): REPORT_READERS,
    ("GET", "/api/v1/reports/management.pdf"): REPORT_READERS,
    ("POST", "/api/v1/reviews/{review_id}/board-pack"): WRITERS,
}
