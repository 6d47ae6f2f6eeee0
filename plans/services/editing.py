"""Editing a plan as a document: header, sections, items (add / move / delete)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max

from plans.models import (
    DeadlineKind,
    DeadlineWindow,
    Item,
    Plan,
    PlanStatus,
    Responsible,
    Section,
)
from plans.services.documents import understand_deadline
from plans.services.errors import PlanError
from plans.services.responsibles import ResponsibleMatcher
from plans.services.schedule import EventWindowCache


def _events(plan: Plan) -> EventWindowCache:
    return EventWindowCache(
        municipality=plan.municipality, period_start=plan.period_start, period_end=plan.period_end
    )


def apply_deadline(
    *,
    item: Item,
    text: str,
    manual_window: tuple[date, date] | None = None,
    events: EventWindowCache | None = None,
) -> None:
    """Set the deadline text and its windows: read from the text, or given by hand.

    A window typed by staff wins over the text (the text is still printed as written).
    """
    plan = item.plan
    item.deadline_text = text.strip()
    item.windows.all().delete()
    if manual_window is not None:
        start, end = manual_window
        if start > end:
            raise PlanError("Начало срока позже его окончания.")
        item.deadline_kind = DeadlineKind.DATE if start == end else DeadlineKind.WINDOW
        item.deadline_manual = True
        DeadlineWindow.objects.create(item=item, start=start, end=end)
        return
    item.deadline_manual = False
    kind, windows = understand_deadline(
        item.deadline_text, period_start=plan.period_start, period_end=plan.period_end
    )
    item.deadline_kind = kind
    from_schedule = False
    if kind == DeadlineKind.EVENT and not windows:
        windows = (events or _events(plan)).windows()
        from_schedule = True
    DeadlineWindow.objects.bulk_create(
        DeadlineWindow(item=item, start=s, end=e, from_schedule=from_schedule) for s, e in windows
    )


def apply_responsibles(
    *, item: Item, texts: list[str], matcher: ResponsibleMatcher | None = None
) -> None:
    item.responsibles.all().delete()
    matcher = matcher or ResponsibleMatcher(item.plan.municipality)
    Responsible.objects.bulk_create(matcher.build(item=item, texts=texts))


@transaction.atomic
def update_item(
    *,
    item: Item,
    number: str,
    text: str,
    deadline_text: str,
    responsible: list[str],
    expected_result: str,
    manual_window: tuple[date, date] | None = None,
) -> Item:
    """Save an inline edit of an item's document fields.

    The deadline is re-read only when its text or the manual window changed, and the
    parties re-linked only when their list changed, so links staff fixed survive.
    """
    if not text.strip():
        raise PlanError("Текст мероприятия не может быть пустым.")
    item.number = number.strip()
    item.text = text.strip()
    item.expected_result = expected_result.strip()
    current_window = None
    if item.deadline_manual:
        windows = item.window_list()
        current_window = (windows[0].start, windows[0].end) if windows else None
    if deadline_text.strip() != item.deadline_text or manual_window != current_window:
        apply_deadline(item=item, text=deadline_text, manual_window=manual_window)
    parties = [p.strip() for p in responsible if p.strip()]
    if parties != [r.text for r in item.responsibles.all()]:
        item.responsible_text = "\n".join(parties)
        apply_responsibles(item=item, texts=parties)
    item.save()
    return item


def _siblings(item: Item) -> list[Item]:
    return list(
        Item.objects.filter(section=item.section, parent=item.parent).order_by("position", "pk")
    )


def _renumber(items: list[Item]) -> None:
    for position, sibling in enumerate(items):
        sibling.position = position
    Item.objects.bulk_update(items, ["position"])


@transaction.atomic
def add_item(
    *,
    section: Section,
    text: str,
    number: str = "",
    deadline_text: str = "",
    responsible: list[str] | None = None,
    expected_result: str = "",
    parent: Item | None = None,
    after: Item | None = None,
) -> Item:
    """Add a measure at the end of its section (or sub-items), or right after ``after``."""
    if not text.strip():
        raise PlanError("Текст мероприятия не может быть пустым.")
    if parent is not None and parent.section_id != section.pk:
        raise PlanError("Подпункт должен быть в том же разделе, что и пункт.")
    siblings = list(Item.objects.filter(section=section, parent=parent).order_by("position", "pk"))
    item = Item(
        plan=section.plan,
        section=section,
        parent=parent,
        number=number.strip(),
        text=text.strip(),
        expected_result=expected_result.strip(),
        position=len(siblings),
    )
    parties = [p.strip() for p in responsible or [] if p.strip()]
    item.responsible_text = "\n".join(parties)
    item.save()
    if after is not None and after in siblings:
        siblings.insert(siblings.index(after) + 1, item)
        _renumber(siblings)
    apply_deadline(item=item, text=deadline_text)
    apply_responsibles(item=item, texts=parties)
    item.save()
    return item


@transaction.atomic
def move_item(*, item: Item, direction: str) -> None:
    """Move an item one place up or down among its siblings."""
    siblings = _siblings(item)
    index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= target < len(siblings):
        return
    siblings[index], siblings[target] = siblings[target], siblings[index]
    _renumber(siblings)


@transaction.atomic
def move_item_to_section(*, item: Item, section: Section) -> None:
    """Move an item (with its sub-items) to the end of another section of the same plan."""
    if section.plan_id != item.plan_id:
        raise PlanError("Раздел относится к другому плану.")
    if section.pk == item.section_id and item.parent_id is None:
        return
    old_siblings = [s for s in _siblings(item) if s.pk != item.pk]
    last = Item.objects.filter(section=section, parent=None).aggregate(m=Max("position"))["m"]
    item.section = section
    item.parent = None
    item.position = 0 if last is None else last + 1
    item.save(update_fields=["section", "parent", "position", "updated_at"])
    _descendants_to(item, section)
    _renumber(old_siblings)


def _descendants_to(item: Item, section: Section) -> None:
    children = list(item.children.all())
    for child in children:
        child.section = section
        _descendants_to(child, section)
    Item.objects.bulk_update(children, ["section"])


@transaction.atomic
def delete_item(*, item: Item) -> int:
    """Delete an item with its sub-items; returns how many measures went."""
    count = 1 + count_descendants(item)
    siblings = [s for s in _siblings(item) if s.pk != item.pk]
    item.delete()
    _renumber(siblings)
    return count


def count_descendants(item: Item) -> int:
    children = list(item.children.all())
    return len(children) + sum(count_descendants(child) for child in children)


@transaction.atomic
def add_section(*, plan: Plan, number: str = "", title: str = "") -> Section:
    last = plan.sections.aggregate(m=Max("position"))["m"]
    return Section.objects.create(
        plan=plan,
        number=number.strip(),
        title=title.strip(),
        position=0 if last is None else last + 1,
    )


def update_section(*, section: Section, number: str, title: str) -> Section:
    section.number = number.strip()
    section.title = title.strip()
    section.save(update_fields=["number", "title"])
    return section


@transaction.atomic
def delete_section(*, section: Section) -> int:
    """Delete a section and its measures; returns how many measures went."""
    count = section.items.count()
    section.delete()
    return count


@transaction.atomic
def update_plan(*, plan: Plan, **fields: Any) -> Plan:
    """Save the header of the plan; a new period re-reads every deadline written as text."""
    allowed = {
        "title",
        "period_start",
        "period_end",
        "status",
        "approval_position",
        "approval_name",
        "approval_date",
        "basis",
        "order_reference",
        "goal",
        "tasks",
        "expected_results",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"unknown plan fields: {sorted(unknown)}")
    period_changed = (
        fields.get("period_start", plan.period_start) != plan.period_start
        or fields.get("period_end", plan.period_end) != plan.period_end
    )
    for name, value in fields.items():
        setattr(plan, name, value)
    if plan.period_start and plan.period_end and plan.period_start > plan.period_end:
        raise PlanError("Начало периода плана позже его конца.")
    if not plan.title.strip():
        raise PlanError("Не указано название плана.")
    plan.save()
    if period_changed:
        reread_deadlines(plan=plan)
    return plan


def reread_deadlines(*, plan: Plan) -> None:
    """Re-read every deadline text within the plan's period (manual windows kept)."""
    events = _events(plan)
    items = Item.objects.filter(plan=plan, deadline_manual=False).select_related("plan")
    for item in items:
        apply_deadline(item=item, text=item.deadline_text, events=events)
        item.save(update_fields=["deadline_kind", "deadline_manual"])


def set_plan_status(*, plan: Plan, status: str) -> Plan:
    if status not in PlanStatus.values:
        raise PlanError("Неизвестный статус плана.")
    plan.status = status
    plan.save(update_fields=["status", "updated_at"])
    return plan


@transaction.atomic
def delete_plan(*, plan: Plan) -> None:
    plan.delete()
