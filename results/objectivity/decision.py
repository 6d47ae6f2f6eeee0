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

from collections.abc import Sequence

import numpy as np

from .datatypes import (
    DEFAULT_PARAMS,
    SIGN_HIGH_RESULTS,
    SIGN_SCALE_MISMATCH,
    DecisionParams,
    SchoolTestDecision,
    SchoolTestResult,
)
from .stats import benjamini_hochberg, bh_adjusted


def decide_year(
    results: Sequence[SchoolTestResult], params: DecisionParams = DEFAULT_PARAMS
) -> list[SchoolTestDecision]:
    """Apply the decision rule to all school × test results of a year (see module doc)."""
    keys: list[tuple[int, str]] = []
    p_values: list[float] = []
    for i, result in enumerate(results):
        for letter, sign in result.signs.items():
            if sign.applicable and sign.p_value is not None and np.isfinite(sign.p_value):
                keys.append((i, letter))
                p_values.append(float(sign.p_value))
    p = np.asarray(p_values, dtype=float)
    rejected = benjamini_hochberg(p, params.fdr_level) if p.size else np.zeros(0, dtype=bool)
    adjusted = bh_adjusted(p) if p.size else np.zeros(0)
    per_result: list[dict[str, tuple[float, bool]]] = [{} for _ in results]
    for (i, letter), q, rej in zip(keys, adjusted, rejected, strict=True):
        per_result[i][letter] = (float(q), bool(rej))
    h_strength = float(-np.log10(params.fdr_level))
    decisions = []
    for i, result in enumerate(results):
        surviving = []
        strength = 0.0
        for letter in sorted(result.signs):
            sign = result.signs[letter]
            material = bool(sign.evidence.get("effect_is_material", True))
            if letter == SIGN_SCALE_MISMATCH or sign.p_value is None:
                if sign.applicable and material and letter == SIGN_SCALE_MISMATCH:
                    surviving.append(letter)
                    strength += h_strength
                continue
            q, rej = per_result[i].get(letter, (float("nan"), False))
            if rej and material:
                surviving.append(letter)
                strength += min(params.strength_cap, -np.log10(max(q, 1e-300)))
        annotations: list[str] = []
        counted = list(surviving)
        selective_rule = result.is_selective and not params.selective_flag_by_a_alone
        if selective_rule and counted == [SIGN_HIGH_RESULTS]:
            counted = []
            annotations.append("selective_a_only")
        flagged = bool(counted)
        decisions.append(
            SchoolTestDecision(
                test_key=result.test_key,
                school_idx=result.school_idx,
                n_pupils=result.n_pupils,
                flagged=flagged,
                strength=round(float(strength), 4) if flagged else 0.0,
                surviving=tuple(counted),
                q_values={letter: q for letter, (q, _) in per_result[i].items()},
                annotations=tuple(annotations),
            )
        )
    return decisions
