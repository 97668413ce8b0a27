"""Process-level tuning: the garbage collector's freeze around heavy operations."""

from __future__ import annotations

import gc
import threading

import pytest

from tracker.runtime import long_lived_objects_frozen


def test_objects_alive_before_are_frozen_meanwhile_and_handed_back_after() -> None:
    before = gc.get_freeze_count()
    with long_lived_objects_frozen():
        assert gc.get_freeze_count() > before
    assert gc.get_freeze_count() == 0


def test_a_nested_use_does_not_unfreeze_the_outer_one_and_an_error_still_unfreezes() -> None:
    with pytest.raises(RuntimeError), long_lived_objects_frozen():
        with long_lived_objects_frozen():
            pass
        assert gc.get_freeze_count() > 0  # still frozen: the outer operation is running
        raise RuntimeError("boom")
    assert gc.get_freeze_count() == 0


def test_concurrent_uses_share_one_freeze_released_by_the_last() -> None:
    inside = threading.Barrier(2)
    release = threading.Event()
    counts: list[int] = []

    def operation() -> None:
        with long_lived_objects_frozen():
            inside.wait()
            release.wait()
        counts.append(gc.get_freeze_count())

    first = threading.Thread(target=operation)
    first.start()
    with long_lived_objects_frozen():
        inside.wait()
        release.set()
        first.join()
        assert counts and counts[0] > 0  # the thread left first: the freeze held for this one
    assert gc.get_freeze_count() == 0


def test_usable_as_a_decorator() -> None:
    @long_lived_objects_frozen()
    def work() -> int:
        return gc.get_freeze_count()

    assert work() > 0 and gc.get_freeze_count() == 0


def test_the_operations_own_cyclic_garbage_is_collected_before_the_freeze_ends() -> None:
    # Otherwise the next operation would freeze it and carry it through (a report server's memory grew per render).
    class Node:
        def __init__(self) -> None:
            self.me = self

    gc.collect()
    gc.disable()  # nothing else collects it behind the test's back
    try:
        with long_lived_objects_frozen():
            Node()  # a cycle: only the cyclic collector frees it
        assert not [o for o in gc.get_objects() if isinstance(o, Node)]
    finally:
        gc.enable()
