"""The public incident facts (`seed/incident.yaml`): figures with sources, the regulator's orders, KT's plan and
customer measures. Validated once on load; every source a fact cites must be listed.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from reports.i18n import Lang


class Text(BaseModel):
    """A text in both report languages."""

    model_config = ConfigDict(frozen=True)

    ko: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: Lang) -> str:
        """The text in `lang`."""
        return self.ko if lang is Lang.ko else self.en


class Source(BaseModel):
    """Where a fact comes from; `scope` says whether the URL is the article itself or only the site."""

    model_config = ConfigDict(frozen=True)

    id: str
    publisher: Text
    title: str
    date: date | None
    url: str | None
    scope: Literal["article", "site", "none"]


class Cause(BaseModel):
    """One finding of the investigation."""

    id: str
    text: Text
    sources: list[str] = Field(min_length=1)


class Figure(BaseModel):
    """One incident figure, as published."""

    id: str
    value: int = Field(ge=0)
    unit: Literal["people", "won", "ids", "records", "servers", "kinds", "devices"]
    approximate: bool
    label: Text
    note: Text | None = None
    sources: list[str] = Field(min_length=1)


class Period(BaseModel):
    """A closed date range."""

    start: date
    end: date


class Incident(BaseModel):
    """The investigation's findings and figures."""

    investigation_reported: date
    summary_sources: list[str] = Field(min_length=1)
    analysis_period: Period
    causes: list[Cause]
    figures: list[Figure]


class Order(BaseModel):
    """One of the Ministry of Science and ICT's orders to KT."""

    number: int
    id: str
    text: Text
    dated: date | None
    deadline_month: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$")
    check_month: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$")
    sources: list[str] = Field(min_length=1)


class Workstream(BaseModel):
    """A plan workstream by its fixed code."""

    code: str
    ko: str
    en: str

    def name(self, lang: Lang) -> str:
        """The workstream's name in `lang`."""
        return self.ko if lang is Lang.ko else self.en


class Plan(BaseModel):
    """KT's announced five-year security plan."""

    amount_won: int = Field(gt=0)
    start_year: int
    end_year: int
    announced: date
    sources: list[str] = Field(min_length=1)
    workstreams: list[Workstream]
    governance: Text


class CustomerMeasure(BaseModel):
    """A customer measure as announced."""

    id: str
    name: Text
    when: Text
    detail: Text
    start: date | None
    end: date | None
    sources: list[str] = Field(min_length=1)


class IncidentFacts(BaseModel):
    """Everything in `seed/incident.yaml`."""

    sources: list[Source]
    incident: Incident
    orders: list[Order]
    plan: Plan
    customer_measures: list[CustomerMeasure]

    @model_validator(mode="after")
    def _sources_exist(self) -> IncidentFacts:
        known = {s.id for s in self.sources}
        cited: list[str] = [*self.incident.summary_sources, *self.plan.sources]
        for items in (self.incident.causes, self.incident.figures, self.orders, self.customer_measures):
            for item in items:
                cited.extend(item.sources)
        unknown = sorted(set(cited) - known)
        if unknown:
            raise ValueError(f"incident.yaml cites unknown sources: {', '.join(unknown)}")
        return self

    def source(self, source_id: str) -> Source:
        """The source with this id."""
        return next(s for s in self.sources if s.id == source_id)

    def figure(self, figure_id: str) -> Figure:
        """The figure with this id."""
        return next(f for f in self.incident.figures if f.id == figure_id)


@lru_cache(maxsize=1)
def load_facts() -> IncidentFacts:
    """The incident facts shipped in `seed/incident.yaml` (read and validated once per process)."""
    text = resources.files("seed").joinpath("incident.yaml").read_text(encoding="utf-8")
    return IncidentFacts.model_validate(yaml.safe_load(text))
