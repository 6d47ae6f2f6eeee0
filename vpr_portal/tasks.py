"""Cross-cutting tasks."""

from celery import shared_task

from vpr_portal import services


@shared_task(name="portal.ping")
def ping(job_id: int) -> None:
    services.answer_ping(job_id=job_id)
