"""Sign f: observed classes do worse than unobserved classes of the same school."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from .datatypes import (
    DEFAULT_PARAMS,
    SIGN_OBSERVER,
    DecisionParams,
    SignResult,
    not_applicable,
    strength_from_p,
)
from .text import classes_ru, decimal_ru, schools_ru

REASON_NO_CONTRAST = "нет классов с наблюдателем и без него"
MAX_LISTED_CLASSES = 60


def observer_effect(
    class_means: np.ndarray,
    class_observed: np.ndarray,
    class_school: np.ndarray,
    class_sizes: np.ndarray | None = None,
    *,
    class_ids: np.ndarray | None = None,
    weighted: bool = False,
    params: DecisionParams = DEFAULT_PARAMS,
) -> SignResult:
    """Sign f: school fixed-effects regression of class results on an observer dummy.

    Formula. m_k = α_school(k) + β·observer_k + ε_k over classes k. Within-school demeaning
    (ỹ = m − school mean, x̃ = observer − school share observed) absorbs α; only schools
    with both observed and unobserved classes identify β. β = Σ w x̃ ỹ / Σ w x̃²,
    residual variance σ² = Σ w e² / df with df = K − S − 1 (K classes and S schools that
    contribute), SE = sqrt(σ² / Σ w x̃²), t = β/SE, one-sided p = P(T_df ≤ t): results lower
    under observation are the sign. w = class size when ``weighted`` else 1. Works for one
    school (then α is its intercept and this is a two-group comparison of class means) and
    for a whole region or municipality.

    Assumptions: observers are assigned independently of class ability within a school;
    class results are independent given the school.
    Minimum sample: df ≥ 1 (at least three classes with both kinds in some school).
    Source: Borcan, Lindahl & Mitrut (2017) AEJ: Policy 9(1) (monitoring cut the pass rate);
    Rosobrnadzor «ВПР с контролем объективности»; methodology.md §1.2(f).
    """
    y = np.asarray(class_means, dtype=float)
    x = np.asarray(class_observed, dtype=float)
    school = np.asarray(class_school, dtype=np.int64)
    sizes = np.ones_like(y) if class_sizes is None else np.asarray(class_sizes, dtype=float)
    ids = np.arange(y.size) if class_ids is None else np.asarray(class_ids)
    w = sizes if weighted else np.ones_like(y)
    ok = np.isfinite(y) & (sizes > 0)
    y, x, school, w, sizes, ids = y[ok], x[ok], school[ok], w[ok], sizes[ok], ids[ok]
    evidence: dict[str, Any] = {
        "n_classes": int(y.size),
        "n_observed": int(x.sum()),
        "mean_observed": round(float(np.average(y[x == 1], weights=sizes[x == 1])), 4)
        if (x == 1).any()
        else None,
        "mean_unobserved": round(float(np.average(y[x == 0], weights=sizes[x == 0])), 4)
        if (x == 0).any()
        else None,
    }
    if y.size <= MAX_LISTED_CLASSES:
        evidence["classes"] = [
            {"class": int(c), "mean": round(float(m), 4), "observed": bool(o), "n": int(n)}
            for c, m, o, n in zip(ids, y, x, sizes, strict=True)
        ]
    _, inverse = np.unique(school, return_inverse=True)
    wsum = np.bincount(inverse, weights=w)
    x_bar = np.bincount(inverse, weights=w * x) / wsum
    y_bar = np.bincount(inverse, weights=w * y) / wsum
    contributes = (x_bar > 0) & (x_bar < 1)
    used = contributes[inverse]
    k_used = int(used.sum())
    s_used = int(contributes.sum())
    df = k_used - s_used - 1
    if s_used == 0 or df < 1:
        evidence["summary_ru"] = "Нет школы, где есть классы и с наблюдателем, и без него."
        return not_applicable(SIGN_OBSERVER, REASON_NO_CONTRAST, evidence)
    xt = (x - x_bar[inverse])[used]
    yt = (y - y_bar[inverse])[used]
    wu = w[used]
    sxx = float(np.sum(wu * xt * xt))
    beta = float(np.sum(wu * xt * yt) / sxx)
    resid = yt - beta * xt
    sigma2 = float(np.sum(wu * resid**2) / df)
    se = float(np.sqrt(sigma2 / sxx))
    t_stat = beta / se if se > 0 else (-np.inf if beta < 0 else 0.0)
    p = float(stats.t.cdf(t_stat, df))
    evidence.update(
        {
            "beta": round(beta, 4),
            "se": round(se, 4),
            "t": round(float(t_stat), 4) if np.isfinite(t_stat) else None,
            "df": df,
            "n_classes_used": k_used,
            "n_schools_used": s_used,
            "p": p,
            "effect_is_material": beta < 0,
            "summary_ru": (
                f"В классах с наблюдателем результат в среднем на "
                f"{decimal_ru(abs(100 * beta))} процентного пункта "
                f"{'ниже' if beta < 0 else 'выше'}, чем в классах той же школы без "
                f"наблюдателя ({classes_ru(k_used)}, {schools_ru(s_used)})."
            ),
        }
    )
    return SignResult(
        SIGN_OBSERVER, True, None, beta, p, strength_from_p(p, params.strength_cap), evidence
    )


def class_means(
    class_idx: np.ndarray, school_idx: np.ndarray, pct_of_max: np.ndarray, n_classes: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean % of max, size, school) per class from pupil arrays."""
    c = np.asarray(class_idx, dtype=np.int64)
    sizes = np.bincount(c, minlength=n_classes).astype(float)
    sums = np.bincount(c, weights=pct_of_max, minlength=n_classes)
    means = np.divide(sums, sizes, out=np.full(n_classes, np.nan), where=sizes > 0)
    school = np.full(n_classes, -1, dtype=np.int64)
    school[c] = np.asarray(school_idx, dtype=np.int64)
    return means, sizes, school


def observer_effect_for_schools(
    class_idx: np.ndarray,
    school_idx: np.ndarray,
    pct_of_max: np.ndarray,
    class_observed: np.ndarray,
    n_schools: int,
    params: DecisionParams = DEFAULT_PARAMS,
) -> list[SignResult]:
    """Sign f per school (its own classes only); schools without contrast: not applicable."""
    observed = np.asarray(class_observed, dtype=bool)
    means, sizes, school = class_means(class_idx, school_idx, pct_of_max, observed.size)
    has = (sizes > 0) & (school >= 0)
    order = np.argsort(school[has], kind="stable")
    cls = np.nonzero(has)[0][order]
    starts = np.searchsorted(school[cls], np.arange(n_schools + 1))
    results = []
    for s in range(n_schools):
        k = cls[starts[s] : starts[s + 1]]
        obs = observed[k]
        if k.size < 3 or obs.all() or not obs.any():
            evidence = {
                "n_classes": int(k.size),
                "n_observed": int(obs.sum()),
                "summary_ru": "Нужны хотя бы три класса, среди них с наблюдателем и без него.",
            }
            results.append(not_applicable(SIGN_OBSERVER, REASON_NO_CONTRAST, evidence))
            continue
        results.append(
            observer_effect(means[k], obs, school[k], sizes[k], class_ids=k, params=params)
        )
    return results
