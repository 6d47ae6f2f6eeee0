"""The downloadable XLSX error report for a rejected (or warned) results file."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Sequence

from .headers import display_title
from .reader import read_source_rows
from .schema import ResultsFile, RowError

__all__ = ["write_error_report"]

_RED = "FFC7CE"
_YELLOW = "FFEB9C"
_HEADER = "D9E1F2"


def _as_number(text: str) -> object:
    """Give integers back their number type so the copied rows sort and sum in Excel."""
    if text.isdigit() and len(text) < 10 and not (len(text) > 1 and text[0] == "0"):
        return int(text)
    return text


def write_error_report(
    results_file_or_errors: ResultsFile | Sequence[RowError],
    source_path: str | os.PathLike[str] | None,
    out_path: str | os.PathLike[str],
    *,
    warnings: Sequence[RowError] = (),
) -> None:
    """Write an XLSX report the user can open next to the original file.

    Sheet «Ошибки»: one line per problem (row, column, message, and whether it is an error
    or a warning), in file order; a file refused as a whole gets its reason on top, and a
    note when the list was cut at ``max_errors``.

    Sheet «Строки с ошибками» (when ``source_path`` can be read): the header and each
    offending row as it was in the file, the problem cells filled red (errors) or yellow
    (warnings), and an extra column «Ошибки» with the messages.

    Written with openpyxl's write-only mode: 5,000 errors take well under a second.
    """
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    # The portal's one spreadsheet writer (Django-free): the rows copied from the user's
    # file and the messages quoting its cells must come out as text, never as formulas.
    from vpr_portal import spreadsheets

    if isinstance(results_file_or_errors, ResultsFile):
        rf = results_file_or_errors
        errors, notes = list(rf.errors), list(rf.warnings) + list(warnings)
        fatal, error_count, warning_count = rf.fatal, rf.error_count, rf.warning_count
    else:
        errors, notes = list(results_file_or_errors), list(warnings)
        fatal, error_count, warning_count = None, len(errors), len(notes)

    wb = spreadsheets.new_workbook(write_only=True)
    bold = Font(bold=True)
    fills = {
        "error": PatternFill("solid", fgColor=_RED),
        "warning": PatternFill("solid", fgColor=_YELLOW),
        "header": PatternFill("solid", fgColor=_HEADER),
    }
    wrap = Alignment(wrap_text=True, vertical="top")

    def header_cell(ws: object, value: object) -> WriteOnlyCell:
        cell = spreadsheets.cell(ws, value)
        cell.font = bold
        cell.fill = fills["header"]
        return cell

    listing = wb.create_sheet("Ошибки")
    listing.column_dimensions["A"].width = 10
    listing.column_dimensions["B"].width = 28
    listing.column_dimensions["C"].width = 90
    listing.column_dimensions["D"].width = 16
    listing.freeze_panes = "A2"
    if fatal:
        spreadsheets.append(listing, [header_cell(listing, "Файл не принят")])
        spreadsheets.append(listing, [spreadsheets.cell(listing, fatal)])
        spreadsheets.append(listing, [])
    spreadsheets.append(
        listing, [header_cell(listing, t) for t in ("Строка", "Столбец", "Сообщение", "Вид")]
    )
    items = [(e, "error") for e in errors] + [(w, "warning") for w in notes]
    items.sort(key=lambda item: (item[0].row, item[1] != "error"))
    for problem, kind in items:
        label = "Ошибка" if kind == "error" else "Предупреждение"
        message = spreadsheets.cell(listing, problem.message_ru)
        message.alignment = wrap
        spreadsheets.append(listing, [problem.row or None, problem.column or "", message, label])
    if error_count > len(errors) or warning_count > len(notes):
        spreadsheets.append(listing, [])
        spreadsheets.append(
            listing,
            [
                None,
                None,
                f"Показаны первые {len(errors)} ошибок из {error_count} и "
                f"{len(notes)} предупреждений из {warning_count}. Исправьте их и загрузите "
                "файл снова, чтобы увидеть остальные.",
            ],
        )

    if source_path is not None and items:
        by_row: dict[int, list[tuple[RowError, str]]] = defaultdict(list)
        for problem, kind in items:
            if problem.row:
                by_row[problem.row].append((problem, kind))
        header, rows = read_source_rows(source_path, set(by_row))
        if header and rows:
            _write_rows_sheet(wb, header, rows, by_row, fills, header_cell, wrap)

    spreadsheets.save_workbook(wb, out_path)


def _write_rows_sheet(
    wb: object,
    header: list[str],
    rows: dict[int, list[str]],
    by_row: dict[int, list[tuple[RowError, str]]],
    fills: dict[str, object],
    header_cell: object,
    wrap: object,
) -> None:
    from openpyxl.cell import Cell

    from vpr_portal import spreadsheets

    sheet = wb.create_sheet("Строки с ошибками")  # type: ignore[attr-defined]
    sheet.freeze_panes = "C2"
    position = {display_title(t): i for i, t in enumerate(header) if t}
    spreadsheets.append(
        sheet,
        [header_cell(sheet, "Строка в файле")]  # type: ignore[operator]
        + [header_cell(sheet, t) for t in header]  # type: ignore[operator]
        + [header_cell(sheet, "Ошибки")],  # type: ignore[operator]
    )
    for row_number in sorted(rows):
        values = rows[row_number]
        # Plain values are written fast; only the marked cells become styled cells.
        cells: list[object] = [_as_number(v) if v else None for v in values]
        problems = by_row.get(row_number, [])
        # Warnings first so that an error in the same cell paints over them.
        for problem, kind in sorted(problems, key=lambda item: item[1] == "error"):
            col = position.get(problem.column or "")
            if col is not None and col < len(cells):
                cell = cells[col]
                if not isinstance(cell, Cell):
                    cell = cells[col] = spreadsheets.cell(sheet, cell)
                cell.fill = fills[kind]
        text = spreadsheets.cell(
            sheet,
            "\n".join((f"{p.column}: " if p.column else "") + p.message_ru for p, _ in problems),
        )
        text.alignment = wrap
        spreadsheets.append(sheet, [row_number, *cells, text])
