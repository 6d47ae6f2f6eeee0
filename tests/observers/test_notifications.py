"""E-mails: on assignment and the day before, each sent once however often the task runs."""

import datetime

import pytest
from django.conf import settings
from django.core import mail

from observers import tasks
from observers.models import Assignment
from observers.services.assignments import cancel_assignment, create_assignment
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_assignment_email_is_sent_after_commit_and_only_once(
    observer, session, staff_user, django_capture_on_commit_callbacks, eager_celery
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assignment = create_assignment(observer=observer, session=session, assigned_by=staff_user)
    assert mail.outbox == []  # nothing leaves before the transaction commits
    callbacks[0]()
    tasks.send_assignment_notice(assignment.pk)  # a redelivered message
    assert len(mail.outbox) == 1
    assert session.school.full_name in mail.outbox[0].body
    assert Assignment.objects.get().notified_at is not None


def test_the_reminder_goes_the_day_before_and_never_twice(observer, school, vpr_test, today):
    tomorrow = factories.AssignmentFactory(
        observer=observer,
        session=factories.ScheduledSessionFactory(
            school=school, test=vpr_test, class_label="4А", date=today + datetime.timedelta(days=1)
        ),
    )
    factories.AssignmentFactory(
        observer=observer,
        session=factories.ScheduledSessionFactory(
            school=school, test=vpr_test, class_label="4Б", date=today + datetime.timedelta(days=2)
        ),
    )
    tasks.send_day_before_reminders()
    tasks.send_day_before_reminders()  # the next hourly beat tick
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Напоминание: завтра наблюдение в СОШ № 1"
    assert (today + datetime.timedelta(days=1)).strftime("%d.%m.%Y") in mail.outbox[0].body
    tomorrow.refresh_from_db()
    assert tomorrow.reminded_at is not None


def test_a_cancelled_assignment_gets_no_reminder_but_a_cancellation(
    observer, school, vpr_test, today, staff_user, django_capture_on_commit_callbacks, eager_celery
):
    session = factories.ScheduledSessionFactory(
        school=school, test=vpr_test, date=today + datetime.timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assignment = create_assignment(observer=observer, session=session, assigned_by=staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_assignment(assignment=assignment)
    tasks.send_day_before_reminders()
    assert [m.subject.split(":")[0] for m in mail.outbox] == [
        "Назначение общественным наблюдателем",
        "Назначение отменено",
    ]


def test_a_failed_send_is_retried_next_time(observer, school, vpr_test, today, monkeypatch):
    factories.AssignmentFactory(
        observer=observer,
        session=factories.ScheduledSessionFactory(
            school=school, test=vpr_test, date=today + datetime.timedelta(days=1)
        ),
    )
    from observers.services import notifications

    def broken(**kwargs):
        raise ConnectionError("SMTP down")

    monkeypatch.setattr(notifications, "_send", broken)
    assert notifications.send_day_before_reminders() == 0
    monkeypatch.undo()
    assert notifications.send_day_before_reminders() == 1


def test_beat_runs_the_reminder_task():
    entry = settings.CELERY_BEAT_SCHEDULE["observers-day-before"]
    assert entry["task"] == tasks.send_day_before_reminders.name
