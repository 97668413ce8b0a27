"""The benchmark harness's memory figure: a child's own peak, not its parent's size at fork."""

from __future__ import annotations

import json
import subprocess
import sys

from tracker.bench import peak_rss_mb

CHILD = "import json; from tracker.bench import peak_rss_mb; print(json.dumps(peak_rss_mb()))"


def test_a_child_reports_its_own_peak_not_the_size_of_the_parent_that_started_it() -> None:
    ballast = bytearray(300 << 20)
    ballast[:: 1 << 12] = b"\x01" * len(ballast[:: 1 << 12])  # touch every page: resident, not just reserved
    parent = peak_rss_mb()
    assert parent > 300
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True)
    child = json.loads(done.stdout)
    # The child is a small Python program; ru_maxrss alone would report at least the parent's 300+ MB here.
    assert 5 < child < 150, (child, parent)
    del ballast
