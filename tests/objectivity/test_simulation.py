"""Seeded simulation: honest schools and each manipulation kind through the whole rule.

Three regions of 600 schools (about 45,000 pupils each) from ``synthetic.generate_region``:
76 % honest (among them lyceums and gymnasiums a standard deviation stronger, and schools
under 20 pupils) and 6 % each of the four manipulations, always with 40–150 pupils. Doses
(see ``RegionConfig``): 60 % of the pupils 1–2 points below a cut pushed to it; half of the
pupils given full marks on the advanced tasks; 80 % of the pupils whose VPR mark is below
the journal mark raised to it; the mixture at 0.6 of each dose.
"""

from dataclasses import dataclass

import numpy as np
import pytest

from results.objectivity import (
    DecisionParams,
    class_means,
    decide_year,
    evaluate_test,
    observer_effect,
    pooled_bunching,
)
from results.objectivity.batch import school_aggregates
from results.objectivity.bunching import bunching_for_schools
from results.objectivity.synthetic import (
    CUT_PUSH,
    HONEST,
    MANIPULATION_KINDS,
    RegionConfig,
    generate_region,
)

SEEDS = (101, 202, 303)


@dataclass
class Outcome:
    kind: np.ndarray
    n: np.ndarray
    selective: np.ndarray
    flagged: np.ndarray
    bunching_share: np.ndarray
    injected_share: np.ndarray


@pytest.fixture(scope="module")
def outcome() -> Outcome:
    parts = []
    for seed in SEEDS:
        region = generate_region(RegionConfig(n_schools=600, seed=seed))
        results = evaluate_test(region.arrays)
        decisions = decide_year(results)
        share = np.array(
            [r.signs["c"].effect if r.signs["c"].applicable else np.nan for r in results]
        )
        parts.append(
            (
                region.school_kind,
                np.array([r.n_pupils for r in results]),
                region.arrays.school_is_selective,
                np.array([d.flagged for d in decisions]),
                share,
                region.injected_bunching_share,
            )
        )
    return Outcome(*(np.concatenate(column) for column in zip(*parts, strict=True)))


@pytest.mark.parametrize("kind", MANIPULATION_KINDS)
def test_each_manipulation_is_found_in_at_least_80_percent_of_schools(outcome, kind):
    mine = outcome.kind == kind
    assert mine.sum() >= 100
    assert outcome.n[mine].min() >= 40
    assert outcome.flagged[mine].mean() >= 0.8


def test_at_most_2_percent_of_honest_schools_are_flagged(outcome):
    honest = outcome.kind == HONEST
    assert honest.sum() > 1300
    assert outcome.flagged[honest].mean() <= 0.02


def test_high_performing_lyceums_are_not_flagged(outcome):
    lyceums = (outcome.kind == HONEST) & outcome.selective
    assert lyceums.sum() >= 100
    assert outcome.flagged[lyceums].mean() <= 0.02


def test_schools_under_20_pupils_are_never_flagged(outcome):
    small = (outcome.kind == HONEST) & (outcome.n < 20)
    assert small.sum() >= 100
    assert not outcome.flagged[small].any()


def test_estimated_bunching_share_is_within_a_tenth_of_the_injected_one(outcome):
    pushed = outcome.kind == CUT_PUSH
    assert (
        abs(np.mean(outcome.bunching_share[pushed]) - np.mean(outcome.injected_share[pushed]))
        <= 0.1
    )


@pytest.mark.parametrize("dose", [0.3, 0.6])
def test_municipal_pooled_bunching_share_is_within_a_tenth(dose):
    config = RegionConfig(
        n_schools=300, manipulation_shares={CUT_PUSH: 0.3}, cut_push_share=dose, seed=7
    )
    region = generate_region(config)
    hists = school_aggregates(region.arrays)["histogram"]
    _, pmfs = bunching_for_schools(hists, region.arrays.cut_scores)
    pushed = region.school_kind == CUT_PUSH
    pooled = pooled_bunching(hists[pushed], pmfs[pushed], region.arrays.cut_scores)
    injected = region.bunching_pushed[pushed].sum() / region.bunching_eligible[pushed].sum()
    assert abs(pooled.effect - injected) <= 0.1
    assert abs(pooled.effect - dose) <= 0.1
    assert pooled.p_value < 1e-6
    honest = pooled_bunching(hists[~pushed], pmfs[~pushed], region.arrays.cut_scores)
    assert abs(honest.effect) <= 0.05


def test_the_generator_is_seeded():
    a = generate_region(RegionConfig(n_schools=50, seed=9)).arrays
    b = generate_region(RegionConfig(n_schools=50, seed=9)).arrays
    assert np.array_equal(a.task_scores, b.task_scores)
    assert np.array_equal(a.journal_mark, b.journal_mark)


def test_a_stricter_fdr_level_flags_fewer_schools():
    region = generate_region(RegionConfig(n_schools=200, seed=11))
    results = evaluate_test(region.arrays)
    loose = sum(d.flagged for d in decide_year(results, DecisionParams(fdr_level=0.2)))
    strict = sum(d.flagged for d in decide_year(results, DecisionParams(fdr_level=0.001)))
    assert strict <= loose


def test_observed_classes_reveal_the_inflation_at_region_level():
    # Manipulating schools inflate only their unobserved classes (the generator skips
    # observed ones), so the school fixed-effects β is negative; without manipulation it is
    # indistinguishable from zero.
    def region_beta(shares: dict[str, float]) -> tuple[float, float]:
        config = RegionConfig(
            n_schools=300, observed_class_share=0.4, manipulation_shares=shares, seed=21
        )
        arrays = generate_region(config).arrays
        means, sizes, school = class_means(
            arrays.class_idx,
            arrays.school_idx,
            arrays.primary_score / arrays.max_score,
            arrays.n_classes,
        )
        result = observer_effect(means, arrays.class_observed, school, sizes)
        return result.effect, result.p_value

    beta, p = region_beta(dict.fromkeys(MANIPULATION_KINDS, 0.1))
    assert beta < -0.01 and p < 1e-3
    honest_beta, honest_p = region_beta({})
    assert abs(honest_beta) < 0.02 and honest_p > 0.01
