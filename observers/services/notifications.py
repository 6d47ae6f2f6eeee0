"""E-mails to observers: the assignment, the reminder the day before, cancellations, returns.

Each message is claimed by stamping its row *before* sending (an UPDATE that matches
only an unstamped row), so a task that runs twice, or two beat ticks, send it once. If
sending fails the stamp is removed again and the next run retries.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from observers.models import Act, ActStatus, Assignment, AssignmentStatus

logger = logging.getLogger(__name__)


def _link(path: str) -> str:
    base = getattr(settings, "OBSERVERS_PORTAL_URL", "").rstrip("/")
    return f"{base}{path}" if base else ""


def _send(*, to: str, subject: str, template: str, context: dict) -> None:
    body = render_to_string(template, context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)


def _assignment_context(assignment: Assignment) -> dict:
    return {
        "assignment": assignment,
        "session": assignment.session,
        "school": assignment.session.school,
        "observer": assignment.observer,
        "link": _link(reverse("observers:act_edit", args=[assignment.pk])),
    }


def _claim(assignment_id: int, field: str, **conditions) -> bool:
    """Stamp `field` if still empty; True if this call won the right to send."""
    return bool(
        Assignment.objects.filter(
            pk=assignment_id, **{f"{field}__isnull": True}, **conditions
        ).update(**{field: timezone.now()})
    )


def _release(assignment_id: int, field: str) -> None:
    Assignment.objects.filter(pk=assignment_id).update(**{field: None})


def send_assignment_notice(*, assignment_id: int) -> bool:
    """Tell the observer where and when they are expected. Sent once per assignment."""
    assignment = (
        Assignment.objects.select_related("observer", "session__school", "session__test")
        .filter(pk=assignment_id, status=AssignmentStatus.ACTIVE)
        .first()
    )
    if assignment is None or not assignment.observer.email:
        return False
    if not _claim(assignment_id, "notified_at", status=AssignmentStatus.ACTIVE):
        return False
    try:
        _send(
            to=assignment.observer.email,
            subject=f"Назначение общественным наблюдателем: {assignment.session.school.display_name}, "
            f"{assignment.date:%d.%m.%Y}",
            template="observers/email/assignment.txt",
            context=_assignment_context(assignment),
        )
    except Exception:
        _release(assignment_id, "notified_at")
        raise
    return True


def send_day_before_reminders(*, today: datetime.date | None = None) -> int:
    """Remind every observer with an assignment tomorrow; returns how many were sent."""
    today = today or timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    due = (
        Assignment.objects.filter(
            date=tomorrow, status=AssignmentStatus.ACTIVE, reminded_at__isnull=True
        )
        .exclude(observer__email="")
        .values_list("pk", flat=True)
    )
    sent = 0
    for assignment_id in list(due):
        if not _claim(assignment_id, "reminded_at", status=AssignmentStatus.ACTIVE):
            continue
        assignment = Assignment.objects.select_related(
            "observer", "session__school", "session__test"
        ).get(pk=assignment_id)
        try:
            _send(
                to=assignment.observer.email,
                subject=f"Напоминание: завтра наблюдение в {assignment.session.school.display_name}",
                template="observers/email/reminder.txt",
                context=_assignment_context(assignment),
            )
        except Exception:
            logger.exception("Reminder for assignment %s failed", assignment_id)
            _release(assignment_id, "reminded_at")
            continue
        sent += 1
    return sent


def send_cancellation_notice(*, assignment_id: int) -> bool:
    assignment = (
        Assignment.objects.select_related("observer", "session__school", "session__test")
        .filter(pk=assignment_id, status=AssignmentStatus.CANCELLED)
        .first()
    )
    if assignment is None or not assignment.observer.email:
        return False
    # notified_at doubles as the claim: cleared once the cancellation went out.
    updated = Assignment.objects.filter(pk=assignment_id, notified_at__isnull=False).update(
        notified_at=None
    )
    if not updated:
        return False
    _send(
        to=assignment.observer.email,
        subject=f"Назначение отменено: {assignment.session.school.display_name}, {assignment.date:%d.%m.%Y}",
        template="observers/email/cancelled.txt",
        context=_assignment_context(assignment),
    )
    return True


def send_act_returned_notice(*, act_id: int) -> bool:
    act = (
        Act.objects.select_related(
            "assignment__observer", "assignment__session__school", "assignment__session__test"
        )
        .filter(pk=act_id)
        .first()
    )
    if act is None or act.status != ActStatus.RETURNED or not act.assignment.observer.email:
        return False
    context = _assignment_context(act.assignment) | {"act": act}
    _send(
        to=act.assignment.observer.email,
        subject=f"Акт наблюдения возвращён на доработку: {act.assignment.session.school.display_name}",
        template="observers/email/returned.txt",
        context=context,
    )
    return True
