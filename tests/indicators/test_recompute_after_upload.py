"""After an upload is applied, a job recomputes only what changed."""

from results.indicators import services, tasks
from results.models import IndicatorSnapshot, SchoolTestIndicator
from tests import factories
from tests.indicators.test_pack_reads import _classes_of, _rows_of


def test_an_applied_upload_recomputes_its_test_in_a_job(synthetic, eager_celery):
    """The job stores the uploaded school's new signs (its speed is in bench/, not here)."""
    test, schools, _ = synthetic
    services.compute_indicators(year=2026)
    before = IndicatorSnapshot.objects.get()
    # One school's new version: everyone at the cut for «3» (a blatant bunching pattern).
    rows = [("4А", [2, 1, 2, 3, 2, 0, 0, 0, 0, 0, 0, 0], 3, 3)] * 30
    upload = factories.make_results(test=test, school=schools[1], rows=rows)
    tasks.recompute_after_upload.delay(upload.pk)
    after = IndicatorSnapshot.objects.get()
    assert after.input_hash != before.input_hash
    row = SchoolTestIndicator.objects.get(school=schools[1], test=test)
    assert row.n_pupils == 30
    assert row.signs["c"]["applicable"] and row.signs["c"]["p"] < 0.001
    again = services.recompute_after_upload(upload_id=upload.pk)  # nothing new: reused
    assert (again.tests_evaluated, again.tests_reused) == (0, 1)


def test_the_upload_service_sends_the_recompute_on_commit(
    synthetic, django_capture_on_commit_callbacks, monkeypatch
):
    from results.services import uploads

    sent = []
    monkeypatch.setattr(
        tasks.recompute_after_upload, "delay", lambda upload_id: sent.append(upload_id)
    )
    test, schools, _ = synthetic
    rows = [("4А", [2, 1, 2, 3, 2, 1, 1, 2, 3, 3, 1, 3], 5, 5)] * 3
    upload = factories.make_results(test=test, school=schools[0], rows=rows)

    class Prepared:  # the parts of a read outcome that _applied uses
        class data:
            n_rows = 3

        warning_count = 0
        mark_mismatch_count = 0
        warnings = []

    class Outcome:
        action = "applied"
        rows = 3
        school = schools[0]
        version = 2
        digest = "x"

    with django_capture_on_commit_callbacks(execute=True):
        uploads._applied(upload, Prepared, [Outcome])
    assert sent == [upload.pk]


def test_a_repeated_recompute_changes_nothing(synthetic):
    services.compute_indicators(year=2026)
    flagged = list(SchoolTestIndicator.objects.filter(flagged=True).values_list("pk", flat=True))
    summary = services.compute_indicators(year=2026)
    assert summary.tests_evaluated == 0
    assert (
        list(SchoolTestIndicator.objects.filter(flagged=True).values_list("pk", flat=True))
        == flagged
    )


def _decisions() -> dict:
    from results.indicators.selectors import QValues
    from results.models import SchoolYearIndicator

    q_values = QValues()  # the q-values as pages and the API read them
    rows = [
        (r.school_id, r.test_id, r.flagged, r.strength, r.surviving, q_values(r),
         r.annotations, r.signs)
        for r in SchoolTestIndicator.objects.all()
    ]  # fmt: skip
    years = SchoolYearIndicator.objects.values_list(
        "school_id", "n_tests", "n_flagged", "markers", "strength"
    )
    return {
        "rows": {(r[0], r[1]): r[2:] for r in rows},
        "years": {y[0]: y[1:] for y in years},
    }


def test_the_recompute_after_one_schools_upload_decides_as_a_full_recompute(
    synthetic, municipality, other_municipality, settings
):
    """The upload path evaluates only the uploaded test and decides it together with the
    stored p-values of the year's other tests; the outcome must equal a cold full pass.
    (Here the whole test is evaluated again; evaluating the uploaded school alone against
    frozen references is tested in test_incremental.)"""
    settings.INDICATORS_INCREMENTAL_MAX_SHARE = 0
    test, schools, _ = synthetic
    factories.make_synthetic_region_results(
        municipalities=[municipality, other_municipality], subject="Математика", seed=7
    )
    services.compute_indicators(year=2026)
    rows = [("4А", [2, 1, 2, 3, 2, 0, 0, 0, 0, 0, 0, 0], 3, 3)] * 30
    upload = factories.make_results(test=test, school=schools[1], rows=rows)
    summary = services.recompute_after_upload(upload_id=upload.pk)
    assert (summary.tests_evaluated, summary.tests_reused) == (1, 0)
    fast = _decisions()
    assert fast["rows"][(schools[1].pk, test.pk)][0] is True  # the blatant bunching

    IndicatorSnapshot.objects.all().delete()  # cold: nothing stored
    full = services.compute_indicators(year=2026)
    assert full.tests_evaluated == 2
    assert _decisions() == fast


def stored_rows_decided_again() -> tuple[list, list]:
    """Every stored row (by pk) and ``decide_year`` over their stored numbers."""
    from results.objectivity import decide_year

    rows = list(SchoolTestIndicator.objects.order_by("pk"))
    light = [
        services.result_from_stored_row((r.pk, r.test_id, r.school_id, r.n_pupils, r.is_selective,
                                r.tested))
        for r in rows
    ]  # fmt: skip
    return rows, decide_year(light, services.decision_params())


def test_q_values_read_from_the_year_curve_equal_the_decisions(synthetic):
    """The q-values are not stored per row but looked up in the year's BH curve: they must
    equal the ones ``decide_year`` computed over the same results (ties included)."""
    from results.indicators.selectors import QValues

    services.compute_indicators(year=2026)
    rows, decisions = stored_rows_decided_again()
    lookup = QValues()
    compared = 0
    for row, decision in zip(rows, decisions, strict=True):
        expected = {k: round(v, 8) for k, v in decision.q_values.items()}
        assert lookup(row) == expected
        compared += len(expected)
    assert compared > 0


def test_the_column_cache_fetches_only_the_changed_school_and_gives_the_same_rows(synthetic):
    """After one school's upload the process's column cache fetches that school only and
    splices it in: the rows equal a fresh fetch of the whole test."""
    from results.indicators import arrays
    from results.models import ResultSlot

    test, schools, _ = synthetic
    n_tasks = test.tasks.count()

    def versions() -> dict[int, int]:
        return dict(
            ResultSlot.objects.filter(test=test, current__isnull=False).values_list(
                "school_id", "current_id"
            )
        )

    arrays.clear_column_cache()
    try:
        first, fetched = arrays.cached_columns(test, versions(), n_tasks, use_cache=True)
        assert fetched == len(versions())
        rows = [("4А", [2, 1, 2, 3, 2, 0, 0, 0, 0, 0, 0, 0], 3, 3)] * 30
        factories.make_results(test=test, school=schools[1], rows=rows)
        spliced, fetched = arrays.cached_columns(test, versions(), n_tasks, use_cache=True)
        assert fetched == 1
        fresh = arrays.fetch_columns(arrays.pupil_rows(test, sorted(versions())), n_tasks)
        assert _rows_of(spliced) == _rows_of(fresh) != _rows_of(first)
        assert _classes_of(spliced) == _classes_of(fresh)
        _, fetched = arrays.cached_columns(test, versions(), n_tasks, use_cache=True)
        assert fetched == 0  # nothing changed: nothing fetched
    finally:
        arrays.clear_column_cache()
