"""Vectorised entry point: all per-test signs for every school of a region at once.

``evaluate_test`` aggregates the pupil arrays with ``np.bincount`` over combined keys
(school × mark, school × score, school × journal × mark, …), computes every p-value for all
schools in one scipy call per statistic, and only then loops over schools to assemble the
``SignResult`` objects. No Python loop touches pupils.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .bunching import bunching_reference, bunching_table
from .datatypes import (
    DEFAULT_PARAMS,
    DecisionParams,
    SchoolTestResult,
    SignResult,
    TestArrays,
    gc_paused,
)
from .mark_signs import (
    high_results_peers,
    high_results_reference,
    high_results_table,
    journal_agreement_table,
    journal_reference,
    scale_mismatch_for_schools,
)
from .observer_effect import observer_effect_for_schools
from .references import TestReference
from .tables import SignTable
from .task_profile import task_profile_table_and_reference


def validate_arrays(arrays: TestArrays) -> None:
    """Raise ValueError when the arrays cannot describe one test (shapes, ranges)."""
    n = arrays.n_pupils
    for name in ("class_idx", "primary_score", "mark", "journal_mark"):
        if getattr(arrays, name).shape != (n,):
            raise ValueError(f"{name} must have shape ({n},)")
    if arrays.task_scores.shape != (n, arrays.task_max.size):
        raise ValueError("task_scores must be [n_pupils × n_tasks]")
    if arrays.task_level.shape != arrays.task_max.shape:
        raise ValueError("task_level and task_max must have one entry per task")
    if n and (arrays.school_idx.min() < 0 or arrays.school_idx.max() >= arrays.n_schools):
        raise ValueError("school_idx out of range of school_is_selective")
    if n and (arrays.primary_score.min() < 0 or arrays.primary_score.max() > arrays.max_score):
        raise ValueError("primary_score outside 0..max_score")
    if n and (arrays.task_scores.min() < 0 or (arrays.task_scores > arrays.task_max).any()):
        raise ValueError("task_scores outside 0..task_max")
    if arrays.class_observed is not None and n and arrays.class_idx.max() >= arrays.n_classes:
        raise ValueError("class_idx out of range of class_observed")
    c3, c4, c5 = arrays.cut_scores
    if not 0 < c3 < c4 < c5 <= arrays.max_score:
        raise ValueError("cut scores must satisfy 0 < c3 < c4 < c5 <= max_score")


def school_aggregates(arrays: TestArrays) -> dict[str, np.ndarray]:
    """Per-school counts: pupils, marks 2..5, score histogram, journal × VPR crosstab."""
    s = arrays.school_idx.astype(np.int64)
    n_schools = arrays.n_schools
    bins = arrays.max_score + 1
    mark = arrays.mark.astype(np.int64)
    valid_mark = (mark >= 2) & (mark <= 5)
    mark_counts = np.bincount(
        s[valid_mark] * 4 + (mark[valid_mark] - 2), minlength=n_schools * 4
    ).reshape(n_schools, 4)
    hist = np.bincount(
        s * bins + arrays.primary_score.astype(np.int64), minlength=n_schools * bins
    ).reshape(n_schools, bins)
    journal = arrays.journal_mark.astype(np.int64)
    valid_j = valid_mark & (journal >= 2) & (journal <= 5)
    crosstab = np.bincount(
        s[valid_j] * 16 + (journal[valid_j] - 2) * 4 + (mark[valid_j] - 2),
        minlength=n_schools * 16,
    ).reshape(n_schools, 4, 4)
    n = np.bincount(s, minlength=n_schools)
    score_sum = np.bincount(s, weights=arrays.primary_score, minlength=n_schools)
    mean_pct = np.divide(score_sum, n * arrays.max_score, out=np.zeros(n_schools), where=n > 0)
    return {
        "n": n,
        "mark_counts": mark_counts,
        "histogram": hist,
        "crosstab": crosstab,
        "mean_pct_of_max": mean_pct,
    }


@dataclass(frozen=True)
class TestEvaluation:
    """Every school's signs of one test: the vectorised signs as ``SignTable`` (a school's
    evidence built when asked), the others (f, h) as lists of ``SignResult``."""

    test_key: str
    n_pupils: list[int]
    is_selective: list[bool]
    tables: dict[str, SignTable]
    eager: dict[str, list[SignResult]]
    #: What the schools were compared with (``TestReference``): fitted on these schools, or
    #: the frozen one the evaluation was given.
    reference: TestReference | None = None
    #: Sign a's entries of these schools among the percentiles' peers (``HIGH_PEER_KEYS``).
    peers: dict[str, list[Any]] | None = None

    @property
    def n_schools(self) -> int:
        return len(self.n_pupils)

    def results(self, params: DecisionParams) -> list[SchoolTestResult]:
        """Every school's signs in full, evidence included (what ``evaluate_test`` gives)."""
        built = {letter: table.results(params) for letter, table in self.tables.items()}
        return self._assemble({**built, **self.eager})

    def light_results(self, params: DecisionParams) -> list[SchoolTestResult]:
        """Every school's signs with the table signs' numbers only (what the decision reads)."""
        built = {letter: table.light_results(params) for letter, table in self.tables.items()}
        return self._assemble({**built, **self.eager})

    def _assemble(self, signs: dict[str, list[SignResult]]) -> list[SchoolTestResult]:
        letters = sorted(signs)
        columns = [signs[letter] for letter in letters]
        return [
            SchoolTestResult(
                test_key=self.test_key,
                school_idx=s,
                n_pupils=n,
                is_selective=selective,
                signs=dict(zip(letters, values, strict=True)),
            )
            for s, (n, selective, *values) in enumerate(
                zip(self.n_pupils, self.is_selective, *columns, strict=True)
            )
        ]


def evaluate_test(
    arrays: TestArrays, params: DecisionParams = DEFAULT_PARAMS
) -> list[SchoolTestResult]:
    """Signs a, b, c, g, h (and f when ``class_observed`` is given) for every school.

    Returns one ``SchoolTestResult`` per school index 0..n_schools−1 (schools without
    pupils get not-applicable signs). Signs d and e need other data (the next year's
    grade 5; the re-check table): compute them with ``cohort_drop`` / ``recheck_for_schools``
    and merge with ``attach_signs`` before ``decide_year``.
    """
    evaluation = evaluate_test_tables(arrays, params)
    with gc_paused():
        return evaluation.results(params)


def evaluate_test_tables(
    arrays: TestArrays,
    params: DecisionParams = DEFAULT_PARAMS,
    reference: TestReference | None = None,
    replaced: np.ndarray | None = None,
) -> TestEvaluation:
    """The same signs as ``evaluate_test``, with a, b, c and g left as tables.

    Without ``reference`` the arrays are the whole region and the references are fitted on
    them (returned in ``TestEvaluation.reference``). With a ``reference`` frozen at such a
    full evaluation, the arrays may hold only some schools (say, one that uploaded again):
    each is compared with that region exactly as the full evaluation compared its schools,
    so a school whose data did not change gets the same numbers. ``replaced`` marks the
    reference's school positions these schools replace (sign a's percentiles are taken
    among the other schools of the reference and these).
    """
    validate_arrays(arrays)
    with gc_paused():
        return _evaluate_test(arrays, params, reference, replaced)


def _evaluate_test(
    arrays: TestArrays,
    params: DecisionParams,
    reference: TestReference | None = None,
    replaced: np.ndarray | None = None,
) -> TestEvaluation:
    agg = school_aggregates(arrays)
    n = agg["n"]
    marks = agg["mark_counts"]
    share_high = np.divide(
        marks[:, 2] + marks[:, 3],
        marks.sum(axis=1),
        out=np.zeros(arrays.n_schools),
        where=marks.sum(axis=1) > 0,
    )
    if reference is None:
        reference = TestReference(
            high=high_results_reference(marks, agg["mean_pct_of_max"], params),
            journal=journal_reference(
                agg["crosstab"],
                float((marks[:, 2] + marks[:, 3]).sum() / max(int(marks.sum()), 1)),
                params,
            ),
            bunching=bunching_reference(
                agg["histogram"], arrays.cut_scores, params, arrays.reference_histogram
            ),
            profile=None,
        )
        replaced = np.ones(arrays.n_schools, dtype=bool)
    tables: dict[str, SignTable] = {
        "a": high_results_table(
            marks,
            agg["mean_pct_of_max"],
            arrays.school_is_selective,
            params,
            reference=reference.high,
            replaced=replaced,
        ),
        "b": journal_agreement_table(
            agg["crosstab"],
            share_high,
            reference.journal["region_share_high"],
            params,
            reference=reference.journal,
        ),
    }
    tables["c"], _ = bunching_table(
        agg["histogram"], arrays.cut_scores, params, reference=reference.bunching
    )
    tables["g"], profile = task_profile_table_and_reference(
        arrays.school_idx,
        arrays.class_idx,
        arrays.task_scores,
        arrays.task_max,
        arrays.task_level,
        arrays.n_schools,
        params,
        arrays.task_labels,
        reference=reference.profile,
    )
    if reference.profile is None:
        reference = replace(reference, profile=profile)
    eager: dict[str, list[SignResult]] = {}
    if arrays.class_observed is not None:
        eager["f"] = observer_effect_for_schools(
            arrays.class_idx,
            arrays.school_idx,
            arrays.primary_score / arrays.max_score,
            arrays.class_observed,
            arrays.n_schools,
            params,
        )
    eager["h"] = scale_mismatch_for_schools(
        arrays.school_idx,
        arrays.primary_score,
        arrays.mark,
        arrays.cut_scores,
        arrays.n_schools,
        only_above=arrays.scale_has_task_conditions,
        params=params,
    )
    return TestEvaluation(
        test_key=arrays.test_key,
        n_pupils=n.astype(int).tolist(),
        is_selective=np.asarray(arrays.school_is_selective, dtype=bool).tolist(),
        tables=tables,
        eager=eager,
        reference=reference,
        peers={
            key: values.tolist()
            for key, values in high_results_peers(
                marks, agg["mean_pct_of_max"], reference.high, params
            ).items()
        },
    )


def attach_signs(
    results: Sequence[SchoolTestResult], extra: Mapping[int, Iterable[SignResult]]
) -> list[SchoolTestResult]:
    """Add signs computed elsewhere (d, e, f) to the results of one test, by school index."""
    out = []
    for result in results:
        added = {r.sign: r for r in extra.get(result.school_idx, ())}
        out.append(replace(result, signs={**result.signs, **added}) if added else result)
    return out
