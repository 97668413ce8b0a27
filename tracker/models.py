"""Every table model, imported so `SQLModel.metadata` is complete (Alembic and test fixtures use it).

A new domain adds its `models` module here.
"""

from sqlmodel import SQLModel

from inventory.access_events import models as access_event_models
from inventory.equipment import models as equipment_models
from inventory.femtocells import models as femtocell_models
from inventory.replacement import models as replacement_models
from tracker.audit import models as audit_models
from tracker.auth import models as auth_models
from tracker.commitments import models as commitment_models
from tracker.controls import models as control_models
from tracker.governance import models as governance_models
from tracker.kpis import models as kpi_models
from tracker.milestones import models as milestone_models
from tracker.plan import models as plan_models
from tracker.system import models as system_models
from tracker.zero_trust import models as zero_trust_models

metadata = SQLModel.metadata

__all__ = [
    "access_event_models",
    "audit_models",
    "auth_models",
    "commitment_models",
    "control_models",
    "equipment_models",
    "femtocell_models",
    "governance_models",
    "kpi_models",
    "metadata",
    "milestone_models",
    "plan_models",
    "replacement_models",
    "system_models",
    "zero_trust_models",
]
