"""The job pattern for long work (pretix-style).

A service creates a Job row and enqueues a task, named by its Celery name, with the
job's id *after* the transaction commits; the task runs the service inside `run_job`, which records
progress and maps known errors to messages for the user; the page polls the
row with htmx until it is finished.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone

from vpr_portal.celery import app as celery_app
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


#: A task is named by its Celery name ("results.import_upload"); a task object is
#: accepted too and stands for its name. Services name tasks instead of importing them:
#: the tasks modules import the services (the only direction), so there is no cycle.
TaskRef = Any


def task_name_of(task: TaskRef) -> str:
    return task if isinstance(task, str) else task.name


def find_task(name: str) -> Any:
    """The task registered in this process under ``name``, or None.

    A web process imports no tasks module by itself: the first lookup imports every app's
    tasks (Celery's autodiscovery and CELERY_IMPORTS), so eager mode in the tests runs them
    in-process.
    """
    task = celery_app.tasks.get(name)
    if task is None:
        celery_app.loader.import_default_modules()
        task = celery_app.tasks.get(name)
    return task


def send_task(task: TaskRef, *args: Any) -> None:
    """Send the task now: through the registered task (honours eager mode), else by name."""
    name = task_name_of(task)
    registered = find_task(name)
    if registered is not None:
        registered.delay(*args)
    else:
        celery_app.send_task(name, args=list(args))


def enqueue_on_commit(task: TaskRef, *args: Any) -> None:
    """Send a Celery task (by name) only once the surrounding transaction has committed.

    A task sent earlier could start before its rows exist, or run for rows that a
    rollback then removes.
    """
    transaction.on_commit(lambda: send_task(task, *args))


def enqueue_job_task(job: Job, task: TaskRef, *args: Any) -> None:
    """Send `task(*args)` for the job on commit, and remember it on the row.

    The sweeper (vpr_portal/sweeper.py) sends the same task again when the message
    is lost with its worker.
    """
    job.task_name, job.task_args = task_name_of(task), list(args)
    Job.objects.filter(pk=job.pk).update(task_name=job.task_name, task_args=job.task_args)
    enqueue_on_commit(job.task_name, *args)


def start_job(
    *, kind: str, title: str, task: TaskRef, user: Any = None, params: dict | None = None
) -> Job:
    """Create the job row and enqueue `task(job_id)` on commit (``task``: its Celery name)."""
    job = create_job(kind=kind, title=title, user=user, params=params)
    enqueue_job_task(job, task, job.pk)
    return job


# --- Recovery: who runs a job, how often it started, when it gave up -------------------

#: The message of a job (and its upload) that stopped its worker too many times.
CRASHED_MESSAGE = (
    "Обработка прервалась {attempts} раз; файл, вероятно, повреждён или слишком велик. "
    "Загрузите его заново или обратитесь к администратору."
)

#: Sent after a job is failed by recovery (not by its own body): ``job`` is the row.
#: Rows that mirror a job's status (a results upload) follow it.
job_abandoned = Signal()


def max_attempts() -> int:
    return int(getattr(settings, "PORTAL_JOB_MAX_ATTEMPTS", 3))


def worker_id() -> str:
    """This process as ``host:pid``: the row names who runs the job."""
    return f"{socket.gethostname()}:{os.getpid()}"


#: Jobs whose body runs in this process now (a threads pool runs several at once).
_running_here: set[int] = set()


def _process_alive(worker: str, job_id: int) -> bool | None:
    """Whether the process named ``host:pid`` is alive; None if it is on another host."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    if int(pid) == os.getpid():
        # This process is asking: it runs the job only if its body is under way here.
        return job_id in _running_here
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def stale_after(job: Job) -> timedelta:
    """How long a running job may stay silent: its task's hard time limit plus a grace.

    A worker kills a task at its hard limit, so a job silent for longer is run by no one.
    """
    limit = None
    if job.task_name:
        task = celery_app.tasks.get(job.task_name)
        limit = getattr(task, "time_limit", None)
    limit = limit or settings.CELERY_TASK_TIME_LIMIT
    return timedelta(seconds=limit + settings.PORTAL_JOB_STALE_GRACE_SECONDS)


def is_orphaned(job: Job, *, now: Any = None) -> bool:
    """A running job nobody runs: its process is gone, or it is silent beyond its limit.

    A worker job silent beyond its task's hard limit is orphaned even if a process with
    its pid lives (a restarted container reuses pids). A job run by its caller (the
    command line: no task, no limit) is trusted while its process lives.
    """
    if job.status != JobStatus.RUNNING:
        return False
    alive = _process_alive(job.worker, job.pk) if job.worker else None
    if alive is False:
        return True
    if alive and not job.task_name:
        return False
    last = job.heartbeat_at or job.started_at or job.created_at
    return last < (now or timezone.now()) - stale_after(job)


def fail_job(job_id: int, message: str) -> None:
    """Fail an unfinished job from outside its body (recovery) and tell its followers."""
    updated = Job.objects.filter(
        pk=job_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
    ).update(status=JobStatus.FAILED, message=message, finished_at=timezone.now(), worker="")
    if updated:
        logger.warning("Job %s failed by recovery: %s", job_id, message)
        job_abandoned.send(sender=Job, job=Job.objects.get(pk=job_id))


def _claim(job_id: int) -> bool:
    """Count this delivery on the row, committed before any work; False: do not run.

    A finished job, or one that a live process runs (a duplicate message), is skipped.
    The delivery after ``max_attempts`` starts fails the job instead: a file that kills
    its worker every time must not loop forever.
    """
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return False
        if job.status == JobStatus.RUNNING and not is_orphaned(job):
            logger.warning("Job %s is already run by %s: delivery skipped", job_id, job.worker)
            return False
        if job.attempts >= max_attempts():
            give_up = job.attempts
        else:
            now = timezone.now()
            Job.objects.filter(pk=job_id).update(
                status=JobStatus.RUNNING,
                started_at=now,
                heartbeat_at=now,
                worker=worker_id(),
                attempts=F("attempts") + 1,
            )
            return True
    fail_job(job_id, CRASHED_MESSAGE.format(attempts=give_up))
    return False


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
        fields: dict[str, Any] = {"progress": percent, "heartbeat_at": timezone.now()}
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
    acks_late), or when a live process already runs it, so the body is skipped: tasks
    stay idempotent. Each start is counted first (see `_claim`).
    """
    if not _claim(job_id):
        yield None
        return
    reporter = JobReporter(job_id)
    _running_here.add(job_id)
    try:
        yield reporter
    except UserFacingError as exc:
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, message=exc.message_ru, finished_at=timezone.now(), worker=""
        )
    except Exception:
        logger.exception("Job %s failed", job_id)
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED,
            message="Внутренняя ошибка при выполнении задачи. Администратор может посмотреть журнал.",
            finished_at=timezone.now(),
            worker="",
        )
        raise
    else:
        job = Job.objects.get(pk=job_id)
        if job.status == JobStatus.RUNNING:
            Job.objects.filter(pk=job_id).update(
                status=JobStatus.SUCCEEDED, progress=100, finished_at=timezone.now(), worker=""
            )
    finally:
        _running_here.discard(job_id)


def run_job_body(job_id: int, body: Callable[[JobReporter], dict | None]) -> None:
    """Shorthand for tasks: run `body(reporter)` as the job; its dict becomes job.result."""
    with run_job(job_id) as reporter:
        if reporter is None:
            return
        result = body(reporter)
        if result is not None:
            Job.objects.filter(pk=job_id).update(result=result)
