"""Reading small user tables (CSV or XLSX) into rows of strings.

Used by registry-style imports (schools, observers). Large result files have
their own streaming reader in results/fileformats.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from guarded_archive import ArchiveRefused, limits_from_settings, verify_inflated


class TableFileError(Exception):
    """A file that cannot be read as a table; the message is for the user (Russian)."""

    def __init__(self, message_ru: str) -> None:
        super().__init__(message_ru)
        self.message_ru = message_ru


@dataclass(frozen=True)
class TableRow:
    number: int  # as the user sees it: spreadsheet row or CSV line
    values: dict[str, str]


def _clean(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _read_xlsx(data: bytes) -> list[list[str]]:
    from python_calamine import CalamineWorkbook

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise TableFileError(
            "Файл не является книгой Excel (.xlsx): он повреждён или другого типа."
        )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise TableFileError(
                "Это документ Word, а не таблица Excel. Сохраните таблицу как .xlsx."
            )
        raise TableFileError("Файл не является книгой Excel (.xlsx).")
    try:
        # Zip bombs, forged zip headers and DTDs are refused before calamine unzips it.
        verify_inflated(data, limits_from_settings("tables"))
    except ArchiveRefused as exc:
        raise TableFileError(exc.message_ru) from None
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise TableFileError("Файл не является книгой Excel (.xlsx): он повреждён.") from exc
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        return [[_clean(cell) for cell in row] for row in sheet.to_python(skip_empty_area=False)]
    except Exception as exc:
        raise TableFileError(f"Не удалось прочитать таблицу Excel: {exc}") from exc


def _read_csv(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableFileError(
            "Не удалось определить кодировку CSV (ожидается UTF-8 или Windows-1251)."
        )
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    return [[_clean(cell) for cell in row] for row in csv.reader(io.StringIO(text), dialect)]


def read_table(
    source: BinaryIO | Path | str, *, filename: str, required: list[str], known: list[str]
) -> list[TableRow]:
    """Read the first sheet of a CSV/XLSX file whose header holds the given column titles.

    Header titles are matched case-insensitively; rows that are entirely empty are
    skipped. Raises TableFileError with a Russian message naming what is missing.
    """
    data = Path(source).read_bytes() if isinstance(source, (str, Path)) else source.read()
    if not data:
        raise TableFileError("Файл пуст.")
    suffix = Path(filename).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows = _read_xlsx(data)
    elif suffix in (".csv", ".txt"):
        rows = _read_csv(data)
    else:
        raise TableFileError("Поддерживаются файлы .xlsx и .csv.")

    wanted = {title.lower(): title for title in known}
    header_index = next(
        (
            index
            for index, row in enumerate(rows)
            if all(title.lower() in [cell.lower() for cell in row] for title in required)
        ),
        None,
    )
    if header_index is None:
        raise TableFileError(
            "Не найдена строка заголовка. Обязательные столбцы: " + ", ".join(required) + "."
        )
    lowered = [cell.lower() for cell in rows[header_index]]
    columns = {i: wanted[cell] for i, cell in enumerate(lowered) if cell in wanted}
    result: list[TableRow] = []
    for offset, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if not any(row):
            continue
        values = {title: (row[i] if i < len(row) else "") for i, title in columns.items()}
        result.append(TableRow(number=offset, values=values))
    return result
