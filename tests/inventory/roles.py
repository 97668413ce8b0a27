"""Who may call the inventory routes: staff, CISO and admin write; the regulator reads; the board does not."""

from tests.roles import READERS, WRITERS, Matrix

MATRIX: Matrix = {
    ("GET", "/api/v1/femtocells"): READERS,
    ("POST", "/api/v1/femtocells"): WRITERS,
    ("POST", "/api/v1/femtocells/import"): WRITERS,
    ("GET", "/api/v1/femtocells/{femtocell_id}"): READERS,
    ("PATCH", "/api/v1/femtocells/{femtocell_id}"): WRITERS,
    ("DELETE", "/api/v1/femtocells/{femtocell_id}"): WRITERS,
    ("GET", "/api/v1/femtocells/{femtocell_id}/history"): READERS,
    ("GET", "/api/v1/equipment"): READERS,
    ("POST", "/api/v1/equipment"): WRITERS,
    ("POST", "/api/v1/equipment/import"): WRITERS,
    ("GET", "/api/v1/equipment/{equipment_id}"): READERS,
    ("PATCH", "/api/v1/equipment/{equipment_id}"): WRITERS,
    ("DELETE", "/api/v1/equipment/{equipment_id}"): WRITERS,
    ("GET", "/api/v1/equipment/{equipment_id}/history"): READERS,
    ("POST", "/api/v1/access-events"): WRITERS,
    ("GET", "/api/v1/access-events"): READERS,
    ("GET", "/api/v1/access-events/batches"): READERS,
    ("GET", "/api/v1/access-events/batches/{batch_id}"): READERS,
    # Exposure aggregates: readers (the regulator verifies them; the board gets them in its report). Pseudonyms:
    # investigators only.
    ("GET", "/api/v1/exposure"): READERS,
    ("GET", "/api/v1/exposure/cells"): READERS,
    ("GET", "/api/v1/exposure/cells/{cell_id}"): READERS,
    ("GET", "/api/v1/exposure/cells/{cell_id}/subscribers"): WRITERS,
}
