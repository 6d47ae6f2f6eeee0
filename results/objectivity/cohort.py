"""Sign d: the cohort drop from grade 4 (year t) to grade 5 (year t+1) of the same school."""

from __future__ import annotations

import numpy as np
from scipy import stats

from .datatypes import (
    DEFAULT_PARAMS,
    REASON_TOO_FEW,
    SIGN_COHORT_DROP,
    DecisionParams,
    SignResult,
    not_applicable,
)
from .stats import percentile_ranks
from .text import percent_ru

MIN_SCHOOLS_FOR_PERSISTENCE = 10


def independence_tail(score: np.ndarray) -> np.ndarray:
    """P(U² + (1−V)² ≥ s) for independent uniform U, V: a conservative null for SCORE.

    The area of {u, v ∈ [0,1]: u² + v² ≤ s} is πs/4 for s ≤ 1 and
    √(s−1) + s·arcsin(1/√s) − πs/4 for 1 < s ≤ 2; the tail is one minus it. Honest
    schools have positively related ranks in the two years, which makes a high SCORE rarer
    than under independence, so this p is conservative.
    """
    s = np.clip(np.asarray(score, dtype=float), 0.0, 2.0)
    small = np.pi * s / 4
    with np.errstate(invalid="ignore", divide="ignore"):
        big = (
            np.sqrt(np.maximum(s - 1, 0))
            + s * np.arcsin(np.minimum(1 / np.sqrt(s), 1))
            - np.pi * s / 4
        )
    area = np.where(s <= 1, small, big)
    return np.clip(1 - area, 0.0, 1.0)


def cohort_drop(
    mean_grade4: np.ndarray,
    n_grade4: np.ndarray,
    mean_grade5_next: np.ndarray,
    n_grade5_next: np.ndarray,
    *,
    params: DecisionParams = DEFAULT_PARAMS,
) -> list[SignResult]:
    """Sign d for every school of a region (vectorised): SCORE = r4² + (1 − r5)².

    Formula. r4 = the school's percentile (mid-rank) in grade 4, year t (mean % of max), and
    r5 = its percentile in grade 5, year t+1, both among the region's schools with enough
    pupils in both tests; SCORE = r4² + (1 − r5)²
    (Jacob & Levitt 2003: large when a high result is followed by a low one). p-value: a
    persistence model on normal scores, Φ⁻¹(r5) = a + b·Φ⁻¹(r4) + e fitted by least squares
    over the region's schools and refitted without those beyond 3 robust SDs;
    z = e / (1.4826·MAD(e)) and p = Φ(z) (a lower grade-5 result than the grade-4 rank
    predicts; regression to the mean is in the slope b). With fewer
    than 10 schools p falls back to ``independence_tail(SCORE)``. ``score`` = SCORE,
    effect = r4 − r5; material when r4 ≥ params.cohort_min_rank4 (a drop from a high result).

    Assumptions: cohorts are linked at school level (participant codes are not stable
    between years); most schools are honest in both years.
    Minimum sample: params.min_pupils pupils in each of the two tests.
    Source: Jacob & Levitt (2003) QJE 118(3):843–877; methodology.md §1.2(d).
    """
    m4 = np.asarray(mean_grade4, dtype=float)
    m5 = np.asarray(mean_grade5_next, dtype=float)
    ok4 = np.isfinite(m4) & (np.asarray(n_grade4) >= params.min_pupils)
    ok5 = np.isfinite(m5) & (np.asarray(n_grade5_next) >= params.min_pupils)
    # Ranks among the schools that have both results, so that r4 and r5 describe the same
    # set of schools (Jacob & Levitt rank classrooms present in both years).
    both = ok4 & ok5
    r4 = percentile_ranks(m4, both)
    r5 = percentile_ranks(m5, both)
    score = r4**2 + (1 - r5) ** 2
    p_ind = independence_tail(np.nan_to_num(score))
    p = p_ind.copy()
    z = np.full(m4.shape, np.nan)
    if both.sum() >= MIN_SCHOOLS_FOR_PERSISTENCE:
        z4 = stats.norm.ppf(r4[both])
        z5 = stats.norm.ppf(r5[both])
        # Least squares, then once more without the schools far off the line, so that the
        # dropping schools themselves do not tilt the persistence line.
        slope, intercept = np.polyfit(z4, z5, 1)
        resid = z5 - (intercept + slope * z4)
        scale = 1.4826 * float(np.median(np.abs(resid - np.median(resid))))
        inliers = np.abs(resid - np.median(resid)) <= 3 * scale
        if scale > 0 and inliers.sum() >= MIN_SCHOOLS_FOR_PERSISTENCE:
            slope, intercept = np.polyfit(z4[inliers], z5[inliers], 1)
            resid = z5 - (intercept + slope * z4)
            scale = 1.4826 * float(np.median(np.abs(resid - np.median(resid))))
        if scale > 0:
            z[both] = resid / scale
            p[both] = stats.norm.cdf(z[both])
    results = []
    for s in range(m4.size):
        evidence = {
            "n_grade4": int(np.asarray(n_grade4)[s]),
            "n_grade5_next": int(np.asarray(n_grade5_next)[s]),
            "mean_grade4": round(float(m4[s]), 4) if np.isfinite(m4[s]) else None,
            "mean_grade5_next": round(float(m5[s]), 4) if np.isfinite(m5[s]) else None,
        }
        if not both[s]:
            evidence["summary_ru"] = (
                f"Для сравнения нужно не меньше {params.min_pupils} участников в 4 классе "
                "и в 5 классе следующего года."
            )
            results.append(not_applicable(SIGN_COHORT_DROP, REASON_TOO_FEW, evidence))
            continue
        evidence.update(
            {
                "rank_grade4": round(float(r4[s]), 4),
                "rank_grade5_next": round(float(r5[s]), 4),
                "score": round(float(score[s]), 4),
                "z": round(float(z[s]), 4) if np.isfinite(z[s]) else None,
                "p_independence": float(p_ind[s]),
                "effect_is_material": bool(r4[s] >= params.cohort_min_rank4),
                "summary_ru": (
                    f"В 4 классе школа была выше {percent_ru(r4[s])} школ региона, а тот же "
                    f"выпуск в 5 классе на следующий год — выше {percent_ru(r5[s])}."
                ),
            }
        )
        results.append(
            SignResult(
                SIGN_COHORT_DROP,
                True,
                None,
                float(r4[s] - r5[s]),
                float(p[s]),
                float(score[s]),
                evidence,
            )
        )
    return results
