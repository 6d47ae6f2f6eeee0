"""Small statistical building blocks shared by the signs (numpy + scipy only)."""

from __future__ import annotations

import numpy as np
from scipy import special, stats


def benjamini_hochberg(p_values: np.ndarray, q: float) -> np.ndarray:
    """Benjamini–Hochberg step-up procedure: which hypotheses are rejected at FDR level q.

    Sort the m p-values, find the largest k with p_(k) ≤ k·q/m and reject the k smallest
    (Benjamini & Hochberg 1995, JRSS B 57:289–300). NaN p-values (signs that were not
    tested) are never rejected and do not count in m.
    """
    p = np.asarray(p_values, dtype=float)
    rejected = np.zeros(p.shape, dtype=bool)
    tested = ~np.isnan(p)
    m = int(tested.sum())
    if m == 0:
        return rejected
    p_tested = p[tested]
    order = np.argsort(p_tested, kind="stable")
    thresholds = q * np.arange(1, m + 1) / m
    below = p_tested[order] <= thresholds
    if not below.any():
        return rejected
    k = int(np.nonzero(below)[0].max()) + 1
    rejected_tested = np.zeros(m, dtype=bool)
    rejected_tested[order[:k]] = True
    rejected[tested] = rejected_tested
    return rejected


def bh_adjusted(p_values: np.ndarray) -> np.ndarray:
    """BH-adjusted p-values (q-values): q_(i) = min_{j ≥ i} p_(j)·m/j, capped at 1.

    ``bh_adjusted(p) <= q`` equals ``benjamini_hochberg(p, q)``. NaN stays NaN.
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    tested = ~np.isnan(p)
    m = int(tested.sum())
    if m == 0:
        return out
    p_tested = p[tested]
    order = np.argsort(p_tested, kind="stable")
    scaled = p_tested[order] * m / np.arange(1, m + 1)
    adjusted_sorted = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    adjusted = np.empty(m)
    adjusted[order] = adjusted_sorted
    out[tested] = adjusted
    return out


def binomial_tail_at_least(k: np.ndarray, n: np.ndarray, rate: np.ndarray | float) -> np.ndarray:
    """Exact one-sided binomial tail P(X ≥ k), X ~ Binomial(n, rate); vectorised."""
    k = np.asarray(k)
    return np.where(k <= 0, 1.0, stats.binom.sf(k - 1, n, rate))


def betabinomial_tail_at_least(
    k: np.ndarray, n: np.ndarray, alpha: float, beta: float
) -> np.ndarray:
    """Exact beta-binomial tail P(X ≥ k), X ~ BetaBinomial(n, α, β); vectorised.

    The beta-binomial is the binomial whose rate varies between schools as Beta(α, β): the
    right null for "a school's share against the region" when schools differ.
    pmf(x) = C(n, x)·B(x+α, n−x+β)/B(α, β). For k at or above the mean the upper tail
    x = k..n is summed directly, below it one minus the lower sum x = 0..k−1. Within a
    side the pmf follows the ratio pmf(x+1)/pmf(x) = (n−x)(x+α)/((x+1)(n−x−1+β)), so only
    logarithms and a segmented cumulative sum are needed (scipy's ``betabinom.sf`` loops
    in Python and is ~100× slower for a region's schools).
    """
    k_arr = np.atleast_1d(np.asarray(k, dtype=np.int64))
    n_arr = np.broadcast_to(np.atleast_1d(np.asarray(n, dtype=np.int64)), k_arr.shape).ravel()
    k_flat = np.clip(k_arr.ravel(), 0, None)
    # Sum the upper tail directly at or above the mean (small tails stay accurate); below
    # the mean the tail is large and one minus the lower sum loses nothing that matters.
    upper = k_flat >= n_arr * (alpha / (alpha + beta))
    start = np.where(upper, k_flat, 0)
    lengths = np.where(upper, n_arr - k_flat + 1, k_flat)
    lengths = np.maximum(lengths, 0)
    sums = np.zeros(k_flat.size)
    has = lengths > 0
    if has.any():
        idx = np.nonzero(has)[0]
        seg_len = lengths[idx]
        offsets = np.cumsum(seg_len) - seg_len
        owner = np.repeat(idx, seg_len)
        x = np.arange(owner.size) - np.repeat(offsets, seg_len) + start[owner]
        nn = n_arr[owner].astype(float)
        x0 = start[idx].astype(float)
        n0 = n_arr[idx].astype(float)
        log_first = (
            special.gammaln(n0 + 1)
            - special.gammaln(x0 + 1)
            - special.gammaln(n0 - x0 + 1)
            + special.betaln(x0 + alpha, n0 - x0 + beta)
            - special.betaln(alpha, beta)
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.log(nn - x) + np.log(x + alpha) - np.log(x + 1) - np.log(nn - x - 1 + beta)
        # log pmf(x) = log pmf(x0) + Σ_{x0 ≤ t < x} step(t): an exclusive segmented cumsum.
        step = np.where(np.isfinite(step), step, -np.inf)
        csum = np.cumsum(np.where(np.isfinite(step), step, 0.0))
        before = np.concatenate([[0.0], csum[:-1]])
        exclusive = before - np.repeat(before[offsets], seg_len)
        # A -inf step (x = n) only ever ends a segment, so it never enters an exclusive sum.
        log_pmf = np.repeat(log_first, seg_len) + exclusive
        sums[idx] = np.add.reduceat(np.exp(log_pmf), offsets)
    tail = np.where(upper, sums, 1.0 - sums)
    tail = np.clip(tail, 0.0, 1.0)
    tail[k_flat <= 0] = 1.0
    tail[k_flat > n_arr] = 0.0
    result = tail.reshape(k_arr.shape)
    return result if np.ndim(k) else result.reshape(())


def binomial_pmf(x: np.ndarray, n: np.ndarray | int, rate: np.ndarray | float) -> np.ndarray:
    """Binomial pmf via log-gamma (a plain ufunc expression, much faster than scipy.stats)."""
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    rate = np.asarray(rate, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_pmf = (
            special.gammaln(n + 1)
            - special.gammaln(x + 1)
            - special.gammaln(n - x + 1)
            + special.xlogy(x, rate)
            + special.xlog1py(n - x, -rate)
        )
    return np.exp(log_pmf)


def fit_beta_prior(
    successes: np.ndarray, trials: np.ndarray, prior_strength: float | None = None
) -> tuple[float, float]:
    """Empirical-Bayes Beta(α, β) prior of school rates by the method of moments.

    Mean μ = Σk/Σn. Intra-school correlation ρ from the weighted between-school sum of
    squares S = Σ n_s (p_s − μ)², whose expectation under the beta-binomial is
    μ(1−μ)[(m−1) + ρ(N − Σn_s²/N − m + 1)] (m schools, N = Σn_s); then α+β = (1−ρ)/ρ
    (Kleinman 1973, JASA 68:46–54). A fixed ``prior_strength`` replaces the estimate.
    ρ is floored at 1e-4 so that a homogeneous region gives a strong but finite prior.
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    keep = n > 0
    k, n = k[keep], n[keep]
    total = n.sum()
    mu = float(k.sum() / total) if total > 0 else 0.5
    mu = min(max(mu, 1e-6), 1 - 1e-6)
    if prior_strength is not None:
        strength = float(prior_strength)
    else:
        m = n.size
        if m < 2:
            strength = 1e4
        else:
            s = float(np.sum(n * (k / n - mu) ** 2))
            denom = total - float(np.sum(n**2)) / total - m + 1
            rho = (s / (mu * (1 - mu)) - (m - 1)) / denom if denom > 0 else 0.0
            rho = min(max(rho, 1e-4), 0.99)
            strength = (1 - rho) / rho
    return mu * strength, (1 - mu) * strength


def sum_of_binomials_tail(observed: int, trials: np.ndarray, rates: np.ndarray) -> float:
    """Exact P(Σ_c B_c ≥ observed) for independent B_c ~ Binomial(n_c, π_c).

    The distribution of the sum is the convolution of the binomial pmfs; with the few
    cut scores of a test and class-sized n this is exact and cheap.
    """
    tails = sums_of_binomials_tails(
        np.array([observed]), np.atleast_2d(trials), np.atleast_2d(rates)
    )
    return float(tails[0])


def _ragged_binomial_pmf(
    x: np.ndarray, owner: np.ndarray, n: np.ndarray, rate: np.ndarray
) -> np.ndarray:
    """Binomial pmf at x for the segment ``owner`` (n[owner], rate[owner]) on a ragged layout.

    log C(n, x) from a table of log-factorials and the two log-rates per segment keep the
    per-element work to table look-ups and one exp.
    """
    log_fact = special.gammaln(np.arange(int(n.max(initial=0)) + 1, dtype=float) + 1.0)
    with np.errstate(divide="ignore"):
        log_p, log_q = np.log(rate), np.log1p(-rate)
    nn = n[owner]
    rest = nn - x
    # x·log p is 0 when x = 0 even if p = 0 (likewise for the failures).
    with np.errstate(invalid="ignore"):
        log_pmf = (
            log_fact[nn]
            - log_fact[x]
            - log_fact[rest]
            + np.where(x > 0, x * log_p[owner], 0.0)
            + np.where(rest > 0, rest * log_q[owner], 0.0)
        )
    return np.exp(log_pmf)


def sums_of_binomials_tails(
    observed: np.ndarray, trials: np.ndarray, rates: np.ndarray
) -> np.ndarray:
    """Row-wise ``sum_of_binomials_tail``: trials and rates are [rows × K], observed [rows].

    All binomial pmfs are evaluated in one vectorised call on a ragged layout and
    convolved for all rows at once by FFT (rows grouped by padded length). FFT rounding is
    about 1e-15 in absolute terms, so rows whose tail comes out below 1e-9 are recomputed
    by direct convolution: every reported p-value is exact to floating-point precision.
    """
    n = np.maximum(np.asarray(trials, dtype=np.int64), 0)
    pi = np.asarray(rates, dtype=float)
    obs = np.asarray(observed, dtype=np.int64)
    rows, k = n.shape
    out = np.ones(rows)
    if rows == 0:
        return out
    lengths = (n + 1).ravel()
    owner = np.repeat(np.arange(lengths.size), lengths)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    x = np.arange(owner.size) - offsets[owner]
    pmf = _ragged_binomial_pmf(x, owner, n.ravel(), pi.ravel())
    total = n.sum(axis=1)
    padded = 1 << np.ceil(np.log2(total + 1)).astype(np.int64)
    owner_row = owner // k
    owner_cut = owner % k
    for size in np.unique(padded):
        group = np.nonzero(padded == size)[0]
        local = np.full(rows, -1)
        local[group] = np.arange(group.size)
        chosen = local[owner_row] >= 0
        dense = np.zeros((group.size, k, int(size)))
        dense[local[owner_row[chosen]], owner_cut[chosen], x[chosen]] = pmf[chosen]
        spectrum = np.prod(np.fft.rfft(dense, axis=2), axis=1)
        dist = np.fft.irfft(spectrum, n=int(size), axis=1)
        tails = np.cumsum(dist[:, ::-1], axis=1)[:, ::-1]
        at = np.clip(obs[group], 0, int(size) - 1)
        out[group] = np.clip(tails[np.arange(group.size), at], 0.0, 1.0)
    out[obs <= 0] = 1.0
    out[obs > total] = 0.0
    for r in np.nonzero((out < 1e-9) & (obs > 0) & (obs <= total))[0]:
        base = r * k
        dist = pmf[offsets[base] : offsets[base + 1]]
        for c in range(1, k):
            dist = np.convolve(dist, pmf[offsets[base + c] : offsets[base + c + 1]])
        out[r] = min(1.0, float(dist[obs[r] :].sum()))
    return out


def robust_null(effects: np.ndarray, sampling_variances: np.ndarray) -> tuple[float, float]:
    """Empirical null (centre, τ²) for school effects, robust to a minority of outliers.

    centre = median of the effects; τ² ≥ 0 is the smallest between-school variance for which
    the standardised effects z_s = (e_s − centre)/sqrt(v_s + τ²) have a robust spread
    1.4826·MAD(z) ≤ 1 (found by bisection; MAD is monotone in τ²). Honest school-to-school
    differences (teaching emphasis, local curricula) and a reference contaminated by
    manipulating schools are thus absorbed into the null instead of being flagged, while the
    manipulating schools in the tail barely move the median and the MAD (Efron 2004,
    "Large-scale simultaneous hypothesis testing: the choice of a null hypothesis", JASA 99).
    With fewer than 5 finite effects the null is (0, 0).
    """
    e = np.asarray(effects, dtype=float)
    v = np.asarray(sampling_variances, dtype=float)
    ok = np.isfinite(e) & np.isfinite(v)
    if ok.sum() < 5:
        return 0.0, 0.0
    e, v = e[ok], np.maximum(v[ok], 0.0)
    centre = float(np.median(e))
    dev = np.abs(e - centre)

    def spread(tau2: float) -> float:
        with np.errstate(divide="ignore", invalid="ignore"):
            z = dev / np.sqrt(v + tau2)
        # 0/0 (no deviation, no noise) is a perfect fit; x/0 stays infinite.
        return 1.4826 * float(np.median(np.nan_to_num(z, nan=0.0, posinf=np.inf)))

    if spread(0.0) <= 1.0:
        return centre, 0.0
    hi = max(float(np.median(dev)) ** 2, 1e-12)
    while spread(hi) > 1.0:
        hi *= 4
    lo = 0.0
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if spread(mid) > 1.0:
            lo = mid
        else:
            hi = mid
    return centre, hi


def percentile_ranks(values: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Mid-rank percentiles in (0, 1) among eligible entries; NaN for the others.

    percentile = (rank − 0.5)/m with average ranks for ties, so the top of 20 schools is
    0.975 and the median school 0.5.
    """
    v = np.asarray(values, dtype=float)
    out = np.full(v.shape, np.nan)
    mask = np.asarray(eligible, dtype=bool) & np.isfinite(v)
    m = int(mask.sum())
    if m == 0:
        return out
    out[mask] = (stats.rankdata(v[mask], method="average") - 0.5) / m
    return out


def normal_tail_above(z: np.ndarray) -> np.ndarray:
    """One-sided upper normal tail P(Z ≥ z)."""
    return stats.norm.sf(z)
