"""Whole-file refusals: each ends with a clear Russian message, no rows and no exception."""

from __future__ import annotations

import os

import pytest

from results.fileformats import ResultsFileError, TaskSpec, read_results_file

from .builders import (
    COLLECTION_HEADER,
    F1_HEADER,
    MAX,
    TASKS,
    docx,
    encrypted_ole,
    f1_xlsx,
    good_f1_rows,
    levels_row,
    title_rows,
    write_csv,
    write_xlsx,
    xlsm_with_macros,
)


def refused(path, **kwargs) -> str:
    rf = read_results_file(path, filename=os.path.basename(path), **kwargs)
    assert rf.fatal is not None, rf.errors
    assert not rf.ok
    assert rf.n_rows == 0
    with pytest.raises(ResultsFileError) as caught:
        rf.raise_if_refused()
    assert caught.value.message_ru == rf.fatal
    return rf.fatal


def test_empty_file(tmp_path):
    (tmp_path / "empty.xlsx").write_bytes(b"")
    assert refused(tmp_path / "empty.xlsx").startswith("Файл пуст")


def test_blank_csv_counts_as_empty(tmp_path):
    (tmp_path / "blank.csv").write_bytes(b"\xef\xbb\xbf\r\n;;;\r\n")
    assert refused(tmp_path / "blank.csv").startswith("Файл пуст")


def test_word_document_named_xlsx(tmp_path):
    path = docx(tmp_path / "results.docx")
    path = path.rename(tmp_path / "results.xlsx")
    assert refused(path).startswith("Это документ Word, а не таблица")


def test_corrupt_file_of_random_bytes(tmp_path):
    (tmp_path / "broken.xlsx").write_bytes(os.urandom(5000))
    assert "не является таблицей" in refused(tmp_path / "broken.xlsx")


def test_truncated_xlsx_is_corrupt(tmp_path):
    data = f1_xlsx(tmp_path / "ok.xlsx").read_bytes()
    (tmp_path / "cut.xlsx").write_bytes(data[: len(data) // 2])
    assert refused(tmp_path / "cut.xlsx").startswith("Файл повреждён")


def test_password_protected_file(tmp_path):
    assert refused(encrypted_ole(tmp_path / "secret.xlsx")).startswith("Файл защищён паролем")


def test_bare_ole2_header_is_treated_as_password_protected(tmp_path):
    (tmp_path / "x.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(2048))
    assert refused(tmp_path / "x.xlsx").startswith("Файл защищён паролем")


def test_macro_enabled_workbook(tmp_path):
    path = xlsm_with_macros(tmp_path / "form.xlsm", [F1_HEADER, *good_f1_rows()])
    assert refused(path).startswith("Файлы с макросами (.xlsm) не принимаются")


def test_macro_workbook_renamed_to_xlsx_is_still_refused(tmp_path):
    path = xlsm_with_macros(tmp_path / "form.xlsm", [F1_HEADER, *good_f1_rows()])
    assert "макрос" in refused(path.rename(tmp_path / "form.xlsx"))


def test_sheet_with_header_but_no_rows(tmp_path):
    path = f1_xlsx(tmp_path / "none.xlsx", rows=[])
    assert refused(path).startswith("В файле нет ни одной строки с результатами")


def test_sheet_with_only_absent_pupils_has_no_rows(tmp_path):
    rows = [COLLECTION_HEADER, ["1", "отсутствовал", None, None, None, None, "4А", "М", 4]]
    assert "нет ни одной строки" in refused(write_xlsx(tmp_path / "a.xlsx", rows))


def test_csv_with_header_only(tmp_path):
    assert "нет ни одной строки" in refused(write_csv(tmp_path / "h.csv", [F1_HEADER]))


def test_empty_workbook_has_no_header(tmp_path):
    assert refused(write_xlsx(tmp_path / "blank.xlsx", [])).startswith(
        "Не найдена строка заголовка"
    )


def test_unrecognisable_header(tmp_path):
    rows = [["Фамилия класса", "Что-то"], ["a", "b"]]
    path = write_xlsx(tmp_path / "odd.xlsx", [["Номер", "Балл", "Итог"], [1, 2, 3]])
    assert refused(path).startswith("Не найдена строка заголовка")
    assert refused(write_csv(tmp_path / "odd.csv", rows)).startswith("Не найдена строка")


@pytest.mark.parametrize(
    "title", ["ФИО", "Фамилия", "Имя", "Отчество", "Фамилия, имя", "ФИО ученика"]
)
def test_names_column_refuses_the_whole_file(tmp_path, title):
    header = [*F1_HEADER[:4], title, *F1_HEADER[4:]]
    rows = [[*r[:4], "Иванов Иван", *r[4:]] for r in good_f1_rows()]
    message = refused(f1_xlsx(tmp_path / "names.xlsx", rows, header=header))
    assert message.startswith(f"Столбец «{title}» похож на фамилии или имена участников")
    assert "152-ФЗ" in message


def test_names_column_without_codes_is_still_the_names_message(tmp_path):
    rows = [["ФИО", "Класс", "1 (2б)"], ["Иванов Иван", "4А", 1]]
    assert "152-ФЗ" in refused(write_xlsx(tmp_path / "n.xlsx", rows))


def test_names_in_csv(tmp_path):
    header = ["ФИО", *F1_HEADER]
    rows = [header, *[["Петров", *r] for r in good_f1_rows()]]
    assert "152-ФЗ" in refused(write_csv(tmp_path / "n.csv", rows))


def test_wrong_test_names_the_mismatched_columns(tmp_path):
    other = [TaskSpec("1", 1), TaskSpec("2", 1), TaskSpec("3.1", 1), TaskSpec("5", 2)]
    message = refused(f1_xlsx(tmp_path / "f1.xlsx"), expected_tasks=other)
    assert message.startswith("Столбцы заданий в файле не совпадают с заданиями выбранной работы")
    assert "задание «1»: в файле максимум 2 б., а в работе — 1 б." in message
    assert "столбец задания «4K1» — такого задания в работе нет" in message
    assert "нет столбца задания «5» (максимум 2 б.)" in message


def test_declared_max_of_another_test(tmp_path):
    path = f1_xlsx(tmp_path / "f1.xlsx", top=title_rows(max_score=24))
    message = refused(path, expected_tasks=TASKS, max_score=MAX)
    assert message == (
        "В файле максимальный первичный балл 24, а у выбранной работы — 7. "
        "Проверьте, что выбрана нужная работа."
    )


def test_refusal_never_raises_for_garbage_in_a_zip(tmp_path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "z.xlsx", "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<<<not xml")
    assert refused(tmp_path / "z.xlsx").startswith("Файл повреждён")


def test_pdf_is_not_a_table(tmp_path):
    (tmp_path / "r.xlsx").write_bytes(b"%PDF-1.7\n" + os.urandom(100))
    assert "не является таблицей" in refused(tmp_path / "r.xlsx")


def test_levels_row_alone_is_not_a_header(tmp_path):
    rows = [*title_rows(), levels_row()]
    assert refused(write_xlsx(tmp_path / "l.xlsx", rows)).startswith("Не найдена строка")


def test_missing_path_is_the_callers_bug(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_results_file(tmp_path / "nope.xlsx", filename="nope.xlsx")
