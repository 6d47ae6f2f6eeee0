"""Thin Celery tasks: ids in, one service call each; safe to run twice."""

from celery import shared_task

from observers.services import notifications, printing


@shared_task(name="observers.send_assignment_notice")
def send_assignment_notice(assignment_id: int) -> None:
    notifications.send_assignment_notice(assignment_id=assignment_id)


@shared_task(name="observers.send_cancellation_notice")
def send_cancellation_notice(assignment_id: int) -> None:
    notifications.send_cancellation_notice(assignment_id=assignment_id)


@shared_task(name="observers.send_act_returned_notice")
def send_act_returned_notice(act_id: int) -> None:
    notifications.send_act_returned_notice(act_id=act_id)


@shared_task(name="observers.send_day_before_reminders")
def send_day_before_reminders() -> None:
    notifications.send_day_before_reminders()


@shared_task(name="observers.render_act_pdf")
def render_act_pdf(job_id: int) -> None:
    printing.run_act_pdf_job(job_id=job_id)
