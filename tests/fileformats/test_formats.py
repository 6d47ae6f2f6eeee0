"""Each supported format is detected and read into the same columnar arrays."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from results.fileformats import TaskSpec, read_results_file

from .builders import (
    COLLECTION_HEADER,
    CUTS,
    F1_HEADER,
    MAX,
    TASKS,
    f1_row,
    f1_xlsx,
    good_f1_rows,
    title_rows,
    write_csv,
    write_xlsx,
)

ENGINES = ["stream", "calamine", "openpyxl"]


def read(path, **kwargs):
    kwargs.setdefault("filename", path.name)
    return read_results_file(path, **kwargs)


@pytest.mark.parametrize("engine", ENGINES)
def test_f1_export_is_read_with_title_levels_and_rows(tmp_path, engine):
    rf = read(f1_xlsx(tmp_path / "f1.xlsx"), engine=engine, cuts=CUTS, max_score=MAX)

    assert rf.fatal is None, rf.fatal
    assert rf.ok
    assert rf.format == "f1"
    assert rf.test_hint is not None
    assert (rf.test_hint.year, rf.test_hint.subject, rf.test_hint.grade) == (
        2026,
        "Русский язык",
        4,
    )
    assert rf.test_hint.session == "spring"
    assert rf.test_hint.date == dt.date(2026, 4, 15)
    assert rf.declared_max_score == MAX
    assert rf.declared_participants == 5
    assert rf.tasks == TASKS
    assert rf.logins == ["edu501001"]
    assert rf.participant_count == 5
    assert rf.participant_code.tolist() == ["10001", "10002", "10003", "10004", "10005"]
    assert rf.scores.dtype == np.int16 and rf.scores.shape == (5, 4)
    assert rf.scores.tolist() == [
        [2, 1, 1, 3],
        [1, 0, 0, 2],
        [0, 1, 0, 0],
        [2, 0, 1, 1],
        [1, 1, 0, 3],
    ]
    assert rf.unanswered.tolist()[1] == [False, False, True, False]
    assert rf.unanswered.tolist()[3] == [False, True, False, False]  # Cyrillic «Х»
    assert rf.unanswered.tolist()[4] == [False, False, True, False]  # «-»
    assert rf.primary_score.tolist() == [7, 3, 1, 4, 5]
    assert rf.mark.tolist() == [5, 3, 2, 3, 4]
    assert rf.journal_mark.tolist() == [4] * 5
    assert rf.class_label.tolist() == ["4А"] * 5
    assert rf.variant.tolist() == [1] * 5
    assert rf.source_row.tolist() == [9, 10, 11, 12, 13]
    assert rf.header_row == 8


@pytest.mark.parametrize("engine", ENGINES)
def test_municipal_export_keeps_each_rows_login(tmp_path, engine):
    rows = (
        good_f1_rows(3, "edu501001") + good_f1_rows(2, "edu501002") + good_f1_rows(1, "EDU501003")
    )
    rf = read(f1_xlsx(tmp_path / "m.xlsx", rows, top=title_rows(org=None)), engine=engine)

    assert rf.ok, rf.errors
    assert rf.logins == ["edu501001", "edu501002", "edu501003"]
    assert rf.login_index.dtype == np.int32
    assert rf.login_index.tolist() == [0, 0, 0, 1, 1, 2]
    assert rf.rows_per_login() == {"edu501001": 3, "edu501002": 2, "edu501003": 1}


def test_same_code_in_two_schools_is_not_a_duplicate(tmp_path):
    rows = [f1_row(10001, [1, 1, 1, 1]), f1_row(10001, [1, 1, 1, 1], login="edu501002")]
    assert read(f1_xlsx(tmp_path / "m.xlsx", rows)).ok


@pytest.mark.parametrize("engine", ENGINES)
def test_collection_form_skips_and_counts_absent_pupils(tmp_path, engine):
    rows = [
        COLLECTION_HEADER,
        ["0001", 1, 2, 1, 0, 3, "4а", "Ж", 5],
        ["0002", 2, "x", "-", 1, 1, "4 A", "м", 3],
        ["0003", "отсутствовал", None, None, None, None, "4А", "М", 4],
        ["0004", 1, "Отсутствовал", "", "", "", "4Б", "Ж", None],
        [None, None, None, None, None, None, None, None, None],
        ["0005", 1, 0, 0, 0, 0, "4Б", "Ж", 2],
    ]
    rf = read(write_xlsx(tmp_path / "form.xlsx", rows), engine=engine, default_login="edu501001")

    assert rf.ok, rf.errors
    assert rf.format == "collection"
    assert rf.absent_rows == 2
    assert rf.participant_count == 3
    assert rf.participant_code.tolist() == ["0001", "0002", "0005"]
    assert rf.class_label.tolist() == ["4А", "4А", "4Б"]  # Latin "A" and spaces normalised
    assert rf.sex.tolist() == ["Ж", "М", "Ж"]
    assert rf.journal_mark.tolist() == [5, 3, 2]
    assert rf.mark.tolist() == [0, 0, 0]  # the form has no VPR mark
    assert rf.primary_score.tolist() == [-1, -1, -1]  # no «Итого» column
    assert rf.primary_score_computed.tolist() == [6, 2, 0]
    assert rf.unanswered[1].tolist() == [True, True, False, False]
    assert rf.logins == ["edu501001"]
    assert rf.login_index.tolist() == [0, 0, 0]


def test_collection_form_with_total_checks_it(tmp_path):
    header = [*COLLECTION_HEADER, "Итого"]
    rows = [header, ["1", 1, 2, 1, 0, 3, "4А", "Ж", 5, 6], ["2", 1, 2, 1, 0, 3, "4А", "Ж", 5, 5]]
    rf = read(write_xlsx(tmp_path / "form.xlsx", rows))
    assert rf.primary_score.tolist() == [6, 5]
    assert [(e.row, e.column) for e in rf.errors] == [(3, "Итого")]


def test_collection_form_without_login_has_no_school(tmp_path):
    rows = [COLLECTION_HEADER, ["1", 1, 2, 1, 0, 3, "4А", "Ж", 5]]
    rf = read(write_xlsx(tmp_path / "form.xlsx", rows))
    assert rf.ok
    assert rf.logins == []
    assert rf.login_index.tolist() == [-1]


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        ("utf-8", ";"),
        ("utf-8-sig", ";"),
        ("cp1251", ";"),
        ("utf-8", ","),
        ("cp1251", ","),
        ("utf-16", "\t"),
    ],
)
def test_csv_with_f1_header_in_any_usual_encoding(tmp_path, encoding, delimiter):
    path = write_csv(
        tmp_path / "f1.csv", [F1_HEADER, *good_f1_rows()], encoding=encoding, delimiter=delimiter
    )
    rf = read(path, cuts=CUTS, expected_tasks=TASKS)

    assert rf.fatal is None, rf.fatal
    assert rf.ok, rf.errors
    assert rf.format == "csv"
    assert rf.participant_count == 5
    assert rf.scores[1].tolist() == [1, 0, 0, 2]
    assert rf.unanswered[3].tolist() == [False, True, False, False]
    assert rf.source_row.tolist() == [2, 3, 4, 5, 6]
    assert rf.test_hint is None


def test_csv_with_title_rows_reads_the_hint(tmp_path):
    rows = [["ВПР 2022 Математика 5 класс"], ["Дата", "20.09.2022"], F1_HEADER, *good_f1_rows()]
    rf = read(write_csv(tmp_path / "f1.csv", rows))
    assert rf.ok
    assert rf.test_hint.year == 2022
    assert rf.test_hint.subject == "Математика"
    assert rf.test_hint.grade == 5
    assert rf.test_hint.session == "autumn"


def test_shuffled_and_extra_columns_are_found_by_their_titles(tmp_path):
    order = [9, 3, 0, 11, 6, 8, 1, 4, 7, 12, 2, 10, 5]
    header = [F1_HEADER[i] for i in order]
    header.insert(4, "Примечание учителя")
    header.append("Дата рождения ребёнка?")
    rows = []
    for row in good_f1_rows():
        shuffled = [row[i] for i in order]
        shuffled.insert(4, "что-то")
        shuffled.append("2015-01-01")
        rows.append(shuffled)
    rf = read(f1_xlsx(tmp_path / "s.xlsx", rows, header=header), expected_tasks=TASKS, cuts=CUTS)

    assert rf.ok, rf.errors
    assert rf.tasks == TASKS  # catalog order, whatever the file's order
    assert rf.scores.tolist()[0] == [2, 1, 1, 3]
    assert rf.primary_score.tolist() == [7, 3, 1, 4, 5]
    assert "Примечание учителя" in rf.ignored_columns
    assert rf.warnings == []


def test_cyrillic_criterion_letter_and_spaces_in_task_titles(tmp_path):
    header = [t.replace("4K1 (3б)", "4 к1 (3 б)") for t in F1_HEADER]
    rf = read(f1_xlsx(tmp_path / "k.xlsx", header=header), expected_tasks=TASKS)
    assert rf.ok, (rf.fatal, rf.errors)
    assert [t.number for t in rf.tasks] == ["1", "2", "3.1", "4K1"]


def test_integral_floats_are_scores_and_fractions_are_not(tmp_path):
    rows = [f1_row(1, [2.0, 1.0, 0.0, 3.0], primary=6.0, mark=5.0), f1_row(2, [1.5, 1, 0, 0])]
    rf = read(f1_xlsx(tmp_path / "f.xlsx", rows))
    assert rf.scores[0].tolist() == [2, 1, 0, 3]
    assert [(e.row, e.column, e.message_ru) for e in rf.errors] == [
        (10, "1 (2б)", "Балл «1.5» — не целое число")
    ]


def test_text_numbers_in_cells_are_accepted(tmp_path):
    rows = [f1_row("00123", ["2", " 1 ", "0", "3"], primary="6", mark="5", journal="5")]
    rf = read(f1_xlsx(tmp_path / "t.xlsx", rows))
    assert rf.ok, rf.errors
    assert rf.participant_code.tolist() == ["00123"]  # leading zeros kept
    assert rf.scores.tolist() == [[2, 1, 0, 3]]


def test_without_expected_tasks_maxima_come_from_titles(tmp_path):
    rf = read(f1_xlsx(tmp_path / "f1.xlsx"))
    assert [t.max_score for t in rf.tasks] == [2, 1, 1, 3]
    assert rf.max_score == MAX


def test_bare_task_numbers_take_maxima_from_the_catalog(tmp_path):
    header = [*F1_HEADER[:6], "1", "2", "3.1", "4К1", *F1_HEADER[10:]]
    rf = read(f1_xlsx(tmp_path / "b.xlsx", header=header), expected_tasks=TASKS)
    assert rf.ok, (rf.fatal, rf.errors)
    assert [t.max_score for t in rf.tasks] == [2, 1, 1, 3]


def test_second_sheet_is_used_when_the_first_has_no_header(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["Инструкция по заполнению"])
    ws = wb.create_sheet("Данные")
    for row in [F1_HEADER, *good_f1_rows()]:
        ws.append(row)
    wb.save(tmp_path / "two.xlsx")
    rf = read(tmp_path / "two.xlsx")
    assert rf.ok
    assert rf.sheet_name == "Данные"


def test_levels_absent_when_no_level_row(tmp_path):
    rf = read(write_xlsx(tmp_path / "x.xlsx", [F1_HEADER, *good_f1_rows()]))
    assert [t.level for t in rf.tasks] == [None] * 4
    rf = read(tmp_path / "x.xlsx", expected_tasks=TASKS)
    assert [t.level for t in rf.tasks] == ["Б", "Б", "П", "П"]


def test_task_spec_numbers_compare_whatever_the_letter(tmp_path):
    expected = [TaskSpec("1", 2), TaskSpec("2", 1), TaskSpec("3.1", 1), TaskSpec("4к1", 3)]
    rf = read(f1_xlsx(tmp_path / "f1.xlsx"), expected_tasks=expected)
    assert rf.ok, rf.fatal


def test_csv_row_numbers_survive_quoted_line_breaks(tmp_path):
    header = [*F1_HEADER, "Комментарий"]
    rows = [header] + [[*r, "две\nстроки" if i == 1 else ""] for i, r in enumerate(good_f1_rows())]
    rows[4][3] = None  # the 4th participant (line 6 after the two-line record) has no code
    rf = read(write_csv(tmp_path / "q.csv", rows))
    assert rf.source_row.tolist() == [2, 3, 5, 6, 7]
    assert [(e.row, e.column) for e in rf.errors] == [(6, "Код участника")]


def test_csv_switches_to_the_csv_module_at_the_first_quote(tmp_path, monkeypatch):
    from results.fileformats import sources

    monkeypatch.setattr(sources, "_CSV_READ_SIZE", 200)  # a few lines per read
    rows = [F1_HEADER] + [list(r) for r in good_f1_rows() * 4]
    rows[15] = [*rows[15][:2], 'Школа "Ромашка";\nкорпус 2', *rows[15][3:]]
    for i, row in enumerate(rows[1:], start=1):
        row[3] = 10000 + i
    rf = read(write_csv(tmp_path / "late.csv", rows))
    assert rf.ok, rf.errors
    assert rf.participant_code.tolist() == [str(10000 + i) for i in range(1, 21)]
    assert rf.source_row.tolist() == [*range(2, 17), *range(18, 23)]


def test_similar_titles_do_not_steal_a_role(tmp_path):
    header = ["Классный руководитель", *F1_HEADER, "Вариант ответа учителя?"]
    rows = [["Иванова", *r, ""] for r in good_f1_rows()]
    rf = read(f1_xlsx(tmp_path / "s.xlsx", rows, header=header))
    # «Классный руководитель» is not «Класс» (and is not a pupil's name either).
    assert rf.ok, (rf.fatal, rf.errors)
    assert rf.class_label.tolist() == ["4А"] * 5
    assert "Классный руководитель" in rf.ignored_columns


@pytest.mark.parametrize("kind", ["xlsx-stream", "xlsx-calamine", "csv"])
def test_progress_is_reported_per_block_and_rises(tmp_path, monkeypatch, kind):
    from results.fileformats import sources, xlsx_stream
    from results.fileformats.synthetic import generate_f1, write_f1_csv, write_f1_xlsx

    monkeypatch.setattr(sources, "BLOCK_ROWS", 100)
    monkeypatch.setattr(sources, "_CSV_READ_SIZE", 4000)
    monkeypatch.setattr(xlsx_stream, "_READ_SIZE", 8000)
    data = generate_f1(rows=600, seed=1)
    if kind == "csv":
        path = tmp_path / "f.csv"
        write_f1_csv(path, data)
    else:
        path = tmp_path / "f.xlsx"
        write_f1_xlsx(path, data)
    seen: list[float] = []
    engine = kind.split("-")[1] if "-" in kind else "auto"
    rf = read_results_file(path, filename=path.name, progress=seen.append, engine=engine)
    assert rf.ok
    assert len(seen) >= 3
    assert seen == sorted(seen)
    assert 0 < seen[0] < 1 and seen[-1] > 0.9


def test_comma_in_task_numbers_and_no_mark_text(tmp_path):
    header = [t.replace("3.1 (1б)", "3,1 (1б)") for t in F1_HEADER]
    rows = [f1_row(1, [1, 1, 1, 1], journal="нет отметки")]
    rf = read(f1_xlsx(tmp_path / "c.xlsx", rows, header=header), expected_tasks=TASKS)
    assert rf.ok, (rf.fatal, rf.errors)
    assert rf.tasks[2].number == "3.1"
    assert rf.journal_mark.tolist() == [0]


def test_school_title_rows_inside_a_municipal_export_are_skipped(tmp_path):
    section = [None, None, None, "МБОУ СОШ № 2", None, None, None, None, None, None, None, None]
    rows = [*good_f1_rows(2), section, *good_f1_rows(2, "edu501002")]
    rf = read(f1_xlsx(tmp_path / "m.xlsx", rows, top=title_rows(org=None)))
    assert rf.ok, rf.errors
    assert rf.participant_count == 4
    assert rf.blank_rows == 1


def test_the_individual_results_sheet_is_preferred(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Черновик"
    for row in [F1_HEADER, *good_f1_rows(1)]:
        wb.active.append(row)
    ws = wb.create_sheet("ВПР Индивидуальные результаты")
    for row in [F1_HEADER, *good_f1_rows(3)]:
        ws.append(row)
    wb.save(tmp_path / "two.xlsx")
    for engine in ENGINES:
        rf = read(tmp_path / "two.xlsx", engine=engine)
        assert rf.sheet_name == "ВПР Индивидуальные результаты"
        assert rf.participant_count == 3


def test_default_login_is_normalised_and_checked(tmp_path):
    rows = [COLLECTION_HEADER, ["1", 1, 2, 1, 0, 3, "4А", "Ж", 5]]
    path = write_xlsx(tmp_path / "form.xlsx", rows)
    assert read(path, default_login=" EDU501001 ").logins == ["edu501001"]
    with pytest.raises(ValueError):
        read(path, default_login="школа 1")
