"""Copying a plan to the next period: a new draft, a year later, nothing done yet."""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Any

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from plans.models import DeadlineKind, DeadlineWindow, Item, Plan, PlanStatus, Responsible, Section
from plans.services.schedule import EventWindowCache

_FULL_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")
_SHORT_YEAR_DATE = re.compile(r"(?<!\d)(\d{1,2}\.\d{1,2}\.)(\d{2})(?![\d.])")


def shift_date(day: date, years: int = 1) -> date:
    """The same day ``years`` later; month ends stay month ends (28.02 → 29.02 in a leap year)."""
    year = day.year + years
    last_day = calendar.monthrange(year, day.month)[1]
    was_last = day.day == calendar.monthrange(day.year, day.month)[1]
    return date(year, day.month, last_day if was_last else min(day.day, last_day))


def shift_years_in_text(text: str, years: int = 1) -> str:
    """ "Май 2023 г." → "Май 2024 г.", "2023-2024 учебный год" → "2024-2025", "09.10.19" → "09.10.20"."""
    text = _FULL_YEAR.sub(lambda m: str(int(m.group(1)) + years), text)
    return _SHORT_YEAR_DATE.sub(
        lambda m: f"{m.group(1)}{(int(m.group(2)) + years) % 100:02d}", text
    )


@transaction.atomic
def copy_plan_to_next_period(*, plan: Plan, user: Any = None, years: int = 1) -> Plan:
    """A draft copy of the plan for the next period.

    Dates and years written in the texts move a year on so that the printed deadlines
    match the windows; windows tied to the VPR schedule are taken from the new year's
    schedule. Statuses, completion dates, reports and evidence are not copied. The
    approval date and the order line are cleared: the copy needs its own approval.
    """
    shift = lambda text: shift_years_in_text(text, years)  # noqa: E731
    copy = Plan.objects.create(
        municipality=plan.municipality,
        title=shift(plan.title),
        period_start=shift_date(plan.period_start, years) if plan.period_start else None,
        period_end=shift_date(plan.period_end, years) if plan.period_end else None,
        status=PlanStatus.DRAFT,
        approval_position=plan.approval_position,
        approval_name=plan.approval_name,
        approval_date=None,
        basis=plan.basis,
        order_reference="",
        goal=shift(plan.goal),
        tasks=[shift(t) for t in plan.tasks],
        expected_results=[shift(t) for t in plan.expected_results],
        source_name=plan.source_name,
        source_format=plan.source_format,
        copied_from=plan,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    events = EventWindowCache(
        municipality=copy.municipality, period_start=copy.period_start, period_end=copy.period_end
    )
    section_map: dict[int, Section] = {}
    for section in plan.sections.all():
        section_map[section.pk] = Section.objects.create(
            plan=copy, number=section.number, title=shift(section.title), position=section.position
        )
    originals = list(Item.objects.filter(plan=plan).prefetch_related("windows", "responsibles"))
    by_parent: dict[int | None, list[Item]] = {}
    for item in originals:
        by_parent.setdefault(item.parent_id, []).append(item)
    item_map: dict[int, Item] = {}
    level = by_parent.get(None, [])
    windows: list[DeadlineWindow] = []
    responsibles: list[Responsible] = []
    while level:
        new_items = [
            Item(
                plan=copy,
                section=section_map[item.section_id],
                parent=item_map[item.parent_id] if item.parent_id else None,
                position=item.position,
                number=item.number,
                text=shift(item.text),
                deadline_text=shift(item.deadline_text),
                deadline_kind=item.deadline_kind,
                deadline_manual=item.deadline_manual,
                responsible_text=item.responsible_text,
                expected_result=shift(item.expected_result),
            )
            for item in level
        ]
        bulk_create_with_history(new_items, Item)  # audit: history rows too
        next_level: list[Item] = []
        for old, new in zip(level, new_items, strict=True):
            item_map[old.pk] = new
            old_windows = old.window_list()
            tied_to_schedule = any(w.from_schedule for w in old_windows) or (
                old.deadline_kind == DeadlineKind.EVENT and not old_windows
            )
            if tied_to_schedule:
                windows.extend(
                    DeadlineWindow(item=new, start=s, end=e, from_schedule=True)
                    for s, e in events.windows()
                )
            else:
                windows.extend(
                    DeadlineWindow(
                        item=new, start=shift_date(w.start, years), end=shift_date(w.end, years)
                    )
                    for w in old_windows
                )
            responsibles.extend(
                Responsible(
                    item=new,
                    position=r.position,
                    text=r.text,
                    kind=r.kind,
                    role=r.role,
                    school_id=r.school_id,
                    user_id=r.user_id,
                    party_id=r.party_id,
                )
                for r in old.responsibles.all()
            )
            next_level.extend(by_parent.get(old.pk, []))
        level = next_level
    DeadlineWindow.objects.bulk_create(windows)
    Responsible.objects.bulk_create(responsibles)
    return copy
