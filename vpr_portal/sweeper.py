"""The sweeper: jobs (and the rows that follow them) left behind by a lost worker.

A worker killed mid-task (SIGKILL, out of memory, a restarted container) leaves its job
«running». With Redis the unacknowledged message comes back after the visibility
timeout; the embedded filesystem broker of `make run` loses it. Either way the sweeper
(beat, every few minutes, and once when a worker starts) finds such jobs and sends their
task again — the task starts from a clean state, since the interrupted work rolled back —
or, after `PORTAL_JOB_MAX_ATTEMPTS` starts, fails them with a Russian message. Jobs run
by their caller (a command-line import) are never sent to a worker: they are failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from vpr_portal.celery import app as celery_app
from vpr_portal.jobs import CRASHED_MESSAGE, fail_job, find_task, is_orphaned, max_attempts
from vpr_portal.models import Job, JobStatus

logger = logging.getLogger(__name__)

#: A job run by its caller (no task to send again) whose process is gone.
INTERRUPTED_MESSAGE = (
    "Обработка прервалась: процесс, который её выполнял, остановлен. "
    "Запустите её заново или обратитесь к администратору."
)

#: Other apps' sweeps (rows with no job left unfinished), registered in AppConfig.ready.
_extra_sweeps: list[Callable[..., int]] = []


def register_sweep(sweep: Callable[..., int]) -> None:
    """Add ``sweep(now=…) -> rows fixed`` to every pass of the sweeper."""
    if sweep not in _extra_sweeps:
        _extra_sweeps.append(sweep)


def requeue(job: Job) -> bool:
    """Put an orphaned job back in the queue and send its task again (after commit).

    The update is conditional on what the sweeper saw, so two sweepers never both send it.
    """
    updated = Job.objects.filter(
        pk=job.pk, status=job.status, attempts=job.attempts, worker=job.worker
    ).update(status=JobStatus.QUEUED, worker="", heartbeat_at=timezone.now())
    if not updated:
        return False
    name, args = job.task_name, list(job.task_args)
    task = find_task(name)
    if task is not None:  # honours eager mode in the tests that ask for it
        transaction.on_commit(lambda: task.apply_async(args=args))
    else:
        transaction.on_commit(lambda: celery_app.send_task(name, args=args))
    logger.warning("Job %s (%s) sent again after attempt %s", job.pk, name, job.attempts)
    return True


def sweep_stuck_jobs(*, now: Any = None) -> dict[str, int]:
    """One pass: re-queue or fail orphaned running jobs and long-queued ones."""
    now = now or timezone.now()
    counts = {"requeued": 0, "failed": 0, "other": 0}
    for job in Job.objects.filter(status=JobStatus.RUNNING).order_by("pk"):
        if not is_orphaned(job, now=now):
            continue
        if not job.task_name:
            fail_job(job.pk, INTERRUPTED_MESSAGE)
            counts["failed"] += 1
        elif job.attempts >= max_attempts():
            fail_job(job.pk, CRASHED_MESSAGE.format(attempts=job.attempts))
            counts["failed"] += 1
        else:
            counts["requeued"] += requeue(job)
    # A queued job whose message is gone (a broker that lost it) never starts: send it
    # again. A duplicate message is harmless: the first delivery claims the job.
    queued_before = now - timedelta(seconds=settings.PORTAL_JOB_QUEUED_RESEND_SECONDS)
    for job in Job.objects.filter(status=JobStatus.QUEUED).order_by("pk"):
        if (job.heartbeat_at or job.created_at) >= queued_before:
            continue
        if not job.task_name:
            fail_job(job.pk, INTERRUPTED_MESSAGE)
            counts["failed"] += 1
        else:
            counts["requeued"] += requeue(job)
    for sweep in _extra_sweeps:
        counts["other"] += sweep(now=now)
    if any(counts.values()):
        logger.warning("Sweeper: %s", counts)
    return counts
