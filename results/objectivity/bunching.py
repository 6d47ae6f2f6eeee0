"""Sign c: bunching of primary scores at the cut scores for «3», «4» and «5».

Pipeline (each step is a public function so it can be tested by hand):

1. ``debunched_reference_pmf``: the region's score distribution with the bins around each
   cut replaced by a Poisson log-polynomial fitted on the other bins (Dee, Dobbie, Jacob &
   Rockoff 2019: the counterfactual is a polynomial fitted with the manipulable scores
   excluded). An objective benchmark histogram can be passed instead.
2. ``school_counterfactuals``: each school's expected histogram is the reference tilted to
   the school's level, f_s(x) ∝ f_ref(x)·exp(λ_s t − κ t²/2) with t the standardised score;
   λ_s matches the school's mean score *outside* the windows around the cuts (so the
   manipulation itself cannot move it) and κ, common to the region, makes the tilted
   distributions as narrow as the region's schools are on average.
3. ``bunching_at_cut_scores``: the exact small-sample test and the manipulated share.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from .datatypes import (
    DEFAULT_PARAMS,
    REASON_TOO_FEW,
    SIGN_BUNCHING,
    DecisionParams,
    SignResult,
    not_applicable,
    strength_from_p,
)
from .stats import binomial_tail_at_least, sums_of_binomials_tails
from .tables import SignTable, register_builder
from .text import about_ru, percent_ru, points_ru, pupils_ru, score_range_ru

MARK_OF_CUT = (3, 4, 5)
_LAMBDA_GRID = np.linspace(-10.0, 10.0, 401)


def cut_windows(
    cut_scores: tuple[int, int, int], max_score: int, window: int
) -> list[tuple[int, int, int]]:
    """Bins [a0, c) below and [c, b1) at/above each cut, clipped so windows never overlap.

    Returns (a0, c, b1) per cut: A = N(a0..c−1), B = N(c..b1−1). With window w the
    nominal bins are c−w..c−1 and c..c+w−1; a below-window starts no earlier than the
    previous cut's above-window ends, so no pupil is counted twice.
    """
    out = []
    previous_end = 0
    for c in cut_scores:
        a0 = max(c - window, previous_end, 0)
        b1 = min(c + window, max_score + 1)
        out.append((int(a0), int(c), int(b1)))
        previous_end = b1
    return out


def _window_mask(cut_scores: tuple[int, int, int], max_score: int, window: int) -> np.ndarray:
    mask = np.zeros(max_score + 1, dtype=bool)
    for a0, _, b1 in cut_windows(cut_scores, max_score, window):
        mask[a0:b1] = True
    return mask


def debunched_reference_pmf(
    histogram: np.ndarray,
    cut_scores: tuple[int, int, int],
    window: int = 2,
    degree: int | None = None,
) -> np.ndarray:
    """The region's score pmf with the windows around the cuts replaced by a smooth fit.

    Formula. A Poisson GLM log E[N(x)] = Σ_{d=0..D} β_d t^d (t = x rescaled to [−1, 1]) is
    fitted by IRLS on the bins outside the windows [c−w, c+w−1]; inside the windows the
    fitted values replace the counts, outside the observed counts are kept. D defaults to
    min(5, bins outside − 3). Returns a pmf over 0..max_score (sums to 1).

    Assumptions: without manipulation the regional histogram is smooth across the cuts.
    Minimum sample: a regional histogram (hundreds of pupils); with fewer than 4 bins
    outside the windows the observed histogram is returned unchanged.
    Source: Dee, Dobbie, Jacob & Rockoff (2019), AEJ: Applied 11(3):382–423.
    """
    counts = np.asarray(histogram, dtype=float)
    max_score = counts.size - 1
    inside = _window_mask(cut_scores, max_score, window)
    x = np.arange(counts.size, dtype=float)
    t = 2 * x / max(max_score, 1) - 1
    fit_bins = ~inside
    n_fit = int(fit_bins.sum())
    if n_fit < 4 or counts.sum() <= 0:
        return counts / max(counts.sum(), 1.0)
    d = min(5, n_fit - 3) if degree is None else min(degree, n_fit - 1)
    design = np.vander(t, d + 1, increasing=True)
    beta = _poisson_irls(design[fit_bins], counts[fit_bins])
    fitted = np.exp(design @ beta)
    smooth = np.where(inside, fitted, counts)
    return smooth / smooth.sum()


def _poisson_irls(design: np.ndarray, y: np.ndarray, iterations: int = 50) -> np.ndarray:
    """Poisson regression with log link by iteratively reweighted least squares."""
    beta = np.zeros(design.shape[1])
    beta[0] = np.log(max(y.mean(), 1e-9))
    for _ in range(iterations):
        eta = np.clip(design @ beta, -50, 50)
        mu = np.exp(eta)
        z = eta + (y - mu) / mu
        w = mu
        wx = design * w[:, None]
        # A tiny ridge keeps the system solvable when a tail is all zeros.
        new = np.linalg.solve(design.T @ wx + 1e-8 * np.eye(design.shape[1]), wx.T @ z)
        if np.max(np.abs(new - beta)) < 1e-10:
            return new
        beta = new
    return beta


def _tilt_table(
    reference_pmf: np.ndarray, outside: np.ndarray, kappa: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each λ on the grid: the tilted pmf and its mean over the bins outside windows."""
    ref = np.asarray(reference_pmf, dtype=float)
    x = np.arange(ref.size, dtype=float)
    mean = float(np.sum(ref * x))
    sd = float(np.sqrt(max(np.sum(ref * (x - mean) ** 2), 1e-9)))
    t = (x - mean) / sd
    with np.errstate(divide="ignore"):
        log_ref = np.log(ref)
    log_w = log_ref[None, :] + _LAMBDA_GRID[:, None] * t[None, :] - 0.5 * kappa * t[None, :] ** 2
    log_w -= log_w.max(axis=1, keepdims=True)
    weights = np.exp(log_w)
    pmfs = weights / weights.sum(axis=1, keepdims=True)
    out_w = pmfs * outside[None, :]
    out_mass = out_w.sum(axis=1)
    out_mean = (out_w * x[None, :]).sum(axis=1) / np.maximum(out_mass, 1e-300)
    # Monotone in λ in exact arithmetic; enforce it against rounding for np.interp.
    out_mean = np.maximum.accumulate(out_mean) + np.arange(out_mean.size) * 1e-12
    return pmfs, out_mean, t


def _outside_means(hists: np.ndarray, outside: np.ndarray) -> np.ndarray:
    """Each school's mean score over the bins outside the windows (plain mean if none)."""
    x = np.arange(hists.shape[1], dtype=float)
    out_counts = hists * outside[None, :]
    n_out = out_counts.sum(axis=1)
    n_all = hists.sum(axis=1)
    mean_out = (out_counts @ x) / np.maximum(n_out, 1)
    mean_all = (hists @ x) / np.maximum(n_all, 1)
    return np.where(n_out > 0, mean_out, mean_all)


def _lambda_indices(target_means: np.ndarray, table_means: np.ndarray) -> np.ndarray:
    """Fractional grid positions of λ_s matching each school's mean outside the windows."""
    return np.interp(target_means, table_means, np.arange(table_means.size, dtype=float))


def _interpolated_pmfs(pmfs: np.ndarray, positions: np.ndarray) -> np.ndarray:
    lo = np.floor(positions).astype(int)
    hi = np.minimum(lo + 1, pmfs.shape[0] - 1)
    frac = (positions - lo)[:, None]
    out = pmfs[lo] * (1 - frac) + pmfs[hi] * frac
    return out / out.sum(axis=1, keepdims=True)


def school_counterfactuals(
    reference_pmf: np.ndarray,
    school_histograms: np.ndarray,
    cut_scores: tuple[int, int, int],
    window: int = 2,
    kappa: float | None = None,
) -> tuple[np.ndarray, float]:
    """Expected score pmf of each school without manipulation, and the curvature κ used.

    Formula. f_s(x) ∝ f_ref(x)·exp(λ_s t − κ t²/2), t = (x − mean_ref)/sd_ref. λ_s solves
    E_{f_s}[x | x outside windows] = the school's mean score outside the windows (an
    exponential-family moment equation, monotone in λ, solved on a grid by interpolation).
    κ ≥ 0 is common to the region: when None it is chosen by bisection so that the average
    variance of the tilted pmfs equals the pooled within-school variance (schools are
    narrower than the region because school means differ).

    Assumptions: honest schools differ from the region by level and a common narrowing.
    Minimum sample: any; the estimate of λ_s is noisy below ~20 pupils (sign c is then not
    applicable anyway).
    Source: exponential tilting (Efron & Tibshirani 1996, "Using specially designed
    exponential families for density estimation"); windows as in Dee et al. (2019).
    """
    hists = np.atleast_2d(np.asarray(school_histograms, dtype=float))
    ref = np.asarray(reference_pmf, dtype=float)
    outside = ~_window_mask(cut_scores, ref.size - 1, window)
    if kappa is None:
        kappa = _fit_kappa(ref, hists, outside)
    pmfs, table_means, _ = _tilt_table(ref, outside, kappa)
    positions = _lambda_indices(_outside_means(hists, outside), table_means)
    return _interpolated_pmfs(pmfs, positions), float(kappa)


def _fit_kappa(ref: np.ndarray, hists: np.ndarray, outside: np.ndarray) -> float:
    """κ ≥ 0 making the pupil-weighted mean variance of the tilted pmfs equal the pooled
    within-school variance (bisection; the variance of a tilted pmf is interpolated from
    the grid like the pmf itself)."""
    x = np.arange(ref.size, dtype=float)
    n = hists.sum(axis=1)
    used = n >= 2
    if used.sum() < 2:
        return 0.0
    h = hists[used]
    n_used = n[used]
    means = (h @ x) / n_used
    within = float(np.sum(h @ (x**2) - n_used * means**2) / np.sum(n_used - 1))
    targets = _outside_means(h, outside)
    weights = n_used / n_used.sum()

    def average_variance(kappa: float) -> float:
        pmfs, table_means, _ = _tilt_table(ref, outside, kappa)
        m1 = pmfs @ x
        table_var = pmfs @ (x**2) - m1**2
        positions = _lambda_indices(targets, table_means)
        var = np.interp(positions, np.arange(table_var.size, dtype=float), table_var)
        return float(np.sum(var * weights))

    if average_variance(0.0) <= within:
        return 0.0
    lo, hi = 0.0, 1.0
    while average_variance(hi) > within and hi < 64:
        lo, hi = hi, hi * 2
    for _ in range(20):
        mid = 0.5 * (lo + hi)
        if average_variance(mid) > within:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def bunching_at_cut_scores(
    histogram: np.ndarray,
    counterfactual_pmf: np.ndarray,
    cut_scores: tuple[int, int, int],
    *,
    params: DecisionParams = DEFAULT_PARAMS,
) -> SignResult:
    """Sign c: more pupils just at/above the cut scores than just below them.

    Formula. For each cut c with window w (``cut_windows``): A_c = N(c−w..c−1),
    B_c = N(c..c+w−1) (the issue's A = N(c−2)+N(c−1), B = N(c)+N(c+1) for w = 2). Given
    n_c = A_c + B_c, under no manipulation B_c ~ Binomial(n_c, π_c) with
    π_c = Σ_B f_s / Σ_{A∪B} f_s from the school's counterfactual pmf f_s. Cuts are combined
    by summing: p = P(Σ_c B_c ≥ observed) for independent binomials, computed exactly by
    convolution (not Fisher/Stouffer, which are conservative or approximate for small
    discrete counts). Per-cut exact tails are reported too.
    Manipulated share (Dee et al. 2019): expected E(x) = n·f_s(x); missing mass below the
    cuts M = Σ_c Σ_{x∈A_c} [E(x) − N(x)]; share φ̂ = M / Σ_c Σ_{x∈A_c} E(x), the fraction of
    pupils who would have been just below a cut and are not; effect = φ̂ (material when
    ≥ params.min_bunching_share).

    Assumptions: pupils are independent given the school's counterfactual; manipulation
    moves pupils from just below a cut to the cut or just above it.
    Minimum sample: n ≥ params.min_pupils pupils (FIOKO: distributions are rough at 20–30).
    Source: FIOKO 2026 («пики на границах перехода отметок»); methodology.md §1.2(c);
    Dee, Dobbie, Jacob & Rockoff (2019); Frandsen (2017) for discrete running variables.
    """
    counts = np.atleast_2d(np.asarray(histogram, dtype=np.int64))
    pmf = np.atleast_2d(np.asarray(counterfactual_pmf, dtype=float))
    return _bunching_table(counts, pmf, cut_scores, params).result(0, params)


def _window_counts(
    hists: np.ndarray, pmfs: np.ndarray, windows: list[tuple[int, int, int]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A, B, π and the expected counts below and at/above each cut [schools × cuts]."""
    n = hists.sum(axis=1)
    k = len(windows)
    a = np.zeros((hists.shape[0], k), dtype=np.int64)
    b = np.zeros_like(a)
    pi = np.zeros((hists.shape[0], k))
    e_a = np.zeros((hists.shape[0], k))
    e_b = np.zeros((hists.shape[0], k))
    for i, (a0, c, b1) in enumerate(windows):
        a[:, i] = hists[:, a0:c].sum(axis=1)
        b[:, i] = hists[:, c:b1].sum(axis=1)
        fa = pmfs[:, a0:c].sum(axis=1)
        fb = pmfs[:, c:b1].sum(axis=1)
        pi[:, i] = np.where(fa + fb > 0, fb / np.maximum(fa + fb, 1e-300), 0.5)
        e_a[:, i] = n * fa
        e_b[:, i] = n * fb
    return a, b, pi, e_a, e_b


def _bunching_table(
    hists: np.ndarray,
    pmfs: np.ndarray,
    cut_scores: tuple[int, int, int],
    params: DecisionParams,
) -> SignTable:
    """Sign c for many schools: all statistics as arrays, one column per number."""
    windows = cut_windows(cut_scores, hists.shape[1] - 1, params.bunching_window)
    a, b, pi, e_a, e_b = _window_counts(hists, pmfs, windows)
    n = hists.sum(axis=1)
    n_c = a + b
    tested = n >= params.min_pupils
    p_total = np.ones(n.size)
    p_total[tested] = sums_of_binomials_tails(b[tested].sum(axis=1), n_c[tested], pi[tested])
    p_cuts = np.where(n_c > 0, binomial_tail_at_least(b, np.maximum(n_c, 1), pi), 1.0)
    below_expected = e_a.sum(axis=1)
    missing = e_a - a
    share = np.divide(
        missing.sum(axis=1), below_expected, out=np.zeros(n.size), where=below_expected > 0
    )
    expected = np.round(n[:, None] * pmfs, 3)
    # Python lists make the per-school loop numpy-free.
    rows = {
        "hist": hists.tolist(),
        "expected": expected.tolist(),
        "a": a.tolist(),
        "b": b.tolist(),
        "pi": np.round(pi, 4).tolist(),
        "e_a": np.round(e_a, 2).tolist(),
        "e_b": np.round(e_b, 2).tolist(),
        "missing": np.round(missing, 2).tolist(),
        "p_cuts": p_cuts.tolist(),
        "p_total": p_total.tolist(),
        "share": share.tolist(),
        "n": n.tolist(),
        "totals": np.column_stack([a.sum(axis=1), b.sum(axis=1)]).tolist(),
        "rounded": np.column_stack(
            [
                np.round(np.sum(n_c * pi, axis=1), 2),
                np.round(missing.sum(axis=1), 2),
                np.round(below_expected, 2),
                np.round(share, 4),
            ]
        ).tolist(),
    }
    rows["material"] = (share >= params.min_bunching_share).tolist()
    cuts = [int(c) for c in cut_scores]
    return SignTable(
        SIGN_BUNCHING,
        "c.bunching",
        rows,
        {"windows": [list(w) for w in windows], "cuts": cuts},
        {"n": "n", "p": "p_total", "effect": "share", "material": "material"},
    )


@register_builder("c.bunching")
def _bunching_row_result(row: dict[str, Any], shared: dict[str, Any], params) -> SignResult:
    return _bunching_result(row, shared["windows"], shared["cuts"], params)


def _bunching_result(
    row: dict[str, Any],
    windows: list[tuple[int, int, int]],
    cuts: list[int],
    params: DecisionParams,
) -> SignResult:
    n = row["n"]
    if n < params.min_pupils:
        evidence = {
            "n": n,
            "histogram": row["hist"],
            "cut_scores": list(cuts),
            "summary_ru": (
                f"В работе {pupils_ru(n)}: распределение баллов оценивается при "
                f"{params.min_pupils} и более."
            ),
        }
        return not_applicable(SIGN_BUNCHING, REASON_TOO_FEW, evidence)
    share = row["share"]
    per_cut: list[dict[str, Any]] = []
    sentences = []
    for i, (a0, c, b1) in enumerate(windows):
        below, above = row["a"][i], row["b"][i]
        e_below, e_above = row["e_a"][i], row["e_b"][i]
        per_cut.append(
            {
                "cut": c,
                "mark": MARK_OF_CUT[i],
                "below_from": a0,
                "above_to": b1 - 1,
                "below": below,
                "at_or_above": above,
                "expected_below": e_below,
                "expected_at_or_above": e_above,
                "pi": row["pi"][i],
                "p": row["p_cuts"][i],
                "missing_below": row["missing"][i],
            }
        )
        if above - e_above >= 1.0 and a0 < c < b1:
            sentences.append(
                f"{pupils_ru(above)} набрали {score_range_ru(c, b1 - 1)} и {below} — "
                f"{score_range_ru(a0, c - 1)}; при таком уровне ожидалось бы {about_ru(e_above)} "
                f"и {about_ru(e_below)}; граница отметки «{MARK_OF_CUT[i]}» — {points_ru(c)}."
            )
    if sentences:
        summary = " ".join(sentences)
        if share > 0:
            summary += (
                f" Чуть ниже границ не хватает примерно {percent_ru(share)} работ, "
                "которые там ожидались бы."
            )
    else:
        summary = "Скоплений работ у границ отметок сверх ожидаемого нет."
    p_total = row["p_total"]
    below_total, above_total = row["totals"]
    mean_b, missing_total, below_expected, share_rounded = row["rounded"]
    evidence = {
        "n": n,
        "histogram": row["hist"],
        "expected": row["expected"],
        "cut_scores": list(cuts),
        "window": params.bunching_window,
        "per_cut": per_cut,
        "below_total": below_total,
        "at_or_above_total": above_total,
        "expected_at_or_above_total": mean_b,
        "missing_below_total": missing_total,
        "expected_below_total": below_expected,
        "bunching_share": share_rounded,
        "effect_is_material": row["material"],
        "summary_ru": summary,
    }
    return SignResult(
        SIGN_BUNCHING,
        True,
        None,
        share,
        p_total,
        strength_from_p(p_total, params.strength_cap),
        evidence,
    )


def bunching_for_schools(
    school_histograms: np.ndarray,
    cut_scores: tuple[int, int, int],
    params: DecisionParams = DEFAULT_PARAMS,
    reference_histogram: np.ndarray | None = None,
) -> tuple[list[SignResult], np.ndarray]:
    """Sign c for every school of a region; also returns the counterfactual pmfs [S × B]
    (see ``bunching_table``)."""
    table, pmfs = bunching_table(school_histograms, cut_scores, params, reference_histogram)
    return table.results(params), pmfs


def bunching_table(
    school_histograms: np.ndarray,
    cut_scores: tuple[int, int, int],
    params: DecisionParams = DEFAULT_PARAMS,
    reference_histogram: np.ndarray | None = None,
    reference: dict[str, Any] | None = None,
) -> tuple[SignTable, np.ndarray]:
    """Sign c for every school of a region as a ``SignTable``, and the counterfactual pmfs.

    The reference is ``reference_histogram`` (an objective benchmark) when given, else the
    region's pooled histogram de-bunched by ``debunched_reference_pmf``. A ``reference``
    from ``bunching_reference`` (frozen at a full evaluation) gives both the pmf and the
    curvature κ instead, so schools evaluated later are compared with the same region.
    """
    hists = np.asarray(school_histograms, dtype=np.int64)
    if reference is None:
        reference = bunching_reference(hists, cut_scores, params, reference_histogram)
    pmfs, _ = school_counterfactuals(
        np.asarray(reference["pmf"], dtype=float),
        hists,
        cut_scores,
        params.bunching_window,
        kappa=float(reference["kappa"]),
    )
    return _bunching_table(hists, pmfs, cut_scores, params), pmfs


def bunching_reference(
    school_histograms: np.ndarray,
    cut_scores: tuple[int, int, int],
    params: DecisionParams = DEFAULT_PARAMS,
    reference_histogram: np.ndarray | None = None,
) -> dict[str, Any]:
    """What sign c compares a school with: the reference pmf (``reference_histogram``
    normalised, else the region's de-bunched pooled histogram) and the region's κ (see
    ``school_counterfactuals``)."""
    hists = np.asarray(school_histograms, dtype=np.int64)
    w = params.bunching_window
    if reference_histogram is not None:
        ref = np.asarray(reference_histogram, dtype=float)
        ref = ref / ref.sum()
    else:
        ref = debunched_reference_pmf(hists.sum(axis=0), cut_scores, w)
    outside = ~_window_mask(cut_scores, ref.size - 1, w)
    kappa = _fit_kappa(ref, np.atleast_2d(hists.astype(float)), outside)
    return {"pmf": ref, "kappa": float(kappa)}


def pooled_bunching(
    school_histograms: np.ndarray,
    counterfactual_pmfs: np.ndarray,
    cut_scores: tuple[int, int, int],
    params: DecisionParams = DEFAULT_PARAMS,
) -> SignResult:
    """Sign c for a group of schools (a municipality): pooled share and a normal test.

    Formula. With each school's own counterfactual, φ̂ = Σ_s M_s / Σ_s E_A,s (missing mass
    over counterfactual mass below the cuts, pooled). Test: Σ_s,c B − Σ_s,c n_c·π_c over
    sqrt(Σ n_c π_c (1 − π_c)), one-sided normal (sums over many schools are near normal).
    Minimum sample: params.min_pupils pupils in total. Source: Dee et al. (2019).
    """
    hists = np.atleast_2d(np.asarray(school_histograms, dtype=np.int64))
    pmfs = np.atleast_2d(np.asarray(counterfactual_pmfs, dtype=float))
    windows = cut_windows(cut_scores, hists.shape[1] - 1, params.bunching_window)
    a, b, pi, e_a, _ = _window_counts(hists, pmfs, windows)
    n_total = int(hists.sum())
    expected = hists.sum(axis=1)[:, None] * pmfs
    evidence: dict[str, Any] = {
        "n": n_total,
        "n_schools": int(hists.shape[0]),
        "histogram": [int(v) for v in hists.sum(axis=0)],
        "expected": [round(float(v), 3) for v in expected.sum(axis=0)],
        "cut_scores": [int(c) for c in cut_scores],
    }
    if n_total < params.min_pupils:
        return not_applicable(SIGN_BUNCHING, REASON_TOO_FEW, evidence)
    n_c = a + b
    mean_b = float(np.sum(n_c * pi))
    var_b = float(np.sum(n_c * pi * (1 - pi)))
    z = (float(b.sum()) - mean_b) / np.sqrt(var_b) if var_b > 0 else 0.0
    p = float(stats.norm.sf(z))
    below_expected = float(e_a.sum())
    share = float((e_a - a).sum() / below_expected) if below_expected > 0 else 0.0
    evidence.update(
        {
            "below_total": int(a.sum()),
            "at_or_above_total": int(b.sum()),
            "expected_at_or_above_total": round(mean_b, 2),
            "expected_below_total": round(below_expected, 2),
            "missing_below_total": round(float((e_a - a).sum()), 2),
            "bunching_share": round(share, 4),
            "z": round(z, 4),
            "effect_is_material": bool(share >= params.min_bunching_share),
            "summary_ru": (
                f"По {pupils_ru(n_total)} чуть ниже границ отметок не хватает примерно "
                f"{percent_ru(max(share, 0.0))} работ, которые там ожидались бы."
            ),
        }
    )
    return SignResult(SIGN_BUNCHING, True, None, share, p, strength_from_p(p), evidence)
