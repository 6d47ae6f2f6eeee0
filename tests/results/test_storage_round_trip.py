"""Every kind of cell survives the bulk writers exactly (binary COPY on PostgreSQL,
batched INSERT on SQLite): texts of any length and alphabet, empty cells, masks."""

import pytest

from results.models import PupilResult, Test, TestTask, UploadStatus
from tests import factories
from tests.fileformats.builders import (
    COLLECTION_HEADER,
    CUTS,
    MAX,
    TASKS,
    f1_row,
    f1_xlsx,
    title_rows,
    write_xlsx,
)
from tests.results.conftest import import_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_test(db) -> Test:
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


def test_codes_and_classes_of_any_length_and_alphabet_round_trip(
    small_test, municipality, tmp_path
):
    factories.SchoolFactory(municipality=municipality, login="edu501001")
    codes = ["1", "22", "А-17", "Ё1234567890123456789012345678901234567", "x\\y z", "10001"]
    classes = ["4А", "4", "4 б", "4Б-коррекционный", "4A", "4В"]
    rows = [
        f1_row(code, [2, "X", 1, 3], klass=klass, journal=None if i == 1 else 4)
        for i, (code, klass) in enumerate(zip(codes, classes, strict=True))
    ]
    path = f1_xlsx(tmp_path / "odd.xlsx", rows, top=title_rows(org=None))
    outcome = import_path(path, municipality=municipality)
    assert outcome.status == UploadStatus.APPLIED, outcome.message
    stored = {
        r[0]: r[1:]
        for r in PupilResult.objects.values_list(
            "participant_code", "class_label", "scores", "unanswered_mask", "journal_mark", "sex"
        )
    }
    assert set(stored) == set(codes)
    assert stored["А-17"][0] == "4Б"  # «4 б» normalised by the reader
    assert stored["1"][1:] == ([2, 0, 1, 3], 0b10, 4, "")
    assert stored["22"][3] == 0  # no journal mark
    assert stored["Ё1234567890123456789012345678901234567"][0] == "4БКОРРЕКЦИОННЫЙ"


def test_a_collection_form_with_sex_and_absent_pupils_round_trips(
    small_test, municipality, tmp_path
):
    school = factories.SchoolFactory(municipality=municipality, login="edu501001")
    rows = [
        [101, 1, 2, 1, 1, 3, "4А", "М", 5],
        [102, 2, "Х", 0, "-", 1, "4А", "ж", 3],
        [103, 1, "отсутствовал", None, None, None, "4Б", "Ж", 4],
        [104, 2, 1, 1, 0, 2, "4Б", "", 4],
    ]
    path = write_xlsx(tmp_path / "form.xlsx", [COLLECTION_HEADER, *rows])
    outcome = import_path(path, school=school, test=small_test)
    assert outcome.status == UploadStatus.APPLIED, outcome.message
    assert outcome.upload.rows_absent == 1 and outcome.applied == 3
    stored = {
        r[0]: r[1:]
        for r in PupilResult.objects.values_list(
            "participant_code",
            "sex",
            "scores",
            "unanswered_mask",
            "primary_score",
            "mark",
            "journal_mark",
        )
    }
    assert stored["101"] == ("М", [2, 1, 1, 3], 0, 7, 5, 5)
    assert stored["102"] == ("Ж", [0, 0, 0, 1], 0b101, 1, 2, 3)
    assert stored["104"] == ("", [1, 1, 0, 2], 0, 4, 3, 4)
    assert "103" not in stored
