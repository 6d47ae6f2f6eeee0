"""Daily reminders: a window of an open item ends in N days, or the item is overdue.

Each user gets one email a day listing their items. A log row per (item, user, kind,
window end, day) makes the job safe to run twice: a reminder that went out is not sent
again — the "due soon" one once per window, the overdue one every few days (settings).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from plans.models import (
    DEPARTMENT_ROLES,
    OPEN_STATUSES,
    DeadlineWindow,
    Item,
    ItemStatus,
    Plan,
    PlanStatus,
    ReminderKind,
    ReminderLog,
    SchoolReport,
)
from plans.services.schedule import refresh_event_windows
from schools.models import Membership
from schools.roles import Role

logger = logging.getLogger(__name__)


@dataclass
class ReminderReport:
    emails: int = 0
    reminders: int = 0
    items_without_recipients: int = 0


@dataclass(frozen=True)
class Reminder:
    kind: str
    item: Item
    window_end: date


class _Recipients:
    """Who answers for an item, by email; memberships loaded once per municipality."""

    def __init__(self) -> None:
        self._staff: dict[int, set[int]] = {}
        self._coordinators: dict[int, dict[int, set[int]]] = {}

    def _load(self, municipality_id: int, region_id: int) -> None:
        if municipality_id in self._staff:
            return
        staff: set[int] = set()
        coordinators: dict[int, set[int]] = defaultdict(set)
        memberships = Membership.objects.filter(role__in=[Role.STAFF, Role.COORDINATOR]).filter(
            Q(municipality_id=municipality_id)
            | Q(region_id=region_id)
            | Q(school__municipality_id=municipality_id)
        )
        for m in memberships.values("role", "user_id", "school_id", "region_id"):
            if m["role"] == Role.STAFF and not m["region_id"]:
                staff.add(m["user_id"])  # municipal staff; region staff aren't pinged daily
            elif m["role"] == Role.COORDINATOR:
                coordinators[m["school_id"]].add(m["user_id"])
        self._staff[municipality_id] = staff
        self._coordinators[municipality_id] = coordinators

    def for_item(self, item: Item, *, reported_done: set[int]) -> set[int]:
        plan = item.plan
        self._load(plan.municipality_id, plan.municipality.region_id)
        staff = self._staff[plan.municipality_id]
        coordinators = self._coordinators[plan.municipality_id]
        users: set[int] = set()
        for responsible in item.responsibles.all():
            if responsible.user_id:
                users.add(responsible.user_id)
            if responsible.party_id:
                users |= {u.pk for u in responsible.party.users.all()}
            if responsible.school_id and responsible.school_id not in reported_done:
                users |= coordinators.get(responsible.school_id, set())
            if responsible.covers_all_schools:
                for school_id, ids in coordinators.items():
                    if school_id not in reported_done:
                        users |= ids
            if responsible.role in DEPARTMENT_ROLES:
                users |= staff
        # Nobody recognised (or nobody with an account): the department owns the plan.
        return users or set(staff)


def due_reminders(*, today: date, days_before: int) -> list[Reminder]:
    """Reminders due today, before checking who already got them."""
    open_items = Item.objects.filter(
        plan__status=PlanStatus.APPROVED, status__in=OPEN_STATUSES
    ).select_related("plan__municipality")
    reminders: list[Reminder] = []
    soon = (
        DeadlineWindow.objects.filter(
            item__in=open_items, end__gte=today, end__lte=today + timedelta(days=days_before)
        )
        .values_list("item_id", "end")
        .distinct()
    )
    soon_pairs = list(soon)
    late = list(
        open_items.annotate(last=Max("windows__end"))
        .filter(last__lt=today)
        .values_list("pk", "last")
    )
    ids = {pk for pk, _ in soon_pairs} | {pk for pk, _ in late}
    items = {
        item.pk: item
        for item in open_items.filter(pk__in=ids).prefetch_related("responsibles__party__users")
    }
    reminders.extend(Reminder(ReminderKind.DUE_SOON, items[pk], end) for pk, end in soon_pairs)
    reminders.extend(Reminder(ReminderKind.OVERDUE, items[pk], last) for pk, last in late)
    return reminders


def _already_sent(reminder: Reminder, user_id: int, *, today: date, overdue_every: int) -> bool:
    """A "due soon" reminder goes once per window; an overdue one every few days.

    A daily overdue mail would teach people to ignore the portal's mail.
    """
    logs = ReminderLog.objects.filter(
        item=reminder.item, user_id=user_id, kind=reminder.kind, window_end=reminder.window_end
    )
    if reminder.kind == ReminderKind.OVERDUE:
        logs = logs.filter(sent_on__gt=today - timedelta(days=max(overdue_every, 1)))
    return logs.exists()


def send_reminders(*, today: date | None = None, days_before: int | None = None) -> ReminderReport:
    """Email every responsible user about windows ending soon and overdue items."""
    today = today or timezone.localdate()
    days_before = settings.PLANS_REMINDER_DAYS_BEFORE if days_before is None else days_before
    overdue_every = getattr(settings, "PLANS_OVERDUE_REMINDER_EVERY_DAYS", 7)
    for plan in Plan.objects.filter(status=PlanStatus.APPROVED).select_related("municipality"):
        refresh_event_windows(plan=plan)  # the VPR schedule may have been published since

    report = ReminderReport()
    recipients = _Recipients()
    done_reports: dict[int, set[int]] = defaultdict(set)
    reminders = due_reminders(today=today, days_before=days_before)
    for item_id, school_id in SchoolReport.objects.filter(
        item_id__in={r.item.pk for r in reminders}, status=ItemStatus.DONE
    ).values_list("item_id", "school_id"):
        done_reports[item_id].add(school_id)

    per_user: dict[int, list[Reminder]] = defaultdict(list)
    for reminder in reminders:
        users = recipients.for_item(reminder.item, reported_done=done_reports[reminder.item.pk])
        if not users:
            report.items_without_recipients += 1
        for user_id in users:
            if not _already_sent(reminder, user_id, today=today, overdue_every=overdue_every):
                per_user[user_id].append(reminder)

    users = get_user_model().objects.in_bulk(list(per_user))
    for user_id, user_reminders in per_user.items():
        user = users.get(user_id)
        if user is None or not user.email or not user.is_active:
            continue
        try:
            with transaction.atomic():
                # Logged before sending, in the same transaction: a concurrent run hits
                # the unique constraint and skips; a failed send rolls the log back.
                ReminderLog.objects.bulk_create(
                    ReminderLog(
                        item=r.item,
                        user_id=user_id,
                        kind=r.kind,
                        window_end=r.window_end,
                        sent_on=today,
                    )
                    for r in user_reminders
                )
                _send(user, user_reminders, today=today)
        except IntegrityError:
            logger.info("Reminders for user %s already sent today", user_id)
            continue
        report.emails += 1
        report.reminders += len(user_reminders)
    return report


def _send(user: Any, reminders: list[Reminder], *, today: date) -> None:
    base_url = getattr(settings, "PLANS_PORTAL_URL", "").rstrip("/")
    soon = sorted(
        (r for r in reminders if r.kind == ReminderKind.DUE_SOON), key=lambda r: r.window_end
    )
    late = sorted(
        (r for r in reminders if r.kind == ReminderKind.OVERDUE), key=lambda r: r.window_end
    )

    def entry(r: Reminder) -> dict[str, Any]:
        url = reverse("plans:detail", args=[r.item.plan_id]) + f"#item-{r.item.pk}"
        return {"item": r.item, "window_end": r.window_end, "url": f"{base_url}{url}"}

    context = {
        "user": user,
        "today": today,
        "soon": [entry(r) for r in soon],
        "late": [entry(r) for r in late],
        "base_url": base_url,
    }
    subject = "Портал ВПР: "
    if late and soon:
        subject += "просроченные мероприятия и ближайшие сроки"
    elif late:
        subject += "просроченные мероприятия плана"
    else:
        subject += "скоро срок мероприятий плана"
    body = render_to_string("plans/email/reminder.txt", context)
    send_mail(subject, body, None, [user.email])
