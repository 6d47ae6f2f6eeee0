"""The decision rule over a year: BH across all tests, material effects, lyceums, h."""

import math

import numpy as np
import pytest

from results.objectivity import DecisionParams, SchoolTestResult, SignResult, decide_year


def _sign(
    letter: str, p: float | None, material: bool = True, applicable: bool = True
) -> SignResult:
    return SignResult(
        letter,
        applicable,
        None if applicable else "недостаточно данных",
        0.3 if applicable else None,
        p if applicable else None,
        None,
        {"effect_is_material": material},
    )


def _result(school: int, signs: list[SignResult], selective: bool = False) -> SchoolTestResult:
    return SchoolTestResult("2025-РУ-4", school, 40, selective, {s.sign: s for s in signs})


def test_bh_runs_across_every_school_and_sign_of_the_year():
    # Six tested p-values: .001 .004 .02 .03 .5 .9 (m = 6, q = .05 → lines .0083 .0167 .025
    # .0333 .0417 .05). Sorted: .001 ✓, .004 ✓, .02 ✓, .03 ✓, .5 ✗, .9 ✗ → four survive.
    results = [
        _result(0, [_sign("a", 0.5), _sign("c", 0.001)]),
        _result(1, [_sign("c", 0.004), _sign("g", 0.9)]),
        _result(2, [_sign("b", 0.02), _sign("c", 0.03)]),
        _result(3, [_sign("c", None, applicable=False)]),
    ]
    decisions = decide_year(results)
    assert [d.flagged for d in decisions] == [True, True, True, False]
    assert decisions[2].surviving == ("b", "c")
    # q for p = .001 is min over j ≥ 1 of p_(j)·6/j = min(.006, .012, .04, .04, .6, .9) = .006.
    assert decisions[0].q_values["c"] == pytest.approx(0.006)
    assert decisions[0].strength == pytest.approx(-math.log10(0.006), abs=1e-4)
    assert decisions[3].q_values == {}


def test_a_sign_without_a_material_effect_does_not_count():
    decisions = decide_year([_result(0, [_sign("c", 1e-6, material=False)])])
    assert not decisions[0].flagged


def test_a_lyceum_is_never_flagged_by_high_results_alone():
    decisions = decide_year(
        [
            _result(0, [_sign("a", 1e-6)], selective=True),
            _result(1, [_sign("a", 1e-6), _sign("c", 1e-6)], selective=True),
            _result(2, [_sign("a", 1e-6)], selective=False),
        ]
    )
    assert not decisions[0].flagged
    assert decisions[0].annotations == ("selective_a_only",)
    assert decisions[1].flagged and decisions[1].surviving == ("a", "c")
    assert decisions[2].flagged


def test_marks_outside_the_scale_count_without_a_p_value():
    h = SignResult("h", True, None, 2.0, None, 2.0, {"effect_is_material": True})
    decisions = decide_year([_result(0, [h])])
    assert decisions[0].flagged and decisions[0].surviving == ("h",)
    assert decisions[0].strength == pytest.approx(-math.log10(0.05), abs=1e-4)


def test_the_fdr_level_comes_from_the_parameters():
    results = [_result(0, [_sign("c", 0.03)]), _result(1, [_sign("c", 0.04)])]
    assert [d.flagged for d in decide_year(results)] == [True, True]
    strict = decide_year(results, DecisionParams(fdr_level=0.01))
    assert [d.flagged for d in strict] == [False, False]


@pytest.mark.parametrize(
    "bad",
    [{"fdr_level": 0.0}, {"fdr_level": 1.5}, {"min_pupils": 0}, {"prior_strength": -1.0}],
)
def test_nonsense_parameters_from_the_admin_are_rejected(bad):
    with pytest.raises(ValueError):
        DecisionParams(**bad)


def test_deciding_from_the_stored_numbers_equals_deciding_from_the_results():
    """decide_tested (what the service runs over the rows' numbers) gives decide_year's
    decisions and BH curve, lyceums' a-only rows and sign h included."""
    from dataclasses import replace

    from results.objectivity import decide_tested, evaluate_test
    from results.objectivity.synthetic import RegionConfig, generate_region

    results = []
    for seed in (3, 4):
        arrays = generate_region(RegionConfig(n_schools=120, seed=seed)).arrays
        results += evaluate_test(replace(arrays, test_key=str(seed)))
    params = DecisionParams(fdr_level=0.1)
    expected = decide_year(results, params)
    tested = [
        {
            letter: [
                sign.p_value if sign.p_value == sign.p_value else None,
                bool(sign.evidence.get("effect_is_material", sign.p_value is not None)),
            ]
            for letter, sign in r.signs.items()
            if sign.applicable
        }
        for r in results
    ]
    decisions, p_sorted, q_sorted = decide_tested(tested, [r.is_selective for r in results], params)
    assert [(d.flagged, d.strength, d.surviving, d.annotations) for d in expected] == decisions
    assert sum(d.flagged for d in expected) > 5  # the rule found something to compare
    # The curve: every tested p with its q as decide_year computed it.
    pairs = sorted((p, d.q_values[k]) for r, d in zip(results, expected, strict=True)
                   for k, p in ((k, r.signs[k].p_value) for k in d.q_values))  # fmt: skip
    assert np.allclose(p_sorted, [p for p, _ in pairs]) and np.allclose(
        q_sorted, [q for _, q in pairs]
    )
