"""The synthetic F1 generator writes what the reader reads back exactly."""

from __future__ import annotations

import numpy as np
import openpyxl
import pytest

from results.fileformats import read_results_file
from results.fileformats.synthetic import (
    MATHS_4_2022,
    RUSSIAN_4_2026,
    generate_f1,
    write_f1_csv,
    write_f1_xlsx,
)


def assert_same(rf, data) -> None:
    assert rf.ok, (rf.fatal, rf.errors[:3])
    assert rf.logins == data.logins
    assert np.array_equal(rf.login_index, data.login_index)
    assert rf.participant_code.tolist() == [str(c) for c in data.participant_code]
    assert rf.class_label.tolist() == data.class_label.tolist()
    assert np.array_equal(rf.variant, data.variant)
    assert np.array_equal(rf.scores, data.scores)
    assert np.array_equal(rf.unanswered, data.unanswered)
    assert np.array_equal(rf.primary_score, data.primary_score)
    assert np.array_equal(rf.mark, data.mark)
    assert np.array_equal(rf.journal_mark, data.journal_mark)


@pytest.mark.parametrize("engine", ["stream", "calamine", "openpyxl"])
def test_xlsx_round_trip(tmp_path, engine):
    data = generate_f1(test=MATHS_4_2022, schools=3, rows=300, seed=7)
    write_f1_xlsx(tmp_path / "f1.xlsx", data)
    rf = read_results_file(
        tmp_path / "f1.xlsx",
        filename="f1.xlsx",
        expected_tasks=list(MATHS_4_2022.tasks),
        cuts=MATHS_4_2022.cuts,
        max_score=MATHS_4_2022.max_score,
        engine=engine,
    )
    assert_same(rf, data)
    assert rf.warnings == []
    assert rf.test_hint.year == 2022 and rf.test_hint.grade == 4
    assert rf.tasks == list(MATHS_4_2022.tasks)


def test_csv_round_trip(tmp_path):
    data = generate_f1(schools=4, rows=500, seed=3)
    write_f1_csv(tmp_path / "f1.csv", data)
    rf = read_results_file(
        tmp_path / "f1.csv",
        filename="f1.csv",
        expected_tasks=list(RUSSIAN_4_2026.tasks),
        cuts=RUSSIAN_4_2026.cuts,
    )
    assert_same(rf, data)


def test_one_school_export_has_the_organisation_row(tmp_path):
    data = generate_f1(schools=1, rows=25, seed=1)
    write_f1_xlsx(tmp_path / "f1.xlsx", data)
    rf = read_results_file(tmp_path / "f1.xlsx", filename="f1.xlsx")
    assert rf.declared_participants == 25
    assert rf.warnings == []


def test_generated_file_opens_in_openpyxl_without_complaint(tmp_path, recwarn):
    data = generate_f1(schools=2, rows=10, seed=1)
    write_f1_xlsx(tmp_path / "f1.xlsx", data)
    wb = openpyxl.load_workbook(tmp_path / "f1.xlsx")
    ws = wb.active
    assert ws["A1"].value == "ВПР 2026 Русский язык 4 класс"
    assert not [w for w in recwarn if "openpyxl" in str(w.filename)]


def test_same_seed_same_data_and_inflated_schools_look_inflated():
    a = generate_f1(schools=10, rows=5000, seed=5, inflated_schools=2)
    b = generate_f1(schools=10, rows=5000, seed=5, inflated_schools=2)
    assert np.array_equal(a.scores, b.scores)
    inflated = a.login_index >= 8
    # Journal marks match the VPR mark exactly in the inflated schools.
    assert (
        a.journal_mark[inflated & (a.journal_mark > 0)] == a.mark[inflated & (a.journal_mark > 0)]
    ).all()
    # And nobody there sits one or two points below a cut score.
    gaps = np.array(RUSSIAN_4_2026.cuts)[None, :] - a.primary_score[inflated][:, None]
    assert not ((gaps >= 1) & (gaps <= 2)).any()
