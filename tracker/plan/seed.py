"""Load seed/plan.yaml: the program, its workstreams, budget lines (exactly the program total) and 2026 spend."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError
from sqlmodel import Session

from tracker.errors import ConfigurationError
from tracker.plan import service
from tracker.plan.models import BudgetLineCreate, ProgramCreate, SpendEntryCreate, WorkstreamCode, WorkstreamCreate

if TYPE_CHECKING:
    from tracker.flows import SeedContext


def seed_file(name: str) -> Path:
    """The path of a file in the shipped seed/ directory."""
    return Path(str(resources.files("seed") / name))


def read_yaml(name: str) -> dict[str, Any]:
    """A seed YAML file as a mapping; ConfigurationError naming the file if it is missing or malformed."""
    path = seed_file(name)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"Cannot read seed file {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigurationError(f"Seed file {path} must hold a mapping at the top level.")
    return data


def invalid_seed(name: str, where: str, exc: ValidationError | ValueError | KeyError | TypeError) -> ConfigurationError:
    """A ConfigurationError naming the seed file and the entry at fault."""
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        detail = f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    else:
        detail = str(exc)
    return ConfigurationError(f"seed/{name}: {where} is invalid ({detail}).")


def load(session: Session, ctx: SeedContext) -> dict[str, int]:
    """Seed step: load the program once (a second run leaves an existing program alone)."""
    if service.find_program(session=session) is not None:
        return {}
    data = read_yaml("plan.yaml")
    actor = ctx.actor
    try:
        program = service.create_program(
            session=session, data=ProgramCreate.model_validate(data["program"]), actor=actor
        )
    except (ValidationError, KeyError) as exc:
        raise invalid_seed("plan.yaml", "program", exc) from exc
    counts = {"workstreams": 0, "budget lines": 0, "spend entries": 0}
    for entry in data.get("workstreams", []):
        try:
            service.create_workstream(session=session, data=WorkstreamCreate.model_validate(entry), actor=actor)
        except ValidationError as exc:
            raise invalid_seed("plan.yaml", f"workstream {entry.get('code')!r}", exc) from exc
        counts["workstreams"] += 1
    line_ids: dict[tuple[str, int], int] = {}
    for workstream, years in (data.get("budget_lines") or {}).items():
        for year, amount in years.items():
            try:
                line_data = BudgetLineCreate(
                    workstream=WorkstreamCode(workstream), year=int(year), amount_krw=amount, source="illustrative"
                )
            except (ValidationError, ValueError) as exc:
                raise invalid_seed("plan.yaml", f"budget line {workstream} {year}", exc) from exc
            line = service.create_budget_line(session=session, data=line_data, actor=actor)
            line_ids[(workstream, int(year))] = line.id
            counts["budget lines"] += 1
    allocated = sum(line.amount_krw for line in service.list_budget_lines(session=session, limit=1000).items)
    if allocated != program.total_krw:
        raise ConfigurationError(
            f"seed/plan.yaml: budget lines add up to {allocated:,} won, not the program's {program.total_krw:,} won."
        )
    for block in data.get("spend", []):
        workstream = block["workstream"]
        for entry in block["entries"]:
            key = (workstream, entry["spent_on"].year)
            if key not in line_ids:
                raise ConfigurationError(
                    f"seed/plan.yaml: spend on {entry['spent_on']} has no {workstream} budget line."
                )
            try:
                spend = SpendEntryCreate(
                    budget_line_id=line_ids[key],
                    spent_on=entry["spent_on"],
                    amount_krw=entry["amount_krw"],
                    reference=entry["reference"],
                    description=entry.get("description", block.get("description", "")) + " (illustrative)",
                )
            except ValidationError as exc:
                raise invalid_seed("plan.yaml", f"spend {entry.get('reference')!r}", exc) from exc
            service.create_spend(session=session, data=spend, actor=actor)
            counts["spend entries"] += 1
    return counts
