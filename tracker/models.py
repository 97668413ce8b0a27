"""Every table model, imported so `SQLModel.metadata` is complete (Alembic and test fixtures use it).

A new domain adds its `models` module here.
"""

from sqlmodel import SQLModel

from inventory.access_events import models as access_event_models
from inventory.equipment import models as equipment_models
from inventory.femtocells import models as femtocell_models
from tracker.audit import models as audit_models
from tracker.auth import models as auth_models
from tracker.system import models as system_models

metadata = SQLModel.metadata

__all__ = [
    "access_event_models",
    "audit_models",
    "auth_models",
    "equipment_models",
    "femtocell_models",
    "metadata",
    "system_models",
]
