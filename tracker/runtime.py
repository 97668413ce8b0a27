"""Process-level tuning for the heavy operations (bulk imports, report rendering)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_frozen_users = 0
_raised_users = 0
_saved_threshold: tuple[int, int, int] = (700, 10, 10)


@contextmanager
def long_lived_objects_frozen(young_threshold: int | None = None) -> Iterator[None]:
    """Keep the cyclic garbage collector off the objects that exist now (the process's modules, caches) meanwhile.

    A heavy operation allocates millions of short-lived containers, and every so many of them the collector walks
    the oldest generation: each time again the ~200,000 objects of the loaded app. `gc.freeze` sets those aside (they
    are not garbage, and would be walked for nothing); the operation's own objects are collected as usual, and
    `gc.unfreeze` hands the rest back to the collector afterwards, also on error. Measured: a bulk import spent
    about 7 us per row in those walks; a board pack's first rendering 0.3 s of its 2.7 s (two full collections).

    `young_threshold`, if given, is how many net container allocations the young generation may take between two
    collections meanwhile (the default is 700): an import keeps a batch's thousands of containers alive until it
    writes them, and the default walked them some 2,000 times per 200k rows (0.58 s of 22 s). Only what is reached
    through a reference cycle waits longer to be freed, and at most that many containers' worth.

    Nested and concurrent uses (a report building an export, two imports at once) share one freeze and one raised
    threshold: the last one out collects, unfreezes and gives the threshold back. Usable as a decorator too
    (`@long_lived_objects_frozen()`).
    """
    global _frozen_users, _raised_users, _saved_threshold
    with _lock:
        if _frozen_users == 0:
            gc.freeze()
        _frozen_users += 1
        if young_threshold is not None:
            if _raised_users == 0:
                _saved_threshold = gc.get_threshold()
                gc.set_threshold(max(young_threshold, _saved_threshold[0]), *_saved_threshold[1:])
            _raised_users += 1
    try:
        yield
    finally:
        with _lock:
            if young_threshold is not None:
                _raised_users -= 1
                if _raised_users == 0:
                    gc.set_threshold(*_saved_threshold)
            _frozen_users -= 1
            if _frozen_users == 0:
                # Collect the operation's own cyclic garbage while the rest is still set aside (a walk over its
                # objects only), or the next operation would freeze it and carry it: repeated renderings in one
                # process then peaked 80 MB higher each.
                gc.collect()
                gc.unfreeze()
