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
from .text import about_ru, percent_ru, pupils_ru

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
    counts = np.asarray(mark_counts, dtype=np.int64)
    n = int(counts.sum())
    k = int(counts[2] + counts[3])
    alpha, beta = region_prior
    shrunk = (k + alpha) / (n + alpha + beta)
    p_bb = float(betabinomial_tail_at_least(k, n, alpha, beta)) if n > 0 else float("nan")
    region_counts = np.asarray(region_mark_counts, dtype=np.int64)
    region_rate = float((region_counts[2] + region_counts[3]) / max(int(region_counts.sum()), 1))
    p_bin = float(binomial_tail_at_least(k, n, region_rate)) if n > 0 else float("nan")
    return _high_results_result(
        counts.tolist(),
        float(mean_pct_of_max),
        region_counts.tolist(),
        (alpha, beta),
        _percentile_of(shrunk, region_school_shares),
        _percentile_of(float(mean_pct_of_max), region_school_mean_pct),
        float(region_mean_pct),
        bool(is_selective),
        p_bb,
        p_bin,
        params,
    )


def _high_results_result(
    counts: list[int],
    mean_pct: float,
    region_counts: list[int],
    prior: tuple[float, float],
    pct_share: float,
    pct_mean: float,
    region_mean_pct: float,
    is_selective: bool,
    p_bb: float,
    p_bin: float,
    params: DecisionParams,
) -> SignResult:
    n = sum(counts)
    k = counts[2] + counts[3]
    region_n = max(sum(region_counts), 1)
    region_rate = (region_counts[2] + region_counts[3]) / region_n
    alpha, beta = prior
    evidence: dict[str, Any] = {
        "n": n,
        "n_high": k,
        "marks": list(MARKS),
        "mark_counts": list(counts),
        "region_mark_shares": [round(x / region_n, 4) for x in region_counts],
        "region_share_high": round(region_rate, 4),
        "is_selective": is_selective,
    }
    if is_selective:
        evidence["annotation"] = SELECTIVE_NOTE_RU
    if n < params.min_pupils:
        return _too_few(SIGN_HIGH_RESULTS, n, params, evidence)
    shrunk = (k + alpha) / (n + alpha + beta)
    material = bool(pct_share >= params.high_percentile)  # False for NaN
    share = k / n
    summary = (
        f"Отметки «4» и «5» получили {k} из {n} ({percent_ru(share)}) при "
        f"{percent_ru(region_rate)} по региону; при региональном уровне ожидалось бы "
        f"{about_ru(n * region_rate)}. Средний процент выполнения {percent_ru(mean_pct)} "
        f"(регион {percent_ru(region_mean_pct)}). Доля «4» и «5» выше, чем у "
        f"{percent_ru(pct_share)} школ региона."
    )
    if is_selective:
        summary += " " + SELECTIVE_NOTE_RU
    evidence.update(
        {
            "share_high": round(share, 4),
            "shrunk_share_high": round(shrunk, 4),
            "expected_high": round(n * region_rate, 2),
            "prior_alpha": round(alpha, 4),
            "prior_beta": round(beta, 4),
            "p_binomial": p_bin,
            "p_betabinomial": p_bb,
            "mean_pct_of_max": round(mean_pct, 4),
            "region_mean_pct_of_max": round(region_mean_pct, 4),
            "percentile_share_high": round(pct_share, 4),
            "percentile_mean_pct": round(pct_mean, 4),
            "effect_is_material": material,
            "summary_ru": summary,
        }
    )
    return SignResult(
        SIGN_HIGH_RESULTS,
        True,
        None,
        shrunk - region_rate,
        p_bb,
        strength_from_p(p_bb, params.strength_cap),
        evidence,
    )


def high_results_for_schools(
    mark_counts: np.ndarray,
    mean_pct_of_max: np.ndarray,
    is_selective: np.ndarray,
    params: DecisionParams = DEFAULT_PARAMS,
) -> list[SignResult]:
    """Sign a for every school of a region at once (see ``anomalously_high_results``).

    mark_counts: [n_schools × 4] counts of marks 2, 3, 4, 5; mean_pct_of_max: [n_schools]
    mean share of the maximum primary score (0..1); is_selective: [n_schools] bool.
    The prior and the percentiles use the schools with n ≥ params.min_pupils.
    """
    counts = np.asarray(mark_counts, dtype=np.int64)
    mean_pct = np.asarray(mean_pct_of_max, dtype=float)
    n = counts.sum(axis=1)
    k = counts[:, 2] + counts[:, 3]
    eligible = n >= params.min_pupils
    fit_mask = eligible if eligible.sum() >= 5 else n > 0
    alpha, beta = fit_beta_prior(k[fit_mask], n[fit_mask], params.prior_strength)
    region_counts = counts.sum(axis=0)
    region_mean = float(np.sum(mean_pct * n) / max(int(n.sum()), 1))
    region_rate = float((region_counts[2] + region_counts[3]) / max(int(region_counts.sum()), 1))
    shrunk = (k + alpha) / (n + alpha + beta)
    pct_share = percentile_ranks(shrunk, eligible)
    pct_mean = percentile_ranks(mean_pct, eligible)
    n_safe = np.maximum(n, 1)
    p_bb = betabinomial_tail_at_least(k, n_safe, alpha, beta).tolist()
    p_bin = binomial_tail_at_least(k, n_safe, region_rate).tolist()
    # Python lists: the per-school loop then does no numpy calls (1,500 schools stay cheap).
    counts_l, mean_l = counts.tolist(), mean_pct.tolist()
    pct_share_l, pct_mean_l = pct_share.tolist(), pct_mean.tolist()
    selective_l = np.asarray(is_selective, dtype=bool).tolist()
    region_l = region_counts.tolist()
    prior = (float(alpha), float(beta))
    return [
        _high_results_result(
            counts_l[s],
            mean_l[s],
            region_l,
            prior,
            pct_share_l[s],
            pct_mean_l[s],
            region_mean,
            selective_l[s],
            p_bb[s],
            p_bin[s],
            params,
        )
        for s in range(counts.shape[0])
    ]


# --------------------------------------------------------------------------- sign b


def journal_crosstab(journal_mark: np.ndarray, mark: np.ndarray) -> np.ndarray:
    """4×4 counts: rows journal mark 2..5, columns VPR mark 2..5; missing journals skipped."""
    j = np.asarray(journal_mark, dtype=np.int64)
    m = np.asarray(mark, dtype=np.int64)
    ok = (j >= 2) & (j <= 5) & (m >= 2) & (m <= 5)
    return np.bincount((j[ok] - 2) * 4 + (m[ok] - 2), minlength=16).reshape(4, 4)


def _journal_groups(crosstab: np.ndarray) -> tuple[int, int, int, int]:
    """(lowered, confirmed, raised, gap ≥ 2) from a 4×4 journal × VPR crosstab."""
    ct = np.asarray(crosstab, dtype=np.int64)
    rows, cols = np.indices((4, 4))
    lowered = int(ct[cols < rows].sum())
    confirmed = int(np.trace(ct))
    raised = int(ct[cols > rows].sum())
    gap2 = int(ct[np.abs(cols - rows) >= 2].sum())
    return lowered, confirmed, raised, gap2


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
    lowered, confirmed, raised, gap2 = _journal_groups(crosstab)
    n = lowered + confirmed + raised
    r_low, r_conf, r_raise, r_gap2 = _region_journal_rates(region_crosstab)
    high = share_high >= region_share_high
    n_safe = max(n, 1)
    p_raise = float(betabinomial_tail_at_least(raised, n_safe, *raised_prior))
    p_conf = float(betabinomial_tail_at_least(confirmed, n_safe, *confirmed_prior))
    return _journal_result(
        np.asarray(crosstab, dtype=np.int64).tolist(),
        (lowered, confirmed, raised, gap2),
        (r_low, r_conf, r_raise, r_gap2),
        high,
        raised_prior,
        confirmed_prior,
        p_raise,
        p_conf if high else float("nan"),
        float(binomial_tail_at_least(raised, n_safe, r_raise)),
        float(binomial_tail_at_least(confirmed, n_safe, r_conf)),
        params,
    )


def _region_journal_rates(region_crosstab: np.ndarray) -> tuple[float, float, float, float]:
    lowered, confirmed, raised, gap2 = _journal_groups(region_crosstab)
    total = max(lowered + confirmed + raised, 1)
    return lowered / total, confirmed / total, raised / total, gap2 / total


def _journal_result(
    crosstab: list[list[int]],
    groups: tuple[int, int, int, int],
    region_rates: tuple[float, float, float, float],
    high_results: bool,
    raised_prior: tuple[float, float],
    confirmed_prior: tuple[float, float],
    p_raise: float,
    p_conf: float,
    p_raise_binomial: float,
    p_conf_binomial: float,
    params: DecisionParams,
) -> SignResult:
    lowered, confirmed, raised, gap2 = groups
    n = lowered + confirmed + raised
    r_low, r_conf, r_raise, r_gap2 = region_rates
    evidence: dict[str, Any] = {
        "n_with_journal": n,
        "marks": list(MARKS),
        "crosstab": crosstab,
        "lowered": lowered,
        "confirmed": confirmed,
        "raised": raised,
        "gap2": gap2,
        "region_share_lowered": round(r_low, 4),
        "region_share_confirmed": round(r_conf, 4),
        "region_share_raised": round(r_raise, 4),
        "region_share_gap2": round(r_gap2, 4),
    }
    if n < params.min_pupils:
        return _too_few(SIGN_JOURNAL, n, params, evidence)
    components = {"raised": p_raise}
    if p_conf == p_conf:  # not NaN: the confirmed component is tested
        components["confirmed"] = p_conf
    driver = min(components, key=lambda name: components[name])
    p = min(1.0, len(components) * components[driver])
    prior = raised_prior if driver == "raised" else confirmed_prior
    count = raised if driver == "raised" else confirmed
    region_share = r_raise if driver == "raised" else r_conf
    shrunk = (count + prior[0]) / (n + prior[0] + prior[1])
    effect = shrunk - region_share
    summary = (
        f"Из {pupils_ru(n)} с отметкой по журналу понизили отметку {lowered} "
        f"({percent_ru(lowered / n)}), подтвердили {confirmed} ({percent_ru(confirmed / n)}), "
        f"повысили {raised} ({percent_ru(raised / n)}); по региону "
        f"{percent_ru(r_low)}, {percent_ru(r_conf)} и {percent_ru(r_raise)}. "
    )
    if driver == "confirmed":
        summary += (
            f"При региональной доле подтвердивших ожидалось бы {about_ru(n * r_conf)} "
            f"подтверждений, а результаты школы не ниже регионального уровня. "
        )
    else:
        summary += f"При региональной доле ожидалось бы {about_ru(n * r_raise)} повысивших. "
    summary += f"Расхождение на 2 отметки и больше — у {gap2} (по региону {percent_ru(r_gap2)})."
    evidence.update(
        {
            "share_lowered": round(lowered / n, 4),
            "share_confirmed": round(confirmed / n, 4),
            "share_raised": round(raised / n, 4),
            "share_gap2": round(gap2 / n, 4),
            "expected_lowered": round(n * r_low, 2),
            "expected_confirmed": round(n * r_conf, 2),
            "expected_raised": round(n * r_raise, 2),
            "high_results": high_results,
            "p_raised": p_raise,
            "p_confirmed": p_conf if "confirmed" in components else None,
            "p_raised_binomial": p_raise_binomial,
            "p_confirmed_binomial": p_conf_binomial,
            "driver": driver,
            "prior_raised": [round(x, 4) for x in raised_prior],
            "prior_confirmed": [round(x, 4) for x in confirmed_prior],
            "effect_is_material": effect >= params.min_excess_share,
            "summary_ru": summary,
        }
    )
    return SignResult(
        SIGN_JOURNAL, True, None, effect, p, strength_from_p(p, params.strength_cap), evidence
    )


def journal_agreement_for_schools(
    crosstabs: np.ndarray,
    share_high: np.ndarray,
    region_share_high: float,
    params: DecisionParams = DEFAULT_PARAMS,
) -> list[SignResult]:
    """Sign b for every school at once (see ``journal_mark_agreement``).

    crosstabs: [n_schools × 4 × 4] counts, journal mark 2..5 × VPR mark 2..5;
    share_high: [n_schools] share of «4»+«5» among all the school's pupils;
    region_share_high: the region's share of «4»+«5».
    """
    ct = np.asarray(crosstabs, dtype=np.int64)
    rows, cols = np.indices((4, 4))
    lowered = ct[:, cols < rows].sum(axis=1)
    confirmed = np.trace(ct, axis1=1, axis2=2)
    raised = ct[:, cols > rows].sum(axis=1)
    gap2 = ct[:, np.abs(cols - rows) >= 2].sum(axis=1)
    n = lowered + confirmed + raised
    rates = _region_journal_rates(ct.sum(axis=0))
    eligible = n >= params.min_pupils
    fit_mask = eligible if eligible.sum() >= 5 else n > 0
    raised_prior = fit_beta_prior(raised[fit_mask], n[fit_mask], params.prior_strength)
    confirmed_prior = fit_beta_prior(confirmed[fit_mask], n[fit_mask], params.prior_strength)
    raised_prior = (float(raised_prior[0]), float(raised_prior[1]))
    confirmed_prior = (float(confirmed_prior[0]), float(confirmed_prior[1]))
    n_safe = np.maximum(n, 1)
    high = np.asarray(share_high, dtype=float) >= region_share_high
    p_raise = betabinomial_tail_at_least(raised, n_safe, *raised_prior).tolist()
    p_conf = np.where(
        high, betabinomial_tail_at_least(confirmed, n_safe, *confirmed_prior), np.nan
    ).tolist()
    p_raise_bin = binomial_tail_at_least(raised, n_safe, rates[2]).tolist()
    p_conf_bin = binomial_tail_at_least(confirmed, n_safe, rates[1]).tolist()
    groups = np.stack([lowered, confirmed, raised, gap2], axis=1).tolist()
    ct_l = ct.tolist()
    high_l = high.tolist()
    return [
        _journal_result(
            ct_l[s],
            tuple(groups[s]),
            rates,
            high_l[s],
            raised_prior,
            confirmed_prior,
            p_raise[s],
            p_conf[s],
            p_raise_bin[s],
            p_conf_bin[s],
            params,
        )
        for s in range(ct.shape[0])
    ]


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
    the count is ≥ params.min_scale_mismatches. The rows are listed (at most 100).

    Assumptions: the cut scores are those of this test's year and session.
    Minimum sample: none (any pupil can show it).
    Source: domain.md §5 (h); the scale tables of FIOKO for each year.
    """
    s = np.asarray(primary_score)
    m = np.asarray(mark)
    expected = expected_marks(s, cut_scores)
    ids = np.arange(s.size) if row_ids is None else np.asarray(row_ids)
    bad = (m > expected) if only_above else (m != expected)
    idx = np.nonzero(bad)[0]
    return _scale_result(
        int(s.size), ids[idx], s[idx], m[idx], expected[idx], cut_scores, only_above, params
    )


def _scale_result(
    n: int,
    rows: np.ndarray,
    scores: np.ndarray,
    marks: np.ndarray,
    expected: np.ndarray,
    cut_scores: tuple[int, int, int],
    only_above: bool,
    params: DecisionParams,
) -> SignResult:
    count = int(rows.size)
    listed = [
        {"row": int(r), "primary_score": int(s), "mark": int(m), "expected_mark": int(e)}
        for r, s, m, e in zip(
            rows[:MAX_LISTED_ROWS],
            scores[:MAX_LISTED_ROWS],
            marks[:MAX_LISTED_ROWS],
            expected[:MAX_LISTED_ROWS],
            strict=True,
        )
    ]
    if count == 0:
        summary = "Все отметки соответствуют шкале перевода баллов."
    else:
        above = int(np.sum(marks > expected))
        summary = (
            f"У {pupils_ru(count)} отметка не соответствует шкале перевода первичных баллов "
            f"(границы «3», «4», «5» — {cut_scores[0]}, {cut_scores[1]}, {cut_scores[2]} "
            f"баллов); выше положенной — у {above}."
        )
    evidence = {
        "n_checked": n,
        "n_mismatch": count,
        "only_above": bool(only_above),
        "cut_scores": [int(c) for c in cut_scores],
        "rows": listed,
        "rows_truncated": count > MAX_LISTED_ROWS,
        "effect_is_material": count >= params.min_scale_mismatches,
        "summary_ru": summary,
    }
    return SignResult(
        SIGN_SCALE_MISMATCH,
        n > 0,
        None if n > 0 else REASON_TOO_FEW,
        float(count),
        None,
        float(count),
        evidence,
    )


def scale_mismatch_for_schools(
    school_idx: np.ndarray,
    primary_score: np.ndarray,
    mark: np.ndarray,
    cut_scores: tuple[int, int, int],
    n_schools: int,
    *,
    only_above: bool = False,
    params: DecisionParams = DEFAULT_PARAMS,
) -> list[SignResult]:
    """Sign h for every school at once; rows are indices into the regional pupil arrays."""
    school = np.asarray(school_idx)
    expected = expected_marks(primary_score, cut_scores)
    m = np.asarray(mark)
    bad = (m > expected) if only_above else (m != expected)
    bad_rows = np.nonzero(bad)[0]
    order = np.argsort(school[bad_rows], kind="stable")
    bad_rows = bad_rows[order]
    starts = np.searchsorted(school[bad_rows], np.arange(n_schools + 1))
    n_per_school = np.bincount(school, minlength=n_schools)
    score = np.asarray(primary_score)
    results = []
    for s in range(n_schools):
        rows = bad_rows[starts[s] : starts[s + 1]]
        results.append(
            _scale_result(
                int(n_per_school[s]),
                rows,
                score[rows],
                m[rows],
                expected[rows],
                cut_scores,
                only_above,
                params,
            )
        )
    return results
