"""The entry points: compute_indicators (CLI, jobs, beat), the upload hook, the nightly pass."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Q

from results.models import (
    IndicatorSnapshot,
    ResultSlot,
    SchoolTestIndicator,
    SchoolYearIndicator,
    Test,
    Upload,
    YearIndicatorRun,
)
from results.objectivity.datatypes import gc_paused
from results.selectors.uploads import recompute_job_of
from results.services.retention import retention_cutoff_year
from schools.models import Municipality
from vpr_portal.jobs import JobReporter, UserFacingError, enqueue_on_commit, run_job_body
from vpr_portal.models import Job

from .deciding import decide_region_year, year_inputs_hash
from .evaluation import EvaluatedTest, evaluate_loaded, load_tests_in_order
from .incremental import evaluate_changed_schools
from .inputs import TestInputs, decision_params, regions_with_results, test_inputs
from .storage import SnapshotChanged


@dataclass
class ComputeSummary:
    """What one ``compute_indicators`` call did (the CLI prints it, the job stores it)."""

    year: int
    tests_evaluated: int = 0
    #: Of those, tests where only the changed schools were evaluated (``incremental``).
    tests_partial: int = 0
    tests_reused: int = 0
    results: int = 0
    flagged: int = 0
    schools_with_signs: int = 0
    seconds: float = 0.0
    municipality: str | None = None
    stages: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "municipality": self.municipality,
            "tests_evaluated": self.tests_evaluated,
            "tests_partial": self.tests_partial,
            "tests_reused": self.tests_reused,
            "results": self.results,
            "flagged": self.flagged,
            "schools_with_signs": self.schools_with_signs,
            "seconds": round(self.seconds, 3),
            "stages": {k: round(v, 3) for k, v in self.stages.items()},
        }

    def message_ru(self) -> str:
        scope = f" ({self.municipality})" if self.municipality else ""
        return (
            f"Признаки за {self.year} год{scope}: ОО × работ — {self.results}, с признаками — "
            f"{self.flagged}, ОО с признаками — {self.schools_with_signs}. Пересчитано работ: "
            f"{self.tests_evaluated}, без изменений: {self.tests_reused}."
        )


#: How often a computation starts again when another job changed a snapshot it had read.
CONCURRENT_CHANGE_ATTEMPTS = 3


# --- entry points ---------------------------------------------------------------------------


def compute_indicators(
    *,
    year: int,
    municipality: Municipality | None = None,
    reporter: JobReporter | None = None,
    tests: Iterable[Test] | None = None,
    incremental: bool = False,
) -> ComputeSummary:
    """Signs for every school × test of ``year`` in the region(s), stored (see module doc).

    ``tests`` limits the hash checks to those tests (the upload hook passes the uploaded
    one); the decision still covers the whole year. With ``incremental`` (the upload hook)
    a test whose schools' result versions alone changed has only those schools evaluated,
    against the references of its last full evaluation (see ``incremental``); without it
    every test whose snapshot holds such schools is evaluated in full again.
    """
    # The computation builds ~10⁵ short-lived containers without reference cycles; the
    # cyclic collector's passes over them (and over the process's caches) cost up to a
    # fifth of a recompute. Reference counting frees them; the collector resumes after.
    with gc_paused():
        attempt = 1
        while True:
            try:
                return _compute_indicators(
                    year=year,
                    municipality=municipality,
                    reporter=reporter,
                    tests=tests,
                    incremental=incremental,
                )
            except SnapshotChanged:
                # Another upload's job stored its school in between; this one's work was
                # rolled back. Again: what that job stored is reused or spliced into.
                if attempt == CONCURRENT_CHANGE_ATTEMPTS:
                    raise
                attempt += 1


def _compute_indicators(
    *,
    year: int,
    municipality: Municipality | None,
    reporter: JobReporter | None,
    tests: Iterable[Test] | None,
    incremental: bool = False,
) -> ComputeSummary:
    started = time.perf_counter()
    params = decision_params()
    summary = ComputeSummary(year=year, municipality=municipality.name if municipality else None)
    chosen = list(tests) if tests is not None else None
    for region in regions_with_results(year, municipality):
        region_tests = chosen
        if region_tests is None:
            region_tests = list(
                Test.objects.filter(
                    year=year,
                    result_slots__current__isnull=False,
                    result_slots__school__municipality__region=region,
                )
                .distinct()
                .order_by("grade", "subject")
            )
            # Tests whose results are gone leave no stale signs behind.
            IndicatorSnapshot.objects.filter(region=region, test__year=year).exclude(
                test__in=region_tests
            ).defer("tables").delete()
        pending: list[TestInputs] = []
        for test in region_tests:
            t0 = time.perf_counter()
            inputs = test_inputs(test, region, params)
            snapshots = IndicatorSnapshot.objects.filter(
                region=region, test=test, input_hash=inputs.input_hash
            )
            if not incremental:  # a full pass refits the references frozen since
                snapshots = snapshots.filter(reevaluated_pupils=0)
            current = snapshots.exists()
            summary.stages["hash"] = summary.stages.get("hash", 0.0) + time.perf_counter() - t0
            if current:
                summary.tests_reused += 1
            elif not inputs.slots:
                IndicatorSnapshot.objects.filter(region=region, test=test).defer("tables").delete()
            else:
                pending.append(inputs)
        evaluated: list[EvaluatedTest] = []
        t0 = time.perf_counter()
        if incremental:
            in_full = []
            for inputs in pending:
                partial = evaluate_changed_schools(inputs, params)
                if partial is None:
                    in_full.append(inputs)
                    continue
                evaluated.append(partial)
                summary.tests_evaluated += 1
                summary.tests_partial += 1
            pending = in_full
        for i, (inputs, loaded, load_seconds) in enumerate(load_tests_in_order(pending)):
            if reporter is not None:
                reporter.progress(i, len(pending) + 1, f"Работа: {inputs.test}")
            evaluated.append(evaluate_loaded(inputs, loaded, params, load_seconds))
            summary.tests_evaluated += 1
        summary.stages["fetch_and_evaluate"] = summary.stages.get("fetch_and_evaluate", 0.0) + (
            time.perf_counter() - t0
        )
        if (
            not evaluated
            and YearIndicatorRun.objects.filter(
                region=region, year=year, input_hash=year_inputs_hash(region, year)
            ).exists()
        ):
            continue  # nothing changed since the year's last decision: it stands
        if reporter is not None:
            reporter.progress(len(pending), len(pending) + 1, "Решение по году (FDR)…")
        t0 = time.perf_counter()
        decide_region_year(
            region=region, year=year, params=params, evaluated=evaluated, stages=summary.stages
        )
        summary.stages["decide_and_store"] = summary.stages.get("decide_and_store", 0.0) + (
            time.perf_counter() - t0
        )
    rows = SchoolTestIndicator.objects.filter(year=year)
    years = SchoolYearIndicator.objects.filter(year=year)
    if municipality is not None:
        rows = rows.filter(school__municipality=municipality)
        years = years.filter(school__municipality=municipality)
    counts = rows.aggregate(n=Count("pk"), flagged=Count("pk", filter=Q(flagged=True)))
    summary.results, summary.flagged = counts["n"], counts["flagged"]
    summary.schools_with_signs = years.filter(n_flagged__gt=0).count()
    summary.seconds = time.perf_counter() - started
    return summary


def cohort_pair(test: Test) -> Test | None:
    """For grade 5: the same subject in grade 4 a year before, whose sign d reads it."""
    if test.grade != 5:
        return None
    return Test.objects.filter(
        year=test.year - 1, session=test.session, subject__iexact=test.subject, grade=4
    ).first()


def recompute_after_upload(*, upload_id: int) -> ComputeSummary | None:
    """After an upload is applied: re-evaluate its test, then the year's decision.
    Unchanged tests are reused by their input hash; in a changed one, only the changed
    schools are evaluated when the frozen references allow it (``incremental``).

    A grade-5 upload also changes sign d of grade 4 a year before. That test is evaluated
    in full (sign d ranks every school of both years) by a job of its own, sent from here,
    so the uploaded school's own signs are not kept waiting for it."""
    upload = Upload.objects.select_related("test").filter(pk=upload_id).first()
    if upload is None or upload.test is None:
        return None
    test = upload.test
    summary = None
    if regions_with_results(test.year, None):
        summary = compute_indicators(year=test.year, tests=[test], incremental=True)
    paired = cohort_pair(test)
    if paired is not None:
        enqueue_on_commit("results.indicators.recompute_test", paired.pk)
    return summary


def run_recompute_after_upload(*, upload_id: int) -> None:
    """Body of the task: the recompute after an upload, under its job row when it has one
    (``results.services.uploads.start_recompute_job``). A redelivered message finds the
    job finished and does nothing."""
    job = recompute_job_of(upload_id)
    if job is None:
        recompute_after_upload(upload_id=upload_id)
        return
    run_job_body(job.pk, lambda reporter: _recompute_result(upload_id))


def _recompute_result(upload_id: int) -> dict:
    summary = recompute_after_upload(upload_id=upload_id)
    if summary is None:
        return {}
    return {"tests_evaluated": summary.tests_evaluated, "tests_reused": summary.tests_reused}


def recompute_test(*, test_id: int) -> ComputeSummary | None:
    """One test's signs in full, and its year's decision (the job a grade-5 upload sends
    for the grade-4 test of the year before)."""
    test = Test.objects.filter(pk=test_id).first()
    if test is None or not regions_with_results(test.year, None):
        return None
    return compute_indicators(year=test.year, tests=[test])


def recompute_all_years() -> list[dict[str, Any]]:
    """The nightly full pass: every year with results (cheap where nothing changed)."""
    years = (
        ResultSlot.objects.filter(current__isnull=False)
        .filter(test__year__gt=retention_cutoff_year())  # purged years keep their signs
        .values_list("test__year", flat=True)
        .distinct()
        .order_by("test__year")
    )
    return [compute_indicators(year=year).as_dict() for year in years]


def run_compute_job(*, job_id: int) -> None:
    """The on-demand job from the dashboard: ``params`` = {year, municipality_id}."""
    job = Job.objects.get(pk=job_id)

    def body(reporter: JobReporter) -> dict:
        year = int(job.params["year"])
        if year <= retention_cutoff_year():  # retention: its pupils' rows may be gone
            raise UserFacingError(f"Данные обучающихся за {year} год удалены по сроку хранения.")
        municipality = None
        if job.params.get("municipality_id"):
            municipality = Municipality.objects.filter(pk=job.params["municipality_id"]).first()
        if not regions_with_results(year, municipality):
            raise UserFacingError(f"За {year} год результатов нет — считать нечего.")
        summary = compute_indicators(year=year, municipality=municipality, reporter=reporter)
        Job.objects.filter(pk=job_id).update(message=summary.message_ru())
        return summary.as_dict()

    run_job_body(job_id, body)


def default_year() -> int:
    """The latest year with stored signs (pages open on it)."""
    latest = SchoolTestIndicator.objects.order_by("-year").values_list("year", flat=True).first()
    return latest or getattr(settings, "INDICATORS_DEFAULT_YEAR", 2026)
