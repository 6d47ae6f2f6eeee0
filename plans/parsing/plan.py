"""``parse_plan``: a document in, a :class:`~.model.ParsedPlan` with warnings out."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from .deadlines import infer_plan_period, parse_deadline
from .errors import PlanParseError
from .header import parse_header_block
from .model import ParsedPlan, ParseWarning, PlanItem, RawDocument
from .normalize import mixed_script_words
from .readers import DEFAULT_LIMITS, FORMATS, PlanSource, ReadLimits, read_document
from .structure import build_table
from .text_layouts import read_text

_FIELD_NAMES = {
    "text": "текст мероприятия",
    "deadline": "срок",
    "responsible": "ответственные",
    "expected_result": "ожидаемый результат",
    "title": "название плана",
    "goal": "цель",
    "basis": "основание",
    "order": "реквизиты приказа",
    "tasks": "задачи",
    "expected_results": "ожидаемые результаты плана",
    "section": "название раздела",
    "approval": "гриф утверждения",
}


def parse_plan(
    source: PlanSource,
    *,
    format: str = "auto",
    filename: str | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> ParsedPlan:
    """Read a plan of measures from a .docx, .xlsx or text document.

    ``source``: a path (``pathlib.Path`` or any ``os.PathLike``), ``bytes``, a binary file
    object, or a ``str`` holding the text of the plan (a ``str`` without line breaks that
    names an existing file is read as a path, for convenience in scripts).
    ``format``: ``"auto"`` (from the content; the file name's extension must agree),
    ``"docx"``, ``"xlsx"`` or ``"text"``. ``filename`` names an uploaded file (used to
    check its extension and in messages). ``limits``: the largest file and the largest
    inflated .docx/.xlsx (zip bombs are refused before parsing).

    Raises :class:`PlanParseError` (Russian message) for anything that is not a readable
    plan; never another exception.
    """
    try:
        return build_plan(_read(source, format=format, filename=filename, limits=limits))
    except PlanParseError:
        raise
    except Exception as exc:
        raise PlanParseError(
            "Не удалось разобрать документ из-за внутренней ошибки. Сообщите администратору "
            "портала и приложите файл.",
            code="internal",
        ) from exc


def _read(
    source: PlanSource, *, format: str, filename: str | None, limits: ReadLimits
) -> RawDocument:
    if format not in FORMATS:
        raise PlanParseError(
            f"Неизвестный формат «{format}»: допустимы auto, docx, xlsx, text.", code="unsupported"
        )
    if isinstance(source, str):
        looks_like_path = "\n" not in source and len(source) < 1024 and os.path.isfile(source)
        if format in ("docx", "xlsx") or (format == "auto" and looks_like_path):
            return read_document(Path(source), format=format, filename=filename, limits=limits)
        return read_text(source)
    return read_document(source, format=format, filename=filename, limits=limits)


def build_plan(document: RawDocument) -> ParsedPlan:
    """Interpret an already read document (see :mod:`.readers`)."""
    table = build_table(document)
    header = parse_header_block(document.header_lines + table.extra_header_lines)
    plan = ParsedPlan(
        title=header.title,
        approval=header.approval,
        basis=header.basis,
        order=header.order,
        goal=header.goal,
        tasks=header.tasks,
        expected_results=header.expected_results,
        sections=table.sections,
        columns=table.columns,
        source_format=document.source_format,
        layout=document.layout,
    )
    context = "\n".join(
        [header.title, plan.goal or "", *plan.tasks, *plan.expected_results, plan.basis or ""]
    )
    period = infer_plan_period(context, [item.deadline.text for _, item in plan.iter_items()])
    if period is not None:
        plan.period_start, plan.period_end = period
    for _, item in plan.iter_items():
        item.deadline = parse_deadline(
            item.deadline.text, period_start=plan.period_start, period_end=plan.period_end
        )
    plan.warnings = [*table.warnings, *_plan_warnings(plan), *_item_warnings(plan)]
    return plan


def _place(item: PlanItem, path: tuple[int, ...]) -> str:
    where = f"строка {item.source_row}, " if item.source_row else ""
    if item.number:
        return f"{where}пункт {item.number.rstrip('.')}"
    return f"{where}раздел {path[0] + 1}, мероприятие {path[-1] + 1} (без номера)"


def _format_day(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def _item_warning(
    item: PlanItem,
    path: tuple[int, ...],
    code: str,
    message: str,
    field: str | None,
    word: str | None = None,
) -> ParseWarning:
    place = _place(item, path)
    return ParseWarning(
        code=code,
        message=f"{place[0].upper()}{place[1:]}: {message}",
        row=item.source_row,
        item_path=path,
        item_number=item.number,
        field=field,
        word=word,
    )


def _deadline_warning(item: PlanItem, period: tuple[date, date] | None) -> tuple[str, str] | None:
    deadline = item.deadline
    if not deadline.text.strip():
        return None if item.children else ("deadline_missing", "срок не указан.")
    if deadline.kind == "unknown":
        return "deadline_unrecognised", f"срок не распознан: «{deadline.text}»."
    if deadline.kind in ("date", "window") and not deadline.windows:
        return (
            "deadline_year_unknown",
            f"не удалось определить год срока «{deadline.text}»: укажите период плана.",
        )
    outside = period is not None and any(
        end < period[0] or start > period[1] for start, end in deadline.windows
    )
    if period is not None and outside and deadline.kind in ("date", "window"):
        return (
            "deadline_outside_period",
            f"срок «{deadline.text}» выходит за период плана "
            f"({_format_day(period[0])}–{_format_day(period[1])}).",
        )
    return None


def _item_warnings(plan: ParsedPlan) -> Iterable[ParseWarning]:
    period = (plan.period_start, plan.period_end) if plan.period_start and plan.period_end else None
    for path, item in plan.iter_items():
        if not item.text:
            yield _item_warning(
                item, path, "item_without_text", "у мероприятия нет текста.", "text"
            )
        problem = _deadline_warning(item, period)
        if problem is not None:
            yield _item_warning(item, path, problem[0], problem[1], "deadline")
        values = {
            "text": item.text,
            "deadline": item.deadline.text,
            "responsible": item.responsible_text,
            "expected_result": item.expected_result or "",
        }
        for field, value in values.items():
            for word in mixed_script_words(value):
                message = (
                    f"слово «{word}» ({_FIELD_NAMES[field]}) содержит и латинские, и русские "
                    "буквы — проверьте написание."
                )
                yield _item_warning(item, path, "mixed_script", message, field, word)


def _plan_warnings(plan: ParsedPlan) -> Iterable[ParseWarning]:
    if not plan.title:
        yield ParseWarning(
            code="title_missing",
            message="Название плана не найдено над таблицей: введите его вручную.",
            field="title",
        )
    if plan.period_start is None:
        yield ParseWarning(
            code="period_unknown",
            message="Период плана не определён (нет года в названии и в сроках): укажите его.",
            field="period",
        )
    values: list[tuple[str, str, tuple[int, ...] | None]] = [
        ("title", plan.title, None),
        ("goal", plan.goal or "", None),
        ("basis", plan.basis or "", None),
        ("order", plan.order or "", None),
        *(("tasks", task, None) for task in plan.tasks),
        *(("expected_results", result, None) for result in plan.expected_results),
        *((("section", s.title or "", (i,)) for i, s in enumerate(plan.sections))),
    ]
    if plan.approval:
        values.append(("approval", f"{plan.approval.position} {plan.approval.name}", None))
    for field, value, path in values:
        for word in mixed_script_words(value):
            yield ParseWarning(
                code="mixed_script",
                message=f"Слово «{word}» ({_FIELD_NAMES[field]}) содержит и латинские, и русские "
                "буквы — проверьте написание.",
                item_path=path,
                field=field,
                word=word,
            )
