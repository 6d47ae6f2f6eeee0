"""compute_indicators on pupils' rows stored in the database."""

import numpy as np

from results.indicators import selectors, services
from results.models import IndicatorSnapshot, SchoolTestIndicator, SchoolYearIndicator


def test_injected_inflation_is_flagged_and_honest_schools_are_not(synthetic):
    test, schools, kinds = synthetic
    summary = services.compute_indicators(year=2026)
    assert summary.tests_evaluated == 1
    flagged = dict(
        SchoolTestIndicator.objects.filter(test=test).values_list("school__login", "flagged")
    )
    manipulated = [s.login for s, k in zip(schools, kinds, strict=True) if k != "honest"]
    honest = [s.login for s, k in zip(schools, kinds, strict=True) if k == "honest"]
    power = np.mean([flagged[login] for login in manipulated])
    false_positive = np.mean([flagged.get(login, False) for login in honest])
    assert power >= 0.7, power
    assert false_positive <= 0.05, false_positive
    assert SchoolYearIndicator.objects.filter(year=2026, n_flagged__gt=0).count() == sum(
        flagged.values()
    )


def test_every_stored_sign_explains_itself_in_russian_without_the_word_violation(synthetic):
    services.compute_indicators(year=2026)
    row = SchoolTestIndicator.objects.filter(flagged=True).first()
    signs = selectors.signs_with_evidence(row)
    for letter in row.surviving:
        summary = signs[letter]["evidence"]["summary_ru"]
        assert summary and "наруш" not in summary.lower()


def test_a_row_keeps_the_numbers_and_its_evidence_comes_from_the_snapshot_tables(synthetic):
    """The vectorised signs' evidence is not stored per row: it is rebuilt from the
    snapshot's columns and equals what the per-school functions give for that school."""
    from results.indicators import arrays
    from results.objectivity import evaluate_test

    services.compute_indicators(year=2026)
    test, schools, _ = synthetic
    row = SchoolTestIndicator.objects.filter(flagged=True, school=schools[0]).first() or (
        SchoolTestIndicator.objects.filter(n_pupils__gte=20).first()
    )
    assert all("evidence" not in row.signs[letter] for letter in "abcg")
    rebuilt = selectors.signs_with_evidence(row)
    slots = services.current_slots(test, row.snapshot.region)
    loaded = arrays.test_arrays(
        test=test,
        school_ids=[s for s, _, _ in slots],
        selective_school_ids={s for s, _, kind in slots if kind in services.SELECTIVE_TYPES},
    )
    eager = evaluate_test(loaded.arrays, services.decision_params())
    index = loaded.school_ids.tolist().index(row.school_id)
    for letter in "abcg":
        expected = services.sign_json(eager[index].signs[letter])
        assert rebuilt[letter]["evidence"]["summary_ru"] == expected["evidence"]["summary_ru"]
        assert rebuilt[letter]["p"] == row.signs[letter]["p"]


def test_snapshots_are_reused_when_the_inputs_are_unchanged(synthetic):
    services.compute_indicators(year=2026)
    snapshot = IndicatorSnapshot.objects.get()
    again = services.compute_indicators(year=2026)
    assert (again.tests_evaluated, again.tests_reused) == (0, 1)
    assert IndicatorSnapshot.objects.get().pk == snapshot.pk


def test_a_changed_setting_makes_the_snapshot_stale(synthetic):
    from results.models import IndicatorSettings

    services.compute_indicators(year=2026)
    settings_row = IndicatorSettings.load()
    settings_row.fdr_level = 0.01
    settings_row.save()
    again = services.compute_indicators(year=2026)
    assert again.tests_evaluated == 1


def test_schools_with_too_few_pupils_are_stored_as_insufficient_and_never_flagged(synthetic):
    services.compute_indicators(year=2026)
    small = SchoolTestIndicator.objects.filter(insufficient=True)
    assert small.exists()
    # Only sign h (marks the scale does not give) needs no minimum sample.
    assert all(set(row.surviving) <= {"h"} for row in small)
