"""Read a plan table from plain text (uploaded .txt or pasted into a form).

Text extracts of Word tables come in several layouts; each is tried and the one whose
header row names the most columns wins (ties go to the order below):

``pipe``
    cells separated by ``|`` or box-drawing ``│``; border lines (``+----+``, ``├──┼``,
    Markdown ``|---|``) are skipped. When borders separate every row (pseudo-graphic
    tables from legal databases), the lines between two borders form one row and each
    column's fragments are joined with spaces.
``tab-separated``
    one row per line, cells separated by tabs (copied from Word or Excel). A line without
    tabs that starts in lower case continues the previous row's last cell; Excel's quoted
    multi-line cells are understood.
``semicolon-separated``
    CSV as Excel saves it in a Russian locale (``;`` between cells, quoted cells).
``tab-indented``
    one cell per line, each cell starting with a tab; lines without a leading tab continue
    the cell above, blank lines separate rows (a row cut by a blank line is joined back
    when its parts together fit the header's width). Text after two blank lines that does
    not start with a tab ends the table.
``paragraphs``
    one cell per paragraph, as copied from legal databases: the header cells are
    consecutive short lines; a row starts at a line holding only an item number, and its
    lines are given to the columns in order, using the deadline cell as an anchor when a
    cell spans several lines.

Lines above the table header are returned as header lines.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .columns import classify_header_cell, match_header_row
from .deadlines import parse_deadline
from .errors import PlanParseError
from .model import DEADLINE, NUMBER, RESPONSIBLE, TEXT, RawDocument, RawRow
from .normalize import (
    SECTION_RE,
    clean_cell,
    clean_line,
    is_item_number,
    starts_lowercase,
    strip_markup,
)

NO_HEADER_MESSAGE = (
    "Не удалось найти таблицу плана: нет строки заголовков с колонками «№», «Мероприятие», "
    "«Срок», «Ответственные». Проверьте, что загружен план мероприятий, и что строка "
    "заголовков таблицы сохранена."
)

_BORDER_RE = re.compile(r"^[\s|+\-=:─━┄┈┼├┤┌┐└┘┬┴╞╡╪═╔╗╚╝╠╣╦╩╬╟╢╫╤╧╨╥│┃║]+$")
_PIPES = str.maketrans({"│": "|", "┃": "|", "║": "|", "¦": "|"})


def decode_text(data: bytes) -> str:
    """Decode an uploaded text file: UTF-8 (with or without BOM), UTF-16 with BOM, CP1251."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1251", errors="replace")
    if "\x00" in text:
        raise PlanParseError(
            "Файл не похож на текст или документ Word/Excel. Загрузите .docx, .xlsx или .txt.",
            code="unsupported",
        )
    return text


def _prepare(text: str) -> list[str]:
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = text.replace("\v", "\n").replace("**", "")
    return text.split("\n")


def _cell(text: str) -> str:
    return clean_cell(strip_markup(text))


@dataclass
class _Candidate:
    document: RawDocument
    score: tuple[int, int]


def read_text(text: str | bytes) -> RawDocument:
    """Read a plan table from text; see the module docstring for the layouts understood."""
    if isinstance(text, bytes | bytearray):
        text = decode_text(bytes(text))
    if not text or not text.strip():
        raise PlanParseError("Документ пуст: в нём нет текста.", code="empty")
    lines = _prepare(text)
    best: _Candidate | None = None
    layouts: tuple[Callable[[list[str]], _Candidate | None], ...] = (
        _pipe_layout,
        _tab_separated_layout,
        _tab_indented_layout,
        _semicolon_layout,
        _paragraph_layout,
    )
    for layout in layouts:
        candidate = layout(lines)
        if candidate is not None and (best is None or candidate.score > best.score):
            best = candidate
    if best is None:
        raise PlanParseError(NO_HEADER_MESSAGE, code="no_header")
    return best.document


def _score(header: list[str], rows: list[RawRow]) -> tuple[int, int]:
    fields = match_header_row(header) or []
    filled = sum(1 for row in rows if sum(1 for c in row.cells if c) >= 2)
    return len({f for f in fields if f}), filled


# --------------------------------------------------------------------------- pipes


def _split_pipes(line: str) -> list[str]:
    stripped = line.strip()
    if stripped.startswith("|"):
        stripped = stripped[1:]
    if stripped.endswith("|"):
        stripped = stripped[:-1]
    return stripped.split("|")


def _is_border(line: str) -> bool:
    stripped = line.strip()
    return (
        bool(stripped)
        and bool(_BORDER_RE.match(stripped))
        and len(re.findall(r"[-=─━═]", stripped)) >= 3
    )


def _pipe_layout(lines: list[str]) -> _Candidate | None:
    converted = [line.translate(_PIPES) for line in lines]
    table = [i for i, line in enumerate(converted) if line.count("|") >= 2 or _is_border(line)]
    if sum(1 for i in table if converted[i].count("|") >= 2) < 2:
        return None
    first, last = table[0], table[-1]
    borders = [i for i in range(first, last + 1) if _is_border(converted[i])]
    groups: list[list[int]] = [[]]
    for i in range(first, last + 1):
        if i in borders:
            groups.append([])
        elif converted[i].strip():
            groups[-1].append(i)
    groups = [g for g in groups if g]
    block_mode = len(borders) >= 3 and any(len(g) > 1 for g in groups[1:])

    rows: list[RawRow] = []
    units = groups if block_mode else [[i] for g in groups for i in g]
    for unit in units:
        parts = [
            _split_pipes(converted[i]) if "|" in converted[i] else [converted[i]] for i in unit
        ]
        width = max(len(p) for p in parts)
        cells = []
        for column in range(width):
            fragments = [clean_line(strip_markup(p[column])) for p in parts if column < len(p)]
            cells.append(" ".join(f for f in fragments if f))
        rows.append(RawRow(cells=cells, source_row=unit[0] + 1))
    header_at = next((k for k, row in enumerate(rows) if match_header_row(row.cells)), None)
    if header_at is None:
        return None
    header_lines = [clean_line(strip_markup(line)) for line in lines[:first]]
    for row in rows[:header_at]:
        header_lines.append(" ".join(c for c in row.cells if c))
    rows = rows[header_at:]
    document = RawDocument(header_lines, rows, source_format="text", layout="pipe")
    return _Candidate(document, _score(rows[0].cells, rows[1:]))


# --------------------------------------------------------------------------- tabs, one row a line


def _split_delimited(line: str, delimiter: str) -> list[str]:
    if delimiter == "\t":
        return line.split("\t")
    return next(csv.reader([line], delimiter=delimiter, quotechar='"'), [])


def _delimited_layout(lines: list[str], delimiter: str, layout: str) -> _Candidate | None:
    header_at = None
    for i, line in enumerate(lines):
        if delimiter in line.strip(" \t") and match_header_row(
            [_cell(c) for c in _split_delimited(line, delimiter)]
        ):
            header_at = i
            break
    if header_at is None:
        return None
    header_lines = [
        " ".join(c for c in (_cell(part) for part in _split_delimited(line, delimiter)) if c)
        for line in lines[:header_at]
    ]
    body = lines[header_at:]
    rows: list[RawRow] = []
    quoted = re.compile(rf'(?:^|{re.escape(delimiter)})"[^"{re.escape(delimiter)}]*$')
    if delimiter != "\t" or any(quoted.search(line) for line in body):
        parsed = _quoted_rows(body, header_at, delimiter)
    else:
        parsed = [(header_at + k + 1, line) for k, line in enumerate(body)]
    for number, line in parsed:
        if isinstance(line, list):
            rows.append(RawRow(cells=[_cell(c) for c in line], source_row=number))
            continue
        if not line.strip():
            continue
        if delimiter in line.strip(" "):
            rows.append(RawRow(cells=[_cell(c) for c in line.split(delimiter)], source_row=number))
            continue
        text = _cell(line)
        if rows and starts_lowercase(text):
            last = rows[-1]
            filled = [k for k, c in enumerate(last.cells) if c] or [len(last.cells) - 1]
            k = filled[-1]
            last.cells[k] = f"{last.cells[k]}\n{text}" if last.cells[k] else text
        else:
            rows.append(RawRow(cells=[text], source_row=number))
    document = RawDocument(header_lines, rows, source_format="text", layout=layout)
    return _Candidate(document, _score(rows[0].cells, rows[1:]))


def _tab_separated_layout(lines: list[str]) -> _Candidate | None:
    return _delimited_layout(lines, "\t", "tab-separated")


def _semicolon_layout(lines: list[str]) -> _Candidate | None:
    """CSV saved by Excel in a Russian locale: ``;``-separated, quoted cells."""
    return _delimited_layout(lines, ";", "semicolon-separated")


def _quoted_rows(body: list[str], offset: int, delimiter: str) -> list[tuple[int, list[str] | str]]:
    """Rows of delimited text where cells with line breaks are quoted (Excel copy, CSV)."""
    reader = csv.reader(
        (f"{line}\n" for line in body), delimiter=delimiter, quotechar='"', strict=False
    )
    result: list[tuple[int, list[str] | str]] = []
    start = 1
    for record in reader:
        result.append(
            (offset + start, record if len(record) > 1 else (record[0] if record else ""))
        )
        start = reader.line_num + 1
    return result


# --------------------------------------------------------------------------- tab-indented cells


@dataclass
class _Cell:
    line: int
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return _cell("\n".join(self.parts))


def _tab_header_start(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        if not line.startswith("\t") or (i > 0 and lines[i - 1].startswith("\t")):
            continue
        cells: list[_Cell] = []
        for line_j in lines[i:]:
            if not line_j.strip() and not line_j.startswith("\t"):
                break
            if line_j.startswith("\t"):
                cells.extend(_Cell(i, [part]) for part in line_j.split("\t")[1:])
            elif cells:
                cells[-1].parts.append(line_j)
        if match_header_row([c.text for c in cells]):
            return i
    return None


def _tab_indented_layout(lines: list[str]) -> _Candidate | None:
    start = _tab_header_start(lines)
    if start is None:
        return None
    header_lines = [clean_line(strip_markup(line)) for line in lines[:start]]
    blocks: list[list[_Cell]] = []
    blanks = 0
    for number, line in enumerate(lines[start:], start=start + 1):
        # "\t" alone opens an empty cell whose text may follow on the next line
        if not line.strip() and not line.startswith("\t"):
            blanks += 1
            continue
        if line.startswith("\t"):
            parts = line.split("\t")[1:]
            new = [_Cell(number, [part]) for part in parts]
            if blanks or not blocks:
                blocks.append(new)
            else:
                blocks[-1].extend(new)
        elif blanks >= 2 and blocks:
            break  # text after the table: signatures, notes
        elif blocks:
            blocks[-1][-1].parts.append(line)
        blanks = 0
    if not blocks:
        return None
    header = [c.text for c in blocks[0]]
    width = len(header)
    merged: list[list[_Cell]] = []
    for block in blocks[1:]:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and len(previous) < width
            and len(previous) + len(block) <= width
            and not is_item_number(block[0].text)
            and not (len(previous) == 1 and not is_item_number(previous[0].text))
        ):
            previous.extend(block)
        else:
            merged.extend(_split_long_block(block, width))
    rows = [RawRow(cells=header, source_row=blocks[0][0].line)]
    rows.extend(RawRow(cells=[c.text for c in cells], source_row=cells[0].line) for cells in merged)
    document = RawDocument(header_lines, rows, source_format="text", layout="tab-indented")
    return _Candidate(document, _score(header, rows[1:]))


def _split_long_block(block: list[_Cell], width: int) -> list[list[_Cell]]:
    """A block with more cells than columns holds several rows (no blank line between)."""
    if len(block) <= width:
        return [block]
    rows: list[list[_Cell]] = [[]]
    for cell in block:
        if rows[-1] and (len(rows[-1]) >= width or is_item_number(cell.text)):
            rows.append([])
        rows[-1].append(cell)
    return rows


# --------------------------------------------------------------------------- paragraphs


def _paragraph_layout(lines: list[str]) -> _Candidate | None:
    entries = [(i + 1, _cell(line)) for i, line in enumerate(lines)]
    entries = [(n, text) for n, text in entries if text]
    header_at = None
    header: list[str] = []
    for k in range(len(entries)):
        run = []
        for index in range(k, len(entries)):
            text = entries[index][1]
            if "\n" in text or classify_header_cell(text) is None:
                break
            run.append(text)
        if len(run) >= 2 and match_header_row(run):
            # a title line such as "мероприятий по … в 2022 году" may precede the header
            while len(run) > 2 and _fields(run[1:]) >= _fields(run):
                run = run[1:]
                k += 1
            header_at, header = k, run
            break
    if header_at is None:
        return None
    fields = match_header_row(header) or []
    first_line = entries[header_at][0]
    header_lines = [clean_line(strip_markup(line)) for line in lines[: first_line - 1]]
    body = entries[header_at + len(header) :]

    chunks: list[list[tuple[int, str]]] = []
    numbered = bool(fields) and fields[0] == NUMBER
    for index, (number, text) in enumerate(body):
        following = body[index + 1][1] if index + 1 < len(body) else ""
        starts = numbered and is_item_number(text)
        section = bool(SECTION_RE.match(text)) and (is_item_number(following) or not numbered)
        if starts or section or not chunks:
            chunks.append([(number, text)])
            if section and not starts:
                chunks.append([])
        else:
            chunks[-1].append((number, text))
    rows = [RawRow(cells=header, source_row=first_line)]
    for chunk in chunks:
        if not chunk:
            continue
        if len(chunk) == 1 and not is_item_number(chunk[0][1]):
            rows.append(RawRow(cells=[chunk[0][1]], source_row=chunk[0][0]))
            continue
        if not numbered:
            for start in range(0, len(chunk), len(fields)):
                part = chunk[start : start + len(fields)]
                rows.append(RawRow(cells=[t for _, t in part], source_row=part[0][0]))
            continue
        values = _distribute([t for _, t in chunk[1:]], [f or "" for f in fields[1:]])
        cells = [chunk[0][1]] + [values.get(k, "") for k in range(len(fields) - 1)]
        rows.append(RawRow(cells=cells, source_row=chunk[0][0]))
    document = RawDocument(header_lines, rows, source_format="text", layout="paragraphs")
    score = _score(header, rows[1:])
    return _Candidate(document, (score[0], score[1] - 1))


def _fields(cells: list[str]) -> set[str]:
    return {f for f in match_header_row(cells) or [] if f}


def _distribute(lines: list[str], fields: list[str]) -> dict[int, str]:
    """Give a row's lines to its columns (by column index), anchored on the deadline."""
    if len(lines) == len(fields):
        return dict(enumerate(lines))
    if DEADLINE in fields:
        d = fields.index(DEADLINE)
        anchor = next(
            (
                k
                for k, line in enumerate(lines)
                if k >= d and len(line) < 80 and parse_deadline(line).kind != "unknown"
            ),
            None,
        )
        if anchor is not None:
            result = _fill(lines[:anchor], fields[:d], offset=0)
            result[d] = lines[anchor]
            result.update(_fill(lines[anchor + 1 :], fields[d + 1 :], offset=d + 1))
            return result
    return _fill(lines, fields, offset=0)


def _fill(lines: list[str], fields: list[str], *, offset: int) -> dict[int, str]:
    if not fields or not lines:
        return {}
    if len(lines) <= len(fields):
        return {offset + k: line for k, line in enumerate(lines)}
    if TEXT in fields:
        absorber = fields.index(TEXT)
    elif RESPONSIBLE in fields:
        absorber = fields.index(RESPONSIBLE)
    else:
        absorber = len(fields) - 1
    extra = len(lines) - len(fields)
    result: dict[int, str] = {}
    position = 0
    for k in range(len(fields)):
        take = extra + 1 if k == absorber else 1
        result[offset + k] = "\n".join(lines[position : position + take])
        position += take
    return result
