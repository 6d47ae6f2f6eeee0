"""Signs of non-objective VPR results: pure statistics over numpy arrays (no Django).

Typical use by the service layer::

    arrays = TestArrays(...)                      # one test across the region, from the DB
    results = evaluate_test(arrays, params)       # signs a, b, c, g, h (+ f) per school
    results = attach_signs(results, {school: [cohort_sign, recheck_sign]})  # d, e
    decisions = decide_year(all_results_of_the_year, params)  # BH + the decision rule

Every sign returns a ``SignResult(sign, applicable, reason, effect, p_value, score,
evidence)``. ``evidence`` is JSON-serialisable (treat it as read-only); every applicable
sign has ``summary_ru`` (plain Russian, «признаки», never a verdict) and
``effect_is_material`` (the sign's practical-size check used by ``decide_year``).

Evidence keys per sign (for the card texts and charts):
  a  n, n_high, marks, mark_counts, region_mark_shares, region_share_high, is_selective,
     annotation (lyceums/gymnasiums), share_high, shrunk_share_high, expected_high,
     prior_alpha, prior_beta, p_binomial, p_betabinomial, mean_pct_of_max,
     region_mean_pct_of_max, percentile_share_high, percentile_mean_pct.
  b  n_with_journal, marks, crosstab (journal 2..5 × VPR 2..5), lowered, confirmed, raised,
     gap2, share_*, region_share_*, expected_lowered/confirmed/raised, high_results,
     p_raised, p_confirmed, p_raised_binomial, p_confirmed_binomial, driver,
     prior_raised, prior_confirmed.
  c  n, histogram (counts 0..max), expected (counterfactual counts 0..max), cut_scores,
     window, per_cut [{cut, mark, below_from, above_to, below, at_or_above,
     expected_below, expected_at_or_above, pi, p, missing_below}], below_total,
     at_or_above_total, expected_at_or_above_total, missing_below_total,
     expected_below_total, bunching_share.
  d  n_grade4, n_grade5_next, mean_grade4, mean_grade5_next, rank_grade4,
     rank_grade5_next, score, z, p_independence.
  e  n_works, n_school_higher, n_school_lower, n_equal, n_mark_lowered, delta_counts,
     mean_delta, share_mark_lowered, p_sign_test.
  f  n_classes, n_observed, mean_observed, mean_unobserved, classes [{class, mean,
     observed, n}], beta, se, t, df, n_classes_used, n_schools_used, p.
  g  n, tasks, levels (Б/П/В), region_success, school_success, difference (per task),
     advanced_excess_points, advanced_excess_share, z_profile, p_profile, u3_statistic,
     u3_mean, u3_region_mean, z_person_fit, p_person_fit, slope, slope_se,
     basic_advantage, advanced_advantage, basic_tasks_below_region,
     classes {class, n, u3_mean, z_person_fit, z_profile} (columns).
  h  n_checked, n_mismatch, only_above, cut_scores, rows [{row, primary_score, mark,
     expected_mark}] (≤ 100), rows_truncated.
"""

from .batch import (
    TestEvaluation,
    attach_signs,
    evaluate_test,
    evaluate_test_tables,
    school_aggregates,
    validate_arrays,
)
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
from .decision import decide_tested, decide_year
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
from .tables import SignNumbers, SignTable
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
    "SignNumbers",
    "SignResult",
    "SignTable",
    "TestArrays",
    "TestEvaluation",
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
    "decide_tested",
    "decide_year",
    "evaluate_test",
    "evaluate_test_tables",
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
