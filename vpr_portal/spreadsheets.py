"""The one writer for every XLSX and CSV file the portal produces.

User text (a plan item, a school's name, an observer's employer, a participant code…)
may start with a character a spreadsheet reads as the start of a formula: ``=``, ``+``,
``-``, ``@``, a tab or a carriage return («CSV/formula injection», OWASP). Opened in Excel
or LibreOffice, ``=HYPERLINK("http://x","y")`` typed into a plan title would become a live
link, and worse formulas can pull data out or run commands. Everything written here is
written as data:

* XLSX: every ``str`` becomes an explicit string cell (``data_type = "s"``; openpyxl would
  otherwise store a text starting with ``=`` as a formula), and a text starting with one
  of the trigger characters also gets Excel's «quote prefix» so that editing the cell does
  not turn it into a formula either. The text itself is kept as it was.
* CSV: a text starting with a trigger character gets a leading single quote ``'``, as
  OWASP recommends; the csv module quotes what needs quoting.
* Numbers, dates and booleans stay what they are: a negative number remains a number.

Every export builds its workbook with :func:`new_workbook`, writes cells with
:func:`put`, :func:`append` or :func:`cell`, and gets its bytes from
:func:`workbook_bytes` / :func:`save_workbook`, which also turns any formula cell left by
mistake into text. CSV goes through :func:`csv_writer`. ``tests/security/
test_exports_formula_injection.py`` fails when an ``openpyxl.Workbook`` or a
``csv.writer`` is created anywhere else.

No Django import here: ``results.fileformats`` (Django-free) writes its error report with it.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable
from typing import IO, Any

__all__ = [
    "FORMULA_TRIGGERS",
    "append",
    "cell",
    "csv_text",
    "csv_writer",
    "is_formula_like",
    "new_workbook",
    "put",
    "save_workbook",
    "workbook_bytes",
]

#: Leading characters a spreadsheet may read as a formula (OWASP «CSV Injection»).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# Control characters an XLSX cannot hold (openpyxl refuses them with IllegalCharacterError);
# a user's text must not make an export crash, so they are dropped.
_ILLEGAL_XML = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def is_formula_like(value: object) -> bool:
    """True for a text a spreadsheet could take for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def csv_text(value: object) -> object:
    """A value for a CSV field: formula-like text gets a leading ``'``; the rest unchanged."""
    if is_formula_like(value):
        return "'" + value  # type: ignore[operator]
    return value


def new_workbook(*, write_only: bool = False) -> Any:
    """An empty ``openpyxl.Workbook`` (the only place one is created)."""
    from openpyxl import Workbook

    return Workbook(write_only=write_only)


def _as_text(target: Any, value: object) -> None:
    """Give a cell ``value``; a text is stored as a string cell, never as a formula."""
    if isinstance(value, str):
        value = _ILLEGAL_XML.sub("", value)
        target.value = value
        target.data_type = "s"
        if is_formula_like(value):
            target.quotePrefix = True
    else:
        target.value = value


def cell(sheet: Any, value: object = None) -> Any:
    """A detached cell holding ``value`` safely, for :func:`append` (works in both modes)."""
    from openpyxl.cell import WriteOnlyCell

    target = WriteOnlyCell(sheet)
    _as_text(target, value)
    return target


def put(sheet: Any, *, row: int, column: int, value: object = None) -> Any:
    """Write ``value`` into ``sheet`` at (row, column) as data; returns the cell."""
    target = sheet.cell(row=row, column=column)
    _as_text(target, value)
    return target


def append(sheet: Any, values: Iterable[object]) -> None:
    """Append a row; cells already made by :func:`cell` (with their styles) are kept."""
    from openpyxl.cell import Cell

    row = []
    for value in values:
        if isinstance(value, Cell):
            if value.data_type == "f":
                value.data_type = "s"
                value.quotePrefix = True
            row.append(value)
        elif isinstance(value, str) and (is_formula_like(value) or _ILLEGAL_XML.search(value)):
            row.append(cell(sheet, value))
        else:
            # Numbers, dates and ordinary text go in as plain values: openpyxl stores a
            # ``str`` not starting with «=» as a string cell, and this is much faster for
            # the thousands of rows of an error report.
            row.append(value)
    sheet.append(row)


def _neutralise_formulas(workbook: Any) -> None:
    """Second line of defence: no cell of a regular workbook leaves here as a formula."""
    if getattr(workbook, "write_only", False):
        return  # write-only cells are checked one by one in ``append``
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for target in row:
                if target.data_type == "f":
                    target.data_type = "s"
                    target.quotePrefix = True


def workbook_bytes(workbook: Any) -> bytes:
    """The workbook as XLSX bytes, with no formula cell in it."""
    buffer = io.BytesIO()
    save_workbook(workbook, buffer)
    return buffer.getvalue()


def save_workbook(workbook: Any, target: str | os.PathLike[str] | IO[bytes]) -> None:
    """Save the workbook to a path or a binary file, with no formula cell in it."""
    _neutralise_formulas(workbook)
    workbook.save(target)


class _SafeCsvWriter:
    """``csv.writer`` whose rows are neutralised field by field."""

    def __init__(self, handle: IO[str], **options: Any) -> None:
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[object]) -> Any:
        return self._writer.writerow([csv_text(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(handle: IO[str], **options: Any) -> _SafeCsvWriter:
    """A CSV writer (same options as ``csv.writer``) that writes user text as text."""
    return _SafeCsvWriter(handle, **options)
