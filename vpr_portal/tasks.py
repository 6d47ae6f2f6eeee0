"""Cross-cutting tasks."""

from celery import shared_task

from vpr_portal import services, sweeper


@shared_task(name="portal.ping")
def ping(job_id: int) -> None:
    services.answer_ping(job_id=job_id)


@shared_task(name="portal.sweep_stuck_jobs")
def sweep_stuck_jobs() -> None:
    sweeper.sweep_stuck_jobs()
