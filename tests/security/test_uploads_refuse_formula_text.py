"""A results upload never stores formula text as a participant code or a class label.

Before: a CSV row with the code ``=HYPERLINK(…)`` was stored as is (and printed later into
reports and error files), and the class ``@SUM(1)`` became «SUМ1» without a word. Now such a
row is refused with a Russian message naming its row and column, and nothing is saved.
"""

from __future__ import annotations

import openpyxl
import pytest

from results.models import PupilResult, ResultVersion, Test, TestTask, UploadStatus
from tests import factories
from tests.fileformats.builders import (
    CUTS,
    F1_HEADER,
    MAX,
    TASKS,
    f1_row,
    good_f1_rows,
    levels_row,
    title_rows,
    write_csv,
)
from tests.results.conftest import import_path

pytestmark = pytest.mark.django_db

CODE_COLUMN = F1_HEADER.index("Код участника")
CLASS_COLUMN = F1_HEADER.index("Класс")
#: The first data row of the files below: 4 title rows, an empty row, levels, header.
FIRST_ROW = 8


@pytest.fixture
def short_test(db) -> Test:
    test = Test.objects.create(
        year=2026, subject="Русский язык", grade=4, max_score=MAX,
        cut_3=CUTS[0], cut_4=CUTS[1], cut_5=CUTS[2],
    )  # fmt: skip
    for position, task in enumerate(TASKS, start=1):
        TestTask.objects.create(
            test=test, position=position, number=task.number,
            max_score=task.max_score, level=task.level,
        )  # fmt: skip
    return test


@pytest.fixture
def school(municipality):
    return factories.SchoolFactory(municipality=municipality, login="edu501001")


def write_text_xlsx(path, rows):
    """An XLSX whose cells are typed text, as Excel stores «'=HYPERLINK(…)»."""
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    for row in workbook.active.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"
    workbook.save(path)
    return path


def upload(tmp_path, municipality, rows, suffix):
    path = tmp_path / f"results.{suffix}"
    content = [*title_rows(org=None), levels_row(), F1_HEADER, *rows]
    (write_csv if suffix == "csv" else write_text_xlsx)(path, content)
    return import_path(path, municipality=municipality)


def assert_refused_naming(outcome, *, row, column, text):
    assert outcome.status == UploadStatus.FAILED, outcome.message
    assert not PupilResult.objects.exists() and not ResultVersion.objects.exists()
    problems = [(r, c, m) for r, c, m in outcome.upload.errors_preview]
    assert any(r == row and c == column and text in m for r, c, m in problems), problems


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "code", ['=HYPERLINK("http://x","y")', "+1", "-1+1", "@SUM(1)", "=1", "'=1", "\t=1"]
)
def test_a_participant_code_that_looks_like_a_formula_is_refused_naming_row_and_column(
    tmp_path, short_test, school, municipality, suffix, code
):
    rows = good_f1_rows(3)
    rows[1][CODE_COLUMN] = code
    outcome = upload(tmp_path, municipality, rows, suffix)
    assert_refused_naming(outcome, row=FIRST_ROW + 1, column="Код участника", text="Код участника")


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
@pytest.mark.parametrize("label", ["@SUM(1)", "=1+1", "4А;DROP", "4(А)"])
def test_a_class_label_that_would_be_mangled_is_refused_not_stored(
    tmp_path, short_test, school, municipality, suffix, label
):
    rows = good_f1_rows(3)
    rows[2][CLASS_COLUMN] = label
    outcome = upload(tmp_path, municipality, rows, suffix)
    assert_refused_naming(outcome, row=FIRST_ROW + 2, column="Класс", text="Класс «")
    assert not PupilResult.objects.filter(class_label="SUМ1").exists()


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_ordinary_codes_and_class_spellings_are_still_accepted(
    tmp_path, short_test, school, municipality, suffix
):
    codes = ["10001", "00123", "А-17", "x\\y z", "код_5", "12.3/4"]
    classes = ["4А", "4 а", "4-A", "4", "4Б-коррекционный", "4.В"]
    rows = [
        f1_row(code, [2, 1, 1, 3], klass=klass) for code, klass in zip(codes, classes, strict=True)
    ]
    outcome = upload(tmp_path, municipality, rows, suffix)
    assert outcome.status == UploadStatus.APPLIED, (outcome.message, outcome.upload.errors_preview)
    stored = dict(PupilResult.objects.values_list("participant_code", "class_label"))
    assert stored == {
        "10001": "4А", "00123": "4А", "А-17": "4А", "x\\y z": "4",
        "код_5": "4БКОРРЕКЦИОННЫЙ", "12.3/4": "4В",
    }  # fmt: skip
