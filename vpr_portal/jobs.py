"""The job pattern for long work (pretix-style).

A view creates a Job row and enqueues a task with the job's id *after* the
transaction commits; the task runs the service inside `run_job`, which records
progress and maps known errors to messages for the user; the page polls the
row with htmx until it is finished.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from vpr_portal.models import Job, JobStatus

logger = logging.getLogger(__name__)


class UserFacingError(Exception):
    """An expected failure whose message (Russian) can be shown to the user as is."""

    def __init__(self, message_ru: str) -> None:
        super().__init__(message_ru)
        self.message_ru = message_ru


def create_job(*, kind: str, title: str, user: Any = None, params: dict | None = None) -> Job:
    return Job.objects.create(
        kind=kind,
        title=title,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        params=params or {},
    )


def enqueue_on_commit(task: Any, *args: Any) -> None:
    """Send a Celery task only once the surrounding transaction has committed.

    A task sent earlier could start before its rows exist, or run for rows that a
    rollback then removes.
    """
    transaction.on_commit(lambda: task.delay(*args))


def start_job(
    *, kind: str, title: str, task: Any, user: Any = None, params: dict | None = None
) -> Job:
    """Create the job row and enqueue `task(job_id)` on commit."""
    job = create_job(kind=kind, title=title, user=user, params=params)
    enqueue_on_commit(task, job.pk)
    return job


class JobReporter:
    """Progress reporting for a running job; throttled to whole-percent changes."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self._last = -1

    def progress(self, done: int, total: int, message: str = "") -> None:
        percent = 100 if total <= 0 else min(99, int(done * 100 / total))
        if percent == self._last and not message:
            return
        self._last = percent
        fields: dict[str, Any] = {"progress": percent}
        if message:
            fields["message"] = message
        Job.objects.filter(pk=self.job_id).update(**fields)

    def save_output(self, *, filename: str, content: bytes) -> None:
        job = Job.objects.get(pk=self.job_id)
        job.output_file.save(filename, ContentFile(content), save=False)
        Job.objects.filter(pk=self.job_id).update(output_file=job.output_file.name)


@contextmanager
def run_job(job_id: int) -> Iterator[JobReporter | None]:
    """Run a job body once: marks it running, then succeeded or failed.

    Yields None when the job is already finished (a redelivered message after
    acks_late), so the body is skipped: tasks stay idempotent.
    """
    updated = Job.objects.filter(
        pk=job_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
    ).update(status=JobStatus.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1)
    if not updated:
        yield None
        return
    reporter = JobReporter(job_id)
    try:
        yield reporter
    except UserFacingError as exc:
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, message=exc.message_ru, finished_at=timezone.now()
        )
    except Exception:
        logger.exception("Job %s failed", job_id)
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED,
            message="Внутренняя ошибка при выполнении задачи. Администратор может посмотреть журнал.",
            finished_at=timezone.now(),
        )
        raise
    else:
        job = Job.objects.get(pk=job_id)
        if job.status == JobStatus.RUNNING:
            Job.objects.filter(pk=job_id).update(
                status=JobStatus.SUCCEEDED, progress=100, finished_at=timezone.now()
            )


def run_job_body(job_id: int, body: Callable[[JobReporter], dict | None]) -> None:
    """Shorthand for tasks: run `body(reporter)` as the job; its dict becomes job.result."""
    with run_job(job_id) as reporter:
        if reporter is None:
            return
        result = body(reporter)
        if result is not None:
            Job.objects.filter(pk=job_id).update(result=result)
