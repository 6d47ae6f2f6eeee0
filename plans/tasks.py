"""Celery tasks of the plans app: thin, ids in, sent after commit (vpr_portal.jobs)."""

from celery import shared_task

from plans.services import output, reminders


@shared_task(name="plans.render_plan_pdf")
def render_plan_pdf(job_id: int) -> None:
    output.run_pdf_job(job_id=job_id)


@shared_task(name="plans.send_reminders")
def send_reminders() -> None:
    reminders.send_reminders()
