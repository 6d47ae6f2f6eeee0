"""Signs a (high results), b (journal marks) and h (scale) on hand-sized tables."""

import json

import numpy as np
import pytest
from scipy import stats

from results.objectivity import (
    DecisionParams,
    anomalously_high_results,
    expected_marks,
    fit_beta_prior,
    high_results_for_schools,
    journal_agreement_for_schools,
    journal_crosstab,
    journal_mark_agreement,
    marks_outside_scale,
    scale_mismatch_for_schools,
)

CUTS = (10, 16, 21)  # Russian, grade 4, 2026: «3» from 10, «4» from 16, «5» from 21
REGION_MARKS = np.array([100, 300, 400, 200])  # 2, 3, 4, 5 → share of 4+5 = 600/1000 = 0.6


def _high(counts, *, prior=(1.0, 1.0), others=None, selective=False, params=None):
    return anomalously_high_results(
        np.array(counts),
        0.75,
        region_mark_counts=REGION_MARKS,
        region_prior=prior,
        region_school_shares=np.array(others if others is not None else [0.84375]),
        region_school_mean_pct=np.array([0.5, 0.75]),
        region_mean_pct=0.6,
        is_selective=selective,
        params=params or DecisionParams(),
    )


def test_expected_marks_follow_the_cut_scores():
    # 9 → «2», 10 → «3», 15 → «3», 16 → «4», 20 → «4», 21 → «5», 24 → «5».
    assert expected_marks(np.array([9, 10, 15, 16, 20, 21, 24]), CUTS).tolist() == [
        2,
        3,
        3,
        4,
        4,
        5,
        5,
    ]


def test_high_results_tail_and_shrinkage_by_hand():
    # 26 of 30 pupils got «4»/«5». With a flat Beta(1, 1) prior the beta-binomial is uniform
    # on 0..30, so p = P(X ≥ 26) = 5/31. Shrunk share (26 + 1)/(30 + 2) = 27/32 = 0.84375;
    # effect = 0.84375 − 0.6 = 0.24375; expected count 30·0.6 = 18.
    result = _high([0, 4, 10, 16])
    assert result.applicable
    assert result.p_value == pytest.approx(5 / 31)
    assert result.effect == pytest.approx(0.24375)
    assert result.evidence["expected_high"] == 18.0
    assert result.evidence["p_binomial"] == pytest.approx(stats.binom.sf(25, 30, 0.6))
    assert "26 из 30" in result.evidence["summary_ru"]


def test_high_results_material_only_at_the_top_of_the_region():
    # Among 20 schools with the school on top: (19 + 0.5)/20 = 0.975 ≥ 0.95 → material.
    top = _high([0, 4, 10, 16], others=[0.5] * 19 + [0.84375])
    assert top.evidence["percentile_share_high"] == pytest.approx(0.975)
    assert top.evidence["effect_is_material"]
    # Among 5 schools on top: (4 + 0.5)/5 = 0.9 < 0.95 → not material.
    middle = _high([0, 4, 10, 16], others=[0.5, 0.6, 0.7, 0.8, 0.84375])
    assert middle.evidence["percentile_share_high"] == pytest.approx(0.9)
    assert not middle.evidence["effect_is_material"]


def test_high_results_need_twenty_pupils():
    result = _high([0, 4, 5, 10])  # 19 pupils
    assert not result.applicable
    assert result.reason == "недостаточно данных"
    assert result.p_value is None


def test_lyceums_are_annotated():
    result = _high([0, 4, 10, 16], selective=True)
    assert result.evidence["is_selective"]
    assert "Лицей или гимназия" in result.evidence["annotation"]


def test_high_results_for_schools_agrees_with_the_single_school_function():
    counts = np.array([[2, 8, 8, 2], [0, 4, 10, 16], [5, 10, 5, 0], [1, 9, 10, 5], [3, 3, 3, 3]])
    mean_pct = np.array([0.5, 0.8, 0.4, 0.6, 0.55])
    batch = high_results_for_schools(
        counts, mean_pct, np.zeros(5, bool), DecisionParams(min_pupils=5)
    )
    # The batch fits the prior over the eligible schools; the single call is given it.
    n, k = counts.sum(axis=1), counts[:, 2] + counts[:, 3]
    alpha, beta = fit_beta_prior(k, n)
    single = anomalously_high_results(
        counts[1],
        0.8,
        region_mark_counts=counts.sum(axis=0),
        region_prior=(alpha, beta),
        region_school_shares=(k + alpha) / (n + alpha + beta),
        region_school_mean_pct=mean_pct,
        region_mean_pct=batch[1].evidence["region_mean_pct_of_max"],
        is_selective=False,
        params=DecisionParams(min_pupils=5),
    )
    assert batch[1].p_value == pytest.approx(single.p_value, rel=1e-9)
    assert batch[1].evidence["percentile_share_high"] == single.evidence["percentile_share_high"]


def test_journal_crosstab_counts_lowered_confirmed_raised():
    # (J, VPR): (5,5) (5,4) (4,4) (4,5) (3,3) (3,2) and a missing journal (0) skipped.
    ct = journal_crosstab(np.array([5, 5, 4, 4, 3, 3, 0]), np.array([5, 4, 4, 5, 3, 2, 4]))
    assert ct.sum() == 6
    assert np.trace(ct) == 3  # confirmed
    assert ct[3, 2] == 1 and ct[1, 0] == 1  # lowered: 5→4, 3→2
    assert ct[2, 3] == 1  # raised: 4→5


def _all_confirmed(n: int) -> np.ndarray:
    ct = np.zeros((4, 4), int)
    ct[2, 2] = n  # every pupil: journal «4», VPR «4»
    return ct


def test_journal_all_confirmed_with_high_results_by_hand():
    # 25 of 25 confirmed. Flat priors: P(C ≥ 25) = 1/26 and P(R ≥ 0) = 1;
    # two components tested → p = 2·(1/26) = 1/13. Shrunk (25 + 1)/(25 + 2) − region 0.5.
    region = np.array([[10, 5, 0, 0], [20, 30, 10, 0], [0, 30, 40, 10], [0, 0, 20, 25]])
    result = journal_mark_agreement(
        _all_confirmed(25),
        share_high=0.9,
        region_crosstab=region,
        region_share_high=0.6,
        raised_prior=(1.0, 1.0),
        confirmed_prior=(1.0, 1.0),
    )
    # Region: lowered 5+20+30+20... count below diagonal: 20 + 30 + 20 = 70; diagonal
    # 10 + 30 + 40 + 25 = 105; above: 5 + 10 + 10 = 25; total 200 → confirmed 0.525.
    assert result.evidence["region_share_confirmed"] == pytest.approx(0.525)
    assert result.p_value == pytest.approx(1 / 13)
    assert result.evidence["driver"] == "confirmed"
    assert result.effect == pytest.approx(26 / 27 - 0.525)
    assert result.evidence["expected_confirmed"] == pytest.approx(13.12, abs=0.01)


def test_journal_confirmed_is_not_tested_without_high_results():
    region = np.array([[10, 5, 0, 0], [20, 30, 10, 0], [0, 30, 40, 10], [0, 0, 20, 25]])
    result = journal_mark_agreement(
        _all_confirmed(25),
        share_high=0.3,
        region_crosstab=region,
        region_share_high=0.6,
        raised_prior=(1.0, 1.0),
        confirmed_prior=(1.0, 1.0),
    )
    # Only «повысили» is tested: P(R ≥ 0) = 1.
    assert result.p_value == 1.0
    assert result.evidence["p_confirmed"] is None


def test_journal_batch_matches_the_single_school_function():
    rng = np.random.default_rng(5)
    crosstabs = rng.integers(0, 6, (8, 4, 4))
    share_high = rng.random(8)
    results = journal_agreement_for_schools(crosstabs, share_high, 0.5)
    r = results[3]
    single = journal_mark_agreement(
        crosstabs[3],
        share_high=float(share_high[3]),
        region_crosstab=crosstabs.sum(axis=0),
        region_share_high=0.5,
        raised_prior=tuple(r.evidence["prior_raised"]),
        confirmed_prior=tuple(r.evidence["prior_confirmed"]),
    )
    assert r.p_value == pytest.approx(single.p_value, rel=1e-3)
    json.dumps(r.evidence, allow_nan=False)


def test_scale_mismatch_lists_the_rows():
    # 15 points give «3» but «4» was uploaded (row 4).
    result = marks_outside_scale(
        np.array([9, 10, 16, 21, 15]), np.array([2, 3, 4, 5, 4]), CUTS, row_ids=np.arange(100, 105)
    )
    assert result.effect == 1.0
    assert result.evidence["rows"] == [
        {"row": 104, "primary_score": 15, "mark": 4, "expected_mark": 3}
    ]
    assert result.evidence["effect_is_material"]


def test_scale_with_task_conditions_counts_only_marks_above_the_rule():
    # 16 points with «3»: a per-task condition may lower the mark, so it is not a sign.
    primary, mark = np.array([16, 15]), np.array([3, 4])
    assert marks_outside_scale(primary, mark, CUTS, only_above=True).evidence["n_mismatch"] == 1
    assert marks_outside_scale(primary, mark, CUTS).evidence["n_mismatch"] == 2


def test_scale_mismatch_for_schools_splits_rows_by_school():
    school = np.array([0, 1, 1, 2, 2])
    primary = np.array([15, 15, 9, 21, 21])
    mark = np.array([4, 3, 3, 5, 4])
    results = scale_mismatch_for_schools(school, primary, mark, CUTS, 3)
    assert [r.evidence["n_mismatch"] for r in results] == [1, 1, 1]
    assert results[1].evidence["rows"][0]["row"] == 2
    assert results[2].evidence["rows"][0] == {
        "row": 4,
        "primary_score": 21,
        "mark": 4,
        "expected_mark": 5,
    }
