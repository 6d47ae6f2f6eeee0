"""The VPR schedule: which class of which school writes which test, and when."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.db import transaction

from observers.models import AssignmentStatus, ScheduledSession
from observers.services import ImportRefused, ObserversError
from observers.services.registry import parse_day
from results.fileformats.validation import normalize_class_label
from results.models import Session, Test
from schools.models import School
from vpr_portal import audit
from vpr_portal.tabular import TableFileError, TableRow, read_table

# A lesson: used when the file gives no end time (VPR last 45–90 minutes; staff adjust).
DEFAULT_DURATION = datetime.timedelta(minutes=45)


def grade_of(class_label: str) -> int | None:
    match = re.match(r"\d{1,2}", class_label)
    return int(match.group()) if match else None


def session_of_day(day: datetime.date) -> str:
    """Spring VPR run from March to May, the autumn ones from September to November."""
    return Session.AUTUMN if day.month >= 8 else Session.SPRING


def _check(
    *,
    school: School,
    test: Test,
    class_label: str,
    date: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    exclude_pk: int | None,
) -> list[str]:
    errors = []
    if not class_label:
        errors.append("Укажите класс, например «4А».")
    elif grade_of(class_label) != test.grade:
        errors.append(
            f"Класс «{class_label}» не совпадает с работой: {test.subject} пишут {test.grade} классы."
        )
    if date.year != test.year:
        errors.append(f"Работа из каталога {test.year} года, а дата — {date:%d.%m.%Y}.")
    if end_time <= start_time:
        errors.append("Время окончания должно быть позже времени начала.")
    duplicate = ScheduledSession.objects.filter(school=school, test=test, class_label=class_label)
    if exclude_pk:
        duplicate = duplicate.exclude(pk=exclude_pk)
    if class_label and duplicate.exists():
        errors.append(f"Класс {class_label} уже есть в графике на эту работу ({test.subject}).")
    return errors


@transaction.atomic
def save_session(
    *,
    user: Any,
    school: School,
    test: Test,
    class_label: str,
    date: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    session: ScheduledSession | None = None,
) -> ScheduledSession:
    """Add a line to the schedule or change one.

    A line that observers are already assigned to cannot be moved or re-targeted:
    their slots (and the conflict checks made for them) would silently go stale.
    """
    class_label = normalize_class_label(class_label)
    errors = _check(
        school=school,
        test=test,
        class_label=class_label,
        date=date,
        start_time=start_time,
        end_time=end_time,
        exclude_pk=session.pk if session else None,
    )
    if errors:
        raise ObserversError(" ".join(errors))
    if session is not None:
        moved = (session.school_id, session.test_id, session.class_label, session.date) != (
            school.pk,
            test.pk,
            class_label,
            date,
        ) or (session.start_time, session.end_time) != (start_time, end_time)
        if moved and session.assignments.filter(status=AssignmentStatus.ACTIVE).exists():
            raise ObserversError(
                "На эту работу уже назначен наблюдатель: чтобы перенести её, сначала отмените "
                "назначение (управление образования)."
            )
    else:
        session = ScheduledSession(
            entered_by=user if getattr(user, "is_authenticated", False) else None
        )
    session.school = school
    session.test = test
    session.class_label = class_label
    session.date = date
    session.start_time = start_time
    session.end_time = end_time
    session.save()
    return session


def delete_session(*, session: ScheduledSession) -> None:
    if session.assignments.exists():
        raise ObserversError(
            "По этой работе есть назначения наблюдателей (в том числе отменённые): "
            "удалить её нельзя, чтобы не потерять историю. Исправьте дату или время."
        )
    session.delete()


# --- import ------------------------------------------------------------------------------

SCHEDULE_COLUMNS = ["Логин", "Дата", "Предмет", "Класс", "Время начала", "Время окончания"]
SCHEDULE_REQUIRED = ["Логин", "Дата", "Предмет", "Класс", "Время начала"]


def parse_time(text: str) -> datetime.time | None:
    """«9:00», «09.00», «09:00:00», or a fraction of a day as Excel stores time (0.375)."""
    text = text.strip()
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})(?::\d{2})?", text)
    if match:
        hours, minutes = int(match.group(1)), int(match.group(2))
        if hours < 24 and minutes < 60:
            return datetime.time(hours, minutes)
        return None
    try:
        fraction = float(text.replace(",", "."))
    except ValueError:
        return None
    if 0 <= fraction < 1:
        minutes = round(fraction * 24 * 60)
        return datetime.time(minutes // 60, minutes % 60)
    return None


@dataclass
class ScheduleImportReport:
    created: int = 0
    updated: int = 0


def _find_test(subject: str, grade: int, day: datetime.date) -> Test | None:
    # Compared in Python: SQLite's case-insensitive match does not fold Cyrillic.
    wanted = " ".join(subject.split()).casefold()
    tests = [
        t
        for t in Test.objects.filter(year=day.year, grade=grade)
        if " ".join(t.subject.split()).casefold() == wanted
    ]
    if len(tests) > 1:
        tests = [t for t in tests if t.session == session_of_day(day)]
    return tests[0] if len(tests) == 1 else None


def _parse_schedule_row(row: TableRow, schools: dict[str, School]) -> tuple[dict, list[str]]:
    v = row.values
    where = f"Строка {row.number}"
    errors: list[str] = []
    login = v.get("Логин", "").strip().lower()
    school = schools.get(login)
    if not login:
        errors.append(f"{where}, столбец «Логин»: логин ОО не указан.")
    elif school is None:
        errors.append(f"{where}, столбец «Логин»: ОО {login} нет в реестре вашей территории.")
    day = parse_day(v.get("Дата", ""))
    if day is None:
        errors.append(f"{where}, столбец «Дата»: «{v.get('Дата', '')}» — укажите дату ДД.ММ.ГГГГ.")
    class_label = normalize_class_label(v.get("Класс", ""))
    grade = grade_of(class_label)
    if grade is None:
        errors.append(
            f"{where}, столбец «Класс»: «{v.get('Класс', '')}» — укажите класс, например 4А."
        )
    start = parse_time(v.get("Время начала", ""))
    if start is None:
        errors.append(
            f"{where}, столбец «Время начала»: «{v.get('Время начала', '')}» — время ЧЧ:ММ."
        )
    end_text = v.get("Время окончания", "").strip()
    end = parse_time(end_text) if end_text else None
    if end_text and end is None:
        errors.append(f"{where}, столбец «Время окончания»: «{end_text}» — время ЧЧ:ММ.")
    if start and end is None and not end_text:
        end = (datetime.datetime.combine(datetime.date.min, start) + DEFAULT_DURATION).time()
    subject = v.get("Предмет", "").strip()
    test = None
    if not subject:
        errors.append(f"{where}, столбец «Предмет»: не заполнено.")
    elif day and grade:
        test = _find_test(subject, grade, day)
        if test is None:
            errors.append(
                f"{where}: в каталоге нет работы «{subject}», {grade} класс, {day.year} год — "
                "сначала загрузите её в каталог."
            )
    fields = {
        "school": school,
        "test": test,
        "class_label": class_label,
        "date": day,
        "start_time": start,
        "end_time": end,
    }
    if not errors:
        errors.extend(
            f"{where}: {message}"
            for message in _check(**fields, exclude_pk=None)
            if "уже есть в графике" not in message  # re-import updates the line
        )
    return fields, errors


@audit.records_import(audit.ImportKind.SCHEDULE)
def import_schedule(
    *, source: BinaryIO | Path | str, filename: str, schools: list[School], user: Any
) -> ScheduleImportReport:
    """Create or update schedule lines from CSV/XLSX, all rows or none.

    Columns: Логин, Дата, Предмет, Класс, Время начала[, Время окончания]. The test is
    found in the catalog by the date's year, the subject and the class's grade. A line is
    identified by (school, test, class): re-import moves it, unless observers are assigned.
    """
    try:
        rows = read_table(
            source, filename=filename, required=SCHEDULE_REQUIRED, known=SCHEDULE_COLUMNS
        )
    except TableFileError as exc:
        raise ImportRefused([exc.message_ru]) from exc
    if not rows:
        raise ImportRefused(["В файле нет ни одной строки с данными."])
    by_login = {s.login.lower(): s for s in schools}
    parsed, errors = [], []
    seen: dict[tuple, int] = {}
    for row in rows:
        fields, row_errors = _parse_schedule_row(row, by_login)
        key = (fields["school"], fields["test"], fields["class_label"])
        if not row_errors and key in seen:
            row_errors.append(
                f"Строка {row.number}: класс {fields['class_label']} на эту работу уже есть в строке {seen[key]}."
            )
        seen.setdefault(key, row.number)
        parsed.append((row.number, fields))
        errors.extend(row_errors)
    if errors:
        raise ImportRefused(errors)

    report = ScheduleImportReport()
    with transaction.atomic():
        for number, fields in parsed:
            existing = ScheduledSession.objects.filter(
                school=fields["school"], test=fields["test"], class_label=fields["class_label"]
            ).first()
            try:
                save_session(user=user, session=existing, **fields)
            except ObserversError as exc:
                # Leaving the atomic block with the exception rolls back the earlier rows.
                raise ImportRefused([f"Строка {number}: {exc.message_ru}"]) from exc
            report.created += existing is None
            report.updated += existing is not None
    return report
