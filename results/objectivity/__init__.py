"""Signs of non-objective VPR results: pure statistics over numpy arrays (no Django).

Typical use by the service layer::

    arrays = TestArrays(...)                      # one test across the region, from the DB
    results = evaluate_test(arrays, params)       # signs a, b, c, g, h (+ f) per school
    results = attach_signs(results, {school: [cohort_sign, recheck_sign]})  # d, e
    decisions = decide_year(all_results_of_the_year, params)  # BH + the decision rule

Every sign function returns a ``SignResult`` whose ``evidence`` is JSON-serialisable and
carries ``summary_ru`` (plain Russian, «признаки», never a verdict) and chart data.
"""

from .batch import attach_signs, evaluate_test, school_aggregates, validate_arrays
from .bunching import (
    bunching_at_cut_scores,
    bunching_for_schools,
    cut_windows,
    debunched_reference_pmf,
    pooled_bunching,
    school_counterfactuals,
)
from .cohort import cohort_drop, independence_tail
from .datatypes import (
    ALL_SIGNS,
    LEVEL_ADVANCED,
    LEVEL_BASIC,
    LEVEL_HIGH,
    REASON_TOO_FEW,
    DecisionParams,
    SchoolTestDecision,
    SchoolTestResult,
    SignResult,
    TestArrays,
)
from .decision import decide_year
from .mark_signs import (
    anomalously_high_results,
    expected_marks,
    high_results_for_schools,
    journal_agreement_for_schools,
    journal_crosstab,
    journal_mark_agreement,
    marks_outside_scale,
    scale_mismatch_for_schools,
)
from .observer_effect import class_means, observer_effect, observer_effect_for_schools
from .person_fit import gnormed_poly, guttman_errors_poly, step_probabilities, u3poly
from .recheck import recheck_discrepancy, recheck_for_schools
from .stats import (
    benjamini_hochberg,
    betabinomial_tail_at_least,
    bh_adjusted,
    binomial_tail_at_least,
    fit_beta_prior,
    percentile_ranks,
    robust_null,
    sum_of_binomials_tail,
)
from .task_profile import (
    inverted_task_profile,
    pupil_task_statistics,
    task_profile_for_schools,
    task_profile_regression,
)

__all__ = [
    "ALL_SIGNS",
    "LEVEL_ADVANCED",
    "LEVEL_BASIC",
    "LEVEL_HIGH",
    "REASON_TOO_FEW",
    "DecisionParams",
    "SchoolTestDecision",
    "SchoolTestResult",
    "SignResult",
    "TestArrays",
    "anomalously_high_results",
    "attach_signs",
    "benjamini_hochberg",
    "betabinomial_tail_at_least",
    "bh_adjusted",
    "binomial_tail_at_least",
    "bunching_at_cut_scores",
    "bunching_for_schools",
    "class_means",
    "cohort_drop",
    "cut_windows",
    "debunched_reference_pmf",
    "decide_year",
    "evaluate_test",
    "expected_marks",
    "fit_beta_prior",
    "gnormed_poly",
    "guttman_errors_poly",
    "high_results_for_schools",
    "independence_tail",
    "inverted_task_profile",
    "journal_agreement_for_schools",
    "journal_crosstab",
    "journal_mark_agreement",
    "marks_outside_scale",
    "observer_effect",
    "observer_effect_for_schools",
    "percentile_ranks",
    "pooled_bunching",
    "pupil_task_statistics",
    "recheck_discrepancy",
    "recheck_for_schools",
    "robust_null",
    "scale_mismatch_for_schools",
    "school_aggregates",
    "school_counterfactuals",
    "step_probabilities",
    "sum_of_binomials_tail",
    "task_profile_for_schools",
    "task_profile_regression",
    "u3poly",
    "validate_arrays",
]
