"""Daily reminders: N days before a window ends and when overdue; never twice a day."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core import mail

from plans.models import ItemStatus, ReminderLog, SchoolReport
from plans.services.reminders import send_reminders
from tests import factories

TODAY = date(2024, 4, 10)


@pytest.fixture
def scene(municipality, school, coordinator, staff_user, no_schedule):
    plan = factories.PlanFactory(municipality=municipality)
    section = factories.PlanSectionFactory(plan=plan)

    def item(number, end, responsible, **extra):
        return factories.PlanItemFactory(
            section=section,
            number=number,
            text=f"Мероприятие {number}",
            windows=[(end - timedelta(days=20), end)],
            responsible=responsible,
            **extra,
        )

    draft_section = factories.PlanSectionFactory(
        plan=factories.PlanFactory(municipality=municipality, status="draft")
    )
    return {
        "soon": item("1", TODAY + timedelta(days=5), ["Руководители ОО"]),
        "late": item("2", TODAY - timedelta(days=3), ["Отдел образования"]),
        "done": item("3", TODAY + timedelta(days=3), ["Руководители ОО"], status=ItemStatus.DONE),
        "far": item("4", TODAY + timedelta(days=20), ["Руководители ОО"]),
        "draft": factories.PlanItemFactory(
            section=draft_section,
            windows=[(TODAY, TODAY + timedelta(days=2))],
            responsible=["Руководители ОО"],
        ),
        "coordinator": coordinator,
        "staff": staff_user,
        "school": school,
    }


def mails_to(user) -> list:
    return [m for m in mail.outbox if user.email in m.to]


@pytest.mark.django_db
def test_responsible_users_get_one_email_with_their_items(scene, settings):
    settings.PLANS_REMINDER_DAYS_BEFORE = 7
    report = send_reminders(today=TODAY)
    (to_coordinator,) = mails_to(scene["coordinator"])
    assert "Мероприятие 1" in to_coordinator.body and "15.04.2024" in to_coordinator.body
    assert "Мероприятие 3" not in to_coordinator.body  # done
    assert "Мероприятие 4" not in to_coordinator.body  # ends in 20 days
    assert "скоро срок" in to_coordinator.subject
    (to_staff,) = mails_to(scene["staff"])
    assert "Просрочены" in to_staff.body and "Мероприятие 2" in to_staff.body
    assert "Мероприятие 1" not in to_staff.body  # the schools' item, not the department's
    assert report.emails == 2 and len(mail.outbox) == 2


@pytest.mark.django_db
def test_running_twice_a_day_sends_nothing_new(scene):
    send_reminders(today=TODAY)
    sent = len(mail.outbox)
    assert sent == 2
    report = send_reminders(today=TODAY)
    assert report.emails == 0 and len(mail.outbox) == sent
    assert ReminderLog.objects.count() == 2


@pytest.mark.django_db
def test_due_soon_goes_once_per_window_and_overdue_every_few_days(scene, settings):
    settings.PLANS_OVERDUE_REMINDER_EVERY_DAYS = 7
    send_reminders(today=TODAY)
    mail.outbox.clear()
    send_reminders(today=TODAY + timedelta(days=1))
    assert mail.outbox == []
    send_reminders(today=TODAY + timedelta(days=7))
    (again,) = mails_to(scene["staff"])
    assert "Мероприятие 2" in again.body
    (now_late,) = mails_to(scene["coordinator"])  # item 1 ended on the 15th
    assert "Просрочены" in now_late.body and "Мероприятие 1" in now_late.body


@pytest.mark.django_db
def test_the_lead_time_comes_from_settings(scene, settings):
    settings.PLANS_REMINDER_DAYS_BEFORE = 2
    send_reminders(today=TODAY)
    assert mails_to(scene["coordinator"]) == []


@pytest.mark.django_db
def test_a_school_that_reported_done_is_not_reminded(scene):
    SchoolReport.objects.create(
        item=scene["soon"], school=scene["school"], status="done", report_text="Сделано"
    )
    send_reminders(today=TODAY)
    assert mails_to(scene["coordinator"]) == []


@pytest.mark.django_db
def test_users_without_email_are_skipped_and_nothing_is_logged_for_them(scene):
    scene["coordinator"].email = ""
    scene["coordinator"].save()
    send_reminders(today=TODAY)
    assert not ReminderLog.objects.filter(user=scene["coordinator"]).exists()


@pytest.mark.django_db
def test_an_item_nobody_is_recognised_for_goes_to_the_department(scene, staff_user):
    section = scene["soon"].section
    factories.PlanItemFactory(
        section=section,
        number="5",
        text="Мероприятие 5",
        windows=[(TODAY, TODAY + timedelta(days=1))],
        responsible=["Кто-нибудь"],
    )
    send_reminders(today=TODAY)
    (to_staff,) = mails_to(staff_user)
    assert "Мероприятие 5" in to_staff.body


@pytest.mark.django_db
def test_the_daily_task_is_scheduled_and_runs(scene, eager_celery, monkeypatch):
    from django.utils import timezone

    from plans.tasks import send_reminders as task

    assert settings.CELERY_BEAT_SCHEDULE["plans-reminders"]["task"] == "plans.send_reminders"
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)
    task.delay()
    assert len(mail.outbox) == 2
