"""Statistics of the ФИС ОКО reports, over numpy arrays (no Django).

Each function takes the rows of one group (a class, a school, a municipality, the
region) and returns plain numbers; percentages are of the group's participants unless
said otherwise. Thresholds follow FIOKO's 2026 recommendations for analysing VPR
results (see docs and ../shared/methodology.md §1.1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MARKS = (2, 3, 4, 5)
#: FIOKO 2026: distributions are informative from 50 pupils, rough at 20–49, not below 20.
INFORMATIVE_FROM = 50
ROUGH_FROM = 20
#: FIOKO 2026: a basic task is mastered at ≥ 60 % success, an advanced one at ≥ 30 %.
TASK_THRESHOLDS = {"Б": 60.0, "П": 30.0}
#: … with an uncertainty zone of ±3 and ±1.5 percentage points around them.
TASK_UNCERTAINTY = {"Б": 3.0, "П": 1.5}
#: FIOKO 2026: a rise of 10 percentage points or more in the share of «2» is negative dynamics.
NEGATIVE_DYNAMICS_PP = 10.0
#: FIOKO 2026: look at VPR–journal gaps of two marks or more.
LARGE_GAP = 2


def percent(part: float, whole: float) -> float | None:
    return None if whole <= 0 else 100.0 * part / whole


def sample_note(n: int) -> str:
    """What FIOKO says a distribution of ``n`` pupils can show."""
    if n >= INFORMATIVE_FROM:
        return ""
    if n >= ROUGH_FROM:
        return "менее 50 участников: распределение приблизительное"
    return "менее 20 участников: распределение малоинформативно"


@dataclass(frozen=True)
class MarkStats:
    n: int
    counts: dict[int, int]
    shares: dict[int, float | None]
    mean_percent: float | None  # mean primary score, % of the maximum
    quality: float | None  # share of «4» and «5»
    success: float | None  # share of «3», «4» and «5»

    def as_dict(self) -> dict:
        return {
            "n": self.n,
            "counts": {str(m): c for m, c in self.counts.items()},
            "shares": {str(m): s for m, s in self.shares.items()},
            "mean_percent": self.mean_percent,
            "quality": self.quality,
            "success": self.success,
        }


def mark_stats(marks: np.ndarray, primary: np.ndarray, max_score: int) -> MarkStats:
    n = int(marks.size)
    counts = np.bincount(np.clip(marks, 0, 5).astype(np.int64), minlength=6)
    by_mark = {m: int(counts[m]) for m in MARKS}
    return MarkStats(
        n=n,
        counts=by_mark,
        shares={m: percent(c, n) for m, c in by_mark.items()},
        mean_percent=percent(float(primary.sum()), n * max_score) if n else None,
        quality=percent(by_mark[4] + by_mark[5], n),
        success=percent(n - by_mark[2], n) if n else None,
    )


@dataclass(frozen=True)
class JournalStats:
    """«Сравнение отметок с отметками по журналу»: pupils with both marks only."""

    n: int  # participants in the group
    compared: int  # of them with a journal mark
    lowered: int  # VPR mark < journal mark
    confirmed: int
    raised: int  # VPR mark > journal mark
    large_gap: int  # |VPR − journal| ≥ 2

    def as_dict(self) -> dict:
        return {
            "n": self.n,
            "compared": self.compared,
            "lowered": self.lowered,
            "confirmed": self.confirmed,
            "raised": self.raised,
            "large_gap": self.large_gap,
            "lowered_pct": percent(self.lowered, self.compared),
            "confirmed_pct": percent(self.confirmed, self.compared),
            "raised_pct": percent(self.raised, self.compared),
            "large_gap_pct": percent(self.large_gap, self.compared),
        }


def journal_stats(marks: np.ndarray, journal: np.ndarray) -> JournalStats:
    has = journal > 0
    diff = marks[has].astype(np.int16) - journal[has].astype(np.int16)
    return JournalStats(
        n=int(marks.size),
        compared=int(has.sum()),
        lowered=int((diff < 0).sum()),
        confirmed=int((diff == 0).sum()),
        raised=int((diff > 0).sum()),
        large_gap=int((np.abs(diff) >= LARGE_GAP).sum()),
    )


def score_distribution(primary: np.ndarray, max_score: int) -> tuple[list[int], list[float]]:
    """Counts and shares (%) of pupils at each primary score 0…max."""
    counts = np.bincount(np.clip(primary, 0, max_score).astype(np.int64), minlength=max_score + 1)
    n = int(primary.size)
    shares = (100.0 * counts / n).tolist() if n else [0.0] * (max_score + 1)
    return counts.astype(int).tolist(), shares


def task_success(scores: np.ndarray, maxima: np.ndarray) -> list[float | None]:
    """Success per task: points earned ÷ points possible, in %."""
    n = scores.shape[0]
    if n == 0:
        return [None] * int(maxima.size)
    earned = scores.sum(axis=0, dtype=np.int64)
    return (100.0 * earned / (n * maxima)).tolist()


def task_verdict(success: float | None, level: str) -> str:
    """ "below", "uncertain" or "" for a task's success against FIOKO's threshold."""
    threshold = TASK_THRESHOLDS.get(level)
    if success is None or threshold is None:
        return ""
    zone = TASK_UNCERTAINTY[level]
    if success < threshold - zone:
        return "below"
    if success < threshold + zone:
        return "uncertain"
    return ""


def grouped(values: np.ndarray, groups: np.ndarray, n_groups: int) -> list[np.ndarray]:
    """Split ``values`` by group index (0…n_groups−1), keeping order within a group."""
    order = np.argsort(groups, kind="stable")
    counts = np.bincount(groups, minlength=n_groups)
    return np.split(values[order], np.cumsum(counts)[:-1])
