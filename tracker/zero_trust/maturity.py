"""Zero-trust maturity roll-up as pure functions over stage levels (1 traditional .. 4 optimal).

How a pillar's stage is derived from assessments (documented here because the board pack quotes it):

1. Each (system, function) pair in scope takes the stage of its latest assessment on or before the as-of date; a
   pair in scope that was never assessed counts as traditional (no evidence, no credit).
2. A function's stage is the *lower median* of its pairs across the systems in scope for the pillar: at least half
   of the systems have reached it.
3. A pillar's stage is its *weakest function's* stage: ZTMM treats a pillar as mature only when all its functions
   are (a system's stage in a pillar is likewise its weakest function there).
4. The gap to a target is max(0, target level − current level), in stage steps; a pillar with no system in scope has
   no stage and no gap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def lower_median(levels: Sequence[int]) -> int:
    """The lower median of a non-empty list of levels."""
    if not levels:
        raise ValueError("lower_median of an empty list")
    ordered = sorted(levels)
    return ordered[(len(ordered) - 1) // 2]


def function_level(levels_by_system: Mapping[str, int]) -> int:
    """A function's level: the lower median over the systems in scope."""
    return lower_median(list(levels_by_system.values()))


def pillar_level(function_levels: Mapping[str, int]) -> int | None:
    """A pillar's level: its weakest function's; None when nothing is in scope."""
    return min(function_levels.values()) if function_levels else None


def mean_level(levels: Sequence[int]) -> float | None:
    """The mean level of every pair, to one decimal place (a finer view than the stage for heatmaps)."""
    if not levels:
        return None
    return round(sum(levels) / len(levels), 1)


def gap_steps(current: int | None, target: int | None) -> int | None:
    """Stage steps still to climb to reach the target (0 when met); None when either is unknown."""
    if current is None or target is None:
        return None
    return max(0, target - current)
