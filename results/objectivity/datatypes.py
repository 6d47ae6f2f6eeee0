"""Plain containers shared by the objectivity indicators.

Everything here is Django-free: the service layer turns querysets into these arrays,
calls the indicator functions and stores the returned dataclasses (``evidence`` is
JSON-serialisable by construction).
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# Task levels as stored in FIS OKO exports: Б basic, П advanced, В high.
LEVEL_BASIC = 0
LEVEL_ADVANCED = 1
LEVEL_HIGH = 2

# Sign identifiers, in the order of domain.md §5.
SIGN_HIGH_RESULTS = "a"
SIGN_JOURNAL = "b"
SIGN_BUNCHING = "c"
SIGN_COHORT_DROP = "d"
SIGN_RECHECK = "e"
SIGN_OBSERVER = "f"
SIGN_TASK_PROFILE = "g"
SIGN_SCALE_MISMATCH = "h"
ALL_SIGNS = ("a", "b", "c", "d", "e", "f", "g", "h")

REASON_TOO_FEW = "недостаточно данных"


@dataclass(frozen=True)
class SignResult:
    """The outcome of one sign for one school (or class, or municipality) and one test.

    ``applicable`` is False when the data cannot support the statistic; ``reason`` then
    says why in Russian (e.g. «недостаточно данных») and ``effect``/``p_value``/``score``
    are None. ``effect`` is on the sign's natural scale (a share, points, a slope);
    ``p_value`` is one-sided (small = more suspicious); ``score`` is a non-negative
    strength (``-log10 p`` unless the docstring of the sign says otherwise).
    ``evidence`` holds plain ints/floats/str/lists/dicts only.
    """

    sign: str
    applicable: bool
    reason: str | None
    effect: float | None
    p_value: float | None
    score: float | None
    evidence: dict[str, Any] = field(default_factory=dict)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while many small dicts are built.

    A region's results are ~10⁵ dicts and lists without reference cycles (reference
    counting frees them); the collector's repeated scans of them cost ~20 % of
    ``evaluate_test``. The previous state is restored on exit.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def not_applicable(sign: str, reason: str, evidence: dict[str, Any] | None = None) -> SignResult:
    """A SignResult for a sign that cannot be computed (too few pupils, no data)."""
    return SignResult(sign, False, reason, None, None, None, evidence or {})


def strength_from_p(p_value: float, cap: float = 12.0) -> float:
    """``-log10 p`` capped so that p = 0 from underflow does not dominate a ranking."""
    if not p_value > 0.0:
        return cap if p_value == 0.0 else 0.0
    return min(cap, max(0.0, -math.log10(p_value)))


@dataclass(frozen=True)
class DecisionParams:
    """Tunable levels of the decision rule; the Django side fills them from settings/admin.

    fdr_level: Benjamini–Hochberg level across all p-values of a year.
    min_pupils: distribution signs (a, b, c, g) need at least this many pupils
        (FIOKO 2026: distributions are not informative below 20).
    min_pupils_class: smallest class used in class-level summaries (FIOKO: groups ≥ 10).
    prior_strength: α+β of the empirical-Bayes beta prior used to shrink small schools
        toward the region; None estimates it from the region by the method of moments.
    bunching_window: w, the number of score points on each side of a cut score.
    high_percentile: sign a also requires the school to be at or above this percentile of
        the region's schools (methodology: P95).
    min_bunching_share: sign c needs an estimated manipulated share at least this big.
    min_excess_share: sign b needs its shrunk share at least this far above the region.
    min_scale_mismatches: sign h is present when at least this many marks disagree with
        the scale.
    min_rechecked_works: sign e needs at least this many re-checked works.
    min_recheck_lowered_share: sign e is material when at least this share of re-checked
        works gets a lower mark (methodology: 10–15 %) or the mean gap is ≥ 1 point.
    cohort_min_rank4: sign d is material only for a drop from at least this grade-4
        percentile (Jacob & Levitt look at high-then-low).
    selective_flag_by_a_alone: lyceums and gymnasiums are never flagged by a alone
        unless this is True (it should stay False; the 2017 letter excludes them).
    """

    fdr_level: float = 0.05
    min_pupils: int = 20
    min_pupils_class: int = 10
    prior_strength: float | None = None
    bunching_window: int = 2
    high_percentile: float = 0.95
    min_bunching_share: float = 0.1
    min_excess_share: float = 0.05
    min_scale_mismatches: int = 1
    min_rechecked_works: int = 5
    min_recheck_lowered_share: float = 0.10
    cohort_min_rank4: float = 0.75
    selective_flag_by_a_alone: bool = False
    strength_cap: float = 12.0

    def __post_init__(self) -> None:
        # Values come from settings and the admin: fail loudly on nonsense.
        if not 0.0 < self.fdr_level < 1.0:
            raise ValueError("fdr_level must be between 0 and 1")
        if self.min_pupils < 1 or self.min_pupils_class < 1 or self.min_rechecked_works < 1:
            raise ValueError("minimum sample sizes must be at least 1")
        if self.prior_strength is not None and self.prior_strength <= 0:
            raise ValueError("prior_strength must be positive")
        if self.bunching_window < 1:
            raise ValueError("bunching_window must be at least 1")
        if not 0.0 <= self.high_percentile <= 1.0 or not 0.0 <= self.cohort_min_rank4 <= 1.0:
            raise ValueError("percentile levels must be between 0 and 1")


DEFAULT_PARAMS = DecisionParams()


@dataclass(frozen=True, eq=False)
class TestArrays:
    """Per-pupil arrays of one test (year, session, subject, grade) across a whole region.

    All pupil arrays have length ``n_pupils``; schools and classes are dense indices.

    test_key: an opaque label the caller uses to map results back (e.g. "2025-spring-РУ-4").
    school_idx: int32, 0..n_schools-1.
    class_idx: int32, 0..n_classes-1, unique across the region (not per school).
    primary_score: int16, the primary score as uploaded.
    mark: int8, the VPR mark as uploaded (2..5).
    journal_mark: int8, the journal mark; 0 or -1 = missing.
    task_scores: int16 matrix [n_pupils × n_tasks]; "X"/absent answers are 0.
    task_max: int16 [n_tasks], the maximum score of each task.
    task_level: int8 [n_tasks], LEVEL_BASIC / LEVEL_ADVANCED / LEVEL_HIGH.
    cut_scores: the minimum primary scores for marks 3, 4 and 5.
    max_score: the maximum primary score.
    school_is_selective: bool [n_schools], lyceum or gymnasium.
    class_observed: optional bool [n_classes], an independent observer was present.
    reference_histogram: optional counts 0..max_score of an objective benchmark (e.g. the
        «ВПР с контролем объективности» sample); by default the region, de-bunched.
    scale_has_task_conditions: the scale adds per-task conditions, so a mark below the
        score rule can be legitimate (sign h then reports only marks above the rule).
    task_labels: optional task numbers as printed ("1", "9.1", "4K1").
    """

    __test__ = False  # not a pytest test class despite the name

    test_key: str
    school_idx: np.ndarray
    class_idx: np.ndarray
    primary_score: np.ndarray
    mark: np.ndarray
    journal_mark: np.ndarray
    task_scores: np.ndarray
    task_max: np.ndarray
    task_level: np.ndarray
    cut_scores: tuple[int, int, int]
    max_score: int
    school_is_selective: np.ndarray
    class_observed: np.ndarray | None = None
    reference_histogram: np.ndarray | None = None
    scale_has_task_conditions: bool = False
    task_labels: tuple[str, ...] | None = None

    @property
    def n_pupils(self) -> int:
        return int(self.school_idx.shape[0])

    @property
    def n_schools(self) -> int:
        return int(self.school_is_selective.shape[0])

    @property
    def n_classes(self) -> int:
        if self.class_observed is not None:
            return int(self.class_observed.shape[0])
        return int(self.class_idx.max()) + 1 if self.class_idx.size else 0


@dataclass(frozen=True)
class SchoolTestResult:
    """All signs of one school for one test; ``signs`` is keyed by the sign letter."""

    test_key: str
    school_idx: int
    n_pupils: int
    is_selective: bool
    signs: dict[str, SignResult]


@dataclass(frozen=True)
class SchoolTestDecision:
    """The decision for one school × test after FDR control across the year.

    surviving: the signs that count («признаки»), in letter order.
    q_values: Benjamini–Hochberg adjusted p-values of the tested signs.
    strength: ranking score, the sum over surviving signs of ``-log10 q`` (capped).
    """

    test_key: str
    school_idx: int
    n_pupils: int
    flagged: bool
    strength: float
    surviving: tuple[str, ...]
    q_values: dict[str, float]
    annotations: tuple[str, ...] = ()
