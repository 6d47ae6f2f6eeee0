"""Recognising the header row, the task columns and the title/metadata rows above them.

Columns are found by the words of their titles, in any order; unknown columns are ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .schema import TaskSpec, TestHint

# Roles of recognised columns. Tasks are handled separately.
LOGIN = "login"
MUNICIPALITY = "municipality"
SCHOOL_NAME = "school_name"
CODE = "code"
CLASS = "class"
VARIANT = "variant"
SEX = "sex"
PRIMARY = "primary"
MARK = "mark"
JOURNAL = "journal"
NAMES = "names"

#: Roles whose values the reader keeps (the others are recognised only to be ignored quietly).
DATA_ROLES = (LOGIN, CODE, CLASS, VARIANT, SEX, PRIMARY, MARK, JOURNAL)

_TASK_RE = re.compile(
    r"^(?:№|n|задание|зад\.?)?\s*"
    r"(?P<num>\d{1,2}(?:[.,]\d{1,2})*(?:\s*[кk]\s*\d{1,2})?)"
    r"\s*(?:\(\s*(?P<max>\d{1,2})\s*(?:б|балл(?:а|ов)?)?\.?\s*\))?$"
)
_NAME_WORDS = {"фио", "ф.и.о", "ф.и.о.", "фамилия", "имя", "отчество", "фамилия,", "имя,"}
_LOGIN_RE = re.compile(r"^edu\d{6}$")
_TITLE_RE = re.compile(
    r"впр[\s.,:]+(?P<year>(?:19|20)\d\d)[\s.,:]+(?P<subject>.+?)[\s.,:]+(?P<grade>\d{1,2})\s*(?:-?й\s*)?класс",
    re.IGNORECASE,
)
_ORG_RE = re.compile(r"\((?P<login>edu\d{6})\)", re.IGNORECASE)
_COUNT_RE = re.compile(r"кол-?во\s+участников\s*:?\s*(?P<n>\d+)", re.IGNORECASE)
_JOURNAL_WORDS = ("журнал", "предыдущ", "четверт", "триместр", "полугод")


def normalize_title(value: object) -> str:
    """Lower-case header text with single spaces and «ё» → «е»; numbers as written."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split()).lower().replace("ё", "е")


def display_title(value: object) -> str:
    """Header text as the user wrote it, whitespace collapsed (used in messages)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split()) if value is not None else ""


def normalize_task_number(number: str) -> str:
    """Canonical task number: no spaces, a dot, criterion letter as Latin capital K
    ("11,3 к1" → "11.3K1")."""
    s = "".join(str(number).split()).upper()
    return s.replace("К", "K").replace(",", ".")


def parse_task_title(title: object) -> tuple[str, int | None] | None:
    """(number, max score) for a task column title like "9.1 (1б)" or "1K1 (4б)", else None."""
    m = _TASK_RE.match(normalize_title(title))
    if not m:
        return None
    max_score = int(m["max"]) if m["max"] is not None else None
    return normalize_task_number(m["num"]), max_score


def is_valid_login(login: str) -> bool:
    return bool(_LOGIN_RE.match(login))


def classify_title(title: object) -> str | None:
    """Role of a non-task column from its title, or None if unknown."""
    t = normalize_title(title)
    if not t:
        return None
    words = set(re.split(r"[\s,;/()]+", t))
    if words & _NAME_WORDS or t.startswith(("фио", "ф.и.о")):
        return NAMES
    if t in ("оо", "логин", "логин оо", "оо (логин)", "код оо в фис око"):
        return LOGIN
    if t in ("муниципалитет", "мо", "муниципальное образование", "муниципальный район"):
        return MUNICIPALITY
    if t in ("название оо", "наименование оо", "оо (название)", "образовательная организация"):
        return SCHOOL_NAME
    if t in ("код участника", "код", "код ученика", "код обучающегося", "код уч.", "код уч"):
        return CODE
    if re.match(r"класс(?![а-яa-z])", t) or t in ("№ класса", "литера класса"):
        return CLASS
    if t.startswith("вариант"):
        return VARIANT
    if t in ("пол", "пол (м/ж)", "пол м/ж"):
        return SEX
    if t in ("первичный балл", "итого", "сумма баллов", "всего баллов", "итоговый балл"):
        return PRIMARY
    if t.startswith(("отметка", "оценка")):
        if any(w in t for w in _JOURNAL_WORDS):
            return JOURNAL
        return MARK
    return None


@dataclass
class Header:
    """A recognised header row: which column index holds what."""

    row: int  # Excel row number (1-based)
    roles: dict[str, int] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    task_columns: list[int] = field(default_factory=list)
    task_titles: list[str] = field(default_factory=list)
    tasks: list[TaskSpec] = field(default_factory=list)
    names_column: str | None = None
    duplicates: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def width(self) -> int:
        cols = [*self.roles.values(), *self.task_columns]
        return max(cols) + 1 if cols else 0


def recognise_header(row_number: int, cells: Sequence[object]) -> Header | None:
    """Return the header if ``cells`` look like one: a participant code and ≥ 1 task column.

    A names column (ФИО, Фамилия, Имя, Отчество) is reported in ``names_column`` so the
    caller can refuse the file.
    """
    header = Header(row=row_number)
    seen_tasks: set[str] = set()
    for i, cell in enumerate(cells):
        if cell is None or cell == "":
            continue
        title = display_title(cell)
        task = parse_task_title(cell)
        if task is not None:
            number, max_score = task
            if number in seen_tasks:
                header.duplicates.append(title)
                continue
            seen_tasks.add(number)
            header.task_columns.append(i)
            header.task_titles.append(title)
            header.tasks.append(TaskSpec(number, max_score, None))
            continue
        role = classify_title(cell)
        if role == NAMES:
            header.names_column = header.names_column or title
        elif role is None:
            header.ignored.append(title)
        elif role in header.roles:
            header.duplicates.append(title)
        else:
            header.roles[role] = i
            header.titles[role] = title
    if header.names_column and (CODE in header.roles or header.task_columns):
        return header
    if CODE not in header.roles or not header.task_columns:
        return None
    return header


def looks_like_names_header(cells: Sequence[object]) -> str | None:
    """Title of a names column if the row looks like a header with pupils' names."""
    found = None
    known = 0
    for cell in cells:
        role = classify_title(cell)
        if role == NAMES and found is None:
            found = display_title(cell)
        elif role is not None or parse_task_title(cell) is not None:
            known += 1
    return found if found and known >= 1 else None


def parse_levels(cells: Sequence[object], header: Header) -> list[str | None]:
    """Task levels (Б/П/В) from the row right above the header, one per task column."""
    levels: list[str | None] = []
    for col in header.task_columns:
        value = normalize_title(cells[col]) if col < len(cells) else ""
        levels.append(_LEVEL_WORDS.get(value))
    return levels


_LEVEL_WORDS = {
    "б": "Б",
    "базовый": "Б",
    "п": "П",
    "повышенный": "П",
    "в": "В",
    "высокий": "В",
}


@dataclass
class Metadata:
    """What the rows above the header say."""

    hint: TestHint | None = None
    declared_max_score: int | None = None
    declared_participants: int | None = None
    org_login: str | None = None


def _to_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    m = re.search(r"\d+", str(value or ""))
    return int(m.group()) if m else None


def _to_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 < value < 80000:
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    text = str(value or "").strip()
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text[:10], pattern).date()
        except ValueError:
            continue
    return None


def _label_and_value(cells: Sequence[object]) -> tuple[str, object] | None:
    """("предмет", "Русский язык") for a row [Предмет, Русский язык] or ["Предмет: Русский язык"]."""
    values = [c for c in cells if c is not None and c != ""]
    if not values:
        return None
    first = normalize_title(values[0])
    if len(values) >= 2:
        return first.rstrip(":"), values[1]
    if ":" in first:
        label, _, rest = display_title(values[0]).partition(":")
        return normalize_title(label), rest.strip()
    return None


def guess_session(year: int | None, date: dt.date | None) -> str | None:
    if date is not None:
        return "autumn" if date.month >= 8 else "spring"
    if year is None:
        return None
    return "autumn" if year in (2020, 2022) else "spring"


def parse_metadata(rows: Sequence[Sequence[object]]) -> Metadata:
    """Read the title, «Предмет», «Максимальный первичный балл», «Дата» and the
    organisation row («Школа (edu501001) | Кол-во участников: 25») from the rows above the
    header."""
    meta = Metadata()
    year = grade = None
    subject = title = None
    date = None
    for cells in rows:
        texts = [display_title(c) for c in cells if c is not None and c != ""]
        if not texts:
            continue
        joined = " ".join(texts)
        if title is None and (m := _TITLE_RE.search(joined)):
            title = joined
            year, grade = int(m["year"]), int(m["grade"])
            subject = subject or m["subject"].strip()
            continue
        if (m := _ORG_RE.search(joined)) and "участник" in joined.lower():
            meta.org_login = m["login"].lower()
            if c := _COUNT_RE.search(joined):
                meta.declared_participants = int(c["n"])
            continue
        pair = _label_and_value(cells)
        if pair is None:
            continue
        label, value = pair
        if label == "предмет" and value not in (None, ""):
            subject = display_title(value)
        elif label.startswith("максимальный") and "балл" in label:
            meta.declared_max_score = _to_int(value)
        elif label == "дата":
            date = _to_date(value)
    if year or subject or grade or date:
        meta.hint = TestHint(
            year=year,
            subject=subject,
            grade=grade,
            session=guess_session(year, date),  # type: ignore[arg-type]
            date=date,
            title=title,
        )
    return meta


def match_tasks(found: Sequence[TaskSpec], expected: Sequence[TaskSpec]) -> list[str]:
    """Messages (Russian) naming task columns that differ between the file and the catalog.

    Tasks are matched by number ("1К1" = "1K1"); a task whose maximum is unknown in the file
    (title without «(Nб)») matches any maximum. An empty list means the columns fit.
    """
    want = {normalize_task_number(t.number): t for t in expected}
    have = {normalize_task_number(t.number): t for t in found}
    errors: list[str] = []
    for number, task in have.items():
        if number not in want:
            errors.append(f"столбец задания «{number}» — такого задания в работе нет")
        elif task.max_score is not None and task.max_score != want[number].max_score:
            errors.append(
                f"задание «{number}»: в файле максимум {task.max_score} б., "
                f"а в работе — {want[number].max_score} б."
            )
    for number, task in want.items():
        if number not in have:
            errors.append(f"нет столбца задания «{number}» (максимум {task.max_score} б.)")
    return errors
