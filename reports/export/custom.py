"""Entities the audit chain does not carry record by record, exported by their own writer and checked by their own
checker.

Telemetry such as access events is audited per ingestion batch: the chain holds one event per batch (with a digest
of the batch's rows), not one per row. Such a table registers a `CustomEntity`: its `rows` writes
`data/<entity_type>.jsonl` (the bundle adds the CSV, the manifest entry and the counts as for any entity) and its
`check` proves the rows against what the chain recorded (e.g. that each batch's rows hash to the batch's digest).

Register by adding "module:attribute" to `CUSTOM_ENTITIES`; the attribute is a `CustomEntity`. Both the exporter
and the verifier load the same list, and the verifier reports a custom data file it has no checker for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from reports.export.source import ExportScope

# "module:attribute" of each registered CustomEntity.
CUSTOM_ENTITIES: list[str] = ["inventory.access_events.export:ACCESS_EVENTS"]


@dataclass(frozen=True)
class CheckContext:
    """What a custom checker gets: its own rows and the verified states of chain entities."""

    entity_type: str
    # (line number, parsed JSON object) of every line of data/<entity_type>.jsonl, in file order.
    rows: Callable[[], Iterator[tuple[int, Mapping[str, Any]]]]
    # The states of another entity type, already proven equal to the chain (e.g. the batches a table's rows
    # belong to); empty when the bundle has no such type.
    chain_states: Callable[[str], Iterator[Mapping[str, Any]]]


@dataclass(frozen=True)
class CustomEntity:
    """An exported table whose rows are proven by a custom checker rather than by one chain event per row."""

    entity_type: str
    # Canonical JSON text of each row (no newline), in a fixed order, for rows covered by the chain up to the
    # export's head. Called again if the CSV needs a second pass, so it must return a fresh iterator each time.
    rows: Callable[[Session, ExportScope], Iterable[str]]
    # Every problem found, as one sentence each (the verifier prefixes the file name).
    check: Callable[[CheckContext], Iterable[str]]
    # The chain entity type that vouches for the rows (e.g. "access_event_batch"): the entity is exported exactly
    # when the chain holds that type, and the verifier insists on its file then. None: always exported.
    chain_type: str | None = None


def load_custom_entities() -> list[CustomEntity]:
    """The registered custom entities, in registration order."""
    loaded: list[CustomEntity] = []
    for spec in CUSTOM_ENTITIES:
        module_name, _, attribute = spec.partition(":")
        entity = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(entity, CustomEntity):
            raise TypeError(f"{spec} is a {type(entity).__name__}, not a CustomEntity")
        loaded.append(entity)
    return loaded
