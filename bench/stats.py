"""Small statistics for benchmark samples."""

from __future__ import annotations

import statistics


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def spread_ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    return f"{ordered[0] * 1000:.1f}-{ordered[-1] * 1000:.1f}"
