"""Signs d (cohort drop), e (re-check) and f (observer effect) by hand."""

import json
import math

import numpy as np
import pytest
from scipy import stats

from results.objectivity import (
    DecisionParams,
    class_means,
    cohort_drop,
    independence_tail,
    observer_effect,
    observer_effect_for_schools,
    recheck_discrepancy,
    recheck_for_schools,
)

CUTS = (10, 16, 21)


# --------------------------------------------------------------------------- d


def test_independence_tail_by_geometry():
    # Area of the quarter disc of radius √s inside the unit square:
    #   s = 0.5 → π·0.5/4, tail 1 − π/8;   s = 1 → tail 1 − π/4;   s = 2 → tail 0;
    #   s = 1.5 → √0.5 + 1.5·asin(1/√1.5) − 1.5π/4 = 0.70711 + 1.43297 − 1.17810 = 0.96198.
    got = independence_tail(np.array([0.0, 0.5, 1.0, 1.5, 2.0]))
    assert got == pytest.approx(
        [1.0, 1 - math.pi / 8, 1 - math.pi / 4, 1 - 0.961983, 0.0], abs=1e-5
    )


def test_independence_tail_agrees_with_simulation():
    rng = np.random.default_rng(0)
    u, v = rng.random((2, 200_000))
    score = u**2 + (1 - v) ** 2
    assert independence_tail(np.array([1.3]))[0] == pytest.approx(np.mean(score >= 1.3), abs=0.005)


def test_cohort_score_by_hand_with_few_schools():
    # Grade 4 means .9 .5 .6 .7 → school 0 ranks 4th of 4: r4 = (4 − 0.5)/4 = 0.875.
    # Grade 5 means .3 .55 .65 .75 → school 0 ranks 1st: r5 = 0.5/4 = 0.125.
    # SCORE = 0.875² + (1 − 0.125)² = 1.53125; with < 10 schools p = independence_tail.
    results = cohort_drop(
        np.array([0.9, 0.5, 0.6, 0.7, 0.8]),
        np.array([25, 25, 25, 25, 10]),
        np.array([0.3, 0.55, 0.65, 0.75, 0.8]),
        np.array([25, 25, 25, 25, 30]),
    )
    first = results[0]
    assert first.score == pytest.approx(1.53125)
    assert first.effect == pytest.approx(0.75)
    assert first.p_value == pytest.approx(independence_tail(np.array([1.53125]))[0])
    assert first.evidence["effect_is_material"]
    assert not results[4].applicable  # only 10 pupils in grade 4


def test_cohort_drop_stands_out_against_the_persistence_line():
    # 60 schools keep roughly their level from grade 4 to grade 5 (noise of about two rank
    # places); school 0 falls from the top to the bottom.
    rng = np.random.default_rng(4)
    m4 = np.linspace(0.3, 0.8, 60)
    m5 = m4 + rng.normal(0, 0.015, 60)
    m4[0], m5[0] = 0.95, 0.2
    n = np.full(60, 40)
    results = cohort_drop(m4, n, m5, n)
    assert results[0].p_value < 1e-4
    assert sum(r.p_value < 0.01 for r in results[1:]) <= 1
    json.dumps(results[0].evidence, allow_nan=False)


# --------------------------------------------------------------------------- e


def test_recheck_sign_test_by_hand():
    # Δ = school − expert = 2, 1, 1, 0, −1, 3, 1 → 5 higher, 1 lower, 1 tie (dropped).
    # p = P(Bin(6, 1/2) ≥ 5) = (C(6,5) + C(6,6))/64 = 7/64; mean Δ = 7/7 = 1.
    # Marks (cuts 10/16/21): 16→15 («4»→«3»), 21→20, 22→19 («5»→«4»), 10→9 («3»→«2»):
    # 4 of 7 works lose a mark.
    school = np.array([12, 16, 21, 9, 15, 22, 10])
    expert = np.array([10, 15, 20, 9, 16, 19, 9])
    result = recheck_discrepancy(school, expert, CUTS)
    assert result.p_value == pytest.approx(7 / 64)
    assert result.effect == pytest.approx(1.0)
    assert result.evidence["n_mark_lowered"] == 4
    assert result.evidence["share_mark_lowered"] == pytest.approx(4 / 7, abs=1e-4)
    assert result.evidence["delta_counts"] == {"-1": 1, "0": 1, "1": 3, "2": 1, "3": 1}
    assert result.evidence["effect_is_material"]


def test_recheck_needs_five_works():
    result = recheck_discrepancy(np.array([12, 13]), np.array([10, 13]), CUTS)
    assert not result.applicable
    assert result.reason == "недостаточно перепроверенных работ"


def test_recheck_for_schools_groups_works_by_school():
    work_school = np.array([1, 0, 1, 1, 1, 1, 0])
    school = np.array([12, 10, 16, 21, 15, 22, 10])
    expert = np.array([10, 10, 15, 20, 16, 19, 10])
    results = recheck_for_schools(work_school, school, expert, CUTS, 2)
    assert not results[0].applicable
    # School 1: Δ = 2, 1, 1, −1, 3 → 4 higher of 5 → p = (5 + 1)/32.
    assert results[1].p_value == pytest.approx(6 / 32)


# --------------------------------------------------------------------------- f


def test_observer_effect_with_school_fixed_effects_by_hand():
    # School A classes (observed, unobserved, unobserved) = .5 .7 .6; school B = .4 .5 .6.
    # Demeaned observer: 2/3, −1/3, −1/3 in both; demeaned results A: −.1 .1 0, B: −.1 0 .1.
    # Σx̃ỹ = (−.0667 − .0333) + (−.0667 − .0333) = −0.2; Σx̃² = 2·(4/9 + 1/9 + 1/9) = 4/3.
    # β = −0.2/(4/3) = −0.15. Residuals 0 .05 −.05 | 0 −.05 .05 → Σe² = 0.01.
    # df = 6 classes − 2 schools − 1 = 3; σ² = 0.01/3; SE = √(σ²/(4/3)) = 0.05; t = −3;
    # p = P(T₃ ≤ −3) = 0.0288.
    result = observer_effect(
        np.array([0.5, 0.7, 0.6, 0.4, 0.5, 0.6]),
        np.array([1, 0, 0, 1, 0, 0], bool),
        np.array([0, 0, 0, 1, 1, 1]),
    )
    assert result.effect == pytest.approx(-0.15)
    assert result.evidence["se"] == pytest.approx(0.05)
    assert result.evidence["df"] == 3
    assert result.p_value == pytest.approx(stats.t.cdf(-3, 3))
    assert result.p_value == pytest.approx(0.0288, abs=1e-4)
    assert "ниже" in result.evidence["summary_ru"]


def test_schools_with_only_one_kind_of_class_do_not_identify_the_effect():
    result = observer_effect(
        np.array([0.5, 0.7, 0.6]), np.array([0, 0, 0], bool), np.array([0, 0, 0])
    )
    assert not result.applicable
    assert result.reason == "нет классов с наблюдателем и без него"


def test_observer_effect_per_school_from_pupil_arrays():
    # Classes 0–2 in school 0 (class 0 observed); class 3 alone in school 1.
    class_idx = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    school_idx = np.array([0, 0, 0, 0, 0, 0, 1, 1])
    pct = np.array([0.4, 0.6, 0.7, 0.7, 0.6, 0.6, 0.5, 0.5])
    means, sizes, school = class_means(class_idx, school_idx, pct, 4)
    assert means.tolist() == pytest.approx([0.5, 0.7, 0.6, 0.5])
    assert sizes.tolist() == [2, 2, 2, 2] and school.tolist() == [0, 0, 0, 1]
    observed = np.array([True, False, False, False])
    results = observer_effect_for_schools(class_idx, school_idx, pct, observed, 2, DecisionParams())
    # School 0: β = 0.5 − (0.7 + 0.6)/2 = −0.15 (one school: a two-group comparison).
    assert results[0].effect == pytest.approx(-0.15)
    assert not results[1].applicable
