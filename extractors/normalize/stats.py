"""Statistics of label distributions, shared by the profiler (which measures them) and scoring
(which scores published class counts with the same formula)."""
from __future__ import annotations


def gini(values: list[int]) -> float:
    """Gini coefficient of non-negative counts (0 = perfectly even)."""
    ordered = sorted(values)
    n, total = len(ordered), sum(ordered)
    if n == 0 or total == 0:
        return 0.0
    weighted = sum((2 * i - n + 1) * x for i, x in enumerate(ordered))
    return weighted / (n * total)
