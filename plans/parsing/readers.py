"""Read a plan document (.docx, .xlsx or text) into a :class:`~.model.RawDocument`.

* ``read_docx`` reads the Word table itself. It walks the XML (``w:tbl/w:tr/w:tc``)
  instead of python-docx's cell objects, which are slow on large tables, and expands
  ``gridSpan`` (the text is repeated in every grid column the cell covers), ``gridBefore``
  and ``vMerge`` (continuation cells are empty and listed in ``RawRow.merged_down``).
  The plan table is the first table with a header row (№ / Мероприятие / Срок /
  Ответственные); paragraphs and small tables above it (an approval block laid out as a
  table, for instance) become header lines; later tables with as many columns continue
  the plan (a plan split across tables), and paragraphs between them become rows.
* ``read_xlsx`` reads the first sheet that has a header row; merged ranges behave as in
  Word. Dates become ``DD.MM.YYYY``, integral numbers lose their ``.0``.
* ``read_text`` (see :mod:`.text_layouts`) reads pasted or saved text.

``read_document`` picks the reader from the content (zip members), not from the name, and
refuses a file whose name contradicts its content (an .xlsx renamed to .docx).
Every failure is a :class:`~.errors.PlanParseError` with a Russian message.

Hostile files: a file over ``limits.max_file_bytes`` is refused before it is read (its size
is taken from the file system or by reading one byte past the limit); a .docx/.xlsx goes
through :func:`guarded_archive.verify_inflated` (entries, inflated size, ratio, bytes
really inflated, no DTD in any XML part) before python-docx or openpyxl opens it.
"""

from __future__ import annotations

import io
import os
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any, Union

from guarded_archive import ArchiveRefused, ZipLimits, verify_inflated

from .columns import match_header_row
from .errors import PlanParseError
from .model import RawDocument, RawRow
from .normalize import clean_cell, clean_line
from .text_layouts import decode_text, read_text

PlanSource = Union[str, "os.PathLike[str]", bytes, bytearray, IO[bytes]]

FORMATS = ("auto", "docx", "xlsx", "text")
HEADER_SEARCH_ROWS = 60

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W_P, W_TBL, W_TR, W_TC = f"{_W}p", f"{_W}tbl", f"{_W}tr", f"{_W}tc"
W_T, W_TAB, W_BR, W_CR = f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"
W_NOBREAKHYPHEN, W_SOFTHYPHEN = f"{_W}noBreakHyphen", f"{_W}softHyphen"
W_SDT, W_SDTCONTENT, W_CUSTOMXML = f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"
W_TCPR, W_GRIDSPAN, W_VMERGE, W_HMERGE = f"{_W}tcPr", f"{_W}gridSpan", f"{_W}vMerge", f"{_W}hMerge"
W_TRPR, W_GRIDBEFORE, W_VAL, W_TXBX = f"{_W}trPr", f"{_W}gridBefore", f"{_W}val", f"{_W}txbxContent"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_WRAPPERS = (W_SDT, W_SDTCONTENT, W_CUSTOMXML)

_CORRUPT_DOCX = (
    "Файл повреждён или не является документом Word (.docx). "
    "Откройте его в Word и сохраните заново в формате .docx."
)
_CORRUPT_XLSX = (
    "Файл повреждён или не является книгой Excel (.xlsx). "
    "Откройте его в Excel и сохраните заново в формате .xlsx."
)


# --------------------------------------------------------------------------- sources

MiB = 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    """How big a plan document may be, on disk and once unzipped."""

    max_file_bytes: int = 20 * MiB
    zip: ZipLimits = field(
        default_factory=lambda: ZipLimits(
            max_total_bytes=50 * MiB, max_part_bytes=50 * MiB, allow_nested=True
        )
    )


DEFAULT_LIMITS = ReadLimits()


def _too_big(limits: ReadLimits) -> PlanParseError:
    return PlanParseError(
        f"Файл больше {limits.max_file_bytes // MiB} МБ — это не похоже на план мероприятий. "
        "Уберите из документа картинки и вложения или загрузите только таблицу плана.",
        code="too_big",
    )


def load_source(
    source: PlanSource, filename: str | None = None, limits: ReadLimits = DEFAULT_LIMITS
) -> tuple[bytes, str | None]:
    """Bytes and file name of a path, bytes or binary file object; a source over
    ``limits.max_file_bytes`` is refused without reading it whole."""
    try:
        if isinstance(source, bytes | bytearray):
            if len(source) > limits.max_file_bytes:
                raise _too_big(limits)
            return bytes(source), filename
        if isinstance(source, str | os.PathLike):
            path = Path(source)
            if path.stat().st_size > limits.max_file_bytes:
                raise _too_big(limits)
            with path.open("rb") as f:
                data = f.read(limits.max_file_bytes + 1)  # a file growing meanwhile
            if len(data) > limits.max_file_bytes:
                raise _too_big(limits)
            return data, filename or path.name
        data = source.read(limits.max_file_bytes + 1)
        if len(data) > limits.max_file_bytes:
            raise _too_big(limits)
        name = filename or getattr(source, "name", None)
        return bytes(data), os.path.basename(name) if isinstance(name, str) else None
    except FileNotFoundError as exc:
        raise PlanParseError(f"Файл не найден: {source}.", code="corrupt") from exc
    except OSError as exc:
        raise PlanParseError(
            f"Не удалось прочитать файл: {exc.strerror or exc}.", code="corrupt"
        ) from exc


def sniff_format(data: bytes) -> str:
    """``docx``, ``xlsx``, ``zip`` (another archive), ``ole``, ``pdf``, ``rtf``, ``image`` or ``text``."""
    if data.startswith(b"PK"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return "broken-zip"
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        return "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.lstrip()[:5].lower() == b"{\\rtf":
        return "rtf"
    if data[:4] in (b"\x89PNG", b"GIF8") or data[:3] == b"\xff\xd8\xff":
        return "image"
    return "text"


_UNSUPPORTED = {
    "ole": "Старые форматы Word и Excel (.doc, .xls) не поддерживаются. "
    "Сохраните файл как .docx или .xlsx и загрузите снова.",
    "pdf": "PDF не поддерживается: загрузите план в формате .docx, .xlsx или вставьте текст таблицы.",
    "rtf": "Формат RTF не поддерживается: сохраните документ как .docx.",
    "image": "Это изображение, а не документ. Загрузите план в формате .docx, .xlsx или текстом.",
    "zip": "Архив не является ни документом Word (.docx), ни книгой Excel (.xlsx).",
}
_FORMAT_NAMES = {"docx": "документ Word (.docx)", "xlsx": "книга Excel (.xlsx)", "text": "текст"}


def _expected_from_name(filename: str | None) -> str | None:
    suffix = Path(filename).suffix.lower() if filename else ""
    return {".docx": "docx", ".docm": "docx", ".xlsx": "xlsx", ".xlsm": "xlsx"}.get(suffix)


def resolve_format(data: bytes, *, format: str = "auto", filename: str | None = None) -> str:
    """The reader to use (``docx``/``xlsx``/``text``), from the content.

    The declared format (``format`` or the file name's extension) must agree with the
    content; otherwise a :class:`PlanParseError` says what the file really is.
    """
    if format not in FORMATS:
        raise PlanParseError(
            f"Неизвестный формат «{format}»: допустимы auto, docx, xlsx, text.", code="unsupported"
        )
    if not data.strip():
        raise PlanParseError("Файл пуст.", code="empty")
    actual = sniff_format(data)
    declared = format if format != "auto" else _expected_from_name(filename)
    if actual in _UNSUPPORTED:
        raise PlanParseError(_UNSUPPORTED[actual], code="unsupported")
    if actual == "broken-zip":
        message = _CORRUPT_XLSX if declared == "xlsx" else _CORRUPT_DOCX
        raise PlanParseError(message, code="corrupt")
    if declared in ("docx", "xlsx") and actual != declared:
        name = f"«{filename}» " if filename else ""
        if actual == "text":
            message = _CORRUPT_XLSX if declared == "xlsx" else _CORRUPT_DOCX
            raise PlanParseError(message, code="corrupt")
        raise PlanParseError(
            f"Файл {name}на самом деле {_FORMAT_NAMES[actual]}, а не "
            f"{_FORMAT_NAMES[declared]}. Переименуйте его с расширением .{actual} "
            f"или выберите формат {actual}.",
            code="wrong_format",
        )
    if declared == "text" and actual != "text":
        raise PlanParseError(
            f"Файл — {_FORMAT_NAMES[actual]}, а не текст. Выберите формат {actual} или «авто».",
            code="wrong_format",
        )
    return actual


def read_document(
    source: PlanSource,
    *,
    format: str = "auto",
    filename: str | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> RawDocument:
    """Read any supported source. A ``str`` here is a path; use :func:`read_text` for text."""
    data, name = load_source(source, filename, limits)
    kind = resolve_format(data, format=format, filename=name)
    if kind == "docx":
        return read_docx(data, limits=limits)
    if kind == "xlsx":
        return read_xlsx(data, limits=limits)
    return read_text(decode_text(data))


def _bytes_of(source: PlanSource, limits: ReadLimits) -> bytes:
    return load_source(source, None, limits)[0]


def guard_archive(data: bytes, limits: ReadLimits) -> None:
    """Refuse a zip bomb, a forged zip header or an XML part with a DTD before parsing."""
    try:
        verify_inflated(data, limits.zip)
    except ArchiveRefused as exc:
        raise PlanParseError(exc.message_ru, code="archive") from None
    except Exception:
        return  # a damaged zip: the parser's own «повреждён» message follows


# --------------------------------------------------------------------------- docx


def _children(element: Any, tag: str) -> Iterator[Any]:
    """Children with ``tag``, looking through content controls and custom XML wrappers."""
    for child in element.iterchildren():
        if child.tag == tag:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _children(child, tag)


def _blocks(container: Any) -> Iterator[Any]:
    """Block-level paragraphs and tables, in document order."""
    for child in container.iterchildren():
        if child.tag in (W_P, W_TBL):
            yield child
        elif child.tag in _WRAPPERS:
            yield from _blocks(child)


def _inside(element: Any, tags: tuple[str, ...], stop: Any) -> bool:
    parent = element.getparent()
    while parent is not None and parent is not stop:
        if parent.tag in tags:
            return True
        parent = parent.getparent()
    return False


def _run_text(paragraph: Any, *, skip_boxes: bool) -> str:
    parts: list[str] = []
    for element in paragraph.iter(W_T, W_TAB, W_BR, W_CR, W_NOBREAKHYPHEN):
        if skip_boxes and _inside(element, (W_TXBX, MC_FALLBACK), paragraph):
            continue
        tag = element.tag
        if tag == W_T:
            parts.append(element.text or "")
        elif tag == W_TAB:
            parts.append("\t")
        elif tag == W_NOBREAKHYPHEN:
            parts.append("-")
        else:
            parts.append("\n")
    return "".join(parts)


def _paragraph_lines(paragraph: Any) -> list[str]:
    """A paragraph's text; text boxes inside it (Word draws approval blocks so) as lines."""
    if paragraph.find(f".//{W_TXBX}") is None:
        return [_run_text(paragraph, skip_boxes=False)]
    lines: list[str] = []
    for box in paragraph.iter(W_TXBX):
        if _inside(box, (MC_FALLBACK,), paragraph):
            continue  # the same box again, in the legacy VML fallback
        for inner in _blocks(box):
            lines.extend(_container_lines(inner))
        lines.append("")
    lines.append(_run_text(paragraph, skip_boxes=True))
    return lines


def _container_lines(block: Any) -> list[str]:
    if block.tag == W_P:
        return _paragraph_lines(block)
    lines: list[str] = []
    for tr in _children(block, W_TR):
        for tc in _children(tr, W_TC):
            for inner in _blocks(tc):
                lines.extend(_container_lines(inner))
    return lines


def _cell_text(tc: Any) -> str:
    lines: list[str] = []
    for block in _blocks(tc):
        lines.extend(_container_lines(block))
    return clean_cell("\n".join(lines))


def _int_attr(element: Any, default: int = 1) -> int:
    try:
        return max(1, int(element.get(W_VAL, default)))
    except (TypeError, ValueError):
        return default


def _docx_row(tr: Any, source_row: int) -> RawRow:
    cells: list[str] = []
    merged: set[int] = set()
    tr_pr = tr.find(W_TRPR)
    if tr_pr is not None:
        grid_before = tr_pr.find(W_GRIDBEFORE)
        if grid_before is not None:
            cells.extend([""] * min(_int_attr(grid_before, 0), 50))
    for tc in _children(tr, W_TC):
        span, vmerge, hmerge = 1, None, None
        tc_pr = tc.find(W_TCPR)
        if tc_pr is not None:
            grid_span = tc_pr.find(W_GRIDSPAN)
            if grid_span is not None:
                span = min(_int_attr(grid_span), 50)
            v_merge = tc_pr.find(W_VMERGE)
            if v_merge is not None:
                vmerge = v_merge.get(W_VAL) or "continue"
            h_merge = tc_pr.find(W_HMERGE)
            if h_merge is not None:
                hmerge = h_merge.get(W_VAL) or "continue"
        if vmerge == "continue":
            for _ in range(span):
                merged.add(len(cells))
                cells.append("")
            continue
        # legacy horizontal merge (hMerge) continues the previous cell
        text = cells[-1] if hmerge == "continue" and cells else _cell_text(tc)
        cells.extend([text] * span)
    return RawRow(cells=cells, source_row=source_row, merged_down=frozenset(merged))


def _header_index(rows: list[RawRow]) -> int | None:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if match_header_row(row.cells) is not None:
            return index
    return None


def read_docx(source: PlanSource, *, limits: ReadLimits = DEFAULT_LIMITS) -> RawDocument:
    """Read the plan table of a .docx (path, bytes or binary file)."""
    data = _bytes_of(source, limits)
    resolve_format(data, format="docx")
    guard_archive(data, limits)
    try:
        import docx  # python-docx

        document = docx.Document(io.BytesIO(data))
        body = document.element.body
        blocks = list(_blocks(body))
    except PlanParseError:
        raise
    except Exception as exc:  # python-docx/lxml raise many types on damaged files
        raise PlanParseError(_CORRUPT_DOCX, code="corrupt") from exc

    counter = 0
    tables: list[tuple[int, list[RawRow]]] = []  # (block index, rows)
    for index, block in enumerate(blocks):
        if block.tag == W_TBL:
            rows = []
            for tr in _children(block, W_TR):
                counter += 1
                rows.append(_docx_row(tr, counter))
            tables.append((index, rows))
    if not tables:
        raise PlanParseError(
            "В документе Word нет таблицы. План мероприятий должен быть оформлен таблицей "
            "с колонками «№», «Мероприятие», «Срок», «Ответственные».",
            code="no_table",
        )
    main = next((t for t in tables if _header_index(t[1]) is not None), None)
    if main is None:
        main = max(tables, key=lambda t: len(t[1]))
    main_index, main_rows = main
    width = max((len(row.cells) for row in main_rows), default=0)

    header_lines: list[str] = []
    for block in blocks[:main_index]:
        header_lines.extend(clean_line(line) for line in _container_lines(block))
        if block.tag == W_TBL:
            header_lines.append("")

    rows = list(main_rows)
    between: list[RawRow] = []
    for index, block in enumerate(blocks[main_index + 1 :], start=main_index + 1):
        if block.tag == W_P:
            text = clean_cell("\n".join(_paragraph_lines(block)))
            if text:
                between.append(RawRow(cells=[text], source_row=counter))
            continue
        table_rows = next(t[1] for t in tables if t[0] == index)
        table_width = max((len(row.cells) for row in table_rows), default=0)
        if table_width >= max(2, width - 1) or _header_index(table_rows) is not None:
            rows.extend(between)
            rows.extend(table_rows)
        between = []
    return RawDocument(header_lines, rows, source_format="docx", layout="docx-table")


# --------------------------------------------------------------------------- xlsx


def _excel_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.strftime("%d.%m.%Y")
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return clean_cell(str(value))


def read_xlsx(source: PlanSource, *, limits: ReadLimits = DEFAULT_LIMITS) -> RawDocument:
    """Read the plan from the first sheet of an .xlsx that has a header row."""
    data = _bytes_of(source, limits)
    resolve_format(data, format="xlsx")
    guard_archive(data, limits)
    try:
        import openpyxl

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # not read_only: merged ranges are only known in the normal mode
            workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:
        raise PlanParseError(_CORRUPT_XLSX, code="corrupt") from exc

    fallback: RawDocument | None = None
    for sheet in workbook.worksheets:
        grid = [
            [_excel_value(value) for value in row]
            for row in sheet.iter_rows(min_row=1, min_col=1, values_only=True)
        ]
        merged_down: dict[int, set[int]] = {}
        for cell_range in sheet.merged_cells.ranges:
            top, left = cell_range.min_row - 1, cell_range.min_col - 1
            if top >= len(grid) or left >= len(grid[top]):
                continue
            value = grid[top][left]
            for r in range(top, min(cell_range.max_row, len(grid))):
                for c in range(left, min(cell_range.max_col, len(grid[r]))):
                    if r == top:
                        grid[r][c] = value
                    else:
                        merged_down.setdefault(r, set()).add(c)
        # empty rows are kept: above the table they separate the title from other blocks
        rows = [
            RawRow(
                cells=cells, source_row=index + 1, merged_down=frozenset(merged_down.get(index, ()))
            )
            for index, cells in enumerate(grid)
        ]
        while rows and not any(rows[-1].cells):
            rows.pop()
        document = RawDocument([], rows, source_format="xlsx", layout="xlsx")
        if _header_index(rows) is not None:
            return document
        if fallback is None and rows:
            fallback = document
    if fallback is None:
        raise PlanParseError("Книга Excel пуста: ни на одном листе нет данных.", code="empty")
    return fallback
