"""Sign c: bunching at the cut scores, on histograms small enough to check by hand."""

import json
import math

import numpy as np
import pytest

from results.objectivity import (
    DecisionParams,
    bunching_at_cut_scores,
    bunching_for_schools,
    cut_windows,
    debunched_reference_pmf,
    pooled_bunching,
    school_counterfactuals,
)

CUTS = (10, 16, 21)
MAX = 24
UNIFORM = np.full(MAX + 1, 1 / (MAX + 1))


def _school_histogram() -> np.ndarray:
    """50 pupils; around the cuts (window 2):
    «3»: 8–9 → 1 pupil, 10–11 → 14;  «4»: 14–15 → 4, 16–17 → 5;  «5»: 19–20 → 3, 21–22 → 4;
    the other 19 pupils at 5 (5), 13 (4), 18 (5) and 24 (5)."""
    h = np.zeros(MAX + 1, int)
    h[[8, 10, 11, 14, 15, 16, 17, 19, 20, 21, 22]] = [1, 9, 5, 2, 2, 3, 2, 2, 1, 2, 2]
    h[[5, 13, 18, 24]] = [5, 4, 5, 5]
    assert h.sum() == 50
    return h


def test_windows_sit_just_below_and_at_each_cut():
    assert cut_windows(CUTS, MAX, 2) == [(8, 10, 12), (14, 16, 18), (19, 21, 23)]


def test_windows_of_close_cuts_never_overlap():
    # Cuts 6, 8, 10: the window below 8 would start at 6, inside the window above 6 (6..7),
    # so it is cut to nothing; likewise below 10.
    assert cut_windows((6, 8, 10), 12, 2) == [(4, 6, 8), (8, 8, 10), (10, 10, 12)]


def test_bunching_test_and_share_by_hand():
    # Flat counterfactual: every score expects 50/25 = 2 pupils, so π_c = 1/2 at every cut.
    # A = 1, 4, 3 and B = 14, 5, 4 → n_c = 15, 9, 7; ΣB = 23 of Σn_c = 31.
    # Under the null ΣB ~ Bin(31, 1/2): p = Σ_{k=23}^{31} C(31, k)/2³¹.
    # Missing mass below the cuts: (4 − 1) + (4 − 4) + (4 − 3) = 4 of 12 expected → φ̂ = 1/3.
    result = bunching_at_cut_scores(_school_histogram(), UNIFORM, CUTS)
    expected_p = sum(math.comb(31, k) for k in range(23, 32)) / 2**31
    assert result.p_value == pytest.approx(expected_p, rel=1e-9)
    assert result.effect == pytest.approx(1 / 3)
    assert result.evidence["per_cut"][0] == {
        "cut": 10,
        "mark": 3,
        "below_from": 8,
        "above_to": 11,
        "below": 1,
        "at_or_above": 14,
        "expected_below": 4.0,
        "expected_at_or_above": 4.0,
        "pi": 0.5,
        "p": pytest.approx(sum(math.comb(15, k) for k in range(14, 16)) / 2**15),
        "missing_below": 3.0,
    }
    assert result.evidence["expected"] == [2.0] * 25
    assert result.evidence["effect_is_material"]


def test_bunching_summary_reads_like_the_card():
    summary = bunching_at_cut_scores(_school_histogram(), UNIFORM, CUTS).evidence["summary_ru"]
    assert summary.startswith(
        "14 участников набрали 10–11 баллов и 1 — 8–9 баллов; при таком уровне ожидалось бы "
        "около 4 и около 4; граница отметки «3» — 10 баллов."
    )
    assert "нарушен" not in summary


def test_bunching_needs_twenty_pupils():
    h = np.zeros(MAX + 1, int)
    h[10] = 19
    result = bunching_at_cut_scores(h, UNIFORM, CUTS)
    assert not result.applicable and result.reason == "недостаточно данных"


def test_a_flat_school_shows_no_bunching():
    h = np.full(MAX + 1, 2)
    result = bunching_at_cut_scores(h, UNIFORM, CUTS)
    # ΣB = 12 of 24: p = P(Bin(24, 1/2) ≥ 12) = (1 + C(24,12)/2²⁴)/2, and nothing missing.
    assert result.p_value == pytest.approx((1 + math.comb(24, 12) / 2**24) / 2)
    assert result.effect == 0.0
    assert not result.evidence["effect_is_material"]


def test_debunched_reference_restores_a_smooth_histogram():
    # A log-quadratic histogram is fitted exactly by the degree-5 Poisson polynomial; moving
    # 40 % of the pupils at 8–9 up to 10 does not change the de-bunched reference.
    x = np.arange(MAX + 1)
    smooth = 1000 * np.exp(-((x - 13.0) ** 2) / 50)
    bunched = smooth.copy()
    moved = 0.4 * bunched[8:10]
    bunched[8:10] -= moved
    bunched[10] += moved.sum()
    reference = debunched_reference_pmf(bunched, CUTS, 2)
    assert reference == pytest.approx(smooth / smooth.sum(), rel=1e-6)


def test_counterfactual_of_a_school_like_the_region_is_the_region():
    # A school whose histogram is the reference itself needs no tilt (λ = 0, κ = 0).
    reference = np.exp(-((np.arange(MAX + 1) - 13.0) ** 2) / 50)
    reference /= reference.sum()
    pmfs, kappa = school_counterfactuals(reference, reference[None, :] * 1000, CUTS, 2, kappa=0.0)
    assert kappa == 0.0
    assert pmfs[0] == pytest.approx(reference, rel=1e-3)


def test_counterfactual_matches_the_school_mean_outside_the_windows():
    reference = np.exp(-((np.arange(MAX + 1) - 13.0) ** 2) / 50)
    reference /= reference.sum()
    school = np.zeros(MAX + 1)
    school[[4, 6, 13, 18, 24]] = [3, 5, 10, 12, 10]
    pmfs, _ = school_counterfactuals(reference, school[None, :], CUTS, 2, kappa=0.3)
    outside = np.ones(MAX + 1, bool)
    for a0, _, b1 in cut_windows(CUTS, MAX, 2):
        outside[a0:b1] = False
    x = np.arange(MAX + 1)
    cf_mean = (pmfs[0] * outside) @ x / (pmfs[0] * outside).sum()
    assert cf_mean == pytest.approx((school * outside) @ x / school.sum(), abs=0.02)


def test_pooled_share_is_missing_mass_over_expected_mass():
    # School 1 is the hand example (4 missing of 12 expected); school 2 is flat (0 of 12).
    # Pooled φ̂ = (4 + 0)/(12 + 12) = 1/6.
    hists = np.vstack([_school_histogram(), np.full(MAX + 1, 2)])
    result = pooled_bunching(hists, np.vstack([UNIFORM, UNIFORM]), CUTS)
    assert result.effect == pytest.approx(1 / 6)
    assert result.evidence["n_schools"] == 2
    json.dumps(result.evidence, allow_nan=False)


def test_batch_returns_a_result_and_a_counterfactual_per_school():
    hists = np.vstack([_school_histogram(), np.full(MAX + 1, 2), np.zeros(MAX + 1, int)])
    results, pmfs = bunching_for_schools(hists, CUTS, DecisionParams(), reference_histogram=UNIFORM)
    assert len(results) == 3 and pmfs.shape == (3, MAX + 1)
    assert results[0].applicable and results[1].applicable and not results[2].applicable
    for r in results:
        json.dumps(r.evidence, allow_nan=False)
