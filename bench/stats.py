"""Figures from timings: percentiles, ratios, and the machine's load while they were taken."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any


def percentile(samples: Sequence[float], share: float) -> float:
    """The ``share`` (0-1) percentile, interpolated between the two nearest samples."""
    ordered = sorted(samples)
    if not ordered:
        return math.nan
    position = (len(ordered) - 1) * share
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(seconds: Sequence[float]) -> dict[str, Any]:
    """Median, p95 and p99 (and the extremes) of timings, in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "median_ms": round(percentile(ms, 0.5), 2),
        "p95_ms": round(percentile(ms, 0.95), 2),
        "p99_ms": round(percentile(ms, 0.99), 2),
        "min_ms": round(min(ms), 2) if ms else math.nan,
        "max_ms": round(max(ms), 2) if ms else math.nan,
    }


def ratio(value: float, baseline: float) -> float:
    return round(value / baseline, 2) if baseline else math.inf


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages (other work on the machine shows here)."""
    return [round(x, 2) for x in os.getloadavg()]


def rss_kib(pid: int) -> int:
    """Resident memory of a process, from /proc (Linux)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")
