"""Sign tables: the decision's numbers and each school's evidence, built on demand, are
exactly what the eager per-school results hold, also after the table's JSON round trip."""

import math

import numpy as np
import orjson
import pytest

from results.objectivity import SignTable, evaluate_test, evaluate_test_tables
from results.objectivity.datatypes import DEFAULT_PARAMS
from results.objectivity.synthetic import RegionConfig, generate_region


def _json(value):
    """JSON as stored (NaN → null), back to Python: how evidence reaches a page."""
    return orjson.loads(orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY))


@pytest.fixture(scope="module")
def region():
    arrays = generate_region(RegionConfig(n_schools=80, seed=7)).arrays
    return arrays, evaluate_test_tables(arrays), evaluate_test(arrays)


def test_the_light_results_carry_the_eager_results_numbers(region):
    _, evaluation, eager = region
    light = evaluation.light_results(DEFAULT_PARAMS)
    assert len(light) == len(eager) == 80
    compared = 0
    for full, numbers in zip(eager, light, strict=True):
        assert full.signs.keys() == numbers.signs.keys()
        for letter, sign in full.signs.items():
            cheap = numbers.signs[letter]
            assert (cheap.applicable, cheap.reason) == (sign.applicable, sign.reason)
            assert cheap.effect == sign.effect and cheap.score == sign.score
            assert cheap.p_value == sign.p_value or (
                math.isnan(cheap.p_value) and math.isnan(sign.p_value)
            )
            if sign.applicable:
                material = sign.evidence.get("effect_is_material")
                assert cheap.evidence.get("effect_is_material") == material
                compared += 1
    assert compared > 200  # most schools have ≥ 20 pupils: their signs were compared


def test_a_school_rebuilt_from_the_stored_table_has_the_same_sign_and_evidence(region):
    _, evaluation, eager = region
    for letter, table in evaluation.tables.items():
        stored = SignTable.from_json(_json(table.as_json()))
        for s in (0, 5, 17, 79):
            again = stored.result(s, DEFAULT_PARAMS)
            before = eager[s].signs[letter]
            assert (again.sign, again.applicable, again.reason) == (
                before.sign,
                before.applicable,
                before.reason,
            )
            assert _json([again.effect, again.p_value, again.score]) == _json(
                [before.effect, before.p_value, before.score]
            )
            assert _json(again.evidence) == _json(before.evidence)
            if before.applicable:
                assert "summary_ru" in again.evidence


def test_a_table_with_an_unknown_builder_is_refused():
    with pytest.raises(ValueError):
        SignTable.from_json(
            {"sign": "a", "builder": "nope", "columns": {}, "shared": None, "keys": {}}
        )


def test_schools_below_the_minimum_are_not_applicable_in_the_numbers(region):
    arrays, evaluation, _ = region
    n = np.bincount(arrays.school_idx, minlength=arrays.n_schools)
    small = np.nonzero(n < DEFAULT_PARAMS.min_pupils)[0]
    assert small.size  # the generator makes small schools
    numbers = evaluation.tables["c"].numbers(DEFAULT_PARAMS)
    for s in small.tolist():
        assert numbers.applicable[s] is False and numbers.p_value[s] is None
