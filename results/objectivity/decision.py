"""The decision rule: which school × test results have signs, and how strong they are.

Rule (levels in ``DecisionParams``, filled from settings/admin):
1. A sign is *tested* when it is applicable and has a p-value. Distribution signs are not
   applicable below ``min_pupils`` pupils («недостаточно данных»), so small schools are
   never flagged by them; small-school rates are shrunk toward the region inside the signs.
2. Benjamini–Hochberg at ``fdr_level`` over all tested p-values of the year (every school,
   test and sign passed in together): the expected share of false discoveries among all
   discoveries stays at or below the level.
3. A tested sign *survives* when BH rejects it and its effect is material (the sign's own
   practical-size check in ``evidence["effect_is_material"]``: e.g. bunching share ≥ 0.1,
   a above the regional P95). Sign h (marks the scale does not give) has no p-value: it
   survives when material (≥ ``min_scale_mismatches`` rows).
4. A school × test *has signs* when at least one sign survives; for lyceums and gymnasiums
   sign a alone does not count (the 2017 letter excludes them).
5. strength = Σ over surviving signs of min(cap, −log10 q), q the BH-adjusted p-value; h
   counts as −log10(fdr_level) per result. It orders the list; it is not a probability.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .datatypes import (
    DEFAULT_PARAMS,
    SIGN_HIGH_RESULTS,
    SIGN_SCALE_MISMATCH,
    DecisionParams,
    SchoolTestDecision,
    SchoolTestResult,
    gc_paused,
)
from .stats import benjamini_hochberg, bh_adjusted


def decide_year(
    results: Sequence[SchoolTestResult], params: DecisionParams = DEFAULT_PARAMS
) -> list[SchoolTestDecision]:
    """Apply the decision rule to all school × test results of a year (see module doc)."""
    with gc_paused():
        return _decide_year(results, params)


def _decide_year(
    results: Sequence[SchoolTestResult], params: DecisionParams
) -> list[SchoolTestDecision]:
    # One flat pass collects the tested p-values; `p == p` is False only for NaN.
    tested = [
        (i, letter, sign.p_value)
        for i, result in enumerate(results)
        for letter, sign in result.signs.items()
        if sign.applicable and sign.p_value is not None and sign.p_value == sign.p_value
    ]
    p = np.fromiter((t[2] for t in tested), dtype=float, count=len(tested))
    rejected = benjamini_hochberg(p, params.fdr_level).tolist()
    adjusted = bh_adjusted(p).tolist()
    q_values: list[dict[str, float]] = [{} for _ in results]
    survivors: list[list[str]] = [[] for _ in results]
    for (i, letter, _), q, rej in zip(tested, adjusted, rejected, strict=True):
        q_values[i][letter] = q
        if rej and results[i].signs[letter].evidence.get("effect_is_material", True):
            survivors[i].append(letter)
    h_strength = -math.log10(params.fdr_level)
    cap = params.strength_cap
    decisions = []
    for i, result in enumerate(results):
        surviving = survivors[i]
        h = result.signs.get(SIGN_SCALE_MISMATCH)
        if h is not None and h.applicable and h.evidence.get("effect_is_material", False):
            surviving.append(SIGN_SCALE_MISMATCH)
        surviving.sort()
        annotations: tuple[str, ...] = ()
        if (
            surviving == [SIGN_HIGH_RESULTS]
            and result.is_selective
            and not params.selective_flag_by_a_alone
        ):
            surviving = []
            annotations = ("selective_a_only",)
        strength = 0.0
        for letter in surviving:
            if letter == SIGN_SCALE_MISMATCH:
                strength += h_strength
            else:
                strength += min(cap, -math.log10(max(q_values[i][letter], 1e-300)))
        decisions.append(
            SchoolTestDecision(
                test_key=result.test_key,
                school_idx=result.school_idx,
                n_pupils=result.n_pupils,
                flagged=bool(surviving),
                strength=round(strength, 4),
                surviving=tuple(surviving),
                q_values=q_values[i],
                annotations=annotations,
            )
        )
    return decisions


def decide_tested(
    tested: Sequence[Mapping[str, Sequence[Any]]],
    is_selective: Sequence[bool],
    params: DecisionParams = DEFAULT_PARAMS,
) -> tuple[list[tuple[bool, float, tuple[str, ...], tuple[str, ...]]], np.ndarray, np.ndarray]:
    """The same rule as ``decide_year`` over the numbers it reads, without the results.

    ``tested[i]`` = {letter: [p or None, effect is material]} of result i's applicable
    signs (p None: not tested; sign h has no p and counts when material), as the service
    stores it per row. Returns per result (flagged, strength, surviving, annotations) and
    the year's tested p-values sorted with their q-values (the BH curve). One numpy pass
    over the p-values; Python touches only the few surviving signs.
    """
    entries = [
        (i, letter, value[0], value[1])
        for i, signs in enumerate(tested)
        for letter, value in signs.items()
    ]
    h_material = np.zeros(len(tested), dtype=bool)
    for i, letter, p, is_material in entries:
        if letter == SIGN_SCALE_MISMATCH and p is None and is_material:
            h_material[i] = True
    kept = [e for e in entries if e[2] is not None and e[2] == e[2]]  # p == p: not NaN
    owners = [e[0] for e in kept]
    letters = [e[1] for e in kept]
    p_list = [e[2] for e in kept]
    material = [bool(e[3]) for e in kept]
    p = np.asarray(p_list, dtype=float)
    rejected = benjamini_hochberg(p, params.fdr_level) if p.size else np.zeros(0, dtype=bool)
    adjusted = bh_adjusted(p) if p.size else np.zeros(0)
    surviving: dict[int, list[tuple[str, float]]] = {}
    for k in np.nonzero(rejected & np.asarray(material, dtype=bool))[0].tolist():
        surviving.setdefault(owners[k], []).append((letters[k], float(adjusted[k])))
    for i in np.nonzero(h_material)[0].tolist():
        surviving.setdefault(i, []).append((SIGN_SCALE_MISMATCH, float("nan")))
    h_strength = -math.log10(params.fdr_level)
    cap = params.strength_cap
    decisions: list[tuple[bool, float, tuple[str, ...], tuple[str, ...]]] = [
        (False, 0.0, (), ())
    ] * len(tested)
    for i, signs in surviving.items():
        signs.sort()
        names = [letter for letter, _ in signs]
        if (
            names == [SIGN_HIGH_RESULTS]
            and is_selective[i]
            and not params.selective_flag_by_a_alone
        ):
            decisions[i] = (False, 0.0, (), ("selective_a_only",))
            continue
        strength = 0.0
        for letter, q in signs:  # the same order and arithmetic as decide_year
            if letter == SIGN_SCALE_MISMATCH:
                strength += h_strength
            else:
                strength += min(cap, -math.log10(max(q, 1e-300)))
        decisions[i] = (True, round(strength, 4), tuple(names), ())
    order = np.argsort(p, kind="stable")
    return decisions, p[order], adjusted[order]
