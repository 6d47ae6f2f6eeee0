"""A seeded generator of a region's results for one test: honest schools and manipulations.

Used by the tests (power, false-positive rate, bunching share) and by the benchmark.

Honest model. Pupil ability θ = u_school + v_class + e, with u ~ N(0, school_sd²) (plus
``selective_boost`` for lyceums and gymnasiums), v ~ N(0, class_sd²), e ~ N(0, 1). Task j with
maximum m_j is scored Binomial(m_j, expit(a·(θ − b_j) + δ_sj)), where δ_sj ~ N(0, dif_sd²)
is the school's own emphasis on that task (honest schools differ in their task profiles).
Basic (Б) tasks are easy, advanced (П) ones hard. The journal mark cuts a noisy latent
θ + leniency_school + noise at quantiles that make journals more generous than the VPR, as
they are in practice («понизили» is the largest group in many schools).

Manipulations (applied to the school's pupils after honest scoring; the mark is then
recomputed from the scale):
- ``cut_push``: each pupil 1..window points below a cut score is raised to the cut with
  probability ``cut_push_share`` (points are added to tasks with room left, as lenient
  grading does);
- ``advanced``: a share of pupils gets full marks on all advanced tasks, whatever their
  ability (answers dictated or hints given on the hard tasks);
- ``journal``: pupils whose VPR mark is below their journal mark are raised to the cut score
  of the journal mark with probability ``journal_share``;
- ``mixture``: all three, each dose multiplied by ``mixture_scale``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .datatypes import LEVEL_ADVANCED, LEVEL_BASIC, TestArrays
from .mark_signs import expected_marks

HONEST = "honest"
CUT_PUSH = "cut_push"
ADVANCED = "advanced"
JOURNAL = "journal"
MIXTURE = "mixture"
MANIPULATION_KINDS = (CUT_PUSH, ADVANCED, JOURNAL, MIXTURE)


@dataclass(frozen=True)
class TestDesign:
    """Tasks and scale of a test. The default mirrors Russian, grade 4, 2026 (max 24)."""

    __test__ = False  # not a pytest test class despite the name

    task_max: tuple[int, ...] = (2, 1, 2, 3, 2, 1, 1, 2, 3, 3, 1, 3)
    task_level: tuple[int, ...] = (0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1)
    # Task difficulty on the ability scale; advanced tasks are the hard ones.
    task_difficulty: tuple[float, ...] = (
        -1.4,
        -1.6,
        -0.9,
        -0.6,
        -1.0,
        -1.3,
        -0.4,
        -0.7,
        0.6,
        0.9,
        -0.2,
        1.1,
    )
    discrimination: float = 1.3
    cut_scores: tuple[int, int, int] = (10, 16, 21)

    @property
    def max_score(self) -> int:
        return int(sum(self.task_max))


@dataclass(frozen=True)
class RegionConfig:
    """Size, heterogeneity and manipulation mix of a synthetic region."""

    n_schools: int = 400
    share_selective: float = 0.08
    share_small: float = 0.15
    small_pupils: tuple[int, int] = (5, 19)
    pupils: tuple[int, int] = (20, 150)
    manipulator_pupils: tuple[int, int] = (40, 150)
    manipulation_shares: dict[str, float] = field(
        default_factory=lambda: {CUT_PUSH: 0.06, ADVANCED: 0.06, JOURNAL: 0.06, MIXTURE: 0.06}
    )
    school_sd: float = 0.45
    selective_boost: float = 0.9
    class_sd: float = 0.2
    dif_sd: float = 0.15
    class_size: int = 25
    journal_noise_sd: float = 0.6
    journal_leniency_sd: float = 0.3
    # Regional journal mark shares for 2, 3, 4, 5 (generous compared with the VPR).
    journal_shares: tuple[float, float, float, float] = (0.03, 0.30, 0.45, 0.22)
    missing_journal_share: float = 0.05
    observed_class_share: float = 0.0
    cut_push_share: float = 0.6
    cut_push_window: int = 2
    advanced_share: float = 0.5
    journal_share: float = 0.8
    mixture_scale: float = 0.6
    seed: int = 20260501


@dataclass(frozen=True)
class SyntheticRegion:
    """A generated region: the arrays ``evaluate_test`` takes, plus the truth."""

    arrays: TestArrays
    school_kind: np.ndarray  # str per school: "honest" or a manipulation kind
    injected_bunching_share: np.ndarray  # realised pushed / eligible per school, NaN if none
    bunching_eligible: np.ndarray  # pupils 1..window below a cut before manipulation
    bunching_pushed: np.ndarray  # of them, pushed to the cut


def _school_sizes(
    config: RegionConfig, kinds: np.ndarray, selective: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    n = rng.integers(config.pupils[0], config.pupils[1] + 1, size=kinds.size)
    honest = kinds == HONEST
    small = honest & ~selective & (rng.random(kinds.size) < config.share_small)
    n[small] = rng.integers(config.small_pupils[0], config.small_pupils[1] + 1, size=small.sum())
    manip = ~honest
    n[manip] = rng.integers(
        config.manipulator_pupils[0], config.manipulator_pupils[1] + 1, size=manip.sum()
    )
    n[selective] = np.maximum(n[selective], 50)
    return n


def _add_points(
    scores: np.ndarray,
    rows: np.ndarray,
    need: np.ndarray,
    task_max: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """Add ``need`` points to each row, one at a time to random tasks with room left."""
    need = need.copy()
    active = need > 0
    while active.any():
        r = rows[active]
        room = scores[r] < task_max[None, :]
        keys = rng.random(room.shape) * room
        task = keys.argmax(axis=1)
        has_room = room[np.arange(r.size), task]
        scores[r[has_room], task[has_room]] += 1
        idx = np.nonzero(active)[0]
        need[idx[has_room]] -= 1
        need[idx[~has_room]] = 0
        active = need > 0


def generate_region(
    config: RegionConfig = RegionConfig(), design: TestDesign = TestDesign()
) -> SyntheticRegion:
    """Generate one test across a region (seeded by ``config.seed``)."""
    rng = np.random.default_rng(config.seed)
    n_schools = config.n_schools
    kinds = np.full(n_schools, HONEST, dtype=object)
    start = 0
    order = rng.permutation(n_schools)
    for kind, share in config.manipulation_shares.items():
        count = round(share * n_schools)
        kinds[order[start : start + count]] = kind
        start += count
    selective = np.zeros(n_schools, dtype=bool)
    honest_idx = np.nonzero(kinds == HONEST)[0]
    n_selective = round(config.share_selective * n_schools)
    selective[rng.choice(honest_idx, size=min(n_selective, honest_idx.size), replace=False)] = True

    sizes = _school_sizes(config, kinds, selective, rng)
    school = np.repeat(np.arange(n_schools, dtype=np.int32), sizes)
    n_pupils = school.size
    # Classes: consecutive blocks of about class_size pupils within each school.
    within = np.arange(n_pupils) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    classes_per_school = np.maximum(1, np.round(sizes / config.class_size)).astype(int)
    class_offset = np.cumsum(classes_per_school) - classes_per_school
    class_in_school = within % np.repeat(classes_per_school, sizes)
    class_idx = (np.repeat(class_offset, sizes) + class_in_school).astype(np.int32)
    n_classes = int(classes_per_school.sum())

    u = rng.normal(0.0, config.school_sd, n_schools) + config.selective_boost * selective
    v = rng.normal(0.0, config.class_sd, n_classes)
    theta = u[school] + v[class_idx] + rng.normal(0.0, 1.0, n_pupils)

    task_max = np.asarray(design.task_max, dtype=np.int16)
    difficulty = np.asarray(design.task_difficulty)
    dif = rng.normal(0.0, config.dif_sd, (n_schools, task_max.size))
    logits = design.discrimination * (theta[:, None] - difficulty[None, :]) + dif[school]
    prob = 1.0 / (1.0 + np.exp(-logits))
    scores = rng.binomial(task_max[None, :].astype(np.int64), prob).astype(np.int16)

    leniency = rng.normal(0.0, config.journal_leniency_sd, n_schools)
    latent = theta + leniency[school] + rng.normal(0.0, config.journal_noise_sd, n_pupils)
    cum = np.cumsum(config.journal_shares)[:3]
    thresholds = np.quantile(latent, cum)
    journal = (2 + np.searchsorted(thresholds, latent, side="right")).astype(np.int8)
    journal[rng.random(n_pupils) < config.missing_journal_share] = 0

    observed = None
    if config.observed_class_share > 0:
        observed = rng.random(n_classes) < config.observed_class_share

    cuts = design.cut_scores
    levels = np.asarray(design.task_level, dtype=np.int8)
    advanced_tasks = levels != LEVEL_BASIC
    eligible = np.zeros(n_schools, dtype=np.int64)
    pushed = np.zeros(n_schools, dtype=np.int64)
    starts = np.cumsum(sizes) - sizes
    for s in np.nonzero(kinds != HONEST)[0]:
        rows = np.arange(starts[s], starts[s] + sizes[s])
        if observed is not None:
            rows = rows[~observed[class_idx[rows]]]
        kind = kinds[s]
        scale = config.mixture_scale if kind == MIXTURE else 1.0
        if kind in (ADVANCED, MIXTURE):
            chosen = rows[rng.random(rows.size) < config.advanced_share * scale]
            scores[np.ix_(chosen, np.nonzero(advanced_tasks)[0])] = task_max[advanced_tasks]
        if kind in (CUT_PUSH, MIXTURE):
            total = scores[rows].sum(axis=1)
            target = np.zeros(rows.size, dtype=np.int64)
            for c in cuts:
                below = (total >= c - config.cut_push_window) & (total < c)
                target[below] = c
            is_eligible = target > 0
            push = is_eligible & (rng.random(rows.size) < config.cut_push_share * scale)
            eligible[s] = int(is_eligible.sum())
            pushed[s] = int(push.sum())
            _add_points(scores, rows[push], (target - total)[push], task_max, rng)
        if kind in (JOURNAL, MIXTURE):
            total = scores[rows].sum(axis=1)
            mark_now = expected_marks(total, cuts)
            j = journal[rows]
            lift = (
                (j > mark_now) & (j >= 3) & (rng.random(rows.size) < config.journal_share * scale)
            )
            target = np.asarray(cuts)[np.clip(j.astype(int) - 3, 0, 2)]
            _add_points(scores, rows[lift], (target - total)[lift], task_max, rng)

    primary = scores.sum(axis=1).astype(np.int16)
    mark = expected_marks(primary, cuts)
    share = np.full(n_schools, np.nan)
    has = eligible > 0
    share[has] = pushed[has] / eligible[has]
    arrays = TestArrays(
        test_key="synthetic",
        school_idx=school,
        class_idx=class_idx,
        primary_score=primary,
        mark=mark,
        journal_mark=journal,
        task_scores=scores,
        task_max=task_max,
        task_level=levels,
        cut_scores=cuts,
        max_score=design.max_score,
        school_is_selective=selective,
        class_observed=observed,
    )
    return SyntheticRegion(arrays, kinds.astype(str), share, eligible, pushed)


__all__ = [
    "ADVANCED",
    "CUT_PUSH",
    "HONEST",
    "JOURNAL",
    "LEVEL_ADVANCED",
    "MANIPULATION_KINDS",
    "MIXTURE",
    "RegionConfig",
    "SyntheticRegion",
    "TestDesign",
    "generate_region",
]
