"""The milestone graph as pure functions: cycles named in order, critical paths against hand-computed graphs,
slip propagation."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tracker.milestones import graph as g
from tracker.milestones.graph import ScheduleNode

DAY0 = date(2026, 1, 1)


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def asap(durations: dict[str, int]) -> dict[str, ScheduleNode]:
    """Nodes that could each finish after their own duration from day 0: predecessors alone set their dates."""
    return {code: ScheduleNode(code, d, day(d)) for code, d in durations.items()}


# The textbook network: A(3); B(4) and C(2) after A; D(5) after B; E(3) after C; F(2) after D and E.
# Forward pass by hand: A 3, B 7, C 5, D 12, E 8, F 14. Critical path A-B-D-F, 14 days.
TEXTBOOK_DURATIONS = {"A": 3, "B": 4, "C": 2, "D": 5, "E": 3, "F": 2}
TEXTBOOK_EDGES = [("A", "B"), ("A", "C"), ("B", "D"), ("C", "E"), ("D", "F"), ("E", "F")]


def textbook() -> tuple[dict[str, ScheduleNode], object]:
    return asap(TEXTBOOK_DURATIONS), g.build_graph(TEXTBOOK_DURATIONS, TEXTBOOK_EDGES)


def test_adding_an_edge_that_closes_a_cycle_names_the_cycle_in_order() -> None:
    graph = g.build_graph("ABCD", [("A", "B"), ("B", "C"), ("C", "D")])
    cycle = g.cycle_if_added(graph, "D", "B")
    assert cycle == ["D", "B", "C", "D"]
    assert g.format_cycle(cycle) == "D → B → C → D"


def test_two_node_cycle_reads_like_the_issue_example() -> None:
    graph = g.build_graph(["M-12", "M-15"], [("M-12", "M-15")])
    assert g.format_cycle(g.cycle_if_added(graph, "M-15", "M-12") or []) == "M-15 → M-12 → M-15"


def test_self_dependency_is_a_cycle_and_harmless_edges_are_not() -> None:
    graph = g.build_graph("ABC", [("A", "B")])
    assert g.cycle_if_added(graph, "A", "A") == ["A", "A"]
    assert g.cycle_if_added(graph, "A", "C") is None
    assert g.cycle_if_added(graph, "C", "A") is None


def test_find_cycle_reports_an_existing_cycle() -> None:
    assert g.find_cycle(g.build_graph("AB", [("A", "B")])) is None
    cycle = g.find_cycle(g.build_graph("ABC", [("A", "B"), ("B", "C"), ("C", "A")]))
    assert cycle is not None and cycle[0] == cycle[-1] and set(cycle) == {"A", "B", "C"}


def test_earliest_finish_is_the_textbook_forward_pass() -> None:
    nodes, graph = textbook()
    ef = g.earliest_finish(nodes, graph)
    assert {code: (d - DAY0).days for code, d in ef.items()} == {"A": 3, "B": 7, "C": 5, "D": 12, "E": 8, "F": 14}


def test_critical_path_to_program_end_is_the_longest_chain() -> None:
    nodes, graph = textbook()
    path = g.critical_path(nodes, graph)
    assert path is not None
    assert path.target == "F" and path.finish == day(14)
    assert [s.code for s in path.steps] == ["A", "B", "D", "F"]
    assert [s.float_days for s in path.steps] == [0, 0, 0, 0]


def test_critical_path_to_a_chosen_milestone() -> None:
    nodes, graph = textbook()
    path = g.critical_path(nodes, graph, "E")
    assert path is not None and [s.code for s in path.steps] == ["A", "C", "E"]
    assert path.finish == day(8)


def test_a_milestone_dated_later_than_its_predecessors_require_drives_the_chain_with_float_shown() -> None:
    # C cannot finish before day 20 (say, a vendor date): the chain through C now ends the program, and C's own
    # predecessor A has 15 days of float against it.
    nodes, graph = textbook()
    nodes["C"] = ScheduleNode("C", 2, day(20))
    path = g.critical_path(nodes, graph)
    assert path is not None
    assert [s.code for s in path.steps] == ["A", "C", "E", "F"]
    assert path.finish == day(25)
    assert [s.float_days for s in path.steps] == [0, 15, 0, 0]


def test_ties_are_broken_by_code_so_results_do_not_depend_on_insertion_order() -> None:
    nodes = asap({"X": 5, "Y": 5, "Z": 1})
    one = g.critical_path(nodes, g.build_graph("XYZ", [("X", "Z"), ("Y", "Z")]))
    two = g.critical_path(nodes, g.build_graph("ZYX", [("Y", "Z"), ("X", "Z")]))
    assert one == two and one is not None and [s.code for s in one.steps] == ["X", "Z"]


def test_empty_graph_has_no_critical_path() -> None:
    assert g.critical_path({}, g.build_graph([], [])) is None


def test_slip_propagates_to_every_dependent_that_has_no_float_left() -> None:
    # Chain A(10) -> B(30) -> C(20), and D(5) after A with 30 days of float (its own date is day 45).
    nodes = {
        "A": ScheduleNode("A", 10, day(10)),
        "B": ScheduleNode("B", 30, day(40)),
        "C": ScheduleNode("C", 20, day(60)),
        "D": ScheduleNode("D", 5, day(45)),
    }
    graph = g.build_graph("ABCD", [("A", "B"), ("B", "C"), ("A", "D")])
    moved = g.propagate(nodes, graph, {"A": day(25)})
    # B must now finish 25 + 30 = 55, C 55 + 20 = 75; D needs only 25 + 5 = 30 < 45, so it stays.
    assert moved == {"B": day(55), "C": day(75)}


def test_slip_stops_at_done_milestones_and_never_pulls_anything_earlier() -> None:
    nodes = {
        "A": ScheduleNode("A", 0, day(10)),
        "B": ScheduleNode("B", 5, day(12), fixed=True),
        "C": ScheduleNode("C", 5, day(17)),
    }
    graph = g.build_graph("ABC", [("A", "B"), ("B", "C")])
    assert g.propagate(nodes, graph, {"A": day(30)}) == {}
    assert g.propagate(nodes, graph, {"A": day(1)}) == {}


def test_slip_through_a_diamond_takes_the_latest_predecessor() -> None:
    nodes, graph = textbook()
    # Slip C from day 5 to day 11: E must finish 14 (11 + 3); F must finish max(D 12, E 14) + 2 = 16.
    moved = g.propagate(nodes, graph, {"C": day(11)})
    assert moved == {"E": day(14), "F": day(16)}


def test_earliest_allowed_finish_names_the_driving_predecessor() -> None:
    nodes, graph = textbook()
    assert g.earliest_allowed_finish("F", nodes, graph) == (day(14), "D")
    assert g.earliest_allowed_finish("A", nodes, graph) is None


def test_inconsistent_edges_finds_dependents_that_finish_too_early() -> None:
    nodes = {"A": ScheduleNode("A", 0, day(10)), "B": ScheduleNode("B", 5, day(12))}
    graph = g.build_graph("AB", [("A", "B")])
    assert g.inconsistent_edges(nodes, graph) == [("A", "B")]


@given(
    durations=st.lists(st.integers(0, 60), min_size=2, max_size=9),
    edge_bits=st.lists(st.booleans(), min_size=36, max_size=36),
    slip_node=st.integers(0, 8),
    slip_days=st.integers(1, 90),
)
def test_after_propagation_every_dependency_holds(
    durations: list[int], edge_bits: list[bool], slip_node: int, slip_days: int
) -> None:
    codes = [f"M{i}" for i in range(len(durations))]
    # Only forward edges (i < j): always a DAG.
    pairs = [(i, j) for i in range(len(codes)) for j in range(i + 1, len(codes))]
    edges = [(codes[i], codes[j]) for (i, j), bit in zip(pairs, edge_bits, strict=False) if bit]
    graph = g.build_graph(codes, edges)
    base = asap(dict(zip(codes, durations, strict=True)))
    consistent = {c: ScheduleNode(c, base[c].duration_days, f) for c, f in g.earliest_finish(base, graph).items()}
    target = codes[slip_node % len(codes)]
    new_finish = consistent[target].finish + timedelta(days=slip_days)
    moved = g.propagate(consistent, graph, {target: new_finish})
    after = {c: ScheduleNode(c, n.duration_days, moved.get(c, n.finish)) for c, n in consistent.items()}
    after[target] = ScheduleNode(target, consistent[target].duration_days, new_finish)
    assert g.inconsistent_edges(after, graph) == []
    assert set(moved) <= g.descendants(graph, target)
    assert all(moved[c] > consistent[c].finish for c in moved)
