"""Sign g: the task profile conditioned on the total score, and its person-fit half."""

import json

import numpy as np
import pytest

from results.objectivity import (
    LEVEL_ADVANCED,
    LEVEL_BASIC,
    DecisionParams,
    inverted_task_profile,
    pupil_task_statistics,
    task_profile_for_schools,
    task_profile_regression,
)
from results.objectivity.task_profile import ConditionalReference


def test_conditional_reference_by_hand():
    # Totals 2, 2, 3, 3 with values 1, 2, 3, 5: mean at 2 = 1.5, at 3 = 4;
    # unbiased variance at 2 = (0.25 + 0.25)/1 = 0.5, at 3 = (1 + 1)/1 = 2.
    ref = ConditionalReference.from_pupils(
        np.array([1.0, 2.0, 3.0, 5.0]), np.array([2, 2, 3, 3]), 4
    )
    assert ref.mean.tolist() == [0, 0, 1.5, 4, 0]
    assert ref.variance.tolist() == [0, 0, 0.5, 2, 0]


def test_advanced_points_are_compared_with_pupils_of_the_same_total():
    # Two one-point tasks, basic then advanced. Four pupils score 1 in total: three on the
    # basic task, one on the advanced one. E[advanced | total 1] = 1/4, so the residuals
    # are −1/4 for the three and +3/4 for the one; a pupil with 2 points has residual 0.
    scores = np.array([[1, 0], [1, 0], [1, 0], [0, 1], [1, 1]])
    stats_ = pupil_task_statistics(
        scores, np.array([1, 1]), np.array([LEVEL_BASIC, LEVEL_ADVANCED])
    )
    assert stats_["advanced_residual"].tolist() == [-0.25, -0.25, -0.25, 0.75, 0.0]
    # Variance at total 1: values 0, 0, 0, 1 → mean 1/4, unbiased (3·1/16 + 9/16)/3 = 1/4.
    assert stats_["advanced_variance"][:4] == pytest.approx([0.25] * 4)


def test_profile_slope_by_hand():
    # d = school − region = −.1, 0, .1, .2 on region success .8, .6, .4, .2 lies on the line
    # d = 0.3 − 0.5·q: slope −0.5 (advantage grows on harder tasks), SE 0.
    slope, se = task_profile_regression(
        np.array([0.7, 0.6, 0.5, 0.4]), np.array([0.8, 0.6, 0.4, 0.2]), np.ones(4)
    )
    assert slope[0] == pytest.approx(-0.5)
    assert se[0] == pytest.approx(0.0, abs=1e-12)


def test_single_school_sign_combines_the_two_tests_by_bonferroni():
    # z_profile = 3 → p = 0.00135; z_person_fit = 0 → p = 0.5; p = 2·0.00135 = 0.0027.
    # Effect: 1.2 excess points over 6 advanced points = 0.2.
    result = inverted_task_profile(
        np.array([0.7, 0.6, 0.9, 0.8]),
        np.array([0.8, 0.7, 0.5, 0.4]),
        np.array([1, 1, 3, 3]),
        np.array([LEVEL_BASIC, LEVEL_BASIC, LEVEL_ADVANCED, LEVEL_ADVANCED]),
        n=40,
        advanced_excess=1.2,
        advanced_z=3.0,
        u3_mean=0.2,
        u3_region_mean=0.2,
        u3_z=0.0,
    )
    assert result.p_value == pytest.approx(2 * 0.0013499, rel=1e-4)
    assert result.effect == pytest.approx(0.2)
    # Basic tasks 1 and 2 are done worse than the region (−0.1 each).
    assert result.evidence["basic_tasks_below_region"] == ["1", "2"]
    assert result.evidence["basic_advantage"] == pytest.approx(-0.1)
    assert result.evidence["advanced_advantage"] == pytest.approx(0.4)
    assert "Ниже региона выполнены базовые задания № 1, 2" in result.evidence["summary_ru"]
    json.dumps(result.evidence, allow_nan=False)


def test_profile_needs_twenty_pupils():
    result = inverted_task_profile(
        np.array([0.5, 0.5]),
        np.array([0.5, 0.5]),
        np.array([1, 1]),
        np.array([LEVEL_BASIC, LEVEL_ADVANCED]),
        n=12,
        advanced_excess=0.0,
        advanced_z=0.0,
        u3_mean=0.1,
        u3_region_mean=0.1,
        u3_z=0.0,
    )
    assert not result.applicable and result.reason == "недостаточно данных"


def test_a_school_solving_hard_tasks_regardless_of_ability_stands_out():
    # 40 schools × 30 pupils answer like a one-parameter model; in school 0 every pupil gets
    # the two advanced tasks right whatever the rest.
    rng = np.random.default_rng(11)
    n_schools, size = 40, 30
    school = np.repeat(np.arange(n_schools), size)
    theta = rng.normal(0, 1, school.size) + rng.normal(0, 0.4, n_schools)[school]
    difficulty = np.array([-1.5, -1.0, -0.5, 0.0, 0.8, 1.2])
    levels = np.array([0, 0, 0, 0, 1, 1])
    scores = (
        rng.random((school.size, 6)) < 1 / (1 + np.exp(-(theta[:, None] - difficulty)))
    ).astype(np.int16)
    scores[school == 0, 4:] = 1
    results = task_profile_for_schools(
        school, school, scores, np.ones(6, int), levels, n_schools, DecisionParams()
    )
    p = np.array([r.p_value for r in results])
    assert p[0] < 1e-6
    assert np.mean(p[1:] < 0.01) <= 0.05
    assert results[0].evidence["z_profile"] > 4
    assert results[0].evidence["classes"]["n"] == [30]
    assert results[0].evidence["classes"]["class"] == [0]
