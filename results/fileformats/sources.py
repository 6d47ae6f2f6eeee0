"""Row sources: python-calamine, openpyxl (read-only) and CSV.

A source yields sheets; a sheet gives its first rows (to find the header and the title rows)
and then the data rows as :class:`~results.fileformats.cells.RowBlock` blocks. The streaming
xlsx scanner in :mod:`results.fileformats.xlsx_stream` has the same interface.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, islice
from typing import Any, Protocol

from .cells import Block, RowBlock
from .schema import ResultsFileError

BLOCK_ROWS = 20_000
_CSV_READ_SIZE = 2 * 1024 * 1024

NumberedRow = tuple[int, Sequence[object]]


class Sheet(Protocol):
    name: str | None

    def top_rows(self, limit: int) -> list[NumberedRow]:
        """The first ``limit`` rows as (row number, cells)."""
        ...

    def blocks(self, first_row: int, width: int) -> Iterator[Block]:
        """Data rows from row number ``first_row`` on, ``width`` columns wide."""
        ...


def _blocks_from_rows(
    rows: Iterator[NumberedRow], width: int, last_row: int | None = None
) -> Iterator[Block]:
    while True:
        chunk = list(islice(rows, BLOCK_ROWS))
        if not chunk:
            return
        done = min(1.0, chunk[-1][0] / last_row) if last_row else 0.0
        yield RowBlock([n for n, _ in chunk], [r for _, r in chunk], width, done)


class CalamineSheet:
    """A sheet read by python-calamine (xlsx, xlsm, xlsb, xls, ods)."""

    def __init__(self, sheet: object, name: str) -> None:
        self._sheet = sheet
        self.name = name
        start = sheet.start  # type: ignore[attr-defined]
        # calamine skips empty leading rows and columns; restore Excel numbering.
        self._row0, self._col0 = start if start else (0, 0)

    def _rows(self) -> Iterator[NumberedRow]:
        pad = [None] * self._col0
        for i, row in enumerate(self._sheet.iter_rows(), start=self._row0 + 1):  # type: ignore[attr-defined]
            yield i, (pad + row if pad else row)

    def top_rows(self, limit: int) -> list[NumberedRow]:
        return list(islice(self._rows(), limit))

    def blocks(self, first_row: int, width: int) -> Iterator[Block]:
        rows = self._rows()
        rows = (item for item in rows if item[0] >= first_row)
        return _blocks_from_rows(rows, width, self._row0 + self._sheet.height)  # type: ignore[attr-defined]


def results_sheets_first(names: Sequence[str]) -> list[str]:
    """Sheet names with «…Индивидуальные результаты…» first, otherwise in workbook order."""
    return sorted(names, key=lambda name: "индивидуальн" not in name.lower())


def calamine_sheets(path: str | os.PathLike[str]) -> Iterator[CalamineSheet]:
    """Visible worksheets, results sheets first. Raises calamine's own errors for bad files."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    workbook = CalamineWorkbook.from_path(os.fspath(path))
    visible = [
        meta.name
        for meta in workbook.sheets_metadata
        if meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible
    ]
    for name in results_sheets_first(visible):
        yield CalamineSheet(workbook.get_sheet_by_name(name), name)


class OpenpyxlSheet:
    """A sheet read by openpyxl in read-only mode (the slow, tolerant fallback)."""

    def __init__(self, sheet: object) -> None:
        self._sheet = sheet
        self.name = sheet.title  # type: ignore[attr-defined]

    def _rows(self, min_row: int = 1) -> Iterator[NumberedRow]:
        rows = self._sheet.iter_rows(min_row=min_row, values_only=True)  # type: ignore[attr-defined]
        return enumerate(rows, start=min_row)

    def top_rows(self, limit: int) -> list[NumberedRow]:
        return list(islice(self._rows(), limit))

    def blocks(self, first_row: int, width: int) -> Iterator[Block]:
        last = getattr(self._sheet, "max_row", None)
        return _blocks_from_rows(self._rows(first_row), width, last)


def openpyxl_sheets(path: str | os.PathLike[str]) -> Iterator[OpenpyxlSheet]:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    visible = [ws.title for ws in workbook.worksheets if ws.sheet_state == "visible"]
    for name in results_sheets_first(visible):
        ws = workbook[name]
        if hasattr(ws, "reset_dimensions") and ws.max_row in (None, 1):
            # Some writers store no or a wrong <dimension>; read what is really there.
            ws.reset_dimensions()
        yield OpenpyxlSheet(ws)


# --- CSV -----------------------------------------------------------------------------------

_DELIMITERS = (";", ",", "\t")


def detect_encoding(path: str | os.PathLike[str]) -> str:
    """utf-8-sig / utf-16 by BOM; otherwise utf-8 if the whole file decodes, else cp1251."""
    with open(path, "rb") as f:
        head = f.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        f.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := f.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1251"
    return "utf-8"


class CsvSheet:
    """A CSV file with the F1 header (title rows above it are allowed)."""

    def __init__(self, path: str | os.PathLike[str], encoding: str, delimiter: str) -> None:
        self._path = path
        self._encoding = encoding
        self.delimiter = delimiter
        self.name = None

    def _open(self) -> io.TextIOWrapper:
        # errors="replace" only for cp1251's single undefined byte (0x98).
        return open(self._path, encoding=self._encoding, errors="replace", newline="")

    def _failed(self, reader: Any, e: csv.Error) -> ResultsFileError:
        return ResultsFileError(
            f"Строка {reader.line_num}: не удалось разобрать CSV ({e}). Проверьте кавычки "
            "и разделитель (точка с запятой или запятая)."
        )

    def top_rows(self, limit: int) -> list[NumberedRow]:
        with self._open() as f:
            reader = csv.reader(f, delimiter=self.delimiter)
            try:
                return [(reader.line_num, row) for row in islice(reader, limit)]
            except csv.Error as e:
                raise self._failed(reader, e) from None

    def blocks(self, first_row: int, width: int) -> Iterator[Block]:
        with self._open() as f:
            reader = csv.reader(f, delimiter=self.delimiter)
            try:
                for _ in reader:
                    if reader.line_num >= first_row - 1:
                        break
            except csv.Error as e:
                raise self._failed(reader, e) from None
            # Without quotes a line is a record and str.split is ~10× faster than csv; at
            # the first quote the rest of the file goes through the csv module.
            line = reader.line_num
            size = max(1, os.path.getsize(self._path))
            while True:
                lines = f.readlines(_CSV_READ_SIZE)
                if not lines:
                    return
                if '"' in "".join(lines):
                    yield from self._quoted_blocks(chain(lines, f), line, width, f, size)
                    return
                delimiter = self.delimiter
                rows = [text.rstrip("\r\n").split(delimiter) for text in lines]
                done = f.buffer.tell() / size
                yield RowBlock(range(line + 1, line + 1 + len(rows)), rows, width, done)
                line += len(rows)

    def _quoted_blocks(
        self, lines: Iterable[str], line: int, width: int, f: io.TextIOWrapper, size: int
    ) -> Iterator[Block]:
        reader = csv.reader(lines, delimiter=self.delimiter)
        try:
            while True:
                # A record's number is the line it starts on (quoted fields may span lines).
                start = reader.line_num
                chunk = list(islice(reader, BLOCK_ROWS))
                if not chunk:
                    return
                if reader.line_num - start == len(chunk):
                    numbers: Sequence[int] = range(line + start + 1, line + start + 1 + len(chunk))
                else:
                    numbers = self._numbers_slowly(line + start, len(chunk))
                yield RowBlock(numbers, chunk, width, f.buffer.tell() / size)
        except csv.Error as e:
            raise ResultsFileError(
                f"Строка {line + reader.line_num}: не удалось разобрать CSV ({e}). Проверьте "
                "кавычки и разделитель (точка с запятой или запятая)."
            ) from None

    def _numbers_slowly(self, after_line: int, count: int) -> list[int]:
        """Start lines of ``count`` records after line ``after_line`` (multi-line records)."""
        with self._open() as f:
            reader = csv.reader(f, delimiter=self.delimiter)
            for _ in reader:
                if reader.line_num >= after_line:
                    break
            numbers = []
            for _ in range(count):
                numbers.append(reader.line_num + 1)
                next(reader)
            return numbers


def csv_sheets(path: str | os.PathLike[str]) -> Iterator[CsvSheet]:
    """One sheet per plausible delimiter, the likeliest first (the reader takes the first
    whose header it recognises)."""
    encoding = detect_encoding(path)
    with open(path, encoding=encoding, errors="replace", newline="") as f:
        sample = f.read(64 * 1024)
    counts = {d: sum(line.count(d) for line in io.StringIO(sample)) for d in _DELIMITERS}
    for delimiter in sorted(_DELIMITERS, key=lambda d: -counts[d]):
        yield CsvSheet(path, encoding, delimiter)
