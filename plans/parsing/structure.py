"""Turn the rows of a plan table into sections and (nested) items.

Rules, in the order they are applied to each row below the header row:

* Rows before the header row are returned as extra header lines (title rows inside the
  table, an Excel sheet's title cells). Rows repeating the header (a new page or a new
  table) and the column-numbering row ``1 | 2 | 3 | 4`` are skipped.
* Columns: every grid column maps to the field of its header cell. A text extract can
  have rows wider than its header when a header cell spanned several columns in Word
  (``Ответственные`` over three sub-columns); the spanning column is the one whose cells
  repeat the same text in such rows (a merged cell), else the responsible column.
  Several grid columns of one field are joined, and a merged cell's text repeated across
  columns is taken once.
* A two-row header: a row right under the header with short texts and nothing in the
  number and measure columns is its second row (``Сроки проведения`` over ``начало |
  окончание``). A sub-column under a header cell merged across columns takes that
  header's field, and each gets its sub-heading, so two deadline columns read as one
  period (``01.02.2024 - 28.02.2024``).
* Vertically merged cells (``vMerge``) carry the text of the cell above into the
  deadline, responsible and expected-result columns of the rows they cover.
* A row whose first column holds a deadline instead of a number, with an empty cell
  further on, lost its empty first cell in the extract: it is shifted back into place.
* Section rows: a row with a single text (possibly repeated across merged columns) in the
  number or text column, not starting in lower case — ``1. Мероприятия по …``,
  ``I направление – …``, ``II. Контроль``; or a Roman number with a title and nothing else.
* Items: a row with a number, or with a text that starts a sentence. Numbers are kept as
  written; ``8.1`` becomes a child of the latest ``8`` of the same section.
* Continuation rows (a row cut by a page break): no number, and either no text or a
  text starting in lower case without a deadline of its own; each cell is joined to the
  same field of the previous item.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .columns import MAX_HEADER_CELL_LENGTH, is_numbering_row, match_header_row
from .deadlines import ParsedDeadline, parse_deadline
from .errors import PlanParseError
from .model import (
    DEADLINE,
    EXPECTED_RESULT,
    NUMBER,
    RESPONSIBLE,
    TEXT,
    ParseWarning,
    PlanItem,
    PlanSection,
    RawDocument,
    RawRow,
)
from .normalize import (
    LEADING_NUMBER_RE,
    ROMAN_RE,
    SECTION_RE,
    is_item_number,
    join_continuation,
    normalise_number,
    one_line,
    starts_lowercase,
)
from .responsible import split_responsible
from .text_layouts import NO_HEADER_MESSAGE

HEADER_SEARCH_ROWS = 60
_COPIED_FIELDS = (DEADLINE, RESPONSIBLE, EXPECTED_RESULT)


@dataclass
class TableResult:
    """Sections with items (deadlines not yet interpreted), the columns found, and notes."""

    sections: list[PlanSection]
    columns: tuple[str, ...]
    extra_header_lines: list[str]
    warnings: list[ParseWarning] = field(default_factory=list)


@dataclass
class _Columns:
    fields: list[str | None]  # per header column
    headers: list[str]  # header cell texts
    span_column: int  # where extra cells of wide rows go

    def field_of(self, index: int, row_width: int) -> tuple[str | None, int]:
        """Field and header column of grid column ``index`` in a row of ``row_width`` cells."""
        width = len(self.fields)
        extra = max(0, row_width - width)
        if extra and index >= self.span_column:
            index = self.span_column if index <= self.span_column + extra else index - extra
        if index >= width:
            return None, index
        return self.fields[index], index


def _effective_width(cells: list[str]) -> int:
    for index in range(len(cells) - 1, -1, -1):
        if cells[index]:
            return index + 1
    return 0


def _find_span_column(fields: list[str | None], rows: list[RawRow]) -> int:
    width = len(fields)
    scores: Counter[int] = Counter()
    for row in rows:
        extra = _effective_width(row.cells) - width
        if extra <= 0:
            continue
        for column in range(width):
            segment = row.cells[column : column + extra + 1]
            if len(segment) == extra + 1 and segment[0] and len(set(segment)) == 1:
                scores[column] += 1
    if scores:
        return scores.most_common(1)[0][0]
    if RESPONSIBLE in fields:
        return fields.index(RESPONSIBLE)
    return width - 1


@dataclass
class _Values:
    by_field: dict[str, str]
    distinct: list[str]  # distinct non-empty cell texts, in order
    text_spans: bool  # the text cell is repeated into other fields' columns
    copied: set[str]


def _values(cells: list[str], columns: _Columns, copied_columns: set[int]) -> _Values:
    width = _effective_width(cells)
    parts: dict[str, list[tuple[int, str]]] = {}
    distinct: list[str] = []
    copied: set[str] = set()
    previous_text = None
    text_value = None
    text_repeats = 0
    for index, cell in enumerate(cells[:width]):
        if not cell:
            previous_text = None
            continue
        if cell not in distinct:
            distinct.append(cell)
        name, header_index = columns.field_of(index, width)
        if name == TEXT and text_value is None:
            text_value = cell
        elif text_value is not None and cell == text_value and name != TEXT:
            text_repeats += 1
        if name is None or cell == previous_text:
            previous_text = cell  # a merged cell repeated across columns: take it once
            continue
        previous_text = cell
        if index in copied_columns:
            copied.add(name)
        parts.setdefault(name, []).append((header_index, cell))
    by_field: dict[str, str] = {}
    for name, found in parts.items():
        texts: list[str] = []
        for _, text in found:
            if text not in texts:
                texts.append(text)
        headers = {columns.headers[i] for i, _ in found if i < len(columns.headers)}
        separator = " - " if name == DEADLINE and len(headers) > 1 else "\n"
        by_field[name] = separator.join(texts)
    return _Values(by_field, distinct, text_repeats > 0, copied)


def _realign(cells: list[str], columns: _Columns) -> list[str]:
    """Shift back a row whose empty number cell was dropped by the extract."""
    fields = columns.fields
    if NUMBER not in fields or DEADLINE not in fields or TEXT not in fields:
        return cells
    n = fields.index(NUMBER)
    value = cells[n] if n < len(cells) else ""
    if (
        not value
        or is_item_number(value)
        or LEADING_NUMBER_RE.match(value)
        or SECTION_RE.match(value)
        or sum(1 for c in cells if c) < 2
    ):
        return cells
    gap = next((j for j in range(n + 1, len(cells)) if not cells[j]), None)
    if gap is None:
        return cells
    shifted = [*cells[:n], "", *cells[n:gap], *cells[gap + 1 :]]
    d, t = fields.index(DEADLINE), fields.index(TEXT)
    if (
        d < len(shifted)
        and t < len(shifted)
        and shifted[t]
        and parse_deadline(shifted[d]).kind != "unknown"
        and parse_deadline(value).kind != "unknown"
    ):
        return shifted
    return cells


def _split_section(value: str) -> tuple[str | None, str]:
    match = SECTION_RE.match(value)
    if not match:
        return None, value
    number = match.group("number")
    separator = value[match.end("number") : match.start("title")]
    if "." in separator:
        number += "."
    return number, match.group("title").strip()


def _section_of(values: _Values, columns: _Columns) -> tuple[str | None, str] | None:
    """``(number, title)`` when the row is a section row."""
    by_field = values.by_field
    number = by_field.get(NUMBER, "")
    text = by_field.get(TEXT, "")
    others = [by_field.get(f, "") for f in (DEADLINE, RESPONSIBLE, EXPECTED_RESULT)]
    if len(values.distinct) == 1:
        value = values.distinct[0]
        in_leading_column = value in (number, text) or not columns.fields
        if in_leading_column and not starts_lowercase(value) and not is_item_number(value):
            if number == value and LEADING_NUMBER_RE.match(value) and not SECTION_RE.match(value):
                return None  # "1.1.Организация" in the number column: an item
            return _split_section(value)
        return None
    if number and text and not any(others) and ROMAN_RE.match(number.strip()):
        return number.strip(), text
    if (
        text
        and values.text_spans
        and (not number or is_item_number(number))
        and not any(o and o != text for o in others)
    ):
        return (number.strip() or None), text
    return None


class _Builder:
    def __init__(self, columns: _Columns) -> None:
        self.columns = columns
        self.sections: list[PlanSection] = []
        self.section: PlanSection | None = None
        self.numbers: dict[str, PlanItem] = {}
        self.last_item: PlanItem | None = None
        self.warnings: list[ParseWarning] = []

    def add_section(self, number: str | None, title: str) -> None:
        self.section = PlanSection(number=number, title=title or None)
        self.sections.append(self.section)
        self.numbers = {}
        self.last_item = None

    def add_item(self, values: _Values, row: RawRow) -> None:
        by_field = values.by_field
        number = by_field.get(NUMBER, "").strip() or None
        text = by_field.get(TEXT, "")
        if number and not is_item_number(number):
            match = LEADING_NUMBER_RE.match(number)
            if match:
                text = f"{match.group(2).strip()}\n{text}".strip()
                number = number[: match.start(2)].strip()
            else:
                text = f"{number}\n{text}".strip()
                number = None
        if number and "\n" in number:
            number = one_line(number)
        responsible_text = by_field.get(RESPONSIBLE, "")
        expected = by_field.get(EXPECTED_RESULT, "") or None
        item = PlanItem(
            number=number,
            text=text,
            deadline=ParsedDeadline(one_line(by_field.get(DEADLINE, ""))),
            responsible=split_responsible(responsible_text),
            responsible_text=responsible_text,
            expected_result=expected,
            source_row=row.source_row,
        )
        if self.section is None:
            self.section = PlanSection(number=None, title=None)
            self.sections.append(self.section)
        parent = self._parent_of(number)
        (parent.children if parent else self.section.items).append(item)
        if number:
            self.numbers[normalise_number(number)] = item
        self.last_item = item

    def _parent_of(self, number: str | None) -> PlanItem | None:
        if not number:
            return None
        parts = normalise_number(number).split(".")
        while len(parts) > 1:
            parts = parts[:-1]
            parent = self.numbers.get(".".join(parts))
            if parent is not None:
                return parent
        return None

    def continue_item(self, values: _Values) -> None:
        item = self.last_item
        assert item is not None
        for name, value in values.by_field.items():
            if not value or name in values.copied or name == NUMBER:
                continue
            if name == TEXT:
                item.text = join_continuation(item.text, value)
            elif name == DEADLINE:
                item.deadline = ParsedDeadline(one_line(f"{item.deadline.text} {value}"))
            elif name == RESPONSIBLE:
                item.responsible_text = join_continuation(item.responsible_text, value)
                item.responsible = split_responsible(item.responsible_text)
            elif name == EXPECTED_RESULT:
                item.expected_result = join_continuation(item.expected_result or "", value)

    def is_continuation(self, values: _Values) -> bool:
        if self.last_item is None:
            return False
        by_field = values.by_field
        if by_field.get(NUMBER):
            return False
        text = by_field.get(TEXT, "")
        if not text:
            return True
        return starts_lowercase(text) and not by_field.get(DEADLINE)


def _subheader_cells(row: RawRow, header: RawRow) -> list[str]:
    """The row's own texts: cells merged down from the header, or repeating its text at
    the same column (a header cell spanning both rows), count as empty."""
    own = []
    for index, cell in enumerate(row.cells):
        above = header.cells[index] if index < len(header.cells) else ""
        repeated = index in row.merged_down or (cell and one_line(cell) == one_line(above))
        own.append("" if repeated else one_line(cell))
    return own


def _is_subheader(row: RawRow, header: RawRow, fields: list[str | None]) -> bool:
    """The second row of a two-row header («Сроки проведения» over «начало | окончание»):
    right under the header, nothing in the number and measure columns, short texts only.
    Such a row can never be a measure (it has neither a number nor a text)."""
    own = _subheader_cells(row, header)
    texts = [cell for cell in own if cell]
    if not texts or is_numbering_row(row.cells):
        return False
    if any(len(text) > MAX_HEADER_CELL_LENGTH for text in texts):
        return False
    for name in (NUMBER, TEXT):
        if name in fields:
            index = fields.index(name)
            if index < len(own) and own[index]:
                return False
    return True


def _merge_subheader(
    row: RawRow, header: RawRow, fields: list[str | None], headers: list[str]
) -> int:
    """Fold the second header row into ``fields`` and ``headers`` (in place): a column
    under a header cell merged across columns (its text repeated, or empty in a text
    extract) takes that header's field, and every sub-headed column's header gets its
    sub-heading, so two «Сроки» columns («начало», «окончание») read as one period.
    Returns the header's new width."""
    own = _subheader_cells(row, header)
    width = max(len(fields), _effective_width(own))
    fields.extend([None] * (width - len(fields)))
    headers.extend([""] * (width - len(headers)))
    above = list(headers)
    for index in range(width):
        sub = own[index] if index < len(own) else ""
        if not sub:
            continue
        if fields[index] is None and not above[index] and index > 0:
            parent = index - 1
            while parent > 0 and not above[parent]:
                parent -= 1
            fields[index] = fields[parent]
            headers[index] = above[parent]
        headers[index] = f"{headers[index]} {sub}".strip()
    return width


def _header_row_index(rows: list[RawRow]) -> int | None:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if match_header_row(row.cells):
            return index
    return None


def build_table(document: RawDocument) -> TableResult:
    """Sections and items of the document's plan table; raises PlanParseError without one."""
    rows = document.rows
    header_index = _header_row_index(rows)
    if header_index is None:
        raise PlanParseError(NO_HEADER_MESSAGE, code="no_header")
    header = rows[header_index]
    width = _effective_width(header.cells)
    fields = (match_header_row(header.cells) or [])[:width]
    headers = [one_line(cell) for cell in header.cells[:width]]
    data = rows[header_index + 1 :]
    # A header repeated on a later page of the extract is skipped: its rows as written.
    repeated_header = [headers[:]]
    if data and _is_subheader(data[0], header, fields):
        repeated_header.append([one_line(cell) for cell in data[0].cells])
        width = _merge_subheader(data[0], header, fields, headers)
        data = data[1:]
    columns = _Columns(fields=fields, headers=headers, span_column=_find_span_column(fields, data))

    extra_lines: list[str] = []
    for row in rows[:header_index]:
        texts: list[str] = []
        for cell in row.cells:
            if cell and cell not in texts:
                texts.append(cell)
        extra_lines.append(" ".join(one_line(t) for t in texts))

    builder = _Builder(columns)
    for index, name in enumerate(fields):
        if name is None and headers[index] and headers[index] not in headers[:index]:
            builder.warnings.append(
                ParseWarning(
                    code="column_ignored",
                    message=f"Столбец «{headers[index]}» не распознан, его содержимое не импортировано.",
                    row=header.source_row,
                )
            )

    previous: list[str] = []
    for row in data:
        cells = list(row.cells)
        copied: set[int] = set()
        for column in row.merged_down:
            if column < len(cells) and column < len(previous) and previous[column]:
                name, _ = columns.field_of(column, len(cells))
                if name in _COPIED_FIELDS:
                    cells[column] = previous[column]
                    copied.add(column)
        previous = cells
        if not any(cells) or is_numbering_row(cells):
            continue
        if any(
            len(cells) >= len(texts)
            and all(one_line(c) == h for c, h in zip(cells, texts, strict=False))
            for texts in repeated_header
        ):
            continue  # the header repeated on a new page or in the next table
        cells = _realign(cells, columns)
        values = _values(cells, columns, copied)
        section = _section_of(values, columns)
        if section is not None:
            builder.add_section(*section)
        elif builder.is_continuation(values):
            builder.continue_item(values)
        else:
            builder.add_item(values, row)

    sections = builder.sections
    if not any(section.items for section in sections):
        raise PlanParseError(
            "Таблица плана не содержит ни одного мероприятия: под строкой заголовков нет строк "
            "с номером или текстом мероприятия.",
            code="no_items",
        )
    ordered: list[str] = []
    for name in fields:
        if name and name not in ordered:
            ordered.append(name)
    return TableResult(sections, tuple(ordered), extra_lines, builder.warnings)
