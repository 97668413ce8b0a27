"""Who may call the replacement routes: staff, CISO and admin write; board and regulator read (board-pack figures)."""

from tests.roles import REPORT_READERS, WRITERS, Matrix

MATRIX: Matrix = {
    ("GET", "/api/v1/replacement"): REPORT_READERS,
    ("GET", "/api/v1/replacement/waves"): REPORT_READERS,
    ("POST", "/api/v1/replacement/waves"): WRITERS,
    ("GET", "/api/v1/replacement/waves/{wave_id}"): REPORT_READERS,
    ("PATCH", "/api/v1/replacement/waves/{wave_id}"): WRITERS,
    ("POST", "/api/v1/replacement/assignments"): WRITERS,
}
