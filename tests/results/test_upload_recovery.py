"""Uploads and the job recovery: an upload follows its job, nothing stays «processing».

A worker lost mid-import rolls the import back; the sweeper sends the job again and the
import completes once. A job that used up its attempts fails its upload with the Russian
message. A command-line import killed mid-way is failed, never sent to a worker.
"""

import socket
import subprocess
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from results.models import PupilResult, ResultVersion, Upload, UploadStatus
from results.services import uploads
from tests.results.conftest import f1_file
from vpr_portal import sweeper
from vpr_portal.models import Job, JobStatus

pytestmark = pytest.mark.django_db

CRASHED_3 = (
    "Обработка прервалась 3 раз; файл, вероятно, повреждён или слишком велик. "
    "Загрузите его заново или обратитесь к администратору."
)


def dead_worker() -> str:
    process = subprocess.Popen(["true"])
    process.wait()
    return f"{socket.gethostname()}:{process.pid}"


def submitted(tmp_path, django_capture_on_commit_callbacks, *, rows=40) -> Upload:
    path, _ = f1_file(tmp_path, schools=2, rows=rows)
    with django_capture_on_commit_callbacks(execute=False), open(path, "rb") as handle:
        created = uploads.submit_upload(file=handle, filename=path.name, user=None)
    return created.upload


def interrupted(upload: Upload, *, attempts: int) -> None:
    """What a worker killed mid-import leaves: the rows rolled back, the rows «running»."""
    Upload.objects.filter(pk=upload.pk).update(
        status=UploadStatus.PROCESSING, started_at=timezone.now()
    )
    Job.objects.filter(pk=upload.job_id).update(
        status=JobStatus.RUNNING,
        attempts=attempts,
        worker=dead_worker(),
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )


def test_an_upload_lost_with_its_worker_is_imported_once_after_the_sweeper_sends_it_again(
    tmp_path, russian4, synthetic_schools, django_capture_on_commit_callbacks, eager_celery
):
    upload = submitted(tmp_path, django_capture_on_commit_callbacks)
    assert Job.objects.get(pk=upload.job_id).task_name == "results.import_upload"
    interrupted(upload, attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert sweeper.sweep_stuck_jobs()["requeued"] == 1
    upload.refresh_from_db()
    job = Job.objects.get(pk=upload.job_id)
    assert (upload.status, upload.rows_applied) == (UploadStatus.APPLIED, 40)
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 2)
    assert ResultVersion.objects.count() == 2 and PupilResult.objects.count() == 40
    # The broker's own redelivery of the lost message, later: nothing happens again.
    from results.tasks import import_upload

    import_upload(upload.pk)
    assert ResultVersion.objects.count() == 2 and PupilResult.objects.count() == 40


def test_the_delivery_after_the_attempt_cap_fails_the_upload_with_the_russian_message(
    tmp_path, russian4, synthetic_schools, django_capture_on_commit_callbacks, settings
):
    settings.PORTAL_JOB_MAX_ATTEMPTS = 3
    upload = submitted(tmp_path, django_capture_on_commit_callbacks)
    interrupted(upload, attempts=3)
    outcome = uploads.process_upload(upload_id=upload.pk)
    upload.refresh_from_db()
    assert outcome.refused
    assert (upload.status, upload.message) == (UploadStatus.FAILED, CRASHED_3)
    assert Job.objects.get(pk=upload.job_id).status == JobStatus.FAILED
    assert PupilResult.objects.count() == 0


def test_the_sweeper_fails_an_upload_whose_job_used_up_its_attempts(
    tmp_path, russian4, synthetic_schools, django_capture_on_commit_callbacks, settings
):
    settings.PORTAL_JOB_MAX_ATTEMPTS = 3
    upload = submitted(tmp_path, django_capture_on_commit_callbacks)
    interrupted(upload, attempts=3)
    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert sweeper.sweep_stuck_jobs()["failed"] == 1
    assert sent == []
    upload.refresh_from_db()
    assert (upload.status, upload.message) == (UploadStatus.FAILED, CRASHED_3)
    assert upload.finished_at is not None


def test_the_import_command_names_its_process_on_a_job_row(tmp_path, russian4, synthetic_schools):
    path, _ = f1_file(tmp_path, schools=2, rows=30)
    call_command("import_results", str(path), stdout=StringIO(), stderr=StringIO())
    upload = Upload.objects.get()
    assert upload.status == UploadStatus.APPLIED
    job = upload.job
    assert (job.kind, job.status, job.task_name) == ("results_import_cli", "succeeded", "")


def test_a_killed_command_line_import_is_failed_by_the_sweeper_not_sent_to_a_worker(
    tmp_path, russian4, synthetic_schools, django_capture_on_commit_callbacks
):
    path, _ = f1_file(tmp_path, schools=2, rows=30)
    with open(path, "rb") as handle:
        upload = uploads.create_upload(file=handle, filename=path.name).upload
    uploads.attach_local_job(upload)
    interrupted(upload, attempts=1)  # the command was killed while importing
    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert sweeper.sweep_stuck_jobs()["failed"] == 1
    assert sent == []
    upload.refresh_from_db()
    assert upload.status == UploadStatus.FAILED
    assert upload.message == sweeper.INTERRUPTED_MESSAGE


def test_an_upload_left_processing_without_a_job_is_failed_once_older_than_the_time_limit(
    tmp_path, russian4, synthetic_schools
):
    path, _ = f1_file(tmp_path, schools=2, rows=30)
    made = []
    for _ in range(2):
        with open(path, "rb") as handle:
            made.append(uploads.create_upload(file=handle, filename=path.name).upload)
    old, young = made
    limit = settings.CELERY_TASK_TIME_LIMIT + settings.PORTAL_JOB_STALE_GRACE_SECONDS
    Upload.objects.filter(pk=old.pk).update(
        status=UploadStatus.PROCESSING, created_at=timezone.now() - timedelta(seconds=limit + 5)
    )
    Upload.objects.filter(pk=young.pk).update(status=UploadStatus.PROCESSING)
    assert sweeper.sweep_stuck_jobs()["other"] == 1
    old.refresh_from_db()
    young.refresh_from_db()
    assert (old.status, old.message) == (UploadStatus.FAILED, uploads.ABANDONED_MESSAGE)
    assert young.status == UploadStatus.PROCESSING
