"""Background jobs of the indicators: thin, taking ids, safe to run twice (snapshots are
keyed by their inputs, so a repeated run finds nothing to recompute)."""

from celery import shared_task

from results.indicators import services


@shared_task(name="results.indicators.compute_year")
def compute_year(job_id: int) -> None:
    services.run_compute_job(job_id=job_id)


@shared_task(name="results.indicators.recompute_after_upload")
def recompute_after_upload(upload_id: int) -> None:
    services.run_recompute_after_upload(upload_id=upload_id)


@shared_task(name="results.indicators.recompute_test")
def recompute_test(test_id: int) -> None:
    services.recompute_test(test_id=test_id)


@shared_task(name="results.indicators.recompute_nightly")
def recompute_nightly() -> None:
    services.recompute_all_years()
