"""The 5 x 5 risk matrix every risk assessment uses (likelihood x severity, each 1-5).

A risk's **score** is likelihood x severity (1-25). Its **level** is the band the score
falls in:

=========  ===========  ================================================================
score      level        what it asks of the case lead
=========  ===========  ================================================================
1-4        low          keep under review at the planned reviews
5-9        medium       a named mitigation in the plan, reviewed at the next review
10-15      high         mitigation in place now and a re-assessment within weeks
16-25      very high    immediate action: a safety plan today, the duty manager informed
=========  ===========  ================================================================

An assessment's **overall level** is derived, never typed: the highest *residual* score of
its items (after mitigation) placed in these bands. :func:`matrix` gives the 25 cells for
the web app to draw the grid.
"""

from __future__ import annotations

from django.db import models


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"


SCORE_MIN = 1
SCORE_MAX = 5

LIKELIHOOD: dict[int, str] = {
    1: "Rare",
    2: "Unlikely",
    3: "Possible",
    4: "Likely",
    5: "Almost certain",
}
SEVERITY: dict[int, str] = {
    1: "Minimal",
    2: "Minor",
    3: "Moderate",
    4: "Serious",
    5: "Severe",
}
# (highest score in the band, level), lowest band first.
BANDS: tuple[tuple[int, RiskLevel], ...] = (
    (4, RiskLevel.LOW),
    (9, RiskLevel.MEDIUM),
    (15, RiskLevel.HIGH),
    (25, RiskLevel.VERY_HIGH),
)


def level_for_score(score: int) -> RiskLevel:
    """The band a score of 1-25 falls in."""
    if not SCORE_MIN <= score <= SCORE_MAX * SCORE_MAX:
        raise ValueError("A risk score is between 1 and 25.")
    return next(level for top, level in BANDS if score <= top)


def level(likelihood: int, severity: int) -> RiskLevel:
    return level_for_score(likelihood * severity)


def matrix() -> dict[str, object]:
    """The whole matrix: axis labels, bands and every cell, for drawing the 5 x 5 grid."""
    lowest = SCORE_MIN
    bands = []
    for top, band_level in BANDS:
        bands.append({"level": band_level, "label": band_level.label, "min": lowest, "max": top})
        lowest = top + 1
    return {
        "likelihood": [{"value": v, "label": label} for v, label in LIKELIHOOD.items()],
        "severity": [{"value": v, "label": label} for v, label in SEVERITY.items()],
        "bands": bands,
        "cells": [
            {
                "likelihood": lk,
                "severity": sv,
                "score": lk * sv,
                "level": level(lk, sv),
            }
            for lk in LIKELIHOOD
            for sv in SEVERITY
        ],
    }
