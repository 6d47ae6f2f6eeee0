"""Saving a parsed plan, all or nothing, and the preview drafts staff correct before that.

The input is the ``import_plan --json`` dict (see plans.parsing.model). Items may carry
an extra ``responsible_text`` (the cell as written); without it the parties are joined.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from plans.models import (
    DeadlineKind,
    DeadlineWindow,
    Item,
    Plan,
    PlanImportDraft,
    PlanStatus,
    Responsible,
    Section,
)
from plans.services.documents import ReadPlan, read_plan_document, understand_deadline
from plans.services.errors import PlanImportError
from plans.services.responsibles import ResponsibleMatcher
from plans.services.schedule import EventWindowCache
from schools.models import Municipality
from vpr_portal import audit
from vpr_portal.jobs import UserFacingError, run_job, start_job
from vpr_portal.models import Job

KINDS = set(DeadlineKind.values)
MAX_NUMBER = Item._meta.get_field("number").max_length
MAX_DEADLINE = Item._meta.get_field("deadline_text").max_length
MAX_SECTION_NUMBER = Section._meta.get_field("number").max_length


# --------------------------------------------------------------------------- validation


def _iso(value: Any, what: str, errors: list[str]) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.append(f"{what}: «{value}» — не дата (нужен вид ГГГГ-ММ-ДД).")
        return None


def item_label(number: str | None, section_index: int, position: int) -> str:
    if number:
        return f"Пункт {number.rstrip('.')}"
    return f"Раздел {section_index + 1}, мероприятие {position + 1} (без номера)"


def walk_items(items: list[dict], section_index: int) -> Iterator[tuple[str, dict]]:
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            yield f"Раздел {section_index + 1}, мероприятие {position + 1}", {}
            continue
        yield item_label(item.get("number"), section_index, position), item
        yield from walk_items(item.get("children") or [], section_index)


def validate_plan_data(data: Any) -> list[str]:
    """Russian messages for everything that stops the plan from being saved."""
    if not isinstance(data, dict):
        return ["Данные плана не распознаны."]
    errors: list[str] = []
    if not str(data.get("title") or "").strip():
        errors.append("Не указано название плана.")
    period = data.get("period") or {}
    start = _iso(period.get("start"), "Начало периода плана", errors)
    end = _iso(period.get("end"), "Конец периода плана", errors)
    if start and end and start > end:
        errors.append("Начало периода плана позже его конца.")
    approval = data.get("approval") or {}
    _iso(approval.get("date"), "Дата утверждения", errors)
    if len(str(approval.get("name") or "")) > 200:
        errors.append("Имя утверждающего длиннее 200 знаков.")
    sections = data.get("sections")
    if not isinstance(sections, list) or not sections:
        errors.append("В плане нет ни одного раздела с мероприятиями.")
        return errors
    count = 0
    for index, section in enumerate(sections):
        if len(str((section or {}).get("number") or "")) > MAX_SECTION_NUMBER:
            errors.append(f"Раздел {index + 1}: номер раздела слишком длинный.")
        for label, item in walk_items((section or {}).get("items") or [], index):
            count += 1
            if not str(item.get("text") or "").strip():
                errors.append(f"{label}: не указан текст мероприятия.")
            if len(str(item.get("number") or "")) > MAX_NUMBER:
                errors.append(f"{label}: номер длиннее {MAX_NUMBER} знаков.")
            deadline = item.get("deadline") or {}
            if len(str(deadline.get("text") or "")) > MAX_DEADLINE:
                errors.append(f"{label}: срок длиннее {MAX_DEADLINE} знаков.")
            if (deadline.get("kind") or "unknown") not in KINDS:
                errors.append(f"{label}: неизвестный вид срока «{deadline.get('kind')}».")
            for window in deadline.get("windows") or []:
                w_start = _iso(window.get("start"), f"{label}, начало срока", errors)
                w_end = _iso(window.get("end"), f"{label}, конец срока", errors)
                if w_start and w_end and w_start > w_end:
                    errors.append(f"{label}: начало срока позже его окончания.")
    if count == 0:
        errors.append("В плане нет ни одного мероприятия.")
    return errors


# --------------------------------------------------------------------------- saving


def _text(value: Any) -> str:
    return str(value or "").strip()


@transaction.atomic
@audit.records_import(
    audit.ImportKind.PLAN,
    counts=lambda plan: (plan.items.count(), 0, 0),
    reference=lambda plan: f"plan:{plan.pk}",
)
def import_plan(
    *,
    data: dict[str, Any],
    municipality: Municipality,
    user: Any = None,
    source_name: str = "",
    source_format: str = "",
    status: str = PlanStatus.DRAFT,
) -> Plan:
    """Save a plan from the parser's dict: every section, item, window and party, or nothing.

    Raises PlanImportError (Russian messages) when the data can't make a plan.
    """
    errors = validate_plan_data(data)
    if errors:
        raise PlanImportError(errors)
    period = data.get("period") or {}
    approval = data.get("approval") or {}
    plan = Plan.objects.create(
        municipality=municipality,
        title=_text(data["title"]),
        period_start=_iso(period.get("start"), "", []),
        period_end=_iso(period.get("end"), "", []),
        status=status,
        approval_position=_text(approval.get("position")),
        approval_name=_text(approval.get("name")),
        approval_date=_iso(approval.get("date"), "", []),
        basis=_text(data.get("basis")),
        order_reference=_text(data.get("order")),
        goal=_text(data.get("goal")),
        tasks=[_text(t) for t in data.get("tasks") or [] if _text(t)],
        expected_results=[_text(t) for t in data.get("expected_results") or [] if _text(t)],
        source_name=source_name[:255],
        source_format=source_format[:10],
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    sections = Section.objects.bulk_create(
        Section(
            plan=plan,
            number=_text(section.get("number")),
            title=_text(section.get("title")),
            position=position,
        )
        for position, section in enumerate(data["sections"])
    )
    save_item_tree(
        plan=plan,
        entries=[
            (section, None, position, item_data)
            for section, section_data in zip(sections, data["sections"], strict=True)
            for position, item_data in enumerate(section_data.get("items") or [])
        ],
    )
    return plan


def save_item_tree(
    *, plan: Plan, entries: list[tuple[Section, Item | None, int, dict[str, Any]]]
) -> list[Item]:
    """Create items level by level (parents need ids first), with windows and parties.

    Bulk inserts keep a 300-item plan well inside the import time budget.
    """
    matcher = ResponsibleMatcher(plan.municipality)
    events = EventWindowCache(
        municipality=plan.municipality, period_start=plan.period_start, period_end=plan.period_end
    )
    created: list[Item] = []
    windows: list[DeadlineWindow] = []
    responsibles: list[Responsible] = []
    while entries:
        items = [
            Item(
                plan=plan,
                section=section,
                parent=parent,
                position=position,
                number=_text(data.get("number")),
                text=_text(data.get("text")),
                deadline_text=_text((data.get("deadline") or {}).get("text")),
                deadline_kind=(data.get("deadline") or {}).get("kind") or DeadlineKind.UNKNOWN,
                responsible_text=_text(data.get("responsible_text"))
                or ", ".join(_text(r) for r in data.get("responsible") or []),
                expected_result=_text(data.get("expected_result")),
            )
            for section, parent, position, data in entries
        ]
        bulk_create_with_history(items, Item)  # audit: history rows too
        next_entries = []
        for item, (section, _parent, _position, data) in zip(items, entries, strict=True):
            windows.extend(_windows_for(item, data.get("deadline") or {}, events))
            responsibles.extend(
                matcher.build(item=item, texts=[_text(r) for r in data.get("responsible") or []])
            )
            next_entries.extend(
                (section, item, position, child)
                for position, child in enumerate(data.get("children") or [])
            )
        created.extend(items)
        entries = next_entries
    DeadlineWindow.objects.bulk_create(windows)
    Responsible.objects.bulk_create(responsibles)
    return created


def _windows_for(
    item: Item, deadline: dict[str, Any], events: EventWindowCache
) -> list[DeadlineWindow]:
    given = [
        DeadlineWindow(
            item=item,
            start=_iso(w.get("start"), "", []),
            end=_iso(w.get("end"), "", []),
        )
        for w in deadline.get("windows") or []
    ]
    if given or item.deadline_kind != DeadlineKind.EVENT:
        return given
    return [
        DeadlineWindow(item=item, start=start, end=end, from_schedule=True)
        for start, end in events.windows()
    ]


def import_plan_document(
    *,
    source: Any,
    municipality: Municipality,
    filename: str | None = None,
    format: str = "auto",
    user: Any = None,
) -> Plan:
    """Read a document and save it as a draft plan (CLI, benchmarks)."""
    read = read_plan_document(source=source, filename=filename, format=format)
    return import_plan(
        data=read.data,
        municipality=municipality,
        user=user,
        source_name=filename or "",
        source_format=read.source_format,
    )


# --------------------------------------------------------------------------- the import job
# A document is never parsed in the web process: the page stores the upload (or the pasted
# text) where no URL serves it and starts a job; the worker parses it within the guards of
# plans.parsing (size, zip bombs, DTDs), makes the preview draft, and always deletes the file.

IMPORT_JOB_KIND = "plans_import"
_IMPORT_DIR = "plans/imports"


def submit_import(
    *,
    municipality: Municipality,
    user: Any,
    file: Any = None,
    filename: str = "",
    text: str = "",
    format: str = "auto",
) -> Any:
    """Store the upload and start the parsing job (sent on commit); returns the Job."""
    import uuid

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    content = file if file is not None else ContentFile(text.encode("utf-8"))
    stored = default_storage.save(f"{_IMPORT_DIR}/{uuid.uuid4().hex}.bin", content)
    return start_job(
        kind=IMPORT_JOB_KIND,
        title=f"Чтение плана: {filename or 'вставленный текст'}"[:200],
        task="plans.read_plan_import",
        user=user,
        params={
            "stored": stored,
            "filename": filename,
            "format": "text" if file is None else format,
            "municipality_id": municipality.pk,
        },
    )


def run_import_job(*, job_id: int) -> None:
    """The job's body: parse the stored document into a preview draft."""
    from pathlib import Path

    from django.core.files.storage import default_storage
    from django.urls import reverse

    job = Job.objects.select_related("created_by").get(pk=job_id)
    params = job.params
    stored = params.get("stored", "")
    try:
        with run_job(job_id) as reporter:
            if reporter is None:
                return
            reporter.progress(10, 100, "Чтение документа…")
            path = Path(default_storage.path(stored))
            if params.get("format") == "text":
                source: Any = path.read_bytes().decode("utf-8")
            else:
                source = path
            try:
                read = read_plan_document(
                    source=source, filename=params.get("filename") or None, format=params["format"]
                )
            except PlanImportError as exc:
                raise UserFacingError(
                    "План не загружен, ничего не сохранено.\n" + exc.message_ru
                ) from None
            municipality = Municipality.objects.get(pk=params["municipality_id"])
            draft = create_import_draft(
                read=read,
                municipality=municipality,
                user=job.created_by,
                source_name=params.get("filename", ""),
            )
            next_url = reverse("plans:import_preview", args=[draft.pk])
            Job.objects.filter(pk=job_id).update(
                result={"next_url": next_url, "redirect": True, "draft_id": draft.pk},
                message="План прочитан: проверьте его перед сохранением.",
            )
    finally:
        if stored and default_storage.exists(stored):
            default_storage.delete(stored)


# --------------------------------------------------------------------------- preview drafts


def create_import_draft(
    *, read: ReadPlan, municipality: Municipality, user: Any, source_name: str = ""
) -> PlanImportDraft:
    return PlanImportDraft.objects.create(
        municipality=municipality,
        created_by=user,
        source_name=source_name[:255],
        source_format=read.source_format,
        data=read.data,
        warnings=read.warnings,
    )


PLAN_FIELDS = {
    "title",
    "period_start",
    "period_end",
    "approval_position",
    "approval_name",
    "approval_date",
    "basis",
    "order",
    "goal",
    "tasks",
    "expected_results",
}
SECTION_FIELDS = {"number", "title"}
ITEM_FIELDS = {"number", "text", "deadline", "responsible", "expected_result"}


def parse_target(target: str) -> tuple[int, ...]:
    """ "plan" → (); "2" → section 2; "2.0.1" → section 2, item 0, child 1 (0-based)."""
    if target == "plan":
        return ()
    try:
        path = tuple(int(part) for part in target.split("."))
    except ValueError:
        raise PlanImportError("Неверная ссылка на поле.") from None
    if not path or any(p < 0 for p in path):
        raise PlanImportError("Неверная ссылка на поле.")
    return path


def draft_node(data: dict[str, Any], path: tuple[int, ...]) -> dict[str, Any]:
    """The plan, section or item dict at ``path``; PlanImportError when there is none."""
    try:
        if not path:
            return data
        node = data["sections"][path[0]]
        for depth, index in enumerate(path[1:]):
            node = node["items" if depth == 0 else "children"][index]
        return node
    except (IndexError, KeyError, TypeError):
        raise PlanImportError("Поле не найдено: обновите страницу предпросмотра.") from None


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _reparse_all_deadlines(data: dict[str, Any]) -> None:
    period = data.get("period") or {}
    start = _iso(period.get("start"), "", [])
    end = _iso(period.get("end"), "", [])
    for index, section in enumerate(data.get("sections") or []):
        for _label, item in walk_items(section.get("items") or [], index):
            _set_deadline(item, (item.get("deadline") or {}).get("text") or "", start, end)


def _set_deadline(item: dict, text: str, start: date | None, end: date | None) -> None:
    kind, windows = understand_deadline(text, period_start=start, period_end=end)
    item["deadline"] = {
        "text": text,
        "kind": kind,
        "windows": [{"start": s.isoformat(), "end": e.isoformat()} for s, e in windows],
    }


@transaction.atomic
def update_draft_field(
    *, draft: PlanImportDraft, target: str, field: str, value: str
) -> dict[str, Any]:
    """Correct one field in the preview; returns the changed plan / section / item dict.

    Deadlines are re-read when their text or the plan period changes, so the preview
    always shows what will be saved.
    """
    draft = PlanImportDraft.objects.select_for_update().get(pk=draft.pk)
    data = draft.data
    path = parse_target(target)
    node = draft_node(data, path)
    value = value.replace("\r\n", "\n").strip()
    if not path:
        if field not in PLAN_FIELDS:
            raise PlanImportError("Это поле плана нельзя изменить.")
        if field in ("period_start", "period_end"):
            errors: list[str] = []
            day = _iso(value, "Дата", errors)
            if errors:
                raise PlanImportError(errors)
            data.setdefault("period", {})[field.removeprefix("period_")] = (
                day.isoformat() if day else None
            )
            _reparse_all_deadlines(data)
        elif field.startswith("approval_"):
            approval = data.get("approval") or {"position": "", "name": "", "date": None}
            key = field.removeprefix("approval_")
            if key == "date":
                errors = []
                day = _iso(value, "Дата утверждения", errors)
                if errors:
                    raise PlanImportError(errors)
                approval["date"] = day.isoformat() if day else None
            else:
                approval[key] = value
            has_any = approval.get("position") or approval.get("name") or approval.get("date")
            data["approval"] = approval if has_any else None
        elif field in ("tasks", "expected_results"):
            data[field] = _lines(value)
        else:
            data[field] = value or (None if field != "title" else "")
    elif len(path) == 1:
        if field not in SECTION_FIELDS:
            raise PlanImportError("Это поле раздела нельзя изменить.")
        node[field] = value or None
    else:
        if field == "delete":
            parent = draft_node(data, path[:-1])
            parent["items" if len(path) == 2 else "children"].pop(path[-1])
            draft.warnings = _warnings_after_delete(draft.warnings, path)
            node = parent
        elif field not in ITEM_FIELDS:
            raise PlanImportError("Это поле мероприятия нельзя изменить.")
        elif field == "deadline":
            period = data.get("period") or {}
            _set_deadline(
                node,
                value,
                _iso(period.get("start"), "", []),
                _iso(period.get("end"), "", []),
            )
        elif field == "responsible":
            node["responsible"] = _lines(value)
            node["responsible_text"] = "\n".join(node["responsible"])
        elif field == "text":
            if not value:
                raise PlanImportError("Текст мероприятия не может быть пустым.")
            node["text"] = value
        else:
            node[field] = value or None
    draft.data = data
    draft.save(update_fields=["data", "warnings"])
    return node


def _warnings_after_delete(warnings: list[dict], deleted: tuple[int, ...]) -> list[dict]:
    """Drop the deleted item's warnings; later siblings move up by one."""
    kept = []
    depth = len(deleted)
    for warning in warnings:
        path = warning.get("item_path")
        if path is None or len(path) < depth or tuple(path[: depth - 1]) != deleted[:-1]:
            kept.append(warning)
            continue
        if path[depth - 1] == deleted[-1]:
            continue
        if path[depth - 1] > deleted[-1]:
            path = [*path[: depth - 1], path[depth - 1] - 1, *path[depth:]]
            warning = {**warning, "item_path": path}
        kept.append(warning)
    return kept


def commit_draft(*, draft: PlanImportDraft) -> Plan:
    """Save the corrected preview as a plan and drop the draft (all or nothing)."""
    with transaction.atomic():
        plan = import_plan(
            data=draft.data,
            municipality=draft.municipality,
            user=draft.created_by,
            source_name=draft.source_name,
            source_format=draft.source_format,
        )
        draft.delete()
    return plan


def delete_stale_drafts(*, older_than_days: int, now: datetime | None = None) -> int:
    """Drop import previews nobody saved within ``older_than_days`` (the daily beat job):
    they hold a whole parsed plan each. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=older_than_days)
    deleted, _ = PlanImportDraft.objects.filter(created_at__lt=cutoff).delete()
    delete_stale_import_files(now=now)
    return deleted


def delete_stale_import_files(*, now: datetime | None = None) -> int:
    """Stored plan uploads whose reading job never ran (a lost message) older than a day:
    a job deletes its own file when it ends, so nothing older has a use."""
    from django.core.files.storage import default_storage

    cutoff = (now or timezone.now()) - timedelta(days=1)
    try:
        _, names = default_storage.listdir(_IMPORT_DIR)
    except FileNotFoundError:
        return 0
    deleted = 0
    for name in names:
        path = f"{_IMPORT_DIR}/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            deleted += 1
    return deleted
