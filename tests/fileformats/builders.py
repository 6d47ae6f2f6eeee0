"""Small result files built inside the tests (openpyxl, csv, python-docx, raw bytes)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

import openpyxl

from results.fileformats import TaskSpec

#: A short test: four tasks, max 7; «3» from 3, «4» from 5, «5» from 6.
TASKS = [
    TaskSpec("1", 2, "Б"),
    TaskSpec("2", 1, "Б"),
    TaskSpec("3.1", 1, "П"),
    TaskSpec("4K1", 3, "П"),
]
CUTS = (3, 5, 6)
MAX = 7
TASK_TITLES = ["1 (2б)", "2 (1б)", "3.1 (1б)", "4K1 (3б)"]
F1_HEADER = [
    "ОО",
    "Муниципалитет",
    "Название ОО",
    "Код участника",
    "Класс",
    "Вариант",
    *TASK_TITLES,
    "Первичный балл",
    "Отметка",
    "Отметка по журналу",
]
COLLECTION_HEADER = [
    "Код",
    "Вариант",
    *TASK_TITLES,
    "Класс",
    "Пол",
    "Отметка за предыдущую четверть",
]


def f1_row(
    code: object,
    scores: Sequence[object],
    *,
    login: object = "edu501001",
    klass: object = "4А",
    variant: object = 1,
    primary: object | None = None,
    mark: object | None = None,
    journal: object = 4,
) -> list[object]:
    """One F1 row; the primary score and the mark are computed when not given."""
    total = sum(s for s in scores if isinstance(s, int))
    if primary is None:
        primary = total
    if mark is None:
        mark = 2 + sum(total >= c for c in CUTS)
    return [login, "Город", "Школа № 1", code, klass, variant, *scores, primary, mark, journal]


def good_f1_rows(n: int = 5, login: str = "edu501001") -> list[list[object]]:
    patterns = [[2, 1, 1, 3], [1, 0, "X", 2], [0, 1, 0, 0], [2, "Х", 1, 1], [1, 1, "-", 3]]
    return [f1_row(10001 + i, patterns[i % len(patterns)], login=login) for i in range(n)]


def title_rows(
    title: str = "ВПР 2026 Русский язык 4 класс",
    *,
    max_score: int = MAX,
    org: str | None = "МБОУ СОШ № 1 (edu501001) | Кол-во участников: 5",
) -> list[list[object]]:
    rows: list[list[object]] = [
        [title],
        ["Предмет", "Русский язык"],
        ["Максимальный первичный балл", max_score],
        ["Дата", "15.04.2026"],
    ]
    if org is not None:
        rows.append([org] if org else [])  # "" keeps the row (and the numbering) empty
    rows.append([])
    return rows


def levels_row(header: Sequence[str] = F1_HEADER) -> list[object]:
    levels = {t: task.level for t, task in zip(TASK_TITLES, TASKS, strict=True)}
    return [levels.get(h) for h in header]


def write_xlsx(path: Path, rows: Sequence[Sequence[object]], *, sheet: str = "Лист1") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def f1_xlsx(
    path: Path,
    rows: Sequence[Sequence[object]] | None = None,
    *,
    header: Sequence[str] = F1_HEADER,
    top: Sequence[Sequence[object]] | None = None,
) -> Path:
    top = title_rows() if top is None else top
    data = good_f1_rows() if rows is None else rows
    return write_xlsx(path, [*top, levels_row(header), list(header), *data])


def write_csv(
    path: Path,
    rows: Sequence[Sequence[object]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ";",
) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def xlsm_with_macros(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    """A workbook with a VBA project part and the macro-enabled content type."""
    plain = path.with_suffix(".plain.xlsx")
    write_xlsx(plain, rows)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml"
                ).replace(
                    b"</Types>",
                    b'<Default Extension="bin" '
                    b'ContentType="application/vnd.ms-office.vbaProject"/></Types>',
                )
            dst.writestr(item, data)
        dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    plain.unlink()
    return path


def docx(path: Path) -> Path:
    import docx as python_docx

    document = python_docx.Document()
    document.add_paragraph("Результаты ВПР: см. таблицу")
    document.save(path)
    return path


def encrypted_ole(path: Path) -> Path:
    """What a password-protected xlsx is: an OLE2 compound file with EncryptionInfo and
    EncryptedPackage streams."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    directory = "EncryptionInfo".encode("utf-16-le") + b"\0" * 50
    directory += "EncryptedPackage".encode("utf-16-le") + b"\0" * 50
    path.write_bytes(header + directory + bytes(range(256)) * 8)
    return path
