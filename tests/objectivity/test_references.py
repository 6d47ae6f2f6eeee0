"""Frozen references: a school evaluated alone against the region's references of a full
evaluation gets exactly the numbers the full evaluation gave it, also after the
references' JSON round trip; a school whose results changed is compared with the same
region (its own old entry left out of sign a's percentiles)."""

from dataclasses import replace

import numpy as np
import orjson
import pytest

from results.objectivity import evaluate_test_tables
from results.objectivity.datatypes import DEFAULT_PARAMS, TestArrays
from results.objectivity.references import TestReference
from results.objectivity.synthetic import RegionConfig, generate_region


def schools_of(arrays: TestArrays, schools: list[int]) -> TestArrays:
    """The pupils of ``schools`` only, re-indexed 0..len(schools)−1 (classes too)."""
    keep = np.isin(arrays.school_idx, schools)
    position = {s: i for i, s in enumerate(schools)}
    school_idx = np.array([position[s] for s in arrays.school_idx[keep]], dtype=np.int32)
    _, class_idx = np.unique(arrays.class_idx[keep], return_inverse=True)
    return replace(
        arrays,
        school_idx=school_idx,
        class_idx=class_idx.astype(np.int32).reshape(-1),
        primary_score=arrays.primary_score[keep],
        mark=arrays.mark[keep],
        journal_mark=arrays.journal_mark[keep],
        task_scores=arrays.task_scores[keep],
        school_is_selective=arrays.school_is_selective[schools],
        class_observed=None,
    )


@pytest.fixture(scope="module")
def region():
    arrays = generate_region(RegionConfig(n_schools=120, seed=11)).arrays
    return arrays, evaluate_test_tables(arrays)


def _numbers(evaluation, school):
    out = {}
    for letter, table in evaluation.tables.items():
        numbers = table.numbers(DEFAULT_PARAMS)
        out[letter] = (
            numbers.applicable[school],
            numbers.effect[school],
            numbers.p_value[school],
            numbers.material[school],
        )
    return out


def _stored(reference: TestReference) -> TestReference:
    data = orjson.loads(orjson.dumps(reference.as_json()))
    return TestReference.from_json(data)


@pytest.mark.parametrize("schools", [[3], [0, 57, 119], [40, 41]])
def test_a_school_alone_against_the_frozen_reference_gets_the_full_evaluations_numbers(
    region, schools
):
    arrays, full = region
    replaced = np.zeros(arrays.n_schools, dtype=bool)
    replaced[schools] = True
    alone = evaluate_test_tables(
        schools_of(arrays, schools), DEFAULT_PARAMS, _stored(full.reference), replaced
    )
    for i, school in enumerate(schools):
        expected = _numbers(full, school)
        for letter, (applicable, effect, p, material) in _numbers(alone, i).items():
            assert (applicable, material) == (expected[letter][0], expected[letter][3])
            for got, want in zip([effect, p], expected[letter][1:3], strict=True):
                assert got == want or got == pytest.approx(want, rel=1e-12)
        for letter in "abcg":
            again = alone.tables[letter].result(i, DEFAULT_PARAMS).evidence["summary_ru"]
            assert (
                again == full.tables[letter].result(school, DEFAULT_PARAMS).evidence["summary_ru"]
            )
        assert alone.eager["h"][i].p_value == full.eager["h"][school].p_value
    assert alone.peers["eligible"] == [full.reference.high["eligible"][s] for s in schools]


def test_the_full_evaluation_fits_every_reference(region):
    arrays, full = region
    reference = full.reference
    assert reference.n_schools == arrays.n_schools == len(full.peers["shrunk"])
    assert sum(reference.high["region_counts"]) == np.count_nonzero(
        (arrays.mark >= 2) & (arrays.mark <= 5)
    )
    assert reference.bunching["kappa"] >= 0
    assert np.isclose(np.sum(reference.bunching["pmf"]), 1.0)
    assert len(reference.profile["region_success"]) == arrays.task_max.size
    stored = _stored(reference)
    assert stored.profile["school_null"] == pytest.approx(reference.profile["school_null"])


def test_a_school_pushed_to_the_cut_is_compared_with_the_same_region(region):
    """Raise every score of school 5 just below the «3» cut to the cut: evaluated alone
    against the frozen region, its bunching share grows, while the region's references
    are those of the full evaluation."""
    arrays, full = region
    c3 = arrays.cut_scores[0]
    school = 5
    mine = arrays.school_idx == school
    scores = arrays.primary_score.copy()
    below = mine & (scores >= c3 - 2) & (scores < c3)
    assert below.sum() >= 2
    scores[below] = c3
    pushed = replace(arrays, primary_score=scores)
    replaced = np.zeros(arrays.n_schools, dtype=bool)
    replaced[school] = True
    alone = evaluate_test_tables(
        schools_of(pushed, [school]), DEFAULT_PARAMS, full.reference, replaced
    )
    before = full.tables["c"].numbers(DEFAULT_PARAMS)
    after = alone.tables["c"].numbers(DEFAULT_PARAMS)
    assert after.effect[0] > before.effect[school]
    assert after.p_value[0] < before.p_value[school]
    assert alone.reference is full.reference


def test_new_entries_replace_and_append_and_removed_schools_leave(region):
    _, full = region
    reference = full.reference
    n = reference.n_schools
    updated = reference.with_schools(
        [2, None],
        {"shrunk": [0.9, 0.1], "mean_pct": [0.8, 0.2], "eligible": [True, False]},
        removed=[0],
    )
    assert updated.n_schools == n  # one replaced, one appended, one removed
    assert updated.high["shrunk"][1] == 0.9  # position 2 moved up by the removal
    assert updated.high["shrunk"][-1] == 0.1 and updated.high["eligible"][-1] is False
    assert updated.high["prior"] == reference.high["prior"]
    assert updated.bunching is reference.bunching
