"""Parse the text above the plan table: title, approval, basis, order, goal, tasks, results.

Blocks recognised (lines are matched case-insensitively, after whitespace clean-up):

* approval: ``УТВЕРЖДАЮ`` / ``Утверждено`` followed by the position (one or more lines),
  the name (``И.В.Шадеркова``, ``________ И.В. Иванова``, ``Иванова И.В.``) and the date
  (``10 февраля 2023 года``, ``«10» февраля 2023 г.``, ``10.02.2023``); blank lines may
  separate them. ``Утвержден приказом … от … № …`` is an order reference, not an approval.
* order: ``Приложение 1`` / ``к приказу …`` up to the line with the order number
  (``от 03.03.2021 № 89``), joined into one line.
* ``Основание: …``, ``Цель: …`` (continued on the next lines up to a blank line);
* ``Задачи:`` / ``Основные задачи:`` and ``Ожидаемые результаты:`` followed by a list:
  items start with ``-``, ``–``, ``•``, ``1.``, ``1)``, ``а)``; a line without a marker
  continues the item above unless that item ends with ``;`` or ``.``; list punctuation
  (the marker, a trailing ``;`` or ``,``) is dropped;
* ``СОГЛАСОВАНО`` blocks are skipped;
* the title: the first remaining paragraph (lines between blank lines) naming a plan
  (``План``, ``Дорожная карта``, ``Комплекс мер``, ``Программа``, ``мероприятия``), from
  that line on, joined with spaces; else the first remaining paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .model import Approval
from .normalize import clean_line, strip_markup

_APPROVAL_RE = re.compile(
    r"^(?:утверждаю|утверждено|утвержден[аоы]?|утв\.)(?![а-я])\s*[:.]?\s*(.*)$", re.I
)
_AGREED_RE = re.compile(r"^(?:согласовано|согласован[аоы]?|рассмотрено|принято)(?![а-я])", re.I)
_ORDER_START_RE = re.compile(
    r"^(?:приложение(?![а-я])|к\s+приказу|к\s+распоряжению|к\s+постановлению)", re.I
)
_ORDER_END_RE = re.compile(r"(?:приказ|распоряжени|постановлени|решени)[\s\S]*№\s*\S+", re.I)
_BASIS_RE = re.compile(r"^основани[ея](?![а-я])\s*[:\-–—]?\s*(.*)$", re.I)
_GOAL_RE = re.compile(
    r"^(?:основная\s+|главная\s+)?цел[ьи](?:\s+(?:плана|работы|мероприятий))?\s*[:\-–—]\s*(.*)$|^цел[ьи]\s*$",
    re.I,
)
_TASKS_RE = re.compile(
    r"^(?:основные\s+|главные\s+)?задачи(?:\s+(?:плана|работы))?\s*[:\-–—]?\s*(.*)$", re.I
)
_RESULTS_RE = re.compile(
    r"^(?:ожидаем|планируем)(?:ые|ый)\s+результат(?:ы)?(?:\s+\S+)?\s*[:\-–—]?\s*(.*)$", re.I
)
_MARKER_RE = re.compile(r"^(?:[-–—•·*▪●○]|\d{1,2}[.)]|[а-яa-z]\))\s*(.*)$")
_TITLE_WORDS_RE = re.compile(
    r"план(?![а-я])|план[аеу]?\s|дорожн[а-я]+\s+карт|комплекс\s+мер|программ[аы]|мероприяти", re.I
)
_NAME_RE = re.compile(
    r"(?P<name>(?:[А-ЯЁ]\.\s?){1,2}\s?[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"
    r"|[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?\s+(?:[А-ЯЁ]\.\s?){1,2})\s*$"
)
_MONTHS_GENITIVE = {
    "января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6,
    "июля": 7, "августа": 8, "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
}  # fmt: skip
_TEXT_DATE_RE = re.compile(r"(?<!\d)[«\"“]?\s*(\d{1,2})\s*[»\"”]?\s+([а-яё]+)\s+(\d{4})", re.I)
_NUM_DATE_RE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?![\d])")


@dataclass
class HeaderBlock:
    title: str = ""
    approval: Approval | None = None
    basis: str | None = None
    order: str | None = None
    goal: str | None = None
    tasks: list[str] = field(default_factory=list)
    expected_results: list[str] = field(default_factory=list)
    other_lines: list[str] = field(default_factory=list)


def parse_russian_date(text: str) -> date | None:
    """``"10 февраля 2023 года"``, ``"«10» февраля 2023 г."``, ``"10.02.2023"`` → a date."""
    match = _TEXT_DATE_RE.search(text)
    if match and match.group(2).lower().replace("ё", "е") in _MONTHS_GENITIVE:
        day, month, year = (
            int(match.group(1)),
            _MONTHS_GENITIVE[match.group(2).lower()],
            int(match.group(3)),
        )
    else:
        match = _NUM_DATE_RE.search(text)
        if not match:
            return None
        day, month, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
        year = year + 2000 if year < 100 else year
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _is_keyword(line: str) -> bool:
    return any(
        regex.match(line)
        for regex in (
            _APPROVAL_RE,
            _AGREED_RE,
            _ORDER_START_RE,
            _BASIS_RE,
            _GOAL_RE,
            _TASKS_RE,
            _RESULTS_RE,
        )
    )


def _strip_item(text: str) -> str:
    text = text.strip().rstrip(";,").rstrip()
    if re.search(r"[^\W\d_]{2}\.$", text):
        text = text[:-1]
    return text


class _Parser:
    def __init__(self, lines: list[str]) -> None:
        self.lines = [clean_line(strip_markup(line)) for line in lines]
        self.used = [False] * len(self.lines)
        self.block = HeaderBlock()

    def take(self, index: int) -> str:
        self.used[index] = True
        return self.lines[index]

    def run(self) -> HeaderBlock:
        i = 0
        while i < len(self.lines):
            line = self.lines[i]
            if not line or self.used[i]:
                i += 1
                continue
            if _APPROVAL_RE.match(line):
                i = self.approval(i)
            elif _AGREED_RE.match(line):
                i = self.skip_block(i)
            elif _ORDER_START_RE.match(line) and self.block.order is None:
                i = self.order(i)
            elif (match := _BASIS_RE.match(line)) and self.block.basis is None:
                self.block.basis, i = self.paragraph(i, match.group(1))
            elif (match := _GOAL_RE.match(line)) and self.block.goal is None:
                self.block.goal, i = self.paragraph(i, match.group(1) or "")
            elif (match := _TASKS_RE.match(line)) and not self.block.tasks:
                self.block.tasks, i = self.items(i, match.group(1))
            elif (match := _RESULTS_RE.match(line)) and not self.block.expected_results:
                self.block.expected_results, i = self.items(i, match.group(1))
            else:
                i += 1
        self.title()
        return self.block

    def paragraph(self, i: int, first: str) -> tuple[str | None, int]:
        self.take(i)
        parts = [first] if first else []
        j = i + 1
        while j < len(self.lines) and self.lines[j] and not _is_keyword(self.lines[j]):
            if not parts and _TITLE_WORDS_RE.match(self.lines[j]):
                break
            parts.append(self.take(j))
            j += 1
            if parts and not first:
                first = parts[0]
        text = " ".join(parts).strip()
        return (text or None), j

    def items(self, i: int, inline: str) -> tuple[list[str], int]:
        self.take(i)
        items: list[str] = []
        marked = False
        if inline:
            items.extend(p for p in (s.strip() for s in inline.split(";")) if p)
        j = i + 1
        while j < len(self.lines):
            line = self.lines[j]
            if not line:
                k = j
                while k < len(self.lines) and not self.lines[k]:
                    k += 1
                if (
                    k < len(self.lines)
                    and _MARKER_RE.match(self.lines[k])
                    and (marked or not items)
                ):
                    j = k
                    continue
                break
            if _is_keyword(line) or (_TITLE_WORDS_RE.match(line) and not line[0].islower()):
                break
            marker = _MARKER_RE.match(line)
            if marker:
                marked = True
                items.append(marker.group(1))
            elif items and not inline and not items[-1].rstrip().endswith((";", ".")):
                items[-1] = f"{items[-1]} {line}"
            elif not marked and not inline:
                items.append(line)
            else:
                break
            self.take(j)
            j += 1
        return [text for text in (_strip_item(item) for item in items) if text], j

    def order(self, i: int) -> int:
        parts: list[str] = []
        j = i
        while j < len(self.lines) and self.lines[j] and len(parts) < 8:
            parts.append(self.take(j))
            j += 1
            if _ORDER_END_RE.search(" ".join(parts)):
                break
        self.block.order = " ".join(parts)
        return j

    def approval(self, i: int) -> int:
        match = _APPROVAL_RE.match(self.lines[i])
        assert match is not None
        rest = match.group(1).strip()
        following = next((line for line in self.lines[i + 1 : i + 3] if line), "")
        by_act = r"(?:приказом|постановлением|распоряжением|решением)(?![а-я])"
        if re.match(by_act, rest, re.I) or (not rest and re.match(by_act, following, re.I)):
            return self.order(i)  # "Утвержден приказом … от … № …": an order reference
        self.take(i)
        position: list[str] = [rest] if rest else []
        name = ""
        approved_on: date | None = None
        j = i + 1
        blanks = 0
        seen = 0
        while j < len(self.lines) and seen < 10:
            line = self.lines[j]
            if not line:
                blanks += 1
                if blanks >= 2 and name:
                    break
                j += 1
                continue
            if _is_keyword(line) or (_TITLE_WORDS_RE.match(line) and (name or position)):
                break
            blanks = 0
            seen += 1
            self.take(j)
            j += 1
            if re.fullmatch(r"м\.?\s?п\.?", line, re.I):
                continue  # "М.П." — the seal
            when = parse_russian_date(line)
            if when is not None or re.search(r"«\s*_*\s*»|_{3,}\s*20\d\d", line):
                if when is not None and len(line) <= 40:
                    approved_on = when
                    break
                if when is None and not _NAME_RE.search(line.replace("_", " ")):
                    break  # a blank template date: «___» ________ 2023 г.
            found = _NAME_RE.search(line.replace("_", " ").rstrip(" /"))
            if found and not name:
                name = found.group("name").strip()
                before = line[: line.find(name[:2])] if name[:2] in line else ""
                before = before.replace("_", " ").strip(" /")
                if before:
                    position.append(before)
                continue
            position.append(line.strip("_ ").strip())
        self.block.approval = Approval(
            position=" ".join(p for p in position if p), name=name, date=approved_on
        )
        return j

    def skip_block(self, i: int) -> int:
        self.take(i)
        j = i + 1
        while j < len(self.lines) and self.lines[j] and not _is_keyword(self.lines[j]):
            self.take(j)
            j += 1
        return j

    def title(self) -> None:
        groups: list[list[str]] = []
        current: list[str] = []
        for line, used in zip(self.lines, self.used, strict=True):
            if line and not used:
                current.append(line)
            elif current:
                groups.append(current)
                current = []
        if current:
            groups.append(current)
        chosen, start = (0, 0) if groups else (None, 0)
        for index, group in enumerate(groups):
            found = next((k for k, line in enumerate(group) if _TITLE_WORDS_RE.search(line)), None)
            if found is not None:
                chosen, start = index, found
                break
        if chosen is not None:
            self.block.title = " ".join(groups[chosen][start:])
        self.block.other_lines = [
            line for index, group in enumerate(groups) if index != chosen for line in group
        ]


def parse_header_block(lines: list[str]) -> HeaderBlock:
    """Parse the lines above the plan table (see the module docstring)."""
    return _Parser(lines).run()
