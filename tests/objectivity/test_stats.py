"""Shared statistical building blocks, checked on numbers small enough to do by hand."""

import math

import numpy as np
import pytest

from results.objectivity.stats import (
    benjamini_hochberg,
    betabinomial_tail_at_least,
    bh_adjusted,
    binomial_pmf,
    binomial_tail_at_least,
    fit_beta_prior,
    percentile_ranks,
    robust_null,
    sum_of_binomials_tail,
    sums_of_binomials_tails,
)


def test_benjamini_hochberg_rejects_up_to_the_largest_p_under_its_line():
    # m = 5, q = 0.05, lines k·q/m = .01 .02 .03 .04 .05.
    # Sorted p: .005 ≤ .01, .01 ≤ .02, .03 ≤ .03, .04 ≤ .04, .20 > .05 → reject four.
    p = np.array([0.01, 0.04, 0.03, 0.005, 0.20])
    assert benjamini_hochberg(p, 0.05).tolist() == [True, True, True, True, False]


def test_benjamini_hochberg_steps_up_past_a_p_above_its_own_line():
    # Sorted p: .02 > 1·.05/3 = .0167 but .03 ≤ 2·.05/3 = .0333, so both are rejected.
    assert benjamini_hochberg(np.array([0.02, 0.03, 0.5]), 0.05).tolist() == [True, True, False]


def test_benjamini_hochberg_ignores_untested_signs():
    # NaN is not a test: m = 1 and 0.04 ≤ 0.05.
    assert benjamini_hochberg(np.array([np.nan, 0.04]), 0.05).tolist() == [False, True]
    assert benjamini_hochberg(np.array([]), 0.05).tolist() == []


def test_bh_adjusted_values_are_the_step_up_minimum():
    # Sorted p·m/j: .005·5/1 = .025, .01·5/2 = .025, .03·5/3 = .05, .04·5/4 = .05, .2·5/5 = .2;
    # running minimum from the top leaves them as they are.
    q = bh_adjusted(np.array([0.01, 0.04, 0.03, 0.005, 0.20]))
    assert q == pytest.approx([0.025, 0.05, 0.05, 0.025, 0.2])


def test_bh_adjusted_agrees_with_the_rejections_at_every_level():
    rng = np.random.default_rng(3)
    p = rng.random(200) ** 3
    for level in (0.01, 0.05, 0.2):
        assert ((bh_adjusted(p) <= level) == benjamini_hochberg(p, level)).all()


def test_binomial_tail_counts_the_upper_outcomes():
    # P(X ≥ 3 | n = 4, 1/2) = (C(4,3) + C(4,4)) / 16 = 5/16; P(X ≥ 0) = 1.
    assert binomial_tail_at_least(3, 4, 0.5) == pytest.approx(5 / 16)
    assert binomial_tail_at_least(0, 4, 0.5) == 1.0


def test_binomial_pmf_matches_the_formula():
    # C(4,1)·0.3·0.7³ = 4·0.3·0.343 = 0.4116.
    assert binomial_pmf(np.array([1]), 4, 0.3)[0] == pytest.approx(0.4116)
    assert binomial_pmf(np.arange(3), 2, 0.0).tolist() == [1.0, 0.0, 0.0]


def test_betabinomial_with_a_flat_prior_is_uniform():
    # BetaBinomial(n, 1, 1) puts 1/(n+1) on each of 0..n, so P(X ≥ k) = (n − k + 1)/(n + 1).
    assert betabinomial_tail_at_least(1, 2, 1.0, 1.0) == pytest.approx(2 / 3)
    assert betabinomial_tail_at_least(26, 30, 1.0, 1.0) == pytest.approx(5 / 31)
    assert betabinomial_tail_at_least(0, 5, 1.0, 1.0) == 1.0
    assert betabinomial_tail_at_least(6, 5, 1.0, 1.0) == 0.0


def test_betabinomial_tail_matches_a_direct_pmf_sum_even_far_in_the_tail():
    from scipy import stats

    rng = np.random.default_rng(0)
    n = rng.integers(0, 120, 400)
    k = (rng.random(400) * (n + 2)).astype(int)
    for alpha, beta in [(4.5, 5.4), (0.3, 7.0), (50.0, 2.0)]:
        direct = np.array(
            [
                stats.betabinom.pmf(np.arange(kk, nn + 1), nn, alpha, beta).sum() if kk > 0 else 1.0
                for kk, nn in zip(k, n, strict=True)
            ]
        )
        got = betabinomial_tail_at_least(k, n, alpha, beta)
        assert got == pytest.approx(direct, rel=1e-8, abs=1e-300)


def test_beta_prior_by_moments_on_two_schools():
    # Schools 2/10 and 8/10: μ = 10/20 = 0.5; S = 10·0.3² + 10·0.3² = 1.8;
    # m = 2, N = 20, Σn²/N = 10, denominator 20 − 10 − 2 + 1 = 9;
    # ρ = (1.8/0.25 − 1)/9 = 6.2/9; α + β = (1 − ρ)/ρ = 2.8/6.2; α = β = 1.4/6.2.
    alpha, beta = fit_beta_prior(np.array([2, 8]), np.array([10, 10]))
    assert alpha == pytest.approx(1.4 / 6.2)
    assert beta == pytest.approx(1.4 / 6.2)


def test_beta_prior_strength_can_be_fixed_by_the_admin():
    # μ = 0.5 and α + β = 10 → α = β = 5.
    assert fit_beta_prior(np.array([2, 8]), np.array([10, 10]), 10.0) == pytest.approx((5, 5))


def test_beta_prior_of_a_homogeneous_region_is_strong():
    # Identical shares: S = 0, ρ floors at 1e-4, α + β = 9999.
    alpha, beta = fit_beta_prior(np.array([5, 5, 5]), np.array([10, 10, 10]))
    assert alpha + beta == pytest.approx(9999)


def test_sum_of_two_binomials_tail_by_hand():
    # B1 ~ Bin(3, 1/2): (1, 3, 3, 1)/8; B2 ~ Bin(4, 1/4): (81, 108, 54, 12, 1)/256.
    # P(B1 + B2 ≥ 5) = [3·1 + 3·12 + 3·1 + 1·54 + 1·12 + 1·1]/2048 = 109/2048.
    assert sum_of_binomials_tail(5, np.array([3, 4]), np.array([0.5, 0.25])) == pytest.approx(
        109 / 2048
    )


def test_sum_of_equal_rate_binomials_is_one_binomial():
    # Three Bin(n_c, 1/2) add up to Bin(31, 1/2): P(X ≥ 23) = Σ_{k=23}^{31} C(31,k)/2³¹.
    expected = sum(math.comb(31, k) for k in range(23, 32)) / 2**31
    got = sum_of_binomials_tail(23, np.array([15, 9, 7]), np.array([0.5, 0.5, 0.5]))
    assert got == pytest.approx(expected, rel=1e-12)


def test_row_wise_tails_are_exact_far_into_the_tail():
    from scipy import stats

    rng = np.random.default_rng(1)
    n = rng.integers(0, 60, (300, 3))
    pi = rng.random((300, 3))
    observed = rng.integers(0, 120, 300)
    got = sums_of_binomials_tails(observed, n, pi)
    for r in range(300):
        dist = np.array([1.0])
        for c in range(3):
            dist = np.convolve(dist, stats.binom.pmf(np.arange(n[r, c] + 1), n[r, c], pi[r, c]))
        want = 1.0 if observed[r] <= 0 else dist[observed[r] :].sum()
        assert got[r] == pytest.approx(want, rel=1e-6, abs=1e-15)


def test_robust_null_ignores_an_outlying_school():
    # Effects −.2 −.1 0 .1 .2 5 with no sampling noise: centre = median = 0.05;
    # |e − 0.05| = .25 .15 .05 .05 .15 4.95, median 0.15, so τ = 1.4826·0.15.
    centre, tau2 = robust_null(np.array([0, 0.1, -0.1, 0.2, -0.2, 5.0]), np.zeros(6))
    assert centre == pytest.approx(0.05)
    assert math.sqrt(tau2) == pytest.approx(1.4826 * 0.15, rel=1e-6)


def test_robust_null_adds_nothing_when_sampling_noise_explains_the_spread():
    centre, tau2 = robust_null(np.array([0, 0.1, -0.1, 0.2, -0.2]), np.ones(5))
    assert (centre, tau2) == (0.0, 0.0)


def test_percentile_ranks_use_mid_ranks():
    # Ranks 1, 2.5, 2.5, 4 → (rank − 0.5)/4 = .125, .5, .5, .875; ineligible → NaN.
    pct = percentile_ranks(np.array([10, 20, 20, 40, 99]), np.array([1, 1, 1, 1, 0], bool))
    assert pct[:4] == pytest.approx([0.125, 0.5, 0.5, 0.875])
    assert np.isnan(pct[4])
