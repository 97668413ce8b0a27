"""The milestone dependency graph as pure functions over plain data (networkx for the graph work).

Scheduling model (finish-to-start with the dependent's baseline duration):

- an edge `P → D` says D's work starts after P finishes, so D cannot finish before P's finish plus D's duration;
- a milestone's duration is its baseline span, `baseline_date − baseline_start` in days (0 without a start);
- a milestone's finish is its forecast date, or its actual date once done; done milestones are *fixed*: they never
  move and they end propagation along their path. Cancelled milestones are left out of the graph by the caller.

Earliest finish EF(n) = max(finish(n), max over predecessors p of EF(p) + duration(n)); fixed nodes keep their
finish. The critical path to a milestone follows, from it backwards, the predecessor with the latest earliest
finish (the one that drives it), until a milestone without predecessors; the program's end is the milestone with
the latest earliest finish. Each step carries its float: how many days its driving predecessor could still slip
before it would move the step. A slip propagates to every dependent in topological order, pushing a dependent
only as far as its constraint requires (never pulling anything earlier).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

Edge = tuple[str, str]


@dataclass(frozen=True)
class ScheduleNode:
    """A milestone as the scheduler sees it."""

    code: str
    duration_days: int
    finish: date
    fixed: bool = False


def build_graph(codes: Iterable[str], edges: Iterable[Edge]) -> nx.DiGraph:
    """A directed graph with one node per milestone code and an edge predecessor → successor."""
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(codes)
    graph.add_edges_from(edges)
    return graph


def format_cycle(cycle: list[str]) -> str:
    """A cycle as users read it: 'M-12 → M-15 → M-12'."""
    return " → ".join(cycle)


def cycle_if_added(graph: nx.DiGraph, predecessor: str, successor: str) -> list[str] | None:
    """The cycle the edge predecessor → successor would close, starting and ending at the predecessor, or None.

    The edge closes a cycle exactly when the successor already reaches the predecessor; the cycle is the new edge
    followed by the shortest such path.
    """
    import networkx as nx

    if predecessor == successor:
        return [predecessor, predecessor]
    if predecessor not in graph or successor not in graph:
        return None
    try:
        back = nx.shortest_path(graph, successor, predecessor)
    except nx.NetworkXNoPath:
        return None
    return [predecessor, *back]


def find_cycle(graph: nx.DiGraph) -> list[str] | None:
    """Some cycle in the graph as a closed list of codes ('A', 'B', 'A'), or None when it is acyclic."""
    import networkx as nx

    try:
        edges = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return None
    return [str(edges[0][0]), *(str(v) for _, v in edges)]


def _topological(graph: nx.DiGraph) -> list[str]:
    # Any topological order gives the same results: every value is a max over predecessors, and ties are broken
    # by code where a choice is made.
    import networkx as nx

    return list(nx.topological_sort(graph))


def earliest_finish(nodes: Mapping[str, ScheduleNode], graph: nx.DiGraph) -> dict[str, date]:
    """EF of every milestone: its own finish, or later when a predecessor's EF plus its duration says so."""
    ef: dict[str, date] = {}
    for code in _topological(graph):
        node = nodes[code]
        finish = node.finish
        if not node.fixed:
            for pred in graph.predecessors(code):
                finish = max(finish, ef[pred] + timedelta(days=node.duration_days))
        ef[code] = finish
    return ef


@dataclass(frozen=True)
class PathStep:
    """One milestone on a critical path."""

    code: str
    earliest_finish: date
    duration_days: int
    # Days the previous step could slip before it would move this one (0: it drives this step directly).
    float_days: int


@dataclass(frozen=True)
class CriticalPath:
    """The driving chain of milestones up to a target, first milestone first."""

    target: str
    finish: date
    steps: list[PathStep]


def program_end(nodes: Mapping[str, ScheduleNode], graph: nx.DiGraph) -> str | None:
    """The milestone that finishes last (ties: the smallest code), or None for an empty graph."""
    if not nodes:
        return None
    ef = earliest_finish(nodes, graph)
    return min(ef, key=lambda code: (-ef[code].toordinal(), code))


def critical_path(nodes: Mapping[str, ScheduleNode], graph: nx.DiGraph, to: str | None = None) -> CriticalPath | None:
    """The chain of driving predecessors ending at `to` (default: the program's end); None for an empty graph."""
    if not nodes:
        return None
    ef = earliest_finish(nodes, graph)
    target = to if to is not None else min(ef, key=lambda code: (-ef[code].toordinal(), code))
    reversed_steps: list[PathStep] = []
    code = target
    while True:
        preds = sorted(graph.predecessors(code))
        node = nodes[code]
        if not preds:
            reversed_steps.append(PathStep(code, ef[code], node.duration_days, 0))
            break
        driver = min(preds, key=lambda p: (-ef[p].toordinal(), p))
        slack = (ef[code] - (ef[driver] + timedelta(days=node.duration_days))).days
        reversed_steps.append(PathStep(code, ef[code], node.duration_days, max(0, slack)))
        code = driver
    steps = list(reversed(reversed_steps))
    return CriticalPath(target=target, finish=ef[target], steps=steps)


def earliest_allowed_finish(code: str, nodes: Mapping[str, ScheduleNode], graph: nx.DiGraph) -> tuple[date, str] | None:
    """The earliest finish the predecessors allow `code` and the predecessor that sets it, or None without any."""
    preds = sorted(graph.predecessors(code))
    if not preds:
        return None
    ef = earliest_finish(nodes, graph)
    driver = min(preds, key=lambda p: (-ef[p].toordinal(), p))
    return ef[driver] + timedelta(days=nodes[code].duration_days), driver


def propagate(nodes: Mapping[str, ScheduleNode], graph: nx.DiGraph, changed: Mapping[str, date]) -> dict[str, date]:
    """New finishes of the dependents a change pushes later (the changed milestones themselves are not included).

    `changed` maps milestone codes to their new finish. Dependents are visited in topological order and pushed to
    their predecessors' finish plus their duration when that is later than their own; fixed (done) milestones
    never move, so a slip stops at them.
    """
    import networkx as nx

    finish = {code: node.finish for code, node in nodes.items()}
    finish.update(changed)
    affected: set[str] = set()
    for code in changed:
        affected |= nx.descendants(graph, code)
    moved: dict[str, date] = {}
    # The whole graph's order, filtered: cheaper than sorting a subgraph view of the affected part.
    for code in _topological(graph):
        if code not in affected or code in changed:
            continue
        node = nodes[code]
        if node.fixed:
            continue
        required = max(finish[p] + timedelta(days=node.duration_days) for p in graph.predecessors(code))
        if required > finish[code]:
            finish[code] = required
            moved[code] = required
    return moved


def descendants(graph: nx.DiGraph, code: str) -> set[str]:
    """Every milestone that depends on `code`, directly or through others."""
    import networkx as nx

    return set(nx.descendants(graph, code))


def inconsistent_edges(nodes: Mapping[str, ScheduleNode], graph: nx.DiGraph) -> list[Edge]:
    """Edges whose open dependent finishes earlier than its predecessor's finish plus its duration."""
    bad: list[Edge] = []
    for pred, succ in sorted(graph.edges()):
        node = nodes[succ]
        if not node.fixed and node.finish < nodes[pred].finish + timedelta(days=node.duration_days):
            bad.append((pred, succ))
    return bad
