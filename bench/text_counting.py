"""Counting 100,000 characters (the API's cap) of text that once made the counters super-linear:
the slowest of these is what a hostile post costs the API."""

from __future__ import annotations

import time

from herald.text import counting

ADVERSARIAL = [
    ("a." * 50_000, "weighted"),
    ("a." * 50_000, "mastodon"),
    ("あ.い" * 33_333, "weighted"),
    ("\U0001f1ef" * 100_000, "graphemes"),
    ("\U0001f1ef" * 100_000, "weighted"),
    ("http://a.com/" + "!" * 99_987, "weighted"),
]


def measure() -> list[float]:
    """Seconds to count each adversarial text once."""
    times = []
    for text, method in ADVERSARIAL:
        started = time.perf_counter()
        counting.count(text, method)
        times.append(time.perf_counter() - started)
    return times
