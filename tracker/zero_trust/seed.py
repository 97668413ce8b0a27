"""Load seed/zero_trust.yaml: the ZTMM v2 catalog, systems in scope, yearly targets and assessments over time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlmodel import Session, select

from tracker.audit import service as audit
from tracker.errors import ConfigurationError
from tracker.plan.seed import invalid_seed, read_yaml
from tracker.zero_trust import service
from tracker.zero_trust.models import (
    CROSS_CUTTING,
    ZtAssessment,
    ZtFunction,
    ZtPillar,
    ZtStage,
    ZtSystemCreate,
    ZtTargetCreate,
)

if TYPE_CHECKING:
    from tracker.flows import SeedContext

FILE = "zero_trust.yaml"


def _check_catalog(data: dict[str, Any]) -> None:
    """The YAML catalog must be the model the code knows: the same stages, pillars and capability kinds."""
    stages = [s["code"] for s in data.get("stages", [])]
    if stages != [s.value for s in ZtStage]:
        raise ConfigurationError(f"seed/{FILE}: stages must be {', '.join(ZtStage)} in that order.")
    pillars = [p["code"] for p in data.get("pillars", [])]
    if pillars != [p.value for p in ZtPillar]:
        raise ConfigurationError(f"seed/{FILE}: pillars must be {', '.join(ZtPillar)} in that order.")
    for pillar in data["pillars"]:
        expected = "cross_cutting" if ZtPillar(pillar["code"]) in CROSS_CUTTING else "pillar"
        if pillar.get("kind") != expected or not pillar.get("functions"):
            raise ConfigurationError(f"seed/{FILE}: {pillar['code']} must be a {expected} with functions.")


def load(session: Session, ctx: SeedContext) -> dict[str, int]:
    """Seed step: load the catalog and the demo assessments once."""
    if session.exec(select(ZtFunction.id).limit(1)).first() is not None:
        return {}
    data = read_yaml(FILE)
    _check_catalog(data)
    actor = ctx.actor
    position = 0
    functions: dict[str, ZtPillar] = {}
    for pillar in data["pillars"]:
        for function in pillar["functions"]:
            position += 1
            service.create_function(
                session=session,
                code=function["code"],
                pillar=ZtPillar(pillar["code"]),
                name_en=function["name_en"],
                name_ko=function["name_ko"],
                position=position,
                actor=actor,
            )
            functions[function["code"]] = ZtPillar(pillar["code"])
    systems: dict[str, tuple[int, list[ZtPillar]]] = {}
    for entry in data.get("systems", []):
        try:
            created = service.create_system(session=session, data=ZtSystemCreate.model_validate(entry), actor=actor)
        except ValidationError as exc:
            raise invalid_seed(FILE, f"system {entry.get('code')!r}", exc) from exc
        systems[created.code] = (created.id, list(created.pillars))
    targets = 0
    for pillar, years in (data.get("targets") or {}).items():
        for year, stage in years.items():
            try:
                target = ZtTargetCreate(pillar=ZtPillar(pillar), year=int(year), stage=ZtStage(stage))
            except (ValidationError, ValueError) as exc:
                raise invalid_seed(FILE, f"target {pillar} {year}", exc) from exc
            service.create_target(session=session, data=target, actor=actor)
            targets += 1
    rows = [row for entry in data.get("assessments", []) for row in _expand(entry, systems, functions, actor.name)]
    session.add_all(rows)
    session.flush()
    audit.record_many(
        session,
        actor=actor,
        events=(audit.PendingEvent("create", "zt_assessment", str(r.id), audit.state_of(r)) for r in rows),
    )
    return {
        "zero-trust functions": len(functions),
        "zero-trust systems": len(systems),
        "zero-trust targets": targets,
        "zero-trust assessments": len(rows),
    }


def _expand(
    entry: dict[str, Any], systems: dict[str, tuple[int, list[ZtPillar]]], functions: dict[str, ZtPillar], by: str
) -> list[ZtAssessment]:
    """One assessment per (system, function in the system's scope) from a compact dated entry."""
    day = entry["assessed_on"]
    default = entry.get("default")
    stages: dict[str, dict[str, str]] = entry.get("stages") or {}
    overrides: dict[str, dict[str, str]] = entry.get("overrides") or {}
    for code in set(stages) | set(overrides):
        if code not in systems:
            raise ConfigurationError(f"seed/{FILE}: the {day} assessment names unknown system {code}.")
    rows: list[ZtAssessment] = []
    for code, (system_id, pillars) in sorted(systems.items()):
        per_pillar = stages.get(code, {})
        per_function = overrides.get(code, {})
        for name in list(per_pillar) + list(per_function):
            pillar = ZtPillar(name) if name in ZtPillar.__members__ else functions.get(name)
            if pillar is None or pillar not in pillars:
                raise ConfigurationError(f"seed/{FILE}: {code} is not in scope for {name} ({day}).")
        for function, pillar in functions.items():
            if pillar not in pillars:
                continue
            stage = per_function.get(function) or per_pillar.get(pillar.value) or default
            if stage is None:
                continue
            rows.append(
                ZtAssessment(
                    system_id=system_id,
                    function_code=function,
                    stage=ZtStage(stage),
                    assessed_on=day,
                    assessor=entry["assessor"],
                    evidence_refs=list(entry.get("evidence_refs") or []),
                    note=entry.get("note", "") + " (illustrative)",
                    created_by=by,
                )
            )
    return rows
