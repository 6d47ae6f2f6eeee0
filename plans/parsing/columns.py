"""Recognise the plan table's header row and map its columns to plan fields.

Header words (case, spaces, line breaks and trailing punctuation do not matter):

=================  ====================================================================
number             ``№``, ``№ п/п``, ``N п/п``, ``п/п``, ``Номер``
text               ``Мероприятие(я)``, ``Наименование/Название/Содержание мероприятия``,
                   ``Направление деятельности``, ``Содержание работы``, ``Вид деятельности``
deadline           ``Срок``, ``Сроки``, ``Срок выполнения/исполнения/проведения``,
                   ``Дата проведения``, ``Период``, ``Время проведения``
responsible        ``Ответственный``, ``Ответственные``, ``Ответственные исполнители``,
                   ``Ответственные лица``, ``Исполнители``
expected_result    ``Ожидаемый результат``, ``Планируемый результат``, ``Результат``
=================  ====================================================================

Columns may come in any order; a column with another heading (``Примечание``,
``Отметка о выполнении``) is ignored and reported.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .model import DEADLINE, EXPECTED_RESULT, NUMBER, RESPONSIBLE, TEXT
from .normalize import one_line

MAX_HEADER_CELL_LENGTH = 60

_NUMBER_RE = re.compile(
    r"^(?:№|n|no|nn|номер)\s*(?:п\s*/\s*п|пп|п\.\s*п|пункта|мероприятия)?\.?$|^п\s*/\s*п\.?$"
)
_DEADLINE_RE = re.compile(r"(?<![а-я])(?:срок|сроки|дата|даты|период|время|когда)(?![а-я])")
_TEXT_RE = re.compile(
    r"мероприяти|наименовани|направлени[ея]\s+(?:деятельност|работ)|содержани|вид[ы]?\s+"
    r"(?:деятельност|работ)|деятельност|^действи"
)


def classify_header_cell(cell: str) -> str | None:
    """The plan field a header cell names, or ``None``."""
    text = one_line(cell).lower().replace("ё", "е").strip(" .:;*")
    if not text or len(text) > MAX_HEADER_CELL_LENGTH:
        return None
    if _NUMBER_RE.match(text):
        return NUMBER
    if "ответствен" in text or "исполнител" in text:
        return RESPONSIBLE
    if _DEADLINE_RE.search(text) and "результат" not in text:
        return DEADLINE
    if "результат" in text or "ожидаем" in text:
        return EXPECTED_RESULT
    if _TEXT_RE.search(text):
        return TEXT
    return None


def match_header_row(cells: Sequence[str]) -> list[str | None] | None:
    """Map each cell of a candidate header row to a field, or ``None`` if it is no header.

    A header row has short cells only, at least two different fields among them including
    the measure text (an unnamed column becomes the text column when none is named, if
    three fields are named), and at least half of its non-empty cells recognised.
    """
    nonempty = [cell for cell in cells if cell.strip()]
    if len(nonempty) < 2 or any(len(cell) > 3 * MAX_HEADER_CELL_LENGTH for cell in nonempty):
        return None
    if any(len(one_line(cell)) > MAX_HEADER_CELL_LENGTH for cell in nonempty):
        return None
    fields = [classify_header_cell(cell) if cell.strip() else None for cell in cells]
    recognised = [f for f in fields if f is not None]
    distinct = set(recognised)
    if len(distinct) < 2 or len(recognised) * 2 < len(nonempty):
        return None
    if TEXT not in distinct:
        if len(distinct) < 3:
            return None
        unnamed = [
            i for i, (c, f) in enumerate(zip(cells, fields, strict=True)) if c.strip() and f is None
        ]
        if not unnamed:
            return None
        fields[unnamed[0]] = TEXT
    return fields


def is_numbering_row(cells: Sequence[str]) -> bool:
    """The row ``1 | 2 | 3 | 4 | 5`` that many Russian tables put under the header."""
    values: list[str] = []
    for cell in cells:
        value = one_line(cell).rstrip(".")
        if value and (not values or values[-1] != value):  # merged cells repeat their text
            values.append(value)
    if len(values) < 2 or not all(value.isdigit() for value in values):
        return False
    numbers = [int(value) for value in values]
    return numbers == list(range(numbers[0], numbers[0] + len(numbers))) and numbers[0] <= 1
