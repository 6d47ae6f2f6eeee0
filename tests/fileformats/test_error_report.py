"""The XLSX error report lists every shown problem and marks the offending rows."""

from __future__ import annotations

import time

import openpyxl

from results.fileformats import RowError, read_results_file, write_error_report

from .builders import CUTS, F1_HEADER, MAX, f1_row, f1_xlsx, title_rows, write_csv


def test_report_lists_problems_and_copies_the_offending_rows(tmp_path):
    rows = [
        f1_row(1, [1, 1, 1, 1]),
        f1_row(2, [3, 1, 1, 2], primary=7, mark=5),
        f1_row(3, [1, 1, 0, 0], mark=4),
    ]
    source = f1_xlsx(tmp_path / "f1.xlsx", rows, top=title_rows(org=""))
    rf = read_results_file(source, filename="f1.xlsx", cuts=CUTS, max_score=MAX)
    out = tmp_path / "report.xlsx"
    write_error_report(rf, source, out)

    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Ошибки", "Строки с ошибками"]
    listing = list(wb["Ошибки"].iter_rows(values_only=True))
    assert listing[0] == ("Строка", "Столбец", "Сообщение", "Вид")
    assert listing[1] == (
        10,
        "1 (2б)",
        "Балл 3 больше максимального (2) за задание 1",
        "Ошибка",
    )
    assert listing[2][0] == 11 and listing[2][3] == "Предупреждение"

    sheet = wb["Строки с ошибками"]
    copied = list(sheet.iter_rows(values_only=True))
    assert copied[0] == ("Строка в файле", *F1_HEADER, "Ошибки")
    assert copied[1][:5] == (10, "edu501001", "Город", "Школа № 1", 2)
    assert copied[1][-1] == "1 (2б): Балл 3 больше максимального (2) за задание 1"
    assert [r[0] for r in copied[1:]] == [10, 11]
    # The offending cell is filled red, the warned one yellow.
    task_col = 1 + F1_HEADER.index("1 (2б)") + 1
    mark_col = 1 + F1_HEADER.index("Отметка") + 1
    assert sheet.cell(row=2, column=task_col).fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet.cell(row=3, column=mark_col).fill.fgColor.rgb.endswith("FFEB9C")


def test_report_for_a_refused_file_states_the_reason(tmp_path):
    (tmp_path / "empty.xlsx").write_bytes(b"")
    rf = read_results_file(tmp_path / "empty.xlsx", filename="empty.xlsx")
    write_error_report(rf, tmp_path / "empty.xlsx", tmp_path / "r.xlsx")
    rows = list(openpyxl.load_workbook(tmp_path / "r.xlsx")["Ошибки"].iter_rows(values_only=True))
    assert rows[0][0] == "Файл не принят"
    assert rows[1][0].startswith("Файл пуст")


def test_report_from_a_plain_list_of_errors(tmp_path):
    errors = [RowError(5, "Код", "Не указан код участника"), RowError(0, None, "Файл: что-то")]
    write_error_report(errors, None, tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert wb.sheetnames == ["Ошибки"]
    rows = list(wb["Ошибки"].iter_rows(values_only=True))
    assert rows[1] == (None, None, "Файл: что-то", "Ошибка")
    assert rows[2] == (5, "Код", "Не указан код участника", "Ошибка")


def test_report_with_five_thousand_errors_is_fast_and_says_how_many_more(tmp_path):
    rows = [F1_HEADER] + [
        ["edu501001", "", "", 10000 + i, "4А", 1, 9, 1, 1, 1, 12, 5, 4] for i in range(6000)
    ]
    source = write_csv(tmp_path / "many.csv", rows)
    rf = read_results_file(source, filename="many.csv", max_score=MAX)
    assert len(rf.errors) == 5000

    started = time.perf_counter()
    write_error_report(rf, source, tmp_path / "r.xlsx")
    elapsed = time.perf_counter() - started
    assert elapsed < 8, elapsed

    from python_calamine import CalamineWorkbook  # reads the report back ~10× faster

    wb = CalamineWorkbook.from_path(str(tmp_path / "r.xlsx"))
    listing = wb.get_sheet_by_name("Ошибки").to_python(skip_empty_area=False)
    assert len(listing) == 1 + 5000 + 2
    assert listing[-1][2].startswith("Показаны первые 5000 ошибок из 12000")
    copied = wb.get_sheet_by_name("Строки с ошибками").to_python(skip_empty_area=False)
    assert len(copied) == 1 + 2500  # two errors per row, 5000 shown
