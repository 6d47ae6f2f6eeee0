"""A real worker on Redis + PostgreSQL, SIGKILLed in the middle of a real results import.

Redis keeps the unacknowledged message until the visibility timeout (an hour by default);
the sweeper, run when the next worker starts, sees that the job's process is gone and
sends the job again. The import completes exactly once: one version per school, each
pupil once, the upload applied, the job succeeded after two starts.
"""

import time

import pytest
from django.db import connection

from results.models import PupilResult, ResultVersion, Upload, UploadStatus
from tests.conftest import require_env
from tests.foundation.poison_tasks import kill_own_worker
from tests.jobworkers import kill_group, seed_results_import, start_worker, stop_group, wait_until
from tests.processes import base_env
from vpr_portal.jobs import start_job
from vpr_portal.models import Job, JobStatus

pytestmark = pytest.mark.integration


@pytest.fixture
def worker_env(transactional_db, tmp_path, settings):
    database_url = require_env("DATABASE_URL")
    redis_url = require_env("REDIS_URL")
    if connection.vendor != "postgresql":
        pytest.fail("integration tests need DATABASE_URL to point at PostgreSQL (make test)")
    # The worker must use the test database pytest-django created, and the same media.
    test_db = connection.settings_dict["NAME"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return base_env(
        DATABASE_URL=database_url.rsplit("/", 1)[0] + f"/{test_db}",
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        VAR_DIR=str(tmp_path / "var"),
        MEDIA_ROOT=settings.MEDIA_ROOT,
        EMAIL_URL="console://",
    )


def test_an_import_whose_worker_is_sigkilled_mid_way_completes_exactly_once_on_redis(
    worker_env, tmp_path
):
    rows, schools = 120_000, 4
    log = tmp_path / "worker.log"
    worker = start_worker(worker_env, log)
    try:
        seeded = seed_results_import(rows=rows, schools=schools, directory=str(tmp_path))
        job_id, upload_id = seeded["job"], seeded["upload"]

        def mid_way():
            job = Job.objects.get(pk=job_id)
            return job.status == JobStatus.RUNNING and 5 <= job.progress < 90

        wait_until(mid_way, timeout=240, what="the import to report progress", log=log)
        kill_group(worker)  # the main process and its pool, at once
        job = Job.objects.get(pk=job_id)
        assert (job.status, job.attempts) == (JobStatus.RUNNING, 1)
        assert Upload.objects.get(pk=upload_id).status == UploadStatus.PROCESSING
        assert PupilResult.objects.count() == 0  # the interrupted write rolled back

        worker = start_worker(worker_env, log)
        wait_until(
            lambda: Job.objects.get(pk=job_id).is_finished,
            timeout=400,
            what="the import to finish after the restart",
            log=log,
        )
    finally:
        stop_group(worker)
    job = Job.objects.get(pk=job_id)
    upload = Upload.objects.get(pk=upload_id)
    assert (job.status, job.progress, job.attempts) == (JobStatus.SUCCEEDED, 100, 2), job.message
    assert (upload.status, upload.rows_applied, upload.schools_applied) == (
        UploadStatus.APPLIED,
        rows,
        schools,
    )
    assert ResultVersion.objects.count() == schools
    assert PupilResult.objects.count() == rows
    assert "sent again after attempt 1" in log.read_text(errors="replace")


def test_a_task_that_kills_its_worker_ends_failed_after_the_attempt_cap_on_redis(
    worker_env, tmp_path
):
    worker_env["PORTAL_JOB_MAX_ATTEMPTS"] = "3"
    log = tmp_path / "worker.log"
    worker = start_worker(worker_env, log, "--include", "tests.foundation.poison_tasks")
    try:
        job = start_job(kind="poison", title="Ядовитый файл", task=kill_own_worker)
        wait_until(
            lambda: Job.objects.get(pk=job.pk).status == JobStatus.FAILED,
            timeout=240,
            what="the poisoned job to fail",
            log=log,
        )
        time.sleep(5)  # no further start: the worker stopped looping
        assert worker.poll() is None
    finally:
        stop_group(worker)
    job.refresh_from_db()
    assert job.attempts == 3
    assert job.message.startswith("Обработка прервалась 3 раз;")
    assert log.read_text(errors="replace").count("exited with 'signal 9 (SIGKILL)'") == 3
