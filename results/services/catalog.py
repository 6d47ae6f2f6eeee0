"""The test catalog: JSON import with validation, all or nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from results.models import Session, TaskLevel, Test, TestTask
from vpr_portal import audit


class CatalogError(Exception):
    """The catalog was refused; nothing was saved. Messages are Russian."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class CatalogImportReport:
    created: int = 0
    updated: int = 0


_SESSIONS = {
    "spring": Session.SPRING,
    "autumn": Session.AUTUMN,
    "весна": Session.SPRING,
    "осень": Session.AUTUMN,
}
_LEVELS = {level.value for level in TaskLevel}


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _validate_test(index: int, raw: Any) -> tuple[dict, list[dict], list[str]]:
    errors: list[str] = []
    if not isinstance(raw, dict):
        return {}, [], [f"Работа №{index}: ожидается объект с полями year, subject, grade, …"]
    subject = str(raw.get("subject", "")).strip()
    year, grade, max_score = (
        _int(raw.get("year")),
        _int(raw.get("grade")),
        _int(raw.get("max_score")),
    )
    name = (
        f"Работа №{index} ({subject or 'предмет не указан'}, {grade or '?'} класс, {year or '?'})"
    )
    if not subject:
        errors.append(f"{name}: не указан предмет (subject).")
    if year is None or not 2015 <= year <= 2100:
        errors.append(f"{name}: год (year) должен быть числом от 2015.")
    if grade is None or not 1 <= grade <= 11:
        errors.append(f"{name}: класс (grade) должен быть числом от 1 до 11.")
    if max_score is None or max_score <= 0:
        errors.append(f"{name}: максимальный балл (max_score) должен быть положительным числом.")
    session = _SESSIONS.get(str(raw.get("session", "spring")).lower())
    if session is None:
        errors.append(f"{name}: сессия (session) — spring или autumn.")

    cuts_raw = raw.get("cuts") or {}
    cuts = [
        _int(cuts_raw.get(key)) if isinstance(cuts_raw, dict) else None for key in ("3", "4", "5")
    ]
    if None in cuts:
        errors.append(
            f"{name}: шкала (cuts) должна задавать пороги для «3», «4» и «5» целыми числами."
        )
    elif not (0 < cuts[0] < cuts[1] < cuts[2]):
        errors.append(
            f"{name}: пороги отметок должны возрастать: «3» от {cuts[0]}, «4» от {cuts[1]}, "
            f"«5» от {cuts[2]}."
        )
    elif max_score is not None and cuts[2] > max_score:
        errors.append(f"{name}: порог «5» ({cuts[2]}) больше максимального балла ({max_score}).")

    tasks: list[dict] = []
    tasks_raw = raw.get("tasks")
    if not isinstance(tasks_raw, list) or not tasks_raw:
        errors.append(f"{name}: список заданий (tasks) пуст.")
        tasks_raw = []
    seen: set[str] = set()
    for position, task in enumerate(tasks_raw, start=1):
        number = str(task.get("number", "")).strip() if isinstance(task, dict) else ""
        task_max = _int(task.get("max")) if isinstance(task, dict) else None
        level = str(task.get("level", "") or "").strip().upper() if isinstance(task, dict) else ""
        level = {"B": "Б", "P": "П"}.get(level, level)  # Latin look-alikes typed by mistake
        if not number:
            errors.append(f"{name}, задание в позиции {position}: не указан номер.")
            continue
        if number in seen:
            errors.append(f"{name}: номер задания «{number}» повторяется.")
        seen.add(number)
        if task_max is None or task_max <= 0:
            errors.append(
                f"{name}, задание №{number}: максимальный балл должен быть положительным."
            )
        if level and level not in _LEVELS:
            errors.append(f"{name}, задание №{number}: уровень «{level}» — допустимо Б, П или В.")
        tasks.append(
            {"position": position, "number": number, "max_score": task_max or 0, "level": level}
        )
    total = sum(t["max_score"] for t in tasks)
    if tasks and max_score is not None and total != max_score:
        errors.append(
            f"{name}: сумма максимальных баллов заданий ({total}) не равна максимальному "
            f"первичному баллу ({max_score})."
        )
    fields = {
        "year": year,
        "session": session,
        "subject": subject,
        "grade": grade,
        "max_score": max_score,
        "cut_3": cuts[0],
        "cut_4": cuts[1],
        "cut_5": cuts[2],
        "source_note": str(raw.get("source", "") or ""),
    }
    return fields, tasks, errors


@audit.records_import(audit.ImportKind.CATALOG)
def import_catalog(*, data: dict | str | Path) -> CatalogImportReport:
    """Create or update tests from the catalog JSON, all or nothing.

    A test is identified by (year, session, subject, grade); re-import replaces its
    scale and tasks.
    """
    if isinstance(data, Path):
        try:
            data = data.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CatalogError([f"Не удалось прочитать файл каталога: {exc}"]) from exc
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise CatalogError(
                [f"Файл каталога не является JSON: строка {exc.lineno}: {exc.msg}."]
            ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("tests"), list):
        raise CatalogError(['Ожидается объект {"tests": [...]}.'])

    validated, errors, keys = [], [], set()
    for index, raw in enumerate(data["tests"], start=1):
        fields, tasks, test_errors = _validate_test(index, raw)
        key = (
            fields.get("year"),
            fields.get("session"),
            fields.get("subject", "").lower(),
            fields.get("grade"),
        )
        if not test_errors and key in keys:
            test_errors.append(f"Работа №{index}: такая работа уже описана выше в этом файле.")
        keys.add(key)
        errors.extend(test_errors)
        validated.append((fields, tasks))
    if errors:
        raise CatalogError(errors)

    report = CatalogImportReport()
    with transaction.atomic():
        for fields, tasks in validated:
            test = Test.objects.for_key(
                year=fields["year"],
                session=fields["session"],
                subject=fields["subject"],
                grade=fields["grade"],
            ).first()
            if test is None:
                test = Test.objects.create(**fields)
                report.created += 1
            else:
                for key, value in fields.items():
                    setattr(test, key, value)
                test.save()
                report.updated += 1
            _replace_tasks(test=test, tasks=tasks)
    return report


def _replace_tasks(*, test: Test, tasks: list[dict]) -> None:
    """Replace the task list, keeping rows whose number survives (later data may point at them)."""
    existing = {t.number: t for t in test.tasks.all()}
    wanted = {t["number"] for t in tasks}
    test.tasks.exclude(number__in=wanted).delete()
    # Move surviving rows out of the way first so positions can be reassigned freely.
    for offset, task in enumerate(existing.values(), start=1):
        if task.number in wanted:
            TestTask.objects.filter(pk=task.pk).update(position=1000 + offset)
    for task in tasks:
        row = existing.get(task["number"])
        if row is None:
            TestTask.objects.create(test=test, **task)
        else:
            TestTask.objects.filter(pk=row.pk).update(
                position=task["position"], max_score=task["max_score"], level=task["level"]
            )
