"""Signs built from marks: a (anomalously high results), b (VPR vs journal), h (scale).

Each public per-school function takes one school's counts plus the regional reference and
returns a ``SignResult``; the ``*_for_schools`` variants compute the regional reference and
all p-values at once (vectorised) and return one result per school for ``evaluate_test``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .datatypes import (
    DEFAULT_PARAMS,
    REASON_TOO_FEW,
    SIGN_HIGH_RESULTS,
    SIGN_JOURNAL,
    SIGN_SCALE_MISMATCH,
    DecisionParams,
    SignResult,
    not_applicable,
    strength_from_p,
)
from .stats import (
    betabinomial_tail_at_least,
    binomial_tail_at_least,
    fit_beta_prior,
    percentile_ranks,
)
from .tables import SignTable, register_builder
from .text import about_ru, of_pupils_ru, percent_ru, pupils_ru

MARKS = (2, 3, 4, 5)
SELECTIVE_NOTE_RU = (
    "Лицей или гимназия: высокий результат сам по себе не считается признаком необъективности."
)
MAX_LISTED_ROWS = 100


def expected_marks(primary_score: np.ndarray, cut_scores: tuple[int, int, int]) -> np.ndarray:
    """The mark the scale gives for each primary score: 2 + number of cut scores reached."""
    s = np.asarray(primary_score)
    c3, c4, c5 = cut_scores
    total = 2 + (s >= c3).astype(np.int8) + (s >= c4).astype(np.int8) + (s >= c5).astype(np.int8)
    return total.astype(np.int8)


def _percentile_of(value: float, others: np.ndarray) -> float:
    """Mid-rank percentile of ``value`` among ``others`` (which include the school)."""
    others = np.asarray(others, dtype=float)
    others = others[np.isfinite(others)]
    if others.size == 0:
        return float("nan")
    less = float(np.sum(others < value))
    equal = float(np.sum(others == value))
    return (less + 0.5 * equal) / others.size


def _too_few(sign: str, n: int, params: DecisionParams, evidence: dict[str, Any]) -> SignResult:
    evidence["summary_ru"] = (
        f"В работе {pupils_ru(n)}: для оценки нужно не меньше {params.min_pupils}."
    )
    return not_applicable(sign, REASON_TOO_FEW, evidence)


# --------------------------------------------------------------------------- sign a


def anomalously_high_results(
    mark_counts: np.ndarray,
    mean_pct_of_max: float,
    *,
    region_mark_counts: np.ndarray,
    region_prior: tuple[float, float],
    region_school_shares: np.ndarray,
    region_school_mean_pct: np.ndarray,
    region_mean_pct: float,
    is_selective: bool,
    params: DecisionParams = DEFAULT_PARAMS,
) -> SignResult:
    """Sign a: the share of «4»+«5» is anomalously high against the region.

    Formula. k = number of «4» and «5» among n pupils; the region's rate μ = K/N and the
    spread of school rates give a Beta(α, β) prior (method of moments, ``fit_beta_prior``).
    p = P(X ≥ k), X ~ BetaBinomial(n, α, β): the exact tail of a binomial whose rate varies
    between schools as the region's schools do. The plain exact binomial tail
    P(X ≥ k | n, μ) is reported as ``p_binomial`` (it ignores school differences, so it
    overstates the evidence). effect = shrunk share − μ with the empirical-Bayes shrunk
    share (k+α)/(n+α+β). Percentiles of the shrunk share and of the mean % of maximum
    among the region's schools with n ≥ min_pupils are reported; the effect is material
    only at or above ``params.high_percentile`` (methodology: P95).

    Assumptions: pupils are exchangeable given the school's rate; school rates vary like a
    beta distribution. A strong school is not suspicious by itself: lyceums and gymnasiums
    get ``evidence["annotation"]`` and the decision rule never flags them by a alone.

    Minimum sample: n ≥ params.min_pupils (20); below it «недостаточно данных».

    Source: Rosobrnadzor 2017 statistical analysis (signal «заметно выше среднего
    результата по региону», not for lyceums and gymnasiums); methodology.md §1.2(a);
    Kleinman (1973) for the beta-binomial moments.
    """
    counts = np.asarray(mark_counts, dtype=np.int64)[None, :]
    alpha, beta = region_prior
    n = int(counts.sum())
    k = int(counts[0, 2] + counts[0, 3])
    shrunk = (k + alpha) / (n + alpha + beta)
    return _high_results(
        counts,
        np.array([float(mean_pct_of_max)]),
        np.array([bool(is_selective)]),
        np.asarray(region_mark_counts, dtype=np.int64),
        (float(alpha), float(beta)),
        np.array([_percentile_of(shrunk, region_school_shares)]),
        np.array([_percentile_of(float(mean_pct_of_max), region_school_mean_pct)]),
        float(region_mean_pct),
        params,
    ).result(0, params)


def high_results_for_schools(
    mark_counts: np.ndarray,
    mean_pct_of_max: np.ndarray,
    is_selective: np.ndarray,
    params: DecisionParams = DEFAULT_PARAMS,
) -> list[SignResult]:
    """Sign a for every school of a region at once (see ``anomalously_high_results``)."""
    return high_results_table(mark_counts, mean_pct_of_max, is_selective, params).results(params)


def high_results_table(
    mark_counts: np.ndarray,
    mean_pct_of_max: np.ndarray,
    is_selective: np.ndarray,
    params: DecisionParams = DEFAULT_PARAMS,
    reference: dict[str, Any] | None = None,
    replaced: np.ndarray | None = None,
) -> SignTable:
    """Sign a for every school of a region as a ``SignTable`` (see
    ``anomalously_high_results``).

    mark_counts: [n_schools × 4] counts of marks 2, 3, 4, 5; mean_pct_of_max: [n_schools]
    mean share of the maximum primary score (0..1); is_selective: [n_schools] bool.
    The prior and the percentiles use the schools with n ≥ params.min_pupils.

    ``reference`` (from ``high_results_reference``, frozen at a full evaluation) compares
    these schools with that region instead of with each other: its counts and prior, and
    percentiles among its schools except those marked in ``replaced`` (the positions the
    given schools take over) plus the given schools themselves. Without it the reference
    is fitted on the given schools, which is the same as passing their own reference.
    """
    counts = np.asarray(mark_counts, dtype=np.int64)
    mean_pct = np.asarray(mean_pct_of_max, dtype=float)
    if reference is None:
        reference = high_results_reference(counts, mean_pct, params)
        replaced = np.ones(counts.shape[0], dtype=bool)
    alpha, beta = reference["prior"]
    own = high_results_peers(counts, mean_pct, reference, params)
    shrunk, eligible = own["shrunk"], own["eligible"]
    peers = np.asarray(reference["eligible"], dtype=bool)
    if replaced is not None:
        peers = peers & ~np.asarray(replaced, dtype=bool)
    return _high_results(
        counts,
        mean_pct,
        np.asarray(is_selective, dtype=bool),
        np.asarray(reference["region_counts"], dtype=np.int64),
        (float(alpha), float(beta)),
        _percentiles_among(shrunk, eligible, np.asarray(reference["shrunk"], dtype=float), peers),
        _percentiles_among(
            mean_pct, eligible, np.asarray(reference["mean_pct"], dtype=float), peers
        ),
        float(reference["region_mean_pct"]),
        params,
    )


def high_results_reference(
    mark_counts: np.ndarray, mean_pct_of_max: np.ndarray, params: DecisionParams = DEFAULT_PARAMS
) -> dict[str, Any]:
    """What sign a compares a school with: the region's mark counts and mean % of max, the
    Beta prior of the share of «4»+«5» (fitted over schools with n ≥ params.min_pupils, all
    schools with pupils when fewer than 5 are that big) and every school's shrunk share and
    mean % of max with its eligibility for the percentiles (one entry per school)."""
    counts = np.asarray(mark_counts, dtype=np.int64)
    mean_pct = np.asarray(mean_pct_of_max, dtype=float)
    n = counts.sum(axis=1)
    k = counts[:, 2] + counts[:, 3]
    eligible = n >= params.min_pupils
    fit_mask = eligible if eligible.sum() >= 5 else n > 0
    alpha, beta = fit_beta_prior(k[fit_mask], n[fit_mask], params.prior_strength)
    reference: dict[str, Any] = {
        "region_counts": counts.sum(axis=0),
        "prior": (float(alpha), float(beta)),
        "region_mean_pct": float(np.sum(mean_pct * n) / max(int(n.sum()), 1)),
    }
    return {**reference, **high_results_peers(counts, mean_pct, reference, params)}


def high_results_peers(
    mark_counts: np.ndarray,
    mean_pct_of_max: np.ndarray,
    reference: dict[str, Any],
    params: DecisionParams = DEFAULT_PARAMS,
) -> dict[str, np.ndarray]:
    """Each school's entries among the percentiles' peers under ``reference``'s prior:
    shrunk share of «4»+«5», mean % of max, eligibility (n ≥ params.min_pupils)."""
    counts = np.asarray(mark_counts, dtype=np.int64)
    alpha, beta = reference["prior"]
    n = counts.sum(axis=1)
    k = counts[:, 2] + counts[:, 3]
    return {
        "shrunk": (k + alpha) / (n + alpha + beta),
        "mean_pct": np.asarray(mean_pct_of_max, dtype=float),
        "eligible": n >= params.min_pupils,
    }


def _percentiles_among(
    values: np.ndarray, eligible: np.ndarray, peer_values: np.ndarray, peers: np.ndarray
) -> np.ndarray:
    """Mid-rank percentiles of ``values`` among the eligible ones and the peers' values
    (``percentile_ranks`` over the union; NaN where not eligible)."""
    others = peer_values[peers]
    union = np.concatenate([others, values])
    mask = np.concatenate([np.ones(others.size, dtype=bool), eligible])
    return percentile_ranks(union, mask)[others.size :]


def _high_results(
    counts: np.ndarray,
    mean_pct: np.ndarray,
    selective: np.ndarray,
    region_counts: np.ndarray,
    prior: tuple[float, float],
    pct_share: np.ndarray,
    pct_mean: np.ndarray,
    region_mean_pct: float,
    params: DecisionParams,
) -> SignTable:
    """Sign a for many schools: every number as an array, one column per number."""
    alpha, beta = prior
    n = counts.sum(axis=1)
    k = counts[:, 2] + counts[:, 3]
    region_n = max(int(region_counts.sum()), 1)
    region_rate = float((region_counts[2] + region_counts[3]) / region_n)
    n_safe = np.maximum(n, 1)
    p_bb = betabinomial_tail_at_least(k, n_safe, alpha, beta)
    shrunk = (k + alpha) / (n + alpha + beta)
    rows = {
        "n": n.tolist(),
        "k": k.tolist(),
        "counts": counts.tolist(),
        "share": np.round(k / n_safe, 4).tolist(),
        "shrunk": np.round(shrunk, 4).tolist(),
        "effect": (shrunk - region_rate).tolist(),
        "expected": np.round(n * region_rate, 2).tolist(),
        "p_bb": p_bb.tolist(),
        "p_bin": binomial_tail_at_least(k, n_safe, region_rate).tolist(),
        "mean_pct": np.round(mean_pct, 4).tolist(),
        "pct_share": np.round(pct_share, 4).tolist(),
        "pct_mean": np.round(pct_mean, 4).tolist(),
        "material": (pct_share >= params.high_percentile).tolist(),
        "selective": selective.tolist(),
    }
    shared = {
        "region_mark_shares": np.round(region_counts / region_n, 4).tolist(),
        "region_share_high": round(region_rate, 4),
        "prior_alpha": round(alpha, 4),
        "prior_beta": round(beta, 4),
        "region_mean_pct_of_max": round(region_mean_pct, 4),
        "region_rate_text": percent_ru(region_rate),
        "region_mean_text": percent_ru(region_mean_pct),
        "rate": region_rate,
    }
    return SignTable(
        SIGN_HIGH_RESULTS,
        "a.high_results",
        rows,
        shared,
        {"n": "n", "p": "p_bb", "effect": "effect", "material": "material"},
    )


@register_builder("a.high_results")
def _high_results_result(
    row: dict[str, Any], shared: dict[str, Any], params: DecisionParams
) -> SignResult:
    n, k, selective = row["n"], row["k"], row["selective"]
    evidence: dict[str, Any] = {
        "n": n,
        "n_high": k,
        "marks": list(MARKS),
        "mark_counts": row["counts"],
        "region_mark_shares": list(shared["region_mark_shares"]),
        "region_share_high": shared["region_share_high"],
        "is_selective": selective,
    }
    if selective:
        evidence["annotation"] = SELECTIVE_NOTE_RU
    if n < params.min_pupils:
        return _too_few(SIGN_HIGH_RESULTS, n, params, evidence)
    summary = (
        f"Отметки «4» и «5» получили {k} из {n} ({percent_ru(row['share'])}) при "
        f"{shared['region_rate_text']} по региону; при региональном уровне ожидалось бы "
        f"{about_ru(row['expected'])}. Средний процент выполнения {percent_ru(row['mean_pct'])} "
        f"(регион {shared['region_mean_text']}). Доля «4» и «5» выше, чем у "
        f"{percent_ru(row['pct_share'])} школ региона."
    )
    if selective:
        summary += " " + SELECTIVE_NOTE_RU
    p = row["p_bb"]
    evidence.update(
        {
            "share_high": row["share"],
            "shrunk_share_high": row["shrunk"],
            "expected_high": row["expected"],
            "prior_alpha": shared["prior_alpha"],
            "prior_beta": shared["prior_beta"],
            "p_binomial": row["p_bin"],
            "p_betabinomial": p,
            "mean_pct_of_max": row["mean_pct"],
            "region_mean_pct_of_max": shared["region_mean_pct_of_max"],
            "percentile_share_high": row["pct_share"],
            "percentile_mean_pct": row["pct_mean"],
            "effect_is_material": row["material"],
            "summary_ru": summary,
        }
    )
    return SignResult(
        SIGN_HIGH_RESULTS,
        True,
        None,
        row["effect"],
        p,
        strength_from_p(p, params.strength_cap),
        evidence,
    )


# --------------------------------------------------------------------------- sign b


def journal_crosstab(journal_mark: np.ndarray, mark: np.ndarray) -> np.ndarray:
    """4×4 counts: rows journal mark 2..5, columns VPR mark 2..5; missing journals skipped."""
    j = np.asarray(journal_mark, dtype=np.int64)
    m = np.asarray(mark, dtype=np.int64)
    ok = (j >= 2) & (j <= 5) & (m >= 2) & (m <= 5)
    return np.bincount((j[ok] - 2) * 4 + (m[ok] - 2), minlength=16).reshape(4, 4)


def _journal_groups(crosstabs: np.ndarray) -> np.ndarray:
    """[..., 4] lowered, confirmed, raised and |gap| ≥ 2 from [..., 4, 4] crosstabs."""
    ct = np.asarray(crosstabs, dtype=np.int64)
    rows, cols = np.indices((4, 4))
    return np.stack(
        [
            ct[..., cols < rows].sum(axis=-1),
            np.trace(ct, axis1=-2, axis2=-1),
            ct[..., cols > rows].sum(axis=-1),
            ct[..., np.abs(cols - rows) >= 2].sum(axis=-1),
        ],
        axis=-1,
    )


def journal_mark_agreement(
    crosstab: np.ndarray,
    *,
    share_high: float,
    region_crosstab: np.ndarray,
    region_share_high: float,
    raised_prior: tuple[float, float],
    confirmed_prior: tuple[float, float],
    params: DecisionParams = DEFAULT_PARAMS,
) -> SignResult:
    """Sign b: VPR marks against journal marks (понизили / подтвердили / повысили).

    Formula. Among the n pupils with a journal mark: L = VPR < journal («понизили»),
    C = equal («подтвердили»), R = VPR > journal («повысили»), G = |gap| ≥ 2. Two
    one-sided exact beta-binomial tails against the region's rates with Beta priors fitted
    over the region's schools (``fit_beta_prior``):
      p_R = P(X ≥ R), X ~ BetaBinomial(n, α_R, β_R)  (VPR above the journal);
      p_C = P(X ≥ C), X ~ BetaBinomial(n, α_C, β_C), only when the school's share of «4»+«5»
            is at least the region's («подтвердили ≈ 100 % при высоких результатах»).
    p = min(1, k·min(p_R, p_C)) with k the number of components tested (Bonferroni).
    effect = the shrunk share (x+α)/(n+α+β) minus the region's share, for the component
    with the smaller p; material when ≥ params.min_excess_share. Exact binomial tails
    against the regional rates (``p_*_binomial``) and the share with a gap ≥ 2 (FIOKO 2026:
    analyse gaps of 2 marks or more) are reported as evidence.

    Assumptions: journal policies differ between schools (hence the beta prior), pupils are
    exchangeable within a school. A high «понизили» share points at inflated journal marks,
    the other kind of non-objectivity; it is reported, not tested here.

    Minimum sample: n ≥ params.min_pupils pupils with a journal mark.

    Source: FIS OKO report «Сравнение отметок с отметками по журналу»; methodology.md
    §1.2(b); FIOKO 2026 recommendations (gap ≥ 2).
    """
    return _journal_results(
        np.asarray(crosstab, dtype=np.int64)[None, :, :],
        np.array([float(share_high)]),
        float(region_share_high),
        np.asarray(region_crosstab, dtype=np.int64),
        (float(raised_prior[0]), float(raised_prior[1])),
        (float(confirmed_prior[0]), float(confirmed_prior[1])),
        params,
    ).result(0, params)


def journal_agreement_for_schools(
    crosstabs: np.ndarray,
    share_high: np.ndarray,
    region_share_high: float,
    params: DecisionParams = DEFAULT_PARAMS,
) -> list[SignResult]:
    """Sign b for every school at once (see ``journal_mark_agreement``)."""
    return journal_agreement_table(crosstabs, share_high, region_share_high, params).results(params)


def journal_agreement_table(
    crosstabs: np.ndarray,
    share_high: np.ndarray,
    region_share_high: float,
    params: DecisionParams = DEFAULT_PARAMS,
    reference: dict[str, Any] | None = None,
) -> SignTable:
    """Sign b for every school as a ``SignTable`` (see ``journal_mark_agreement``).

    crosstabs: [n_schools × 4 × 4] counts, journal mark 2..5 × VPR mark 2..5;
    share_high: [n_schools] share of «4»+«5» among all the school's pupils;
    region_share_high: the region's share of «4»+«5».
    The Beta priors are fitted over the schools with n ≥ params.min_pupils, unless a
    ``reference`` from ``journal_reference`` (frozen at a full evaluation) is given: then
    its crosstab, priors and share of «4»+«5» are used and ``region_share_high`` is not.
    """
    ct = np.asarray(crosstabs, dtype=np.int64)
    if reference is None:
        reference = journal_reference(ct, region_share_high, params)
    return _journal_results(
        ct,
        np.asarray(share_high, dtype=float),
        float(reference["region_share_high"]),
        np.asarray(reference["region_crosstab"], dtype=np.int64),
        tuple(reference["prior_raised"]),
        tuple(reference["prior_confirmed"]),
        params,
    )


def journal_reference(
    crosstabs: np.ndarray, region_share_high: float, params: DecisionParams = DEFAULT_PARAMS
) -> dict[str, Any]:
    """What sign b compares a school with: the region's journal × VPR crosstab and share of
    «4»+«5», and the Beta priors of the raised and confirmed shares."""
    ct = np.asarray(crosstabs, dtype=np.int64)
    groups = _journal_groups(ct)
    n = groups[:, :3].sum(axis=1)
    eligible = n >= params.min_pupils
    fit_mask = eligible if eligible.sum() >= 5 else n > 0
    raised = fit_beta_prior(groups[fit_mask, 2], n[fit_mask], params.prior_strength)
    confirmed = fit_beta_prior(groups[fit_mask, 1], n[fit_mask], params.prior_strength)
    return {
        "region_crosstab": ct.sum(axis=0),
        "region_share_high": float(region_share_high),
        "prior_raised": (float(raised[0]), float(raised[1])),
        "prior_confirmed": (float(confirmed[0]), float(confirmed[1])),
    }


def _journal_results(
    ct: np.ndarray,
    share_high: np.ndarray,
    region_share_high: float,
    region_ct: np.ndarray,
    raised_prior: tuple[float, float],
    confirmed_prior: tuple[float, float],
    params: DecisionParams,
) -> SignTable:
    """Sign b for many schools: every number as an array, one column per number."""
    groups = _journal_groups(ct)
    lowered, confirmed, raised, _ = groups.T
    n = lowered + confirmed + raised
    region_groups = _journal_groups(region_ct)
    region_n = max(int(region_groups[:3].sum()), 1)
    rates = region_groups / region_n  # lowered, confirmed, raised, gap2
    n_safe = np.maximum(n, 1)
    high = share_high >= region_share_high
    p_raise = betabinomial_tail_at_least(raised, n_safe, *raised_prior)
    p_conf = np.where(high, betabinomial_tail_at_least(confirmed, n_safe, *confirmed_prior), 1.0)
    # Bonferroni over the components tested: two with high results, else one.
    driver_confirmed = high & (p_conf < p_raise)
    p = np.minimum(1.0, np.where(high, 2.0, 1.0) * np.minimum(p_raise, p_conf))
    shrunk_raise = (raised + raised_prior[0]) / (n + sum(raised_prior))
    shrunk_conf = (confirmed + confirmed_prior[0]) / (n + sum(confirmed_prior))
    effect = np.where(driver_confirmed, shrunk_conf - rates[1], shrunk_raise - rates[2])
    shares = np.round(groups / n_safe[:, None], 4)
    expected = np.round(n[:, None] * rates[None, :3], 2)
    rows = {
        "n": n.tolist(),
        "crosstab": ct.tolist(),
        "groups": groups.tolist(),
        "shares": shares.tolist(),
        "expected": expected.tolist(),
        "high": high.tolist(),
        "p": p.tolist(),
        "p_raise": p_raise.tolist(),
        "p_conf": p_conf.tolist(),
        "p_raise_bin": binomial_tail_at_least(raised, n_safe, rates[2]).tolist(),
        "p_conf_bin": binomial_tail_at_least(confirmed, n_safe, rates[1]).tolist(),
        "driver_confirmed": driver_confirmed.tolist(),
        "effect": effect.tolist(),
        "material": (effect >= params.min_excess_share).tolist(),
    }
    shared = {
        "region": {
            "region_share_lowered": round(float(rates[0]), 4),
            "region_share_confirmed": round(float(rates[1]), 4),
            "region_share_raised": round(float(rates[2]), 4),
            "region_share_gap2": round(float(rates[3]), 4),
        },
        "text": [percent_ru(float(r)) for r in rates],
        "priors": {
            "prior_raised": [round(x, 4) for x in raised_prior],
            "prior_confirmed": [round(x, 4) for x in confirmed_prior],
        },
    }
    return SignTable(
        SIGN_JOURNAL,
        "b.journal",
        rows,
        shared,
        {"n": "n", "p": "p", "effect": "effect", "material": "material"},
    )


@register_builder("b.journal")
def _journal_result(
    row: dict[str, Any], shared: dict[str, Any], params: DecisionParams
) -> SignResult:
    lowered, confirmed, raised, gap2 = row["groups"]
    n = row["n"]
    evidence: dict[str, Any] = {
        "n_with_journal": n,
        "marks": list(MARKS),
        "crosstab": row["crosstab"],
        "lowered": lowered,
        "confirmed": confirmed,
        "raised": raised,
        "gap2": gap2,
        **shared["region"],
    }
    if n < params.min_pupils:
        return _too_few(SIGN_JOURNAL, n, params, evidence)
    s_low, s_conf, s_raise, s_gap2 = row["shares"]
    e_low, e_conf, e_raise = row["expected"]
    t_low, t_conf, t_raise, t_gap2 = shared["text"]
    driver = "confirmed" if row["driver_confirmed"] else "raised"
    summary = (
        f"Из {of_pupils_ru(n)} с отметкой по журналу понизили отметку {lowered} "
        f"({percent_ru(s_low)}), подтвердили {confirmed} ({percent_ru(s_conf)}), "
        f"повысили {raised} ({percent_ru(s_raise)}); по региону {t_low}, {t_conf} и "
        f"{t_raise}. "
    )
    if driver == "confirmed":
        summary += (
            f"При региональной доле отметку подтвердили бы около {of_pupils_ru(round(e_conf))}, "
            "а результаты школы не ниже регионального уровня. "
        )
    else:
        summary += (
            f"При региональной доле отметку повысили бы около {of_pupils_ru(round(e_raise))}. "
        )
    summary += f"Расхождение на 2 отметки и больше — у {gap2} (по региону {t_gap2})."
    effect, p = row["effect"], row["p"]
    evidence.update(
        {
            "share_lowered": s_low,
            "share_confirmed": s_conf,
            "share_raised": s_raise,
            "share_gap2": s_gap2,
            "expected_lowered": e_low,
            "expected_confirmed": e_conf,
            "expected_raised": e_raise,
            "high_results": row["high"],
            "p_raised": row["p_raise"],
            "p_confirmed": row["p_conf"] if row["high"] else None,
            "p_raised_binomial": row["p_raise_bin"],
            "p_confirmed_binomial": row["p_conf_bin"],
            "driver": driver,
            "prior_raised": list(shared["priors"]["prior_raised"]),
            "prior_confirmed": list(shared["priors"]["prior_confirmed"]),
            "effect_is_material": row["material"],
            "summary_ru": summary,
        }
    )
    return SignResult(
        SIGN_JOURNAL, True, None, effect, p, strength_from_p(p, params.strength_cap), evidence
    )


# --------------------------------------------------------------------------- sign h


def marks_outside_scale(
    primary_score: np.ndarray,
    mark: np.ndarray,
    cut_scores: tuple[int, int, int],
    *,
    row_ids: np.ndarray | None = None,
    only_above: bool = False,
    params: DecisionParams = DEFAULT_PARAMS,
) -> SignResult:
    """Sign h: marks that the scale does not give for that primary score.

    Formula. expected mark = 2 + [s ≥ c3] + [s ≥ c4] + [s ≥ c5]; a row counts when the
    uploaded mark differs (or, when the scale has per-task conditions and so can
    legitimately lower a mark, only when it is above the expected one). effect = the number
    of such rows; no p-value: this is a fact about the data, not an estimate. Material when
    the count is ≥ params.min_scale_mismatches. The rows are listed (at most 100). Rows
    without a mark (not 2..5) are not checked.

    Assumptions: the cut scores are those of this test's year and session.
    Minimum sample: none (any pupil can show it).
    Source: domain.md §5 (h); the scale tables of FIOKO for each year.
    """
    s = np.asarray(primary_score)
    ids = np.arange(s.size) if row_ids is None else np.asarray(row_ids)
    return scale_mismatch_for_schools(
        np.zeros(s.size, dtype=np.int64),
        s,
        mark,
        cut_scores,
        1,
        row_ids=ids,
        only_above=only_above,
        params=params,
    )[0]


def _mismatches(
    primary_score: np.ndarray, mark: np.ndarray, cut_scores: tuple[int, int, int], only_above: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(checked rows mask, mismatching rows mask, expected marks)."""
    m = np.asarray(mark)
    expected = expected_marks(primary_score, cut_scores)
    checked = (m >= 2) & (m <= 5)
    bad = checked & ((m > expected) if only_above else (m != expected))
    return checked, bad, expected


def scale_mismatch_for_schools(
    school_idx: np.ndarray,
    primary_score: np.ndarray,
    mark: np.ndarray,
    cut_scores: tuple[int, int, int],
    n_schools: int,
    *,
    row_ids: np.ndarray | None = None,
    only_above: bool = False,
    params: DecisionParams = DEFAULT_PARAMS,
) -> list[SignResult]:
    """Sign h for every school at once (see ``marks_outside_scale``).

    Listed rows are ``row_ids`` (default: indices into the regional pupil arrays).
    """
    school = np.asarray(school_idx)
    checked, bad, expected = _mismatches(primary_score, mark, cut_scores, only_above)
    n_checked = np.bincount(school, weights=checked, minlength=n_schools).astype(int).tolist()
    bad_rows = np.nonzero(bad)[0]
    bad_rows = bad_rows[np.argsort(school[bad_rows], kind="stable")]
    starts = np.searchsorted(school[bad_rows], np.arange(n_schools + 1)).tolist()
    ids = np.asarray(row_ids)[bad_rows] if row_ids is not None else bad_rows
    listed = np.column_stack(
        [ids, np.asarray(primary_score)[bad_rows], np.asarray(mark)[bad_rows], expected[bad_rows]]
    ).tolist()
    cuts = [int(c) for c in cut_scores]
    clean_summary = "Все отметки соответствуют шкале перевода баллов."
    results = []
    for s in range(n_schools):
        lo, hi = starts[s], starts[s + 1]
        n = n_checked[s]
        count = hi - lo
        rows = [
            {"row": r, "primary_score": ps, "mark": mk, "expected_mark": ex}
            for r, ps, mk, ex in listed[lo : min(hi, lo + MAX_LISTED_ROWS)]
        ]
        if count == 0:
            summary = clean_summary
        else:
            above = sum(1 for r in rows if r["mark"] > r["expected_mark"])
            summary = (
                f"У {pupils_ru(count)} отметка не соответствует шкале перевода первичных баллов "
                f"(границы «3», «4», «5» — {cuts[0]}, {cuts[1]}, {cuts[2]} баллов); выше "
                f"положенной — у {above}{' из первых 100' if count > MAX_LISTED_ROWS else ''}."
            )
        evidence = {
            "n_checked": n,
            "n_mismatch": count,
            "only_above": only_above,
            "cut_scores": list(cuts),
            "rows": rows,
            "rows_truncated": count > MAX_LISTED_ROWS,
            "effect_is_material": count >= params.min_scale_mismatches,
            "summary_ru": summary,
        }
        results.append(
            SignResult(
                SIGN_SCALE_MISMATCH,
                n > 0,
                None if n > 0 else REASON_TOO_FEW,
                float(count),
                None,
                float(count),
                evidence,
            )
        )
    return results
