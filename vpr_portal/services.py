"""Cross-cutting services: health checks."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection
from django.utils import timezone

from vpr_portal.celery import app as celery_app
from vpr_portal.jobs import create_job, enqueue_on_commit, run_job_body
from vpr_portal.models import Job, JobStatus


def answer_ping(*, job_id: int) -> None:
    run_job_body(job_id, lambda reporter: {"answered_at": timezone.now().isoformat()})


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, connection.vendor
    except Exception as exc:  # the check reports, it must not crash
        return False, f"{type(exc).__name__}: {exc}"


def check_broker() -> tuple[bool, str]:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
            return True, conn.transport_cls if isinstance(conn.transport_cls, str) else "ok"
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"


def check_worker(*, timeout: float | None = None) -> tuple[bool, str]:
    """Round-trip a ping task through the broker and a worker, via a job row."""
    timeout = settings.PORTAL_HEALTH_WORKER_TIMEOUT if timeout is None else timeout
    job = create_job(kind="ping", title="Проверка работы фоновых задач")
    try:
        enqueue_on_commit("portal.ping", job.pk)
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"
    started = time.monotonic()
    try:
        while time.monotonic() - started < timeout:
            status = Job.objects.filter(pk=job.pk).values_list("status", flat=True).first()
            if status == JobStatus.SUCCEEDED:
                return True, f"ответ за {time.monotonic() - started:.2f} с"
            time.sleep(0.1)
        return False, f"нет ответа за {timeout:.0f} с"
    finally:
        Job.objects.filter(pk=job.pk).delete()
