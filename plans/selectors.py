"""Scoped reads of plans: who may see which plan and item, and the plan as a document.

Department staff see the plans of the municipalities where they are staff; a school
coordinator sees only the items of approved plans that their school answers for. Every
getter raises 404 for anything else, so no id typed into a URL reaches another plan.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from plans.models import (
    ALL_SCHOOLS_ROLES,
    DeadlineKind,
    Evidence,
    Item,
    ItemStatus,
    Plan,
    PlanImportDraft,
    PlanStatus,
    SchoolReport,
    Section,
)
from schools import roles
from schools.models import School

MONTHS_RU = [
    "",
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
]


# --------------------------------------------------------------------------- scope


staff_municipalities = roles.staff_municipalities


def plans_for_user(user: Any) -> QuerySet[Plan]:
    if not roles.is_department_staff(user):
        return Plan.objects.none()
    return Plan.objects.filter(municipality__in=staff_municipalities(user))


def _get_or_404(queryset: QuerySet, pk: Any, message: str) -> Any:
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(message) from None


def get_plan_for_user(user: Any, *, pk: Any) -> Plan:
    return _get_or_404(plans_for_user(user).select_related("municipality"), pk, "План не найден")


def get_section_for_user(user: Any, *, pk: Any) -> Section:
    sections = Section.objects.filter(plan__in=plans_for_user(user)).select_related(
        "plan__municipality"
    )
    return _get_or_404(sections, pk, "Раздел не найден")


def items_for_staff(user: Any) -> QuerySet[Item]:
    return Item.objects.filter(plan__in=plans_for_user(user))


def get_item_for_user(user: Any, *, pk: Any) -> Item:
    items = items_for_staff(user).select_related("plan__municipality", "section", "parent")
    return _get_or_404(items, pk, "Мероприятие не найдено")


def get_draft_for_user(user: Any, *, pk: Any) -> PlanImportDraft:
    drafts = PlanImportDraft.objects.filter(
        created_by=user, municipality__in=staff_municipalities(user)
    )
    return _get_or_404(drafts.select_related("municipality"), pk, "Черновик не найден")


def items_for_coordinator(user: Any) -> QuerySet[Item]:
    """Items of approved plans that the user's school answers for.

    A school answers for an item when a responsible party is linked to it, or names
    every school of its municipality ("Руководители ОО", "ОО", "школьные координаторы").
    """
    schools = roles.coordinated_schools(user)
    if not schools.exists():
        return Item.objects.none()
    municipality_ids = schools.values("municipality_id")
    ids = (
        Item.objects.filter(plan__status=PlanStatus.APPROVED)
        .filter(
            Q(responsibles__school__in=schools)
            | Q(
                responsibles__role__in=ALL_SCHOOLS_ROLES,
                plan__municipality_id__in=municipality_ids,
            )
        )
        .values("pk")
    )
    return Item.objects.filter(pk__in=ids)


def get_item_for_coordinator(user: Any, *, pk: Any) -> Item:
    items = items_for_coordinator(user).select_related("plan__municipality", "section")
    return _get_or_404(items, pk, "Мероприятие не найдено")


def coordinator_school_for(user: Any, item: Item) -> School:
    """The user's school that answers for the item (the first, for a rare double role)."""
    responsibles = list(item.responsibles.all())
    for school in roles.coordinated_schools(user):
        if any(r.school_id == school.pk for r in responsibles):
            return school
        if school.municipality_id == item.plan.municipality_id and any(
            r.covers_all_schools for r in responsibles
        ):
            return school
    raise Http404("Мероприятие не найдено")


def coordinator_items_page(user: Any, *, show: str, today: date) -> dict[str, Any]:
    """The coordinator's list of measures: every item of their school's approved plans with
    the school's report, only the open ones unless ``show`` is not "open"."""
    schools = roles.coordinated_schools(user)
    items = list(
        items_for_coordinator(user)
        .select_related("plan", "section")
        .prefetch_related("windows")
        .order_by("plan__period_start", "plan_id", "section__position", "position", "pk")
    )
    reports = {
        r.item_id: r
        for r in SchoolReport.objects.filter(item__in=[i.pk for i in items], school__in=schools)
    }
    rows = []
    for item in items:
        report = reports.get(item.pk)
        reported_done = report is not None and report.status == ItemStatus.DONE
        if show == "open" and (reported_done or not item.is_open):
            continue
        rows.append(
            {
                "item": item,
                "report": report,
                "is_overdue": item.is_overdue_on(today) and not reported_done,
            }
        )
    return {"rows": rows, "show": show, "total": len(items), "schools": list(schools)}


def school_report(*, item: Item, school: School) -> SchoolReport | None:
    """The school's report on the item, if it has sent one."""
    return SchoolReport.objects.filter(item=item, school=school).first()


def school_evidence(*, item: Item, school: School) -> list[Evidence]:
    """The evidence the school attached to its report on the item."""
    return list(item.evidence.filter(school=school))


def items_for_api(user: Any) -> QuerySet[Item]:
    """Items readable through the API: staff their plans', coordinators their school's."""
    if roles.is_department_staff(user):
        return items_for_staff(user) | items_for_coordinator(user)
    return items_for_coordinator(user)


def get_evidence_for_user(user: Any, *, pk: Any) -> Evidence:
    staff_items = items_for_staff(user)
    own = Evidence.objects.filter(
        item__in=items_for_coordinator(user), school__in=roles.coordinated_schools(user)
    )
    evidence = Evidence.objects.filter(item__in=staff_items) | own
    return _get_or_404(evidence.select_related("item"), pk, "Файл не найден")


# --------------------------------------------------------------------------- the document


@dataclass
class ItemNode:
    item: Item
    depth: int
    is_overdue: bool
    matches: bool = True
    children: list[ItemNode] = field(default_factory=list)

    def walk(self) -> Iterator[ItemNode]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class SectionNode:
    section: Section
    nodes: list[ItemNode]

    def rows(self) -> Iterator[ItemNode]:
        for node in self.nodes:
            yield from node.walk()


@dataclass(frozen=True)
class ItemFilters:
    status: str = ""
    responsible: str = ""
    overdue: bool = False
    month: str = ""  # "YYYY-MM"

    @property
    def active(self) -> bool:
        return bool(self.status or self.responsible or self.overdue or self.month)


def month_bounds(month: str) -> tuple[date, date] | None:
    try:
        year, number = (int(part) for part in month.split("-"))
        return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])
    except ValueError:
        return None


def _matches(item: Item, filters: ItemFilters, today: date) -> bool:
    if filters.status and item.status != filters.status:
        return False
    if filters.overdue and not item.is_overdue_on(today):
        return False
    if filters.responsible:
        needle = filters.responsible.casefold()
        texts = [r.text for r in item.responsibles.all()]
        texts += [r.get_role_display() for r in item.responsibles.all() if r.role]
        if item.responsible_text:
            texts.append(item.responsible_text)
        if not any(needle in text.casefold() for text in texts):
            return False
    if filters.month:
        bounds = month_bounds(filters.month)
        if bounds is None or not any(
            w.start <= bounds[1] and w.end >= bounds[0] for w in item.window_list()
        ):
            return False
    return True


def plan_items(plan: Plan) -> list[Item]:
    """Every item of the plan with what the document needs, in one round of queries."""
    return list(
        Item.objects.filter(plan=plan)
        .prefetch_related("windows", "responsibles")
        .annotate(
            evidence_count=Count("evidence", distinct=True),
            school_report_count=Count("school_reports", distinct=True),
        )
        .order_by("position", "pk")
    )


def plan_document(
    plan: Plan,
    *,
    today: date,
    filters: ItemFilters | None = None,
    items: list[Item] | None = None,
    with_state: bool = True,
) -> list[SectionNode]:
    """Sections with their item trees as the document shows them.

    With filters, an item is kept when it or one of its sub-items matches; kept items
    that don't match themselves are shown as context (``matches`` False); sections
    without any kept item are left out.
    """
    filters = filters or ItemFilters()
    items = plan_items(plan) if items is None else items
    by_parent: dict[int | None, list[Item]] = {}
    for item in items:
        by_parent.setdefault(item.parent_id, []).append(item)

    def build(item: Item, depth: int) -> ItemNode | None:
        children = [
            node for child in by_parent.get(item.pk, []) if (node := build(child, depth + 1))
        ]
        matches = _matches(item, filters, today)
        if filters.active and not matches and not children:
            return None
        return ItemNode(
            item=item,
            depth=depth,
            is_overdue=with_state and item.is_overdue_on(today),
            matches=matches,
            children=children,
        )

    sections = []
    for section in plan.sections.all():
        nodes = [
            node
            for item in by_parent.get(None, [])
            if item.section_id == section.pk and (node := build(item, 0))
        ]
        if nodes or not filters.active:
            sections.append(SectionNode(section=section, nodes=nodes))
    return sections


def has_column(items: Iterable[Item], column: str) -> bool:
    """Does any item fill this column? The printed plan leaves empty columns out."""
    attribute = {
        "number": "number",
        "deadline": "deadline_text",
        "responsible": "responsible_text",
        "expected_result": "expected_result",
    }[column]
    return any(getattr(item, attribute) for item in items)


def plan_columns(items: list[Item]) -> dict[str, bool]:
    return {
        column: has_column(items, column)
        for column in ("number", "deadline", "responsible", "expected_result")
    }


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    done_on_time: int
    in_progress: int
    overdue: int
    cancelled: int

    @property
    def done_share(self) -> float:
        return self.done / self.total if self.total else 0.0

    @property
    def on_time_share(self) -> float:
        return self.done_on_time / self.total if self.total else 0.0

    @property
    def done_percent(self) -> int:
        return round(self.done_share * 100)

    @property
    def on_time_percent(self) -> int:
        return round(self.on_time_share * 100)


def plan_progress(items: list[Item], *, today: date) -> Progress:
    """Share done and done on time, over the measures themselves.

    Containers (item 8 over 8.1–8.3) are not counted, their sub-items are; cancelled
    items are left out of the total. An item done without a known deadline counts as
    on time: there was no date to miss.
    """
    parents = {item.parent_id for item in items if item.parent_id}
    measures = [item for item in items if item.pk not in parents]
    cancelled = sum(1 for item in measures if item.status == ItemStatus.CANCELLED)
    counted = [item for item in measures if item.status != ItemStatus.CANCELLED]
    done = [item for item in counted if item.status == ItemStatus.DONE]
    return Progress(
        total=len(counted),
        done=len(done),
        done_on_time=sum(1 for item in done if item.done_on_time() is not False),
        in_progress=sum(1 for item in counted if item.status == ItemStatus.IN_PROGRESS),
        overdue=sum(1 for item in counted if item.is_overdue_on(today)),
        cancelled=cancelled,
    )


def plan_months(plan: Plan, items: list[Item]) -> list[tuple[date, date]]:
    """Months of the plan period, widened to windows outside it (a "Май 2023г." typo in a
    2023–24 plan must show up, not vanish); capped at five years."""
    days = [d for item in items for w in item.window_list() for d in (w.start, w.end)]
    if plan.period_start and plan.period_end:
        days += [plan.period_start, plan.period_end]
    if not days:
        return []
    start, end = min(days), max(days)
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month) and len(months) < 60:
        months.append(
            (date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def month_choices(plan: Plan, items: list[Item]) -> list[tuple[str, str]]:
    return [
        (f"{first:%Y-%m}", f"{MONTHS_RU[first.month]} {first.year}")
        for first, _last in plan_months(plan, items)
    ]


@dataclass
class TimelineRow:
    item: Item
    cells: list[str]  # "" (free), "window", "continuous", "event" per month


@dataclass
class Timeline:
    months: list[tuple[date, date]]
    month_labels: list[str]
    counts: list[int]
    rows: list[TimelineRow]
    without_windows: list[Item]

    @property
    def columns(self) -> list[dict[str, Any]]:
        return [
            {"label": label, "count": count, "month": f"{first:%Y-%m}"}
            for label, count, (first, _last) in zip(
                self.month_labels, self.counts, self.months, strict=True
            )
        ]


def plan_timeline(plan: Plan, items: list[Item]) -> Timeline:
    """Which measures fall in which month: one row per measure, one column per month."""
    months = plan_months(plan, items)
    parents = {item.parent_id for item in items if item.parent_id}
    section_order = {s.pk: s.position for s in plan.sections.all()}
    rows, without = [], []
    counts = [0] * len(months)
    for item in items:
        if item.pk in parents:
            continue
        windows = item.window_list()
        if not windows:
            without.append(item)
            continue
        style = {
            DeadlineKind.CONTINUOUS: "continuous",
            DeadlineKind.EVENT: "event",
        }.get(item.deadline_kind, "window")
        cells = []
        for index, (first, last) in enumerate(months):
            hit = any(w.start <= last and w.end >= first for w in windows)
            cells.append(style if hit else "")
            counts[index] += hit
        rows.append(TimelineRow(item=item, cells=cells))
    # Dated measures first, in date order; the ones running all year after them.
    rows.sort(
        key=lambda row: (
            row.item.deadline_kind == DeadlineKind.CONTINUOUS,
            row.item.window_list()[0].start,
            section_order.get(row.item.section_id, 0),
            row.item.position,
        )
    )
    without.sort(key=lambda item: (section_order.get(item.section_id, 0), item.position))
    labels = [f"{MONTHS_RU[first.month][:3]} {first:%y}" for first, _ in months]
    return Timeline(
        months=months, month_labels=labels, counts=counts, rows=rows, without_windows=without
    )


def responsible_choices(items: list[Item]) -> list[str]:
    """Distinct party texts of the plan, for the filter's suggestions."""
    seen: dict[str, str] = {}
    for item in items:
        for responsible in item.responsibles.all():
            seen.setdefault(responsible.text.casefold(), responsible.text)
    return sorted(seen.values(), key=str.casefold)


def plan_list_rows(user: Any, *, today: date) -> list[dict[str, Any]]:
    """Plans of the user's municipalities with their counts, for the list page."""
    plans = plans_for_user(user).select_related("municipality")
    rows = []
    overdue_counts = dict(
        Item.objects.filter(plan__in=plans)
        .overdue(today=today)
        .values_list("plan_id")
        .annotate(n=Count("pk"))
    )
    item_counts = dict(
        Item.objects.filter(plan__in=plans).values_list("plan_id").annotate(n=Count("pk"))
    )
    done_counts = dict(
        Item.objects.filter(plan__in=plans, status=ItemStatus.DONE)
        .values_list("plan_id")
        .annotate(n=Count("pk"))
    )
    for plan in plans:
        total = item_counts.get(plan.pk, 0)
        rows.append(
            {
                "plan": plan,
                "items": total,
                "done": done_counts.get(plan.pk, 0),
                "overdue": overdue_counts.get(plan.pk, 0),
            }
        )
    return rows


# --------------------------------------------------------------------------- import preview


@dataclass
class DraftRow:
    target: str  # "s.i.c…" path, as update_draft_field takes it
    depth: int
    item: dict[str, Any]
    warnings: list[str]


@dataclass
class DraftSection:
    target: str
    section: dict[str, Any]
    rows: list[DraftRow]


def item_school_reports(item: Item) -> list[SchoolReport]:
    """The schools' reports on a measure, with their school and author."""
    return list(item.school_reports.select_related("school", "reported_by"))


def item_evidence(item: Item) -> list[Evidence]:
    """Every piece of evidence of a measure, with its school and who added it."""
    return list(item.evidence.select_related("school", "added_by"))


def recent_drafts(user: Any) -> QuerySet[PlanImportDraft]:
    """The user's five latest import drafts, newest first."""
    return PlanImportDraft.objects.filter(created_by=user).order_by("-created_at")[:5]


def draft_document(draft: PlanImportDraft) -> list[DraftSection]:
    """The preview's sections and rows, each with its path and its parser warnings."""
    warnings: dict[tuple[int, ...], list[str]] = {}
    for warning in draft.warnings:
        path = warning.get("item_path")
        if path is not None and len(path) > 1:
            warnings.setdefault(tuple(path), []).append(warning["message"])

    def rows(items: list[dict], path: tuple[int, ...], depth: int) -> Iterator[DraftRow]:
        for index, item in enumerate(items):
            item_path = (*path, index)
            yield DraftRow(
                target=".".join(str(p) for p in item_path),
                depth=depth,
                item=item,
                warnings=warnings.get(item_path, []),
            )
            yield from rows(item.get("children") or [], item_path, depth + 1)

    return [
        DraftSection(
            target=str(index),
            section=section,
            rows=list(rows(section.get("items") or [], (index,), 0)),
        )
        for index, section in enumerate(draft.data.get("sections") or [])
    ]


def draft_counts(draft: PlanImportDraft) -> dict[str, int]:
    sections = draft.data.get("sections") or []

    def count(items: list[dict]) -> int:
        return sum(1 + count(item.get("children") or []) for item in items)

    return {
        "sections": len(sections),
        "top_level": sum(len(s.get("items") or []) for s in sections),
        "items": sum(count(s.get("items") or []) for s in sections),
    }


# --------------------------------------------------------------------------- dashboard


def staff_dashboard_panel(user: Any) -> dict[str, Any] | None:
    from django.urls import reverse
    from django.utils import timezone

    plans = plans_for_user(user)
    count = plans.count()
    overdue = Item.objects.filter(plan__in=plans.filter(status=PlanStatus.APPROVED)).overdue(
        today=timezone.localdate()
    )
    overdue_count = overdue.count()
    text = f"Планов: {count}."
    if overdue_count:
        text += f" Просрочено мероприятий в утверждённых планах: {overdue_count}."
    return {
        "title": "Планы мероприятий",
        "text": text,
        "links": [
            {"url": reverse("plans:index"), "label": "Планы"},
            {"url": reverse("plans:import"), "label": "Загрузить план"},
        ],
    }


def coordinator_dashboard_panel(user: Any) -> dict[str, Any] | None:
    from django.urls import reverse

    items = items_for_coordinator(user)
    total = items.count()
    if not total:
        return None
    reported = (
        items.filter(
            school_reports__school__in=roles.coordinated_schools(user),
            school_reports__status=ItemStatus.DONE,
        )
        .distinct()
        .count()
    )
    return {
        "title": "Мероприятия плана",
        "text": f"Ваша ОО отвечает за {total} мероприятий; отчитались по {reported}.",
        "links": [{"url": reverse("plans:my_items"), "label": "Мои мероприятия"}],
    }
