"""Celery tasks of the plans app: thin, ids in, sent after commit (vpr_portal.jobs)."""

from celery import shared_task
from django.conf import settings

from plans.services import importing, output, reminders


@shared_task(name="plans.render_plan_pdf")
def render_plan_pdf(job_id: int) -> None:
    output.run_pdf_job(job_id=job_id)


@shared_task(name="plans.read_plan_import")
def read_plan_import(job_id: int) -> None:
    importing.run_import_job(job_id=job_id)


@shared_task(name="plans.send_reminders")
def send_reminders() -> None:
    reminders.send_reminders()


@shared_task(name="plans.delete_stale_import_drafts")
def delete_stale_import_drafts() -> int:
    return importing.delete_stale_drafts(older_than_days=settings.PLANS_IMPORT_DRAFT_DAYS)
