"""Sign g: inverted task profile — hard tasks done better, easy ones worse than expected.

Two pupil-level statistics, both conditioned on the pupil's total score so that a strong
school is not mistaken for a suspicious one (strong pupils naturally gain most on the hard
tasks):

1. advanced excess: r_i = (points on П/В tasks) − E_region[points on П/В tasks | total]
   (Jacob & Levitt 2003, answer-pattern measure 4: "hard right, easy wrong" against pupils
   with the same score);
2. person-fit U3poly (PerFit) with the region's step probabilities, minus its regional mean
   at the same total.

For each statistic the school mean of the residuals is divided by
sqrt(Σ_i v(T_i)/n² + τ²), with v(T) the regional variance at total T and τ² the honest
between-school variance (robust MAD estimate), and tested one-sided against N(0, 1).
The per-task profile d_j = school − region success and its weighted regression on the
regional success are reported for the chart and the wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from .datatypes import (
    DEFAULT_PARAMS,
    LEVEL_BASIC,
    REASON_TOO_FEW,
    SIGN_TASK_PROFILE,
    DecisionParams,
    SignResult,
    not_applicable,
    strength_from_p,
)
from .person_fit import step_probabilities_of_columns, task_columns, u3poly_of_columns
from .stats import robust_null
from .tables import SignTable, register_builder
from .text import decimal_ru, percent_ru, pupils_ru

CLASS_COLUMNS = ("class", "n", "u3_mean", "z_person_fit", "z_profile")


@dataclass(frozen=True)
class ConditionalReference:
    """Regional mean and variance of a pupil statistic at each total score 0..max."""

    mean: np.ndarray
    variance: np.ndarray

    @classmethod
    def from_pupils(
        cls, values: np.ndarray, totals: np.ndarray, max_score: int
    ) -> ConditionalReference:
        ok = np.isfinite(values)
        t = totals[ok].astype(np.int64)
        v = values[ok]
        count = np.bincount(t, minlength=max_score + 1).astype(float)
        s1 = np.bincount(t, weights=v, minlength=max_score + 1)
        s2 = np.bincount(t, weights=v * v, minlength=max_score + 1)
        mean = np.divide(s1, count, out=np.zeros_like(s1), where=count > 0)
        var = np.divide(s2, count, out=np.zeros_like(s2), where=count > 0) - mean**2
        # Unbiased variance; totals seen once carry no variance information.
        var = np.where(count > 1, var * count / np.maximum(count - 1, 1), 0.0)
        return cls(mean, np.maximum(var, 0.0))

    @classmethod
    def of(cls, value: ConditionalReference | dict[str, Any]) -> ConditionalReference:
        """Itself, or one stored as JSON ({"mean": [...], "variance": [...]})."""
        if isinstance(value, ConditionalReference):
            return value
        return cls(
            np.asarray(value["mean"], dtype=float), np.asarray(value["variance"], dtype=float)
        )

    def residuals(self, values: np.ndarray, totals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(value − mean at total, variance at total); NaN values give NaN residuals."""
        t = totals.astype(np.int64)
        return values - self.mean[t], self.variance[t]


def pupil_task_statistics(
    task_scores: np.ndarray,
    task_max: np.ndarray,
    task_level: np.ndarray,
    reference: dict[str, Any] | None = None,
) -> dict[str, np.ndarray]:
    """Per-pupil totals, advanced points, U3poly and their residuals against the region.

    Without ``reference`` the ``task_scores`` matrix must hold the whole region: it is the
    reference group (its step probabilities and conditional means are fitted here and
    returned under "reference"). With a ``reference`` from an earlier call (frozen at a
    full evaluation), any pupils are compared with that region.
    Returns arrays keyed "total", "advanced", "advanced_residual", "advanced_variance",
    "u3", "u3_residual", "u3_variance", "columns", and the dict "reference".
    """
    return _pupil_statistics(task_columns(task_scores), task_max, task_level, reference)


def _pupil_statistics(
    columns: np.ndarray,
    task_max: np.ndarray,
    task_level: np.ndarray,
    reference: dict[str, Any] | None,
) -> dict[str, Any]:
    task_max = np.asarray(task_max, dtype=int)
    advanced_tasks = np.asarray(task_level) != LEVEL_BASIC
    total = columns.sum(axis=0, dtype=np.int64)
    max_score = int(task_max.sum())
    advanced = columns[advanced_tasks].sum(axis=0, dtype=np.int64).astype(float)
    if reference is None:
        probabilities = step_probabilities_of_columns(columns, task_max)
        u3 = u3poly_of_columns(columns, task_max, probabilities)
        adv_ref = ConditionalReference.from_pupils(advanced, total, max_score)
        u3_ref = ConditionalReference.from_pupils(u3, total, max_score)
        reference = {
            "step_probabilities": probabilities,
            "advanced": adv_ref,
            "u3": u3_ref,
        }
    else:
        probabilities = [np.asarray(p, dtype=float) for p in reference["step_probabilities"]]
        u3 = u3poly_of_columns(columns, task_max, probabilities)
        adv_ref = ConditionalReference.of(reference["advanced"])
        u3_ref = ConditionalReference.of(reference["u3"])
    adv_res, adv_var = adv_ref.residuals(advanced, total)
    u3_res, u3_var = u3_ref.residuals(u3, total)
    u3_ok = np.isfinite(u3_res)
    return {
        "total": total,
        "advanced": advanced,
        "advanced_residual": adv_res,
        "advanced_variance": adv_var,
        "u3": u3,
        "u3_residual": u3_res,
        "u3_variance": np.where(u3_ok, u3_var, np.nan),
        "columns": columns,
        "reference": reference,
    }


@dataclass(frozen=True)
class GroupMeans:
    """Sums per group (school or class) of the pupil statistics, for the z-tests."""

    n: np.ndarray
    adv_sum: np.ndarray
    adv_var_sum: np.ndarray
    u3_n: np.ndarray
    u3_sum: np.ndarray
    u3_res_sum: np.ndarray
    u3_var_sum: np.ndarray

    @classmethod
    def from_pupils(
        cls, group: np.ndarray, pupil: dict[str, np.ndarray], n_groups: int
    ) -> GroupMeans:
        g = np.asarray(group)
        ok = np.isfinite(pupil["u3_residual"])
        if ok.all():
            u3_n = np.bincount(g, minlength=n_groups).astype(float)
            u3, u3_res, u3_var = pupil["u3"], pupil["u3_residual"], pupil["u3_variance"]
        else:
            # Zero weights instead of boolean indexing: no copies of the group array.
            u3_n = np.bincount(g, weights=ok.astype(float), minlength=n_groups)
            u3 = np.where(ok, pupil["u3"], 0.0)
            u3_res = np.where(ok, pupil["u3_residual"], 0.0)
            u3_var = np.where(ok, pupil["u3_variance"], 0.0)
        return cls(
            n=np.bincount(g, minlength=n_groups).astype(float),
            adv_sum=np.bincount(g, weights=pupil["advanced_residual"], minlength=n_groups),
            adv_var_sum=np.bincount(g, weights=pupil["advanced_variance"], minlength=n_groups),
            u3_n=u3_n,
            u3_sum=np.bincount(g, weights=u3, minlength=n_groups),
            u3_res_sum=np.bincount(g, weights=u3_res, minlength=n_groups),
            u3_var_sum=np.bincount(g, weights=u3_var, minlength=n_groups),
        )

    def null(self, min_n: int) -> dict[str, float]:
        """The robust null (``robust_null``) of both mean residuals over the groups with
        n ≥ min_n: {"centre_adv", "tau2_adv", "centre_u3", "tau2_u3"}."""
        means = self._means()
        eligible = self.n >= min_n
        centre_adv, tau2_adv = robust_null(means[0][eligible], means[1][eligible])
        centre_u3, tau2_u3 = robust_null(means[2][eligible], means[3][eligible])
        return {
            "centre_adv": float(centre_adv),
            "tau2_adv": float(tau2_adv),
            "centre_u3": float(centre_u3),
            "tau2_u3": float(tau2_u3),
        }

    def _means(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        n = np.maximum(self.n, 1)
        n_u3 = np.maximum(self.u3_n, 1)
        return (
            self.adv_sum / n,
            self.adv_var_sum / n**2,
            self.u3_res_sum / n_u3,
            self.u3_var_sum / n_u3**2,
        )

    def z_scores(self, min_n: int, null: dict[str, float] | None = None) -> dict[str, np.ndarray]:
        """Mean residuals, their sampling SE, the robust null and z for both statistics.

        z = (mean residual − centre) / sqrt(SE² + τ²) with (centre, τ²) from ``null`` (frozen
        at a full evaluation) or else from ``robust_null`` over groups with n ≥ min_n.
        """
        if null is None:
            null = self.null(min_n)
        adv_mean, adv_se2, u3_mean, u3_se2 = self._means()
        centre_adv, tau2_adv = null["centre_adv"], null["tau2_adv"]
        centre_u3, tau2_u3 = null["centre_u3"], null["tau2_u3"]
        with np.errstate(divide="ignore", invalid="ignore"):
            z_adv = (adv_mean - centre_adv) / np.sqrt(adv_se2 + tau2_adv)
            z_u3 = (u3_mean - centre_u3) / np.sqrt(u3_se2 + tau2_u3)
        return {
            "adv_mean": adv_mean - centre_adv,
            "adv_se": np.sqrt(adv_se2),
            "z_adv": np.nan_to_num(z_adv),
            "u3_mean_raw": self.u3_sum / np.maximum(self.u3_n, 1),
            "u3_mean": u3_mean - centre_u3,
            "u3_se": np.sqrt(u3_se2),
            "z_u3": np.nan_to_num(z_u3),
            "tau_adv": np.array(np.sqrt(tau2_adv)),
            "tau_u3": np.array(np.sqrt(tau2_u3)),
        }


def task_profile_regression(
    school_success: np.ndarray, region_success: np.ndarray, task_max: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least squares slope of d_j = school − region success on region success.

    Weights are task maxima (a 3-point task carries three times the points): slope =
    Σ w (q − q̄)(d − d̄) / Σ w (q − q̄)²; with Var(e_j) = σ²/w_j, σ² = Σ w e² / (J − 2) and
    SE = sqrt(σ² / Σ w (q − q̄)²). ``school_success`` may be [J] or [n_schools × J]. A negative
    slope means a bigger advantage on the hard tasks. NaN with fewer than 3 tasks.
    """
    q_s = np.atleast_2d(np.asarray(school_success, dtype=float))
    q = np.asarray(region_success, dtype=float)
    w = np.asarray(task_max, dtype=float)
    if q.size < 3 or np.ptp(q) == 0:
        nan = np.full(q_s.shape[0], np.nan)
        return nan, nan
    d = q_s - q[None, :]
    qc = q - np.sum(w * q) / w.sum()
    dm = (d @ w) / w.sum()
    sxx = float(np.sum(w * qc**2))
    slope = (d @ (w * qc)) / sxx
    resid = d - dm[:, None] - slope[:, None] * qc[None, :]
    sigma2 = (resid**2 @ w) / (q.size - 2)
    return slope, np.sqrt(sigma2 / sxx)


def inverted_task_profile(
    school_success: np.ndarray,
    region_success: np.ndarray,
    task_max: np.ndarray,
    task_level: np.ndarray,
    *,
    n: int,
    advanced_excess: float,
    advanced_z: float,
    u3_mean: float,
    u3_region_mean: float,
    u3_z: float,
    class_summaries: dict[str, list[Any]] | None = None,
    task_labels: tuple[str, ...] | None = None,
    params: DecisionParams = DEFAULT_PARAMS,
) -> SignResult:
    """Sign g for one school from its per-task success and its pupil-level z-scores.

    Formula. Profile test: z_A = (mean_i r_i − c_A) / sqrt(Σ v(T_i)/n² + τ²_A), where r_i =
    advanced points − the regional mean of advanced points at the pupil's total T_i and
    (c_A, τ²_A) the robust empirical null over the region's schools
    (``pupil_task_statistics``, ``GroupMeans.z_scores``); person-fit test: z_U likewise on
    U3poly residuals. p_A = P(Z ≥ z_A), p_U = P(Z ≥ z_U), p = min(1, 2·min(p_A, p_U))
    (Bonferroni). effect = mean excess advanced points as a share of the advanced maximum.
    Reported: d_j = q_sj − q_j per task, the WLS slope of d_j on q_j, the mean d over basic
    and over advanced tasks, and the basic tasks below the region (the 2017 signal
    «простые задания делают хуже, чем в среднем по региону, а сложные лучше»).

    Assumptions: given the total score, the split between basic and advanced points does
    not depend on the school beyond honest teaching differences (τ²).
    Minimum sample: n ≥ params.min_pupils; at least one basic and one advanced task for z_A.
    Source: Rosobrnadzor 2017 signal; Jacob & Levitt (2003) QJE 118(3), answer-pattern
    measure 4; PerFit U3poly (Emons 2008); methodology.md §1.2(g).
    """
    return _task_profile_table(
        np.atleast_2d(np.asarray(school_success, dtype=float)),
        np.asarray(region_success, dtype=float),
        np.asarray(task_max, dtype=float),
        np.asarray(task_level),
        task_labels,
        {
            "n": np.array([n]),
            "adv_mean": np.array([advanced_excess]),
            "z_adv": np.array([advanced_z]),
            "u3_mean_raw": np.array([u3_mean]),
            "z_u3": np.array([u3_z]),
        },
        u3_region_mean,
        [class_summaries or {key: [] for key in CLASS_COLUMNS}],
        params,
    ).result(0, params)


def _level_name(level: int) -> str:
    return "Б" if level == LEVEL_BASIC else "П" if level == 1 else "В"


def _weighted_share(success: np.ndarray, task_max: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Points-weighted success over the tasks in mask, for each row of ``success``."""
    if not mask.any():
        return np.zeros(success.shape[0])
    return (success[:, mask] @ task_max[mask]) / task_max[mask].sum()


def _task_profile_table(
    school_success: np.ndarray,
    region_success: np.ndarray,
    tmax: np.ndarray,
    level: np.ndarray,
    task_labels: tuple[str, ...] | None,
    z: dict[str, np.ndarray],
    u3_region_mean: float,
    classes: list[dict[str, list[Any]]],
    params: DecisionParams,
) -> SignTable:
    """Sign g for many schools: statistics as arrays, one column per number."""
    basic = level == LEVEL_BASIC
    has_profile = bool(basic.any() and (~basic).any())
    d = school_success - region_success[None, :]
    slope, slope_se = task_profile_regression(school_success, region_success, tmax)
    p_adv = stats.norm.sf(z["z_adv"])
    p_u3 = stats.norm.sf(z["z_u3"])
    p = np.minimum(1.0, 2 * np.minimum(p_adv, p_u3)) if has_profile else p_u3
    adv_max = float(tmax[~basic].sum())
    effect = z["adv_mean"] / adv_max if adv_max > 0 else np.zeros_like(z["adv_mean"])
    labels = list(task_labels) if task_labels else [str(i + 1) for i in range(tmax.size)]
    static = {
        "tasks": labels,
        "levels": [_level_name(int(lv)) for lv in level],
        "region_success": np.round(region_success, 4).tolist(),
    }
    region_row = region_success[None, :]
    region_basic = float(_weighted_share(region_row, tmax, basic)[0])
    region_adv = float(_weighted_share(region_row, tmax, ~basic)[0])
    rows = {
        "n": z["n"].astype(int).tolist(),
        "school_success": np.round(school_success, 4).tolist(),
        "difference": np.round(d, 4).tolist(),
        "easy_below": (basic[None, :] & (d < 0)).tolist(),
        "basic_share": _weighted_share(school_success, tmax, basic).tolist(),
        "adv_share": _weighted_share(school_success, tmax, ~basic).tolist(),
        "basic_adv": np.round(_weighted_share(d, tmax, basic), 4).tolist(),
        "adv_adv": np.round(_weighted_share(d, tmax, ~basic), 4).tolist(),
        "adv_mean": np.round(z["adv_mean"], 4).tolist(),
        "effect": effect.tolist(),
        "effect_rounded": np.round(effect, 4).tolist(),
        "z_adv": np.round(z["z_adv"], 4).tolist(),
        "p_adv": p_adv.tolist(),
        "u3_mean": _rounded_or_none(z["u3_mean_raw"]),
        "z_u3": np.round(z["z_u3"], 4).tolist(),
        "p_u3": p_u3.tolist(),
        "p": p.tolist(),
        "slope": _rounded_or_none(slope),
        "slope_se": _rounded_or_none(slope_se),
        "classes": classes,
    }
    rows["material"] = [e > 0 or z > 0 for e, z in zip(rows["effect"], rows["z_u3"], strict=True)]
    # NaN as None: the table goes through JSON, which has no NaN.
    u3_region = None if u3_region_mean != u3_region_mean else u3_region_mean
    shared = (static, region_basic, region_adv, has_profile, u3_region)
    return SignTable(
        SIGN_TASK_PROFILE,
        "g.task_profile",
        rows,
        shared,
        {"n": "n", "p": "p", "effect": "effect", "material": "material"},
    )


@register_builder("g.task_profile")
def _task_profile_row_result(row: dict[str, Any], shared, params: DecisionParams) -> SignResult:
    return _task_profile_result(row, row["classes"], shared, params)


def _rounded_or_none(values: np.ndarray, digits: int = 4) -> list[float | None]:
    """Rounded floats with NaN as None (JSON has no NaN)."""
    rounded = np.round(np.asarray(values, dtype=float), digits)
    if np.isfinite(rounded).all():
        return rounded.tolist()
    return [x if x == x else None for x in rounded.tolist()]


def _task_profile_result(
    row: dict[str, Any],
    class_summaries: dict[str, list[Any]],
    shared: tuple[dict[str, Any], float, float, bool, float],
    params: DecisionParams,
) -> SignResult:
    static, region_basic, region_adv, has_profile, u3_region_mean = shared
    n = row["n"]
    evidence: dict[str, Any] = {
        "n": n,
        "tasks": list(static["tasks"]),
        "levels": list(static["levels"]),
        "region_success": list(static["region_success"]),
        "school_success": row["school_success"],
        "difference": row["difference"],
    }
    if n < params.min_pupils:
        evidence["summary_ru"] = (
            f"В работе {pupils_ru(n)}: профиль заданий оценивается при {params.min_pupils} и более."
        )
        return not_applicable(SIGN_TASK_PROFILE, REASON_TOO_FEW, evidence)
    labels = static["tasks"]
    easy_below = [labels[i] for i, flag in enumerate(row["easy_below"]) if flag]
    summary = (
        f"Задания повышенного уровня выполнены на {percent_ru(row['adv_share'])} "
        f"(регион {percent_ru(region_adv)}), базового — на {percent_ru(row['basic_share'])} "
        f"(регион {percent_ru(region_basic)}). За сложные задания участники школы в среднем "
        f"получили на {decimal_ru(abs(row['adv_mean']))} балла "
        f"{'больше' if row['adv_mean'] >= 0 else 'меньше'}, чем участники региона с тем же "
        "общим баллом."
    )
    if easy_below:
        summary += f" Ниже региона выполнены базовые задания № {', '.join(easy_below)}."
    effect = row["effect"]
    u3_region = None if u3_region_mean is None else round(u3_region_mean, 4)
    evidence.update(
        {
            "advanced_excess_points": row["adv_mean"],
            "advanced_excess_share": row["effect_rounded"],
            "z_profile": row["z_adv"],
            "p_profile": row["p_adv"] if has_profile else None,
            "u3_statistic": "U3poly",
            "u3_mean": row["u3_mean"],
            "u3_region_mean": u3_region,
            "z_person_fit": row["z_u3"],
            "p_person_fit": row["p_u3"],
            "slope": row["slope"],
            "slope_se": row["slope_se"],
            "basic_advantage": row["basic_adv"],
            "advanced_advantage": row["adv_adv"],
            "basic_tasks_below_region": easy_below,
            "classes": class_summaries,
            "effect_is_material": row["material"],
            "summary_ru": summary,
        }
    )
    p = row["p"]
    return SignResult(
        SIGN_TASK_PROFILE, True, None, effect, p, strength_from_p(p, params.strength_cap), evidence
    )


def task_profile_for_schools(
    school_idx: np.ndarray,
    class_idx: np.ndarray,
    task_scores: np.ndarray,
    task_max: np.ndarray,
    task_level: np.ndarray,
    n_schools: int,
    params: DecisionParams = DEFAULT_PARAMS,
    task_labels: tuple[str, ...] | None = None,
) -> list[SignResult]:
    """Sign g for every school of a region (the task matrix is the regional reference)."""
    return task_profile_table(
        school_idx, class_idx, task_scores, task_max, task_level, n_schools, params, task_labels
    ).results(params)


def task_profile_table(
    school_idx: np.ndarray,
    class_idx: np.ndarray,
    task_scores: np.ndarray,
    task_max: np.ndarray,
    task_level: np.ndarray,
    n_schools: int,
    params: DecisionParams = DEFAULT_PARAMS,
    task_labels: tuple[str, ...] | None = None,
    reference: dict[str, Any] | None = None,
) -> SignTable:
    """Sign g for every school of a region as a ``SignTable``.

    Without ``reference`` the pupils are the region (see ``task_profile_reference``);
    with one frozen at a full evaluation, the given schools are compared with that region.
    """
    return task_profile_table_and_reference(
        school_idx, class_idx, task_scores, task_max, task_level, n_schools, params,
        task_labels, reference,
    )[0]  # fmt: skip


def task_profile_table_and_reference(
    school_idx: np.ndarray,
    class_idx: np.ndarray,
    task_scores: np.ndarray,
    task_max: np.ndarray,
    task_level: np.ndarray,
    n_schools: int,
    params: DecisionParams = DEFAULT_PARAMS,
    task_labels: tuple[str, ...] | None = None,
    reference: dict[str, Any] | None = None,
) -> tuple[SignTable, dict[str, Any]]:
    """``task_profile_table`` and the reference it used: fitted on these pupils when none
    is given. The reference: the step probabilities of U3poly, the conditional means and
    variances of both pupil statistics, the robust nulls of the school and class means,
    the region's success per task and its mean U3poly."""
    school = np.asarray(school_idx)
    classes_of = np.asarray(class_idx)
    tmax = np.asarray(task_max, dtype=float)
    pupil = _pupil_statistics(task_columns(task_scores), task_max, task_level, reference)
    n_pupils = pupil["total"].size
    by_school = GroupMeans.from_pupils(school, pupil, n_schools)
    n_classes = int(classes_of.max()) + 1 if classes_of.size else 0
    by_class = GroupMeans.from_pupils(classes_of, pupil, n_classes)
    task_sums = _task_sums_by_school(school, pupil["columns"], n_schools)
    if reference is None:
        reference = {
            **pupil["reference"],
            "school_null": by_school.null(params.min_pupils),
            "class_null": by_class.null(params.min_pupils_class),
            "region_success": task_sums.sum(axis=0) / (max(n_pupils, 1) * tmax),
            "u3_region": float(np.nanmean(pupil["u3"])) if n_pupils else None,
        }
    z = by_school.z_scores(params.min_pupils, reference["school_null"])
    z["n"] = by_school.n
    school_success = task_sums / (np.maximum(by_school.n, 1)[:, None] * tmax[None, :])
    by_class_summaries = _class_summaries(
        school, classes_of, by_class.z_scores(params.min_pupils_class, reference["class_null"]),
        by_class.n, params,
    )  # fmt: skip
    classes = [
        by_class_summaries.get(s) or {key: [] for key in CLASS_COLUMNS} for s in range(n_schools)
    ]
    u3_region = reference["u3_region"]
    table = _task_profile_table(
        school_success,
        np.asarray(reference["region_success"], dtype=float),
        tmax,
        np.asarray(task_level),
        task_labels,
        z,
        float("nan") if u3_region is None else float(u3_region),
        classes,
        params,
    )
    return table, reference


def _task_sums_by_school(school: np.ndarray, columns: np.ndarray, n_schools: int) -> np.ndarray:
    """Points per school and task [n_schools × n_tasks].

    Rows sorted by school (as a selector ordering by school delivers them) are summed with
    one ``np.add.reduceat`` pass; otherwise one weighted bincount per task.
    """
    if school.size and bool(np.all(school[1:] >= school[:-1])):
        starts = np.searchsorted(school, np.arange(n_schools))
        present = np.bincount(school, minlength=n_schools) > 0
        sums = np.zeros((columns.shape[0], n_schools))
        if present.any():
            reduced = np.add.reduceat(columns, starts[present], axis=1, dtype=np.int64)
            sums[:, present] = reduced
        return sums.T
    return np.stack(
        [np.bincount(school, weights=col, minlength=n_schools) for col in columns], axis=1
    )


def _class_summaries(
    school: np.ndarray,
    class_idx: np.ndarray,
    z: dict[str, np.ndarray],
    class_n: np.ndarray,
    params: DecisionParams,
) -> dict[int, dict[str, list[Any]]]:
    """Per school, its classes with ≥ params.min_pupils_class pupils as columns: class
    index, n, mean U3poly, z of the person-fit and of the advanced-excess statistic."""
    n_classes = class_n.size
    class_school = np.full(n_classes, -1, dtype=np.int64)
    class_school[class_idx] = school
    keep = np.nonzero(class_n >= params.min_pupils_class)[0]
    keep = keep[np.argsort(class_school[keep], kind="stable")]
    owners = class_school[keep]
    columns = {
        "class": keep.tolist(),
        "n": class_n[keep].astype(int).tolist(),
        "u3_mean": np.round(z["u3_mean_raw"][keep], 4).tolist(),
        "z_person_fit": np.round(z["z_u3"][keep], 4).tolist(),
        "z_profile": np.round(z["z_adv"][keep], 4).tolist(),
    }
    out: dict[int, dict[str, list[Any]]] = {}
    bounds = np.flatnonzero(np.diff(owners)) + 1
    for lo, hi in zip(
        np.concatenate([[0], bounds]).tolist(),
        np.concatenate([bounds, [owners.size]]).tolist(),
        strict=True,
    ):
        if hi > lo:
            out[int(owners[lo])] = {key: values[lo:hi] for key, values in columns.items()}
    return out
