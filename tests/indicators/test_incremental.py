"""After an upload only the changed schools are evaluated, against the references frozen at
the test's last full evaluation; every other row stays; the full pass refits."""

import pytest

from results.indicators import selectors, services
from results.models import (
    IndicatorSettings,
    IndicatorSnapshot,
    ResultSlot,
    SchoolTestIndicator,
)
from tests import factories
from tests.indicators.test_recompute_after_upload import _decisions, stored_rows_decided_again

#: One school's new version: everyone at the cut for «3» (a blatant bunching pattern).
AT_THE_CUT = [("4А", [2, 1, 2, 3, 2, 0, 0, 0, 0, 0, 0, 0], 3, 3)] * 30


def _rows() -> dict:
    return {
        r.school_id: (r.pk, r.n_pupils, r.signs, r.tested)
        for r in SchoolTestIndicator.objects.all()
    }


def _assert_the_years_decision_covers_every_row():
    """The stored decisions are the decision rule over every stored row's numbers."""
    rows, decisions = stored_rows_decided_again()
    for row, decision in zip(rows, decisions, strict=True):
        assert (row.flagged, row.strength) == (decision.flagged, pytest.approx(decision.strength))
        assert tuple(row.surviving) == decision.surviving


def test_an_upload_reevaluates_only_its_school_and_keeps_every_other_row(synthetic):
    test, schools, _ = synthetic
    services.compute_indicators(year=2026)
    snapshot = IndicatorSnapshot.objects.get()
    before = _rows()
    upload = factories.make_results(test=test, school=schools[1], rows=AT_THE_CUT)

    summary = services.recompute_after_upload(upload_id=upload.pk)

    assert (summary.tests_evaluated, summary.tests_partial) == (1, 1)
    after = _rows()
    assert after.keys() == before.keys()
    for school_id, row in after.items():
        if school_id != schools[1].pk:
            assert row == before[school_id]  # the same row, untouched
    mine = SchoolTestIndicator.objects.get(school=schools[1], test=test)
    assert mine.n_pupils == 30 and mine.flagged
    assert mine.signs["c"]["p"] < 0.001
    stored = IndicatorSnapshot.objects.get()
    assert stored.pk == snapshot.pk and stored.input_hash != snapshot.input_hash
    assert stored.reevaluated_pupils == 30
    assert stored.n_pupils == snapshot.n_pupils - before[schools[1].pk][1] + 30
    # The card rebuilds the new evidence from the spliced tables.
    evidence = selectors.signs_with_evidence(mine)["c"]["evidence"]
    assert evidence["n"] == 30 and "граница" in evidence["summary_ru"]
    _assert_the_years_decision_covers_every_row()
    again = services.recompute_after_upload(upload_id=upload.pk)
    assert (again.tests_evaluated, again.tests_reused) == (0, 1)


def test_the_full_pass_refits_the_references_and_equals_a_cold_computation(synthetic):
    test, schools, _ = synthetic
    services.compute_indicators(year=2026)
    upload = factories.make_results(test=test, school=schools[1], rows=AT_THE_CUT)
    assert services.recompute_after_upload(upload_id=upload.pk).tests_partial == 1

    nightly = services.compute_indicators(year=2026)

    assert (nightly.tests_evaluated, nightly.tests_partial) == (1, 0)
    assert IndicatorSnapshot.objects.get().reevaluated_pupils == 0
    refitted = _decisions()
    IndicatorSnapshot.objects.all().delete()
    services.compute_indicators(year=2026)
    assert _decisions() == refitted


def test_a_school_new_to_the_test_is_appended(synthetic, municipality):
    test, _, _ = synthetic
    services.compute_indicators(year=2026)
    n_schools = IndicatorSnapshot.objects.get().n_schools
    newcomer = factories.SchoolFactory(municipality=municipality, login="edu799999")
    upload = factories.make_results(test=test, school=newcomer, rows=AT_THE_CUT)

    summary = services.recompute_after_upload(upload_id=upload.pk)

    assert summary.tests_partial == 1
    assert IndicatorSnapshot.objects.get().n_schools == n_schools + 1
    row = SchoolTestIndicator.objects.get(school=newcomer)
    assert row.flagged
    assert selectors.signs_with_evidence(row)["c"]["evidence"]["n"] == 30
    assert SchoolTestIndicator.objects.filter(test=test).count() == n_schools + 1


@pytest.mark.parametrize("share", [0.0, 0.005])
def test_beyond_the_share_of_pupils_the_whole_test_is_evaluated(synthetic, settings, share):
    """30 pupils of the test's thousands: above these shares the upload evaluates in full."""
    settings.INDICATORS_INCREMENTAL_MAX_SHARE = share
    test, schools, _ = synthetic
    services.compute_indicators(year=2026)
    upload = factories.make_results(test=test, school=schools[1], rows=AT_THE_CUT)
    summary = services.recompute_after_upload(upload_id=upload.pk)
    assert (summary.tests_evaluated, summary.tests_partial) == (1, 0)
    assert IndicatorSnapshot.objects.get().reevaluated_pupils == 0


def test_the_shares_add_up_until_a_full_evaluation(synthetic, settings):
    test, schools, _ = synthetic
    services.compute_indicators(year=2026)
    pupils = IndicatorSnapshot.objects.get().n_pupils
    settings.INDICATORS_INCREMENTAL_MAX_SHARE = 45 / pupils  # one school of 30 fits, two not
    first = factories.make_results(test=test, school=schools[1], rows=AT_THE_CUT)
    assert services.recompute_after_upload(upload_id=first.pk).tests_partial == 1
    second = factories.make_results(test=test, school=schools[2], rows=AT_THE_CUT)
    assert services.recompute_after_upload(upload_id=second.pk).tests_partial == 0
    assert IndicatorSnapshot.objects.get().reevaluated_pupils == 0


def test_a_changed_setting_is_never_applied_to_one_school_only(synthetic):
    test, schools, _ = synthetic
    services.compute_indicators(year=2026)
    row = IndicatorSettings.load()
    row.fdr_level = 0.01
    row.save()
    upload = factories.make_results(test=test, school=schools[1], rows=AT_THE_CUT)
    summary = services.recompute_after_upload(upload_id=upload.pk)
    assert (summary.tests_evaluated, summary.tests_partial) == (1, 0)


def test_the_card_says_the_school_was_compared_with_the_last_full_pass(
    synthetic, client, staff_user, municipality
):
    test, schools, _ = synthetic
    services.compute_indicators(year=2026)
    school = next(s for s in schools if s.municipality_id == municipality.pk)
    client.force_login(staff_user)
    url = f"/results/indicators/schools/{school.pk}/?year=2026"
    assert 'data-testid="provisional"' not in client.get(url).content.decode()
    upload = factories.make_results(test=test, school=school, rows=AT_THE_CUT)
    services.recompute_after_upload(upload_id=upload.pk)
    html = client.get(url).content.decode()
    assert 'data-testid="provisional"' in html and "последнего полного расчёта" in html
    row = SchoolTestIndicator.objects.get(school=school, test=test)
    detail = client.get(f"/api/indicators/{row.pk}/").json()
    assert detail["evaluated_against_last_full_pass"] is True
    services.compute_indicators(year=2026)  # the nightly pass refits: the note goes
    assert 'data-testid="provisional"' not in client.get(url).content.decode()


def test_two_uploads_evaluated_at_once_both_end_up_stored(synthetic, monkeypatch):
    """School 1's job reads the snapshot; before it stores, school 2's job stores its
    school. School 1's store finds the snapshot changed, rolls back and starts again from
    the stored snapshot: both schools' new results are in the rows and the tables."""
    from results.indicators.services import computing, deciding, incremental, storage

    test, schools, _ = synthetic
    services.compute_indicators(year=2026)
    first = factories.make_results(test=test, school=schools[1], rows=AT_THE_CUT)
    evaluate = incremental.evaluate_changed_schools
    raced = []

    def evaluate_then_let_another_job_store(inputs, params):
        evaluated = evaluate(inputs, params)
        if not raced:  # the other job runs between this job's read and its store
            raced.append(True)
            second = factories.make_results(test=test, school=schools[2], rows=AT_THE_CUT)
            services.recompute_after_upload(upload_id=second.pk)
        return evaluated

    monkeypatch.setattr(computing, "evaluate_changed_schools", evaluate_then_let_another_job_store)
    store = deciding.store_partial
    conflicts = []

    def store_and_record(*args):
        try:
            return store(*args)
        except storage.SnapshotChanged:
            conflicts.append(True)
            raise

    monkeypatch.setattr(deciding, "store_partial", store_and_record)
    summary = services.recompute_after_upload(upload_id=first.pk)

    assert raced and conflicts == [True]
    # The other job saw both new versions and stored both schools: the retry reuses it.
    assert (summary.tests_evaluated, summary.tests_reused) == (0, 1)
    rows = SchoolTestIndicator.objects.filter(test=test, school__in=schools[1:3])
    assert sorted(rows.values_list("n_pupils", "flagged")) == [(30, True), (30, True)]
    snapshot = IndicatorSnapshot.objects.get()
    assert snapshot.reevaluated_pupils == 60
    versions = dict(ResultSlot.objects.filter(test=test).values_list("school_id", "current_id"))
    for school in schools[1:3]:
        row = rows.get(school=school)
        assert selectors.signs_with_evidence(row)["c"]["evidence"]["n"] == 30
    assert IndicatorSnapshot.objects.get().tables["versions"] == [
        versions[s] for s in IndicatorSnapshot.objects.get().tables["school_ids"]
    ]


def test_sign_f_of_the_changed_school_is_what_the_full_evaluation_gives(synthetic, monkeypatch):
    """Sign f compares a school's own observed and unobserved classes (no region
    reference): evaluated alone after an upload it equals the full evaluation's."""
    from results.indicators.services import inputs

    monkeypatch.setattr(
        inputs, "_observed_classes", lambda test, ids: {(s, "4А"): True for s in ids}
    )
    test, schools, _ = synthetic
    services.compute_indicators(year=2026)
    rows = (
        [("4А", [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], 2, 3)] * 10
        + [("4Б", [2, 2, 2, 3, 2, 1, 1, 1, 0, 0, 0, 0], 4, 4)] * 10
        + [("4В", [2, 2, 2, 3, 2, 2, 1, 1, 1, 1, 0, 0], 4, 4)] * 10
    )
    upload = factories.make_results(test=test, school=schools[1], rows=rows)
    assert services.recompute_after_upload(upload_id=upload.pk).tests_partial == 1
    alone = SchoolTestIndicator.objects.get(school=schools[1], test=test).signs["f"]
    assert alone["applicable"] and alone["effect"] < 0  # observed classes scored lower

    assert services.compute_indicators(year=2026).tests_partial == 0  # the full pass
    full = SchoolTestIndicator.objects.get(school=schools[1], test=test).signs["f"]
    assert (alone["p"], alone["effect"]) == pytest.approx((full["p"], full["effect"]))


def test_a_grade_5_upload_sends_a_job_for_sign_d_of_grade_4_a_year_before(
    municipality, other_municipality, eager_celery, django_capture_on_commit_callbacks
):
    """The uploaded grade-5 test is evaluated for the changed school alone; the grade-4
    test of 2025, whose sign d reads grade 5 of 2026, is evaluated in full by its own job
    and its rows then hold the school's new grade-5 mean."""
    municipalities = [municipality, other_municipality]
    grade4, schools, _ = factories.make_synthetic_region_results(
        municipalities=municipalities, year=2025, grade=4
    )
    grade5, _, _ = factories.make_synthetic_region_results(
        municipalities=municipalities, year=2026, grade=5, seed=9
    )
    services.compute_indicators(year=2025)
    services.compute_indicators(year=2026)
    school = schools[3]

    def mean5() -> float:
        row = SchoolTestIndicator.objects.get(school=school, test=grade4)
        return selectors.signs_with_evidence(row)["d"]["evidence"]["mean_grade5_next"]

    before = mean5()
    rows = [("5А", [2, 1, 2, 3, 2, 0, 0, 0, 0, 0, 0, 0], 3, 3)] * 30
    upload = factories.make_results(test=grade5, school=school, rows=rows)

    with django_capture_on_commit_callbacks(execute=True) as sent:
        summary = services.recompute_after_upload(upload_id=upload.pk)

    assert summary.year == 2026 and summary.tests_partial == 1
    assert len(sent) == 1  # the job for grade 4, sent on commit
    assert mean5() != before
    assert mean5() == pytest.approx(10 / grade5.max_score, abs=1e-4)  # every pupil scored 10
    assert IndicatorSnapshot.objects.get(test=grade4).reevaluated_pupils == 0
