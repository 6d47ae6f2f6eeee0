"""Polytomous person-fit statistics U3poly and Gnormed.poly, as defined in R package PerFit.

Both work on "item step" indicators (ISD): a task scored x out of M_j is the step vector
(1,…,1,0,…,0) with x ones. Step m of task j is passed by a proportion p_jm = P(X_j ≥ m) of
the reference group (PerFit: ``colMeans(matrix >= m)`` over the data matrix itself; here
the reference is the whole region, so each pupil is compared with all the region's pupils).

PerFit requires one number of categories for all items (``Ncat``). VPR tasks have different
maxima, so a task here has only its own M_j steps; with equal maxima the result is exactly
PerFit's. (Padding short tasks with never-passed steps, as PerFit would need, adds
uninformative zero-logit steps and changes the normalisation.)

Sources: Tendeiro, Meijer & Niessen (2016), "PerFit: An R package for person-fit analysis in
IRT", J. Stat. Softw. 74(5); formulas from cran/PerFit R/U3poly.R and R/Gnormedpoly.R
(Emons 2008 for the polytomous U3 and G).
"""

from __future__ import annotations

import numpy as np


def task_columns(task_scores: np.ndarray) -> np.ndarray:
    """The score matrix as contiguous task columns [n_tasks × n_rows] (fast per-task work)."""
    return np.ascontiguousarray(np.asarray(task_scores).T)


def step_probabilities(task_scores: np.ndarray, task_max: np.ndarray) -> list[np.ndarray]:
    """p_jm = share of rows with X_j ≥ m, for m = 1..M_j; one array per task."""
    return step_probabilities_of_columns(task_columns(task_scores), task_max)


def step_probabilities_of_columns(columns: np.ndarray, task_max: np.ndarray) -> list[np.ndarray]:
    """``step_probabilities`` of task scores already laid out as columns (one row per task)."""
    n = max(columns.shape[1], 1)
    out = []
    for j, m_max in enumerate(np.asarray(task_max, dtype=int)):
        counts = np.bincount(columns[j], minlength=m_max + 1)[: m_max + 1]
        at_least = np.cumsum(counts[::-1])[::-1]  # at_least[m] = #(X ≥ m)
        out.append(at_least[1:] / n)
    return out


def _step_logits(probs: list[np.ndarray]) -> list[np.ndarray]:
    """log(p/(1−p)); infinite values (p = 0 or 1) set to 0 as PerFit does."""
    out = []
    for p in probs:
        with np.errstate(divide="ignore"):
            logit = np.log(p) - np.log1p(-p)
        logit[~np.isfinite(logit)] = 0.0
        out.append(logit)
    return out


def _step_ranks(probs: list[np.ndarray]) -> list[np.ndarray]:
    """Position 1..S of each step when all steps are sorted by decreasing p (stable)."""
    flat = np.concatenate(probs)
    order = np.argsort(-flat, kind="stable")
    ranks = np.empty(flat.size)
    ranks[order] = np.arange(1, flat.size + 1)
    return np.split(ranks, np.cumsum([p.size for p in probs])[:-1])


def _cumulative_tables(values: list[np.ndarray]) -> np.ndarray:
    """Padded table T[j, x] = Σ_{m ≤ x} values_j[m], T[j, 0] = 0; x beyond M_j unused."""
    width = max(v.size for v in values) + 1
    table = np.zeros((len(values), width))
    for j, v in enumerate(values):
        table[j, 1 : v.size + 1] = np.cumsum(v)
        table[j, v.size + 1 :] = np.nan
    return table


def _convolve_extreme(values: list[np.ndarray], use_max: bool) -> np.ndarray:
    """min- (or max-) plus convolution of the cumulative step sums over tasks.

    Result[t] = extreme over score vectors (x_j) with Σ x_j = t of Σ_j cum_j[x_j]: the
    lowest (highest) value a Guttman-consistent-within-task response with total t can get.
    """
    pick = np.fmax if use_max else np.fmin
    total = np.array([0.0])
    for v in values:
        cum = np.concatenate([[0.0], np.cumsum(v)])
        out = np.full(total.size + cum.size - 1, np.nan)
        for x, c in enumerate(cum):
            out[x : x + total.size] = pick(out[x : x + total.size], total + c)
        total = out
    return total


def _gather_sum(table: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Σ_j table[j, X_ij] for every row, one task column at a time to keep memory small."""
    out = np.zeros(columns.shape[1])
    for j in range(columns.shape[0]):
        out += table[j][columns[j]]
    return out


def u3poly(
    task_scores: np.ndarray,
    task_max: np.ndarray,
    probabilities: list[np.ndarray] | None = None,
) -> np.ndarray:
    """U3poly per row (pupil); 0 = Guttman-consistent, 1 = fully reversed.

    Formula (PerFit U3poly). With step logits l_jm = ln(p_jm/(1−p_jm)) (±∞ → 0), the pupil's
    weighted score W = Σ_j Σ_{m ≤ x_j} l_jm and total NC = Σ_j x_j:
      maxW(NC) = sum of the NC largest l_jm over all steps (steps sorted, no constraint),
      minW(NC) = min over score vectors with total NC of Σ_j Σ_{m ≤ x_j} l_jm
                 (steps of a task taken in order),
      U3 = (maxW(NC) − W) / (maxW(NC) − minW(NC)),
    with the denominator set to 1 at NC = 0 and NC = max (no Guttman errors possible).
    A zero denominator elsewhere gives NaN (PerFit returns NA).

    probabilities: p_jm per task from a reference group; default: from ``task_scores``.
    Minimum sample: two tasks; the probabilities need a reference group (the region).
    """
    return u3poly_of_columns(task_columns(task_scores), task_max, probabilities)


def u3poly_of_columns(
    columns: np.ndarray, task_max: np.ndarray, probabilities: list[np.ndarray] | None = None
) -> np.ndarray:
    """``u3poly`` on the transposed matrix from ``task_columns`` (no extra copy)."""
    task_max = np.asarray(task_max, dtype=int)
    probs = (
        step_probabilities_of_columns(columns, task_max) if probabilities is None else probabilities
    )
    logits = _step_logits(probs)
    w = _gather_sum(np.nan_to_num(_cumulative_tables(logits)), columns)
    all_sorted = np.sort(np.concatenate(logits))[::-1]
    max_w = np.concatenate([[0.0], np.cumsum(all_sorted)])
    min_w = _convolve_extreme(logits, use_max=False)
    den = max_w - min_w
    den[0] = 1.0
    den[-1] = 1.0
    nc = columns.sum(axis=0, dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        result = (max_w[nc] - w) / den[nc]
    result[~np.isfinite(result)] = np.nan
    return result


def gnormed_poly(
    task_scores: np.ndarray,
    task_max: np.ndarray,
    probabilities: list[np.ndarray] | None = None,
) -> np.ndarray:
    """Gnormed.poly per row: Guttman errors over their maximum for the row's total score.

    Formula (PerFit Gnormed.poly). Order all steps by decreasing p_jm (ties keep task-then-
    step order, as R's stable ``order``); r_jm = the step's position 1..S in that order. A
    Guttman error is a pair (failed easier step, passed harder step). With the passed
    steps at positions r_1 < … < r_NC the count is G = Σ_k r_k − NC(NC+1)/2. The maximum for
    total NC is maxG(NC) = max over score vectors with total NC of Σ_j Σ_{m ≤ x_j} r_jm −
    NC(NC+1)/2 (steps of a task in order), set to 1 at NC = 0 and NC = max.
    Gnormed.poly = G / maxG(NC); 0 = perfect Guttman pattern, 1 = most reversed.

    probabilities: p_jm per task from a reference group; default: from ``task_scores``.
    """
    columns = task_columns(task_scores)
    task_max = np.asarray(task_max, dtype=int)
    probs = (
        step_probabilities_of_columns(columns, task_max) if probabilities is None else probabilities
    )
    per_task = _step_ranks(probs)
    nc = columns.sum(axis=0, dtype=np.int64)
    g = _gather_sum(np.nan_to_num(_cumulative_tables(per_task)), columns) - nc * (nc + 1) / 2
    totals = np.arange(sum(r.size for r in per_task) + 1)
    max_g = _convolve_extreme(per_task, use_max=True) - totals * (totals + 1) / 2
    max_g[0] = 1.0
    max_g[-1] = 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        result = g / max_g[nc]
    result[~np.isfinite(result)] = np.nan
    return result


def guttman_errors_poly(
    task_scores: np.ndarray,
    task_max: np.ndarray,
    probabilities: list[np.ndarray] | None = None,
) -> np.ndarray:
    """Gpoly per row: the raw number of Guttman errors (numerator of Gnormed.poly)."""
    columns = task_columns(task_scores)
    task_max = np.asarray(task_max, dtype=int)
    probs = (
        step_probabilities_of_columns(columns, task_max) if probabilities is None else probabilities
    )
    per_task = _step_ranks(probs)
    nc = columns.sum(axis=0, dtype=np.int64)
    return _gather_sum(np.nan_to_num(_cumulative_tables(per_task)), columns) - nc * (nc + 1) / 2
