"""Sign e: the school's scoring against the municipal expert re-check."""

from __future__ import annotations

import numpy as np
from scipy import stats

from .datatypes import (
    DEFAULT_PARAMS,
    SIGN_RECHECK,
    DecisionParams,
    SignResult,
    not_applicable,
    strength_from_p,
)
from .mark_signs import expected_marks
from .text import decimal_ru, percent_ru

REASON_FEW_WORKS = "недостаточно перепроверенных работ"


def recheck_discrepancy(
    school_scores: np.ndarray,
    expert_scores: np.ndarray,
    cut_scores: tuple[int, int, int],
    *,
    params: DecisionParams = DEFAULT_PARAMS,
) -> SignResult:
    """Sign e: the school scored its works higher than the experts did.

    Formula. Per work Δ = school primary score − expert primary score. Exact sign test:
    with n₊ works where Δ > 0 and n₋ where Δ < 0 (ties dropped), p = P(X ≥ n₊),
    X ~ Binomial(n₊ + n₋, 1/2). effect = mean Δ (points). Also the share of works whose
    mark falls after the re-check, mark(school score) > mark(expert score) (methodology:
    worth a look from 10–15 %); material when that share is ≥ params.min_recheck_lowered_share or mean Δ ≥ 1 point.

    Assumptions: honest disagreement between school and expert is symmetric; works are
    sampled independently of their scores.
    Minimum sample: params.min_rechecked_works works (5: all five higher gives p = 1/32).
    Source: methodology.md §1.2(e); sign test (Conover 1999, Practical Nonparametric
    Statistics, §3.4).
    """
    school = np.asarray(school_scores, dtype=float)
    expert = np.asarray(expert_scores, dtype=float)
    delta = school - expert
    n = int(delta.size)
    n_pos = int(np.sum(delta > 0))
    n_neg = int(np.sum(delta < 0))
    lowered = int(np.sum(expected_marks(school, cut_scores) > expected_marks(expert, cut_scores)))
    evidence = {
        "n_works": n,
        "n_school_higher": n_pos,
        "n_school_lower": n_neg,
        "n_equal": n - n_pos - n_neg,
        "n_mark_lowered": lowered,
        "delta_counts": {
            str(int(k)): int(v) for k, v in zip(*np.unique(delta, return_counts=True), strict=True)
        },
    }
    if n < params.min_rechecked_works:
        evidence["summary_ru"] = (
            f"Перепроверено работ: {n}; для оценки нужно не меньше {params.min_rechecked_works}."
        )
        return not_applicable(SIGN_RECHECK, REASON_FEW_WORKS, evidence)
    p = float(stats.binom.sf(n_pos - 1, n_pos + n_neg, 0.5)) if n_pos > 0 else 1.0
    mean_delta = float(delta.mean())
    share_lowered = lowered / n
    evidence.update(
        {
            "mean_delta": round(mean_delta, 4),
            "share_mark_lowered": round(share_lowered, 4),
            "p_sign_test": p,
            "effect_is_material": bool(
                share_lowered >= params.min_recheck_lowered_share or mean_delta >= 1.0
            ),
            "summary_ru": (
                f"Из {n} перепроверенных работ эксперты поставили меньше баллов в {n_pos}, "
                f"больше — в {n_neg}, столько же — в {n - n_pos - n_neg}; в среднем школа "
                f"оценила работу на {decimal_ru(abs(mean_delta))} балла "
                f"{'выше' if mean_delta >= 0 else 'ниже'}. Отметка после перепроверки "
                f"снизилась у {lowered} ({percent_ru(share_lowered)})."
            ),
        }
    )
    return SignResult(
        SIGN_RECHECK, True, None, mean_delta, p, strength_from_p(p, params.strength_cap), evidence
    )


def recheck_for_schools(
    work_school_idx: np.ndarray,
    school_scores: np.ndarray,
    expert_scores: np.ndarray,
    cut_scores: tuple[int, int, int],
    n_schools: int,
    params: DecisionParams = DEFAULT_PARAMS,
) -> list[SignResult]:
    """Sign e for every school from per-work arrays (one row per re-checked work)."""
    school = np.asarray(work_school_idx, dtype=np.int64)
    order = np.argsort(school, kind="stable")
    starts = np.searchsorted(school[order], np.arange(n_schools + 1))
    s_scores = np.asarray(school_scores)[order]
    e_scores = np.asarray(expert_scores)[order]
    return [
        recheck_discrepancy(
            s_scores[starts[s] : starts[s + 1]],
            e_scores[starts[s] : starts[s + 1]],
            cut_scores,
            params=params,
        )
        for s in range(n_schools)
    ]
