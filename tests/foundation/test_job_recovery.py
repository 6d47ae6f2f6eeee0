"""Job recovery: deliveries counted before work, a cap, the sweeper, the visibility timeout.

The real-worker versions (SIGKILL) are in test_job_recovery_workers.py and
tests/integration/test_worker_killed_mid_import.py.
"""

import json
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from tests.processes import ROOT, base_env
from vpr_portal import sweeper
from vpr_portal.jobs import (
    create_job,
    is_orphaned,
    run_job,
    run_job_body,
    start_job,
    worker_id,
)
from vpr_portal.models import Job, JobStatus
from vpr_portal.tasks import ping

pytestmark = pytest.mark.django_db


def dead_worker() -> str:
    """``host:pid`` of a process of this host that has exited."""
    process = subprocess.Popen(["true"])
    process.wait()
    return f"{socket.gethostname()}:{process.pid}"


def live_worker() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(["sleep", "60"])
    return process, f"{socket.gethostname()}:{process.pid}"


def silent_for(job: Job) -> timedelta:
    """Just beyond what the sweeper tolerates for the job's task."""
    return timedelta(
        seconds=settings.CELERY_TASK_TIME_LIMIT + settings.PORTAL_JOB_STALE_GRACE_SECONDS + 5
    )


def running_job(*, worker: str, attempts: int = 1, silent: timedelta = timedelta(0)) -> Job:
    job = start_job(kind="ping", title="Пинг", task=ping)
    beat = timezone.now() - silent
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        worker=worker,
        attempts=attempts,
        started_at=beat,
        heartbeat_at=beat,
    )
    return Job.objects.get(pk=job.pk)


def test_a_started_job_remembers_its_task_and_arguments_for_the_sweeper():
    job = start_job(kind="ping", title="Пинг", task=ping)
    job.refresh_from_db()
    assert (job.task_name, job.task_args) == ("portal.ping", [job.pk])


def test_each_start_is_counted_before_the_work_and_names_its_process():
    job = create_job(kind="demo", title="Демо")
    seen = []

    def body(reporter):
        row = Job.objects.get(pk=job.pk)
        seen.append((row.status, row.attempts, row.worker, row.heartbeat_at is not None))

    run_job_body(job.pk, body)
    assert seen == [(JobStatus.RUNNING, 1, worker_id(), True)]
    assert Job.objects.get(pk=job.pk).worker == ""  # finished: nobody runs it


def test_progress_reports_are_a_heartbeat():
    job = create_job(kind="demo", title="Демо")
    with run_job(job.pk) as reporter:
        old = timezone.now() - timedelta(hours=1)
        Job.objects.filter(pk=job.pk).update(heartbeat_at=old)
        reporter.progress(1, 4)
        assert Job.objects.get(pk=job.pk).heartbeat_at > old


def test_the_delivery_after_the_attempt_cap_fails_the_job_instead_of_running_it(settings):
    settings.PORTAL_JOB_MAX_ATTEMPTS = 3
    job = running_job(worker=dead_worker(), attempts=3)
    calls = []
    run_job_body(job.pk, lambda reporter: calls.append(1))
    job.refresh_from_db()
    assert calls == []
    assert job.status == JobStatus.FAILED and job.attempts == 3
    assert job.message == (
        "Обработка прервалась 3 раз; файл, вероятно, повреждён или слишком велик. "
        "Загрузите его заново или обратитесь к администратору."
    )


def test_a_redelivered_job_whose_worker_died_runs_again_and_is_counted():
    job = running_job(worker=dead_worker(), attempts=1)
    run_job_body(job.pk, lambda reporter: {"ok": True})
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result) == (JobStatus.SUCCEEDED, 2, {"ok": True})


def test_a_duplicate_message_for_a_job_a_live_process_runs_does_nothing():
    process, worker = live_worker()
    try:
        job = running_job(worker=worker, attempts=1)
        calls = []
        run_job_body(job.pk, lambda reporter: calls.append(1))
        job.refresh_from_db()
        assert calls == [] and (job.status, job.attempts, job.worker) == ("running", 1, worker)
    finally:
        process.kill()
        process.wait()


def test_the_sweeper_sends_again_a_job_whose_worker_died(
    django_capture_on_commit_callbacks, eager_celery
):
    job = running_job(worker=dead_worker(), attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        counts = sweeper.sweep_stuck_jobs()
    job.refresh_from_db()
    assert counts["requeued"] == 1
    # The eager task ran it again, from the queue, once.
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 2)


def test_the_sweeper_leaves_a_job_alone_while_its_process_lives_within_the_time_limit():
    process, worker = live_worker()
    try:
        job = running_job(worker=worker, silent=timedelta(seconds=60))
        assert sweeper.sweep_stuck_jobs() == {"requeued": 0, "failed": 0, "other": 0}
        assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING
    finally:
        process.kill()
        process.wait()


def test_a_job_of_another_host_is_orphaned_only_when_silent_beyond_its_time_limit(
    django_capture_on_commit_callbacks,
):
    recent = running_job(worker="other-host:1234", silent=timedelta(seconds=60))
    silent = running_job(worker="other-host:1235")
    Job.objects.filter(pk=silent.pk).update(heartbeat_at=timezone.now() - silent_for(silent))
    with django_capture_on_commit_callbacks(execute=False) as sent:
        counts = sweeper.sweep_stuck_jobs()
    assert counts["requeued"] == 1 and len(sent) == 1
    assert Job.objects.get(pk=recent.pk).status == JobStatus.RUNNING
    assert Job.objects.get(pk=silent.pk).status == JobStatus.QUEUED


def test_the_sweeper_fails_a_job_that_used_up_its_attempts(settings):
    settings.PORTAL_JOB_MAX_ATTEMPTS = 3
    job = running_job(worker=dead_worker(), attempts=3)
    assert sweeper.sweep_stuck_jobs()["failed"] == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("Обработка прервалась 3 раз;")
    assert job.finished_at is not None


def test_the_sweeper_fails_a_job_run_by_a_dead_process_that_no_worker_can_pick_up():
    job = create_job(kind="results_import_cli", title="CLI")
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, worker=dead_worker(), attempts=1, heartbeat_at=timezone.now()
    )
    assert sweeper.sweep_stuck_jobs()["failed"] == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.message == sweeper.INTERRUPTED_MESSAGE


def test_the_sweeper_sends_again_a_job_queued_too_long(django_capture_on_commit_callbacks):
    fresh = start_job(kind="ping", title="Пинг", task=ping)
    lost = start_job(kind="ping", title="Пинг", task=ping)
    long_ago = timezone.now() - timedelta(seconds=settings.PORTAL_JOB_QUEUED_RESEND_SECONDS + 5)
    Job.objects.filter(pk=lost.pk).update(created_at=long_ago)
    with django_capture_on_commit_callbacks(execute=False) as sent:
        counts = sweeper.sweep_stuck_jobs()
    assert counts["requeued"] == 1 and len(sent) == 1
    # Not again at the next pass: sending it counts as a sign of life.
    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert sweeper.sweep_stuck_jobs()["requeued"] == 0
    assert Job.objects.get(pk=fresh.pk).status == JobStatus.QUEUED


def test_the_sweeper_runs_every_few_minutes_in_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["portal-sweep-stuck-jobs"]
    assert entry["task"] == "portal.sweep_stuck_jobs"
    assert entry["schedule"] <= 300


def celery_limits(**env: str) -> dict:
    """The Celery configuration a worker with this environment would use."""
    code = (
        "import json, django; django.setup(); from vpr_portal.celery import app; "
        "app.loader.import_default_modules(); c = app.conf; "
        "print(json.dumps({'options': c.broker_transport_options, "
        "'default': c.task_time_limit, "
        "'tasks': {n: t.time_limit for n, t in app.tasks.items() if not n.startswith('celery.')}}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=base_env(DATABASE_URL="sqlite:///:memory:", **env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    return {"returncode": done.returncode, "stderr": done.stderr, "stdout": done.stdout}


@pytest.mark.parametrize("time_limit", [None, "7200"])
def test_the_redis_visibility_timeout_exceeds_the_longest_task_time_limit(time_limit):
    env = {"CELERY_TASK_TIME_LIMIT": time_limit} if time_limit else {}
    done = celery_limits(CELERY_BROKER_URL="redis://127.0.0.1:1/0", **env)
    assert done["returncode"] == 0, done["stderr"]
    conf = json.loads(done["stdout"].strip().splitlines()[-1])
    longest = max([conf["default"], *[t for t in conf["tasks"].values() if t]])
    assert "results.import_upload" in conf["tasks"]
    assert conf["options"]["visibility_timeout"] > longest


def test_a_visibility_timeout_below_the_task_time_limit_refuses_to_start():
    done = celery_limits(
        CELERY_BROKER_URL="redis://127.0.0.1:1/0",
        CELERY_TASK_TIME_LIMIT="900",
        CELERY_BROKER_VISIBILITY_TIMEOUT="600",
    )
    assert done["returncode"] != 0
    assert "CELERY_BROKER_VISIBILITY_TIMEOUT must exceed CELERY_TASK_TIME_LIMIT" in done["stderr"]


def test_a_job_silent_beyond_its_time_limit_is_orphaned_even_if_a_process_has_its_pid(
    django_capture_on_commit_callbacks,
):
    # A restarted container reuses pids: a live pid alone does not keep a silent job.
    process, worker = live_worker()
    try:
        job = running_job(worker=worker)
        Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - silent_for(job))
        with django_capture_on_commit_callbacks(execute=False) as sent:
            assert sweeper.sweep_stuck_jobs()["requeued"] == 1
        assert len(sent) == 1 and Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    finally:
        process.kill()
        process.wait()


def test_a_job_under_way_in_this_very_process_is_not_taken_for_orphaned(
    django_capture_on_commit_callbacks,
):
    # A threads pool runs several jobs in one process: a duplicate message, or the
    # sweeper in the same process, must not run a job whose body is under way here.
    job = create_job(kind="demo", title="Демо")
    nested = []
    with run_job(job.pk) as reporter:
        assert reporter is not None
        run_job_body(job.pk, lambda r: nested.append(1))
        with django_capture_on_commit_callbacks(execute=False) as sent:
            assert sweeper.sweep_stuck_jobs()["requeued"] == 0
        assert sent == []
    assert nested == []
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 1)
    # Once the body is over, a row still «running» in this process would be orphaned.
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, worker=worker_id())
    assert is_orphaned(Job.objects.get(pk=job.pk))
