"""Every validation message names the row (as Excel shows it) and the column title."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest

from results.fileformats import RowError, TaskSpec, mark_for_scores, match_tasks, read_results_file

from .builders import (
    CUTS,
    F1_HEADER,
    MAX,
    TASKS,
    f1_row,
    f1_xlsx,
    good_f1_rows,
    title_rows,
    write_csv,
)

FIRST_DATA_ROW = 9  # title rows, levels row and header take rows 1–8


def problems(rows, *, org: str = "", **kwargs):
    kwargs.setdefault("cuts", CUTS)
    kwargs.setdefault("max_score", MAX)
    with tempfile.TemporaryDirectory() as tmp:
        path = f1_xlsx(Path(tmp) / "f.xlsx", rows, top=title_rows(org=org))
        rf = read_results_file(path, filename="f.xlsx", **kwargs)
    assert rf.fatal is None, rf.fatal
    return rf


def only_error(rf) -> RowError:
    assert rf.error_count == 1, rf.errors
    return rf.errors[0]


def test_score_above_the_task_max():
    rf = problems([f1_row(1, [3, 1, 1, 2], primary=7, mark=5)])
    assert only_error(rf) == RowError(9, "1 (2б)", "Балл 3 больше максимального (2) за задание 1")
    assert not rf.ok
    assert rf.row_has_error.tolist() == [True]


def test_negative_score():
    rf = problems([f1_row(1, [-1, 1, 1, 3])])
    assert only_error(rf) == RowError(9, "1 (2б)", "Отрицательный балл -1")


def test_non_numeric_score_shows_the_cell():
    rf = problems([f1_row(1, [1, "да", 1, 3])])
    assert only_error(rf) == RowError(
        9, "2 (1б)", "«да» — не число: балл должен быть от 0 до 1, «X» или «-», если ответа нет"
    )


def test_empty_task_cell_is_an_error_but_a_row_without_any_is_one_error():
    rf = problems(
        [f1_row(1, [1, None, 1, 3]), f1_row(2, [None, None, None, None], primary=0, mark=2)]
    )
    assert [(e.row, e.column) for e in rf.errors] == [(9, "2 (1б)"), (10, None)]
    assert rf.errors[0].message_ru.startswith("Пустая ячейка")
    assert rf.errors[1].message_ru.startswith("Нет баллов за задания")


def test_primary_score_not_equal_to_the_sum():
    rf = problems([f1_row(1, [1, 1, 1, 1], primary=5, mark=4)])
    assert only_error(rf) == RowError(
        9, "Первичный балл", "Первичный балл 5 не равен сумме баллов за задания (4)"
    )


def test_primary_score_above_the_test_max():
    rf = problems([f1_row(1, [2, 1, 1, 3], primary=9, mark=5)])
    assert [e.message_ru for e in rf.errors] == [
        "Первичный балл 9 больше максимального (7)",
        "Первичный балл 9 не равен сумме баллов за задания (7)",
    ]


def test_mark_off_the_scale_is_kept_and_flagged_as_a_warning():
    rf = problems([f1_row(1, [1, 1, 0, 0], mark=4)])  # 2 points → «2»
    assert rf.ok
    assert rf.mark.tolist() == [4]
    assert rf.warnings == [
        RowError(
            9, "Отметка", "Отметка 4 не соответствует шкале: при первичном балле 2 полагается «2»"
        )
    ]


def test_no_scale_no_mark_warning():
    rf = problems([f1_row(1, [1, 1, 0, 0], mark=4)], cuts=None)
    assert rf.warnings == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (6, "Отметка по журналу 6 вне диапазона 2–5"),
        (1, "Отметка по журналу 1 вне диапазона 2–5"),
        ("пять", "Отметка по журналу «пять» — допустимы 2, 3, 4, 5"),
    ],
)
def test_journal_mark_outside_2_to_5(value, message):
    rf = problems([f1_row(1, [1, 1, 1, 1], journal=value)])
    assert only_error(rf) == RowError(9, "Отметка по журналу", message)


def test_missing_journal_mark_is_zero_not_an_error():
    rf = problems([f1_row(1, [1, 1, 1, 1], journal=None), f1_row(2, [1, 1, 1, 1], journal="-")])
    assert rf.ok
    assert rf.journal_mark.tolist() == [0, 0]
    assert rf.journal_mark.dtype == np.int8


def test_vpr_mark_must_be_2_to_5():
    rf = problems([f1_row(1, [1, 1, 1, 1], mark=7)])
    assert only_error(rf) == RowError(9, "Отметка", "Отметка 7 вне диапазона 2–5")


def test_duplicate_participant_code_in_one_school():
    rf = problems(
        [f1_row(10001, [1, 1, 1, 1]), f1_row(10002, [1, 1, 1, 1]), f1_row(10001, [2, 1, 1, 1])]
    )
    assert only_error(rf) == RowError(
        11, "Код участника", "Код участника 10001 повторяется (впервые — в строке 9)"
    )


def test_missing_participant_code():
    rf = problems([f1_row(None, [1, 1, 1, 1])])
    assert only_error(rf) == RowError(9, "Код участника", "Не указан код участника")


@pytest.mark.parametrize("login", ["edu50100", "edu5010011", "школа 1", "edu50100a"])
def test_malformed_login(login):
    rf = problems([f1_row(1, [1, 1, 1, 1], login=login)])
    error = only_error(rf)
    assert (error.row, error.column) == (9, "ОО")
    assert error.message_ru == (
        f"Логин ОО «{login}» неверный: нужен edu и 6 цифр, например edu501001"
    )
    assert rf.login_index.tolist() == [-1]


def test_missing_login():
    rf = problems([f1_row(1, [1, 1, 1, 1], login=None)])
    assert only_error(rf) == RowError(9, "ОО", "Не указан логин ОО")


def test_bad_variant():
    rf = problems([f1_row(1, [1, 1, 1, 1], variant="второй")])
    assert only_error(rf) == RowError(
        9, "Вариант", "Вариант «второй» — нужен номер варианта (целое число больше нуля)"
    )


def test_declared_participants_differing_from_rows_is_a_warning():
    rf = problems(good_f1_rows(4), org="СОШ № 1 (edu501001) | Кол-во участников: 5")
    assert rf.ok
    assert rf.warnings == [
        RowError(0, None, "В шапке указано участников: 5, а строк с результатами в файле: 4")
    ]


def test_five_thousand_errors_are_listed_and_more_are_counted(tmp_path):
    rows = [[*F1_HEADER]] + [
        ["edu501001", "", "", 10000 + i, "4А", 1, 9, 1, 1, 1, 12, 5, 4] for i in range(6000)
    ]
    path = write_csv(tmp_path / "many.csv", rows)
    rf = read_results_file(path, filename="many.csv", cuts=CUTS, max_score=MAX)

    # Per row: task 1 over its max, primary over the test max.
    assert rf.error_count == 12_000
    assert len(rf.errors) == 5000
    assert rf.errors[0] == RowError(2, "1 (2б)", "Балл 9 больше максимального (2) за задание 1")
    assert rf.errors[1].column == "Первичный балл"
    assert [e.row for e in rf.errors] == sorted(e.row for e in rf.errors)
    assert rf.row_has_error.all()


def test_max_errors_is_adjustable(tmp_path):
    rows = [[*F1_HEADER]] + [
        ["edu501001", "", "", i, "4А", 1, 9, 1, 1, 1, 12, 5, 4] for i in range(50)
    ]
    rf = read_results_file(write_csv(tmp_path / "m.csv", rows), filename="m.csv", max_errors=7)
    assert len(rf.errors) == 7
    assert rf.error_count == 50  # task 1 over its max (no test max given)


def test_match_tasks_names_every_mismatched_column():
    found = [TaskSpec("1", 2), TaskSpec("2", 2), TaskSpec("5", 1), TaskSpec("4К1", 3)]
    expected = [TaskSpec("1", 2), TaskSpec("2", 1), TaskSpec("3", 1), TaskSpec("4K1", 3)]
    assert match_tasks(found, expected) == [
        "задание «2»: в файле максимум 2 б., а в работе — 1 б.",
        "столбец задания «5» — такого задания в работе нет",
        "нет столбца задания «3» (максимум 1 б.)",
    ]
    assert match_tasks(TASKS, TASKS) == []


def test_mark_for_scores_follows_the_scale():
    scores = np.array([0, 9, 10, 15, 16, 20, 21, 24])
    assert mark_for_scores(scores, (10, 16, 21)).tolist() == [2, 2, 3, 3, 4, 4, 5, 5]


def test_every_repeat_points_at_the_first_occurrence():
    codes = ["A", "B", "A", "A", "C", "B"]
    rf = problems([f1_row(c, [1, 1, 1, 1]) for c in codes])
    assert [(e.row, e.message_ru) for e in rf.errors] == [
        (11, "Код участника A повторяется (впервые — в строке 9)"),
        (12, "Код участника A повторяется (впервые — в строке 9)"),
        (14, "Код участника B повторяется (впервые — в строке 10)"),
    ]


def test_login_is_taken_out_of_a_school_name_in_the_oo_column():
    rf = problems([f1_row(1, [1, 1, 1, 1], login="МБОУ СОШ № 1 (EDU501001)")])
    assert rf.ok
    assert rf.logins == ["edu501001"]


def test_primary_score_that_is_not_a_number_or_negative():
    rf = problems([f1_row(1, [1, 1, 1, 1], primary="семь"), f1_row(2, [0, 0, 0, 0], primary=-2)])
    assert [(e.row, e.column, e.message_ru) for e in rf.errors] == [
        (9, "Первичный балл", "Первичный балл «семь» — не целое число"),
        (10, "Первичный балл", "Отрицательный первичный балл -2"),
    ]
    assert rf.primary_score.tolist() == [-1, -1]


def test_unknown_sex_and_missing_class_are_warnings(tmp_path):
    from .builders import COLLECTION_HEADER, write_xlsx

    rows = [
        COLLECTION_HEADER,
        ["1", 1, 2, 1, 0, 3, None, "мужской", 5],
        ["2", 1, 2, 1, 0, 3, "4А", "?", 5],
    ]
    rf = read_results_file(write_xlsx(tmp_path / "f.xlsx", rows), filename="f.xlsx")
    assert rf.ok
    assert rf.sex.tolist() == ["М", ""]
    assert rf.warnings == [
        RowError(2, "Класс", "Не указан класс"),
        RowError(3, "Пол", "Пол «?» не распознан (нужно М или Ж); оставлен пустым"),
    ]


def test_header_max_differing_from_the_tasks_and_a_repeated_column_are_warnings(tmp_path):
    header = [*F1_HEADER, "Вариант"]
    rows = [[*r, 2] for r in good_f1_rows()]
    rf = read_results_file(
        f1_xlsx(tmp_path / "f.xlsx", rows, header=header, top=title_rows(max_score=9, org="")),
        filename="f.xlsx",
    )
    assert rf.ok
    assert rf.variant.tolist() == [1] * 5  # the first «Вариант» column is used
    assert rf.warnings == [
        RowError(8, "Вариант", "Повторяющийся столбец пропущен"),
        RowError(
            0, None, "В шапке указан максимальный первичный балл 9, а сумма максимумов заданий — 7"
        ),
    ]
