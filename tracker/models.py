"""Every table model, imported so `SQLModel.metadata` is complete (Alembic and test fixtures use it).

A new domain adds its `models` module here.
"""

from sqlmodel import SQLModel

from tracker.audit import models as audit_models
from tracker.auth import models as auth_models
from tracker.commitments import models as commitment_models
from tracker.governance import models as governance_models
from tracker.system import models as system_models

metadata = SQLModel.metadata

__all__ = [
    "audit_models",
    "auth_models",
    "commitment_models",
    "governance_models",
    "metadata",
    "system_models",
]
