"""evaluate_test end to end on a small seeded region: shape, JSON, consistency."""

import json
from dataclasses import replace

import numpy as np
import pytest

from results.objectivity import (
    ALL_SIGNS,
    DecisionParams,
    SignResult,
    TestArrays,
    attach_signs,
    decide_year,
    evaluate_test,
    school_aggregates,
    validate_arrays,
)
from results.objectivity.synthetic import RegionConfig, generate_region


@pytest.fixture(scope="module")
def region():
    return generate_region(RegionConfig(n_schools=60, observed_class_share=0.3, seed=5))


@pytest.fixture(scope="module")
def results(region):
    return evaluate_test(region.arrays)


def test_every_school_gets_every_per_test_sign(region, results):
    assert len(results) == region.arrays.n_schools
    assert [r.school_idx for r in results] == list(range(region.arrays.n_schools))
    for r in results:
        assert set(r.signs) == {"a", "b", "c", "f", "g", "h"}
        assert set(r.signs) <= set(ALL_SIGNS)


def test_all_evidence_is_plain_json(results):
    for r in results:
        for sign in r.signs.values():
            text = json.dumps(sign.evidence, allow_nan=False, ensure_ascii=False)
            assert "нарушен" not in text
            if sign.applicable:
                assert sign.evidence["summary_ru"]


def test_small_schools_get_too_few_data_for_distribution_signs(region, results):
    small = [r for r in results if r.n_pupils < 20]
    assert small, "the generator makes some schools under 20 pupils"
    for r in small:
        for letter in "abcg":
            assert not r.signs[letter].applicable
            assert r.signs[letter].reason == "недостаточно данных"


def test_aggregates_count_pupils_marks_and_scores(region):
    arrays = region.arrays
    agg = school_aggregates(arrays)
    s = 3
    mine = arrays.school_idx == s
    assert agg["n"][s] == mine.sum()
    assert agg["mark_counts"][s].tolist() == [
        int(np.sum(arrays.mark[mine] == m)) for m in (2, 3, 4, 5)
    ]
    assert agg["histogram"][s].sum() == mine.sum()
    assert agg["histogram"][s][arrays.primary_score[mine][0]] >= 1


def test_validate_arrays_rejects_bad_cut_scores(region):
    with pytest.raises(ValueError, match="cut scores"):
        validate_arrays(replace(region.arrays, cut_scores=(16, 10, 21)))
    with pytest.raises(ValueError, match="primary_score"):
        validate_arrays(replace(region.arrays, max_score=5))


def test_attach_signs_adds_cohort_and_recheck_results(results):
    extra = SignResult("e", True, None, 1.0, 1e-9, 9.0, {"effect_is_material": True})
    merged = attach_signs(results, {2: [extra]})
    assert merged[2].signs["e"] is extra
    assert "e" not in merged[1].signs
    assert decide_year(merged)[2].flagged


def test_an_empty_school_index_is_harmless():
    arrays = TestArrays(
        test_key="t",
        school_idx=np.zeros(25, np.int32),
        class_idx=np.zeros(25, np.int32),
        primary_score=np.arange(25, dtype=np.int16) % 21,
        mark=np.full(25, 3, np.int8),
        journal_mark=np.full(25, -1, np.int8),
        task_scores=np.column_stack([np.arange(25) % 11, np.arange(25) % 11 // 2]).astype(np.int16),
        task_max=np.array([10, 10], np.int16),
        task_level=np.array([0, 1], np.int8),
        cut_scores=(5, 10, 15),
        max_score=20,
        school_is_selective=np.zeros(2, bool),  # school 1 has no pupils
    )
    results = evaluate_test(arrays, DecisionParams())
    assert results[1].n_pupils == 0
    assert not any(s.applicable for k, s in results[1].signs.items() if k != "h")
    assert not results[0].signs["b"].applicable  # no journal marks


def test_the_benchmark_runs_on_a_small_region():
    from results.objectivity.bench import run_bench

    figures = run_bench(n_schools=40, n_pupils=6000, n_tests=2, seed=3)
    assert figures.n_tests == 2
    assert abs(figures.n_pupils - 6000) <= 600
    assert figures.statistics_seconds > 0
