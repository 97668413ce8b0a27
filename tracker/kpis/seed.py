"""Load seed/kpis.yaml: the KPIs the plan promises, their yearly targets and measurements (illustrative)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import ValidationError
from sqlmodel import Session, select

from tracker.kpis import service
from tracker.kpis.models import Kpi, KpiCreate, KpiMeasurementCreate, KpiTargetPut
from tracker.plan.seed import invalid_seed, read_yaml

if TYPE_CHECKING:
    from tracker.flows import SeedContext

FILE = "kpis.yaml"


def load(session: Session, ctx: SeedContext) -> dict[str, int]:
    """Seed step: load KPIs once."""
    if session.exec(select(Kpi.id).limit(1)).first() is not None:
        return {}
    counts = {"KPIs": 0, "KPI targets": 0, "KPI measurements": 0}
    for entry in read_yaml(FILE).get("kpis") or []:
        fields = {k: v for k, v in entry.items() if k not in {"targets", "measurements"}}
        try:
            kpi = service.create(session=session, data=KpiCreate.model_validate(fields), actor=ctx.actor)
            for year, value in (entry.get("targets") or {}).items():
                service.put_target(
                    session=session, id=kpi.id, year=int(year), data=KpiTargetPut(value=value), actor=ctx.actor
                )
                counts["KPI targets"] += 1
            for day, value in sorted((entry.get("measurements") or {}).items()):
                service.add_measurement(
                    session=session,
                    id=kpi.id,
                    data=KpiMeasurementCreate(measured_on=day, value=value),
                    actor=ctx.actor,
                )
                counts["KPI measurements"] += 1
        except ValidationError as exc:
            raise invalid_seed(FILE, f"KPI {entry.get('code')!r}", exc) from exc
        counts["KPIs"] += 1
    return counts
