"""Every kind of bad file ends with a clear Russian message, and nothing is stored."""

from __future__ import annotations

import os
import time

import openpyxl
import pytest

from results.models import PupilResult, ResultSlot, ResultVersion, Test, TestTask, UploadStatus
from tests import factories
from tests.fileformats.builders import (
    CUTS,
    F1_HEADER,
    MAX,
    TASKS,
    docx,
    encrypted_ole,
    f1_row,
    f1_xlsx,
    good_f1_rows,
    levels_row,
    title_rows,
    write_xlsx,
    xlsm_with_macros,
)
from tests.results.conftest import import_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_test(db) -> Test:
    """ВПР 2026 Русский язык 4 класс as the shared test builders write it: max 7."""
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
def school_a(municipality):
    return factories.SchoolFactory(municipality=municipality, login="edu501001")


def assert_nothing_stored() -> None:
    assert not PupilResult.objects.exists()
    assert not ResultVersion.objects.exists()
    assert not ResultSlot.objects.filter(current__isnull=False).exists()


def refused(path, **kwargs) -> str:
    outcome = import_path(path, **kwargs)
    assert outcome.status == UploadStatus.FAILED, outcome.message
    assert outcome.applied == 0
    assert_nothing_stored()
    assert outcome.upload.message == outcome.message
    return outcome.message


def test_an_empty_file_is_refused(tmp_path, small_test, school_a, municipality):
    path = tmp_path / "results.xlsx"
    path.write_bytes(b"")
    assert refused(path, municipality=municipality).startswith("Файл пуст")


def test_a_word_document_named_xlsx_is_refused(tmp_path, small_test, school_a, municipality):
    path = docx(tmp_path / "results.docx").rename(tmp_path / "results.xlsx")
    assert refused(path, municipality=municipality).startswith("Это документ Word")


def test_a_corrupt_workbook_is_refused(tmp_path, small_test, school_a, municipality):
    data = f1_xlsx(tmp_path / "ok.xlsx").read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(data[: len(data) // 2])
    assert refused(cut, municipality=municipality).startswith("Файл повреждён")


def test_random_bytes_are_refused(tmp_path, small_test, school_a, municipality):
    path = tmp_path / "noise.xlsx"
    path.write_bytes(os.urandom(4000))
    assert "не является таблицей" in refused(path, municipality=municipality)


def test_a_password_protected_workbook_is_refused(tmp_path, small_test, school_a, municipality):
    path = encrypted_ole(tmp_path / "secret.xlsx")
    assert refused(path, municipality=municipality).startswith("Файл защищён паролем")


def test_a_workbook_with_macros_is_refused(tmp_path, small_test, school_a, municipality):
    path = xlsm_with_macros(tmp_path / "form.xlsm", [F1_HEADER, *good_f1_rows()])
    message = refused(path, municipality=municipality, test=small_test)
    assert message.startswith("Файлы с макросами (.xlsm) не принимаются")


def test_a_sheet_with_a_header_and_no_rows_is_refused(tmp_path, small_test, school_a, municipality):
    path = f1_xlsx(tmp_path / "header-only.xlsx", rows=[])
    assert "нет ни одной строки с результатами" in refused(path, municipality=municipality)


def test_a_blank_sheet_is_refused(tmp_path, small_test, school_a, municipality):
    path = write_xlsx(tmp_path / "blank.xlsx", [])
    assert "Не найдена строка заголовка" in refused(path, municipality=municipality)


def test_a_file_of_another_test_is_refused_naming_both(
    tmp_path, small_test, school_a, municipality
):
    top = title_rows("ВПР 2026 Математика 4 класс")
    top[1] = ["Предмет", "Математика"]
    path = f1_xlsx(tmp_path / "maths.xlsx", top=top)
    message = refused(path, municipality=municipality, test=small_test)
    assert "Математика" in message and "Русский язык" in message


def test_a_file_whose_tasks_differ_from_the_catalog_is_refused(
    tmp_path, small_test, school_a, municipality
):
    header = [*F1_HEADER[:6], "1 (2б)", "2 (1б)", "3.1 (1б)", "4K1 (2б)", *F1_HEADER[10:]]
    path = f1_xlsx(tmp_path / "other.xlsx", header=header)
    message = refused(path, municipality=municipality)
    assert "4K1" in message and "не совпадают" in message


def test_an_extra_task_column_is_refused_by_name(tmp_path, small_test, school_a, municipality):
    header = [*F1_HEADER[:10], "5 (1б)", *F1_HEADER[10:]]
    rows = [[*row[:10], 1, *row[10:]] for row in good_f1_rows()]
    path = f1_xlsx(tmp_path / "extra-task.xlsx", rows, header=header)
    message = refused(path, municipality=municipality, test=small_test)
    assert "«5»" in message


def test_shuffled_and_unknown_columns_are_read_by_their_titles(
    tmp_path, small_test, school_a, municipality
):
    order = [3, 0, 9, 8, 7, 6, 4, 5, 12, 11, 10, 1, 2]
    header = [F1_HEADER[i] for i in order] + ["Примечание"]
    rows = [[row[i] for i in order] + ["проверено"] for row in good_f1_rows()]
    path = write_xlsx(tmp_path / "shuffled.xlsx", [*title_rows(), [], header, *rows])
    outcome = import_path(path, municipality=municipality)
    assert outcome.status == UploadStatus.APPLIED, outcome.message
    stored = dict(PupilResult.objects.values_list("participant_code", "scores"))
    assert stored["10001"] == [2, 1, 1, 3]
    assert stored["10002"] == [1, 0, 0, 2]


def test_a_names_column_refuses_the_whole_file(tmp_path, small_test, school_a, municipality):
    header = [*F1_HEADER[:3], "ФИО", *F1_HEADER[3:]]
    rows = [[*row[:3], "Иванов Иван", *row[3:]] for row in good_f1_rows()]
    path = f1_xlsx(tmp_path / "names.xlsx", rows, header=header)
    message = refused(path, municipality=municipality)
    assert "ФИО" in message and "152-ФЗ" in message


def test_five_thousand_errors_are_refused_with_a_usable_report(
    tmp_path, small_test, school_a, municipality
):
    rows = [f1_row(20000 + i, [3, 1, 1, 3]) for i in range(5000)]  # task 1 max is 2
    path = f1_xlsx(tmp_path / "errors.xlsx", rows)
    started = time.monotonic()
    outcome = import_path(path, municipality=municipality)
    elapsed = time.monotonic() - started
    assert outcome.status == UploadStatus.FAILED
    assert outcome.rejected == 5000
    assert "строк с ошибками — 5000 из 5000" in outcome.message
    assert_nothing_stored()
    upload = outcome.upload
    assert upload.error_count >= 5000 and len(upload.errors_preview) == 200
    assert upload.error_report, "the error report is saved"
    workbook = openpyxl.load_workbook(upload.error_report.path, read_only=True)
    listing = workbook["Ошибки"]
    messages = [row[2] for row in listing.iter_rows(min_row=2, values_only=True) if row[0]]
    assert len(messages) >= 5000
    assert any("больше максимального" in m for m in messages)
    assert elapsed < 60


def test_an_unknown_login_is_refused_listing_it(tmp_path, small_test, school_a, municipality):
    rows = [*good_f1_rows(3), *good_f1_rows(2, login="edu509999")]
    rows[3][3], rows[4][3] = 30001, 30002
    path = f1_xlsx(tmp_path / "unknown.xlsx", rows, top=title_rows(org=None))
    message = refused(path, municipality=municipality)
    assert "edu509999" in message and "нет ОО" in message


def test_a_coordinators_file_with_another_schools_rows_is_refused(
    tmp_path, small_test, school_a, municipality
):
    other = factories.SchoolFactory(municipality=municipality, login="edu501002")
    rows = [*good_f1_rows(3), *good_f1_rows(2, login=other.login)]
    path = f1_xlsx(tmp_path / "two.xlsx", rows, top=title_rows(org=None))
    message = refused(path, school=school_a)
    assert "edu501002" in message and "других ОО" in message


def test_a_school_of_another_municipality_is_refused_in_a_municipal_upload(
    tmp_path, small_test, school_a, municipality, other_municipality
):
    factories.SchoolFactory(municipality=other_municipality, login="edu501002")
    rows = [*good_f1_rows(3), *good_f1_rows(2, login="edu501002")]
    path = f1_xlsx(tmp_path / "two.xlsx", rows, top=title_rows(org=None))
    message = refused(path, municipality=municipality)
    assert "edu501002" in message and "не относятся" in message


def test_a_duplicate_participant_code_is_refused(tmp_path, small_test, school_a, municipality):
    rows = good_f1_rows(4)
    rows[3][3] = rows[0][3]
    path = f1_xlsx(tmp_path / "dup.xlsx", rows)
    outcome = import_path(path, municipality=municipality)
    assert outcome.status == UploadStatus.FAILED
    assert any("повторяется" in item[2] for item in outcome.upload.errors_preview)
    assert_nothing_stored()


def test_a_refused_file_leaves_the_previous_version_in_place(
    tmp_path, small_test, school_a, municipality
):
    good = import_path(f1_xlsx(tmp_path / "good.xlsx"), municipality=municipality)
    assert good.status == UploadStatus.APPLIED
    before = sorted(PupilResult.objects.values_list("participant_code", "primary_score"))
    bad_rows = good_f1_rows()
    bad_rows[0][6] = 9
    bad = import_path(f1_xlsx(tmp_path / "bad.xlsx", bad_rows), municipality=municipality)
    assert bad.status == UploadStatus.FAILED
    assert sorted(PupilResult.objects.values_list("participant_code", "primary_score")) == before
    assert ResultVersion.objects.count() == 1


def test_levels_row_is_optional(tmp_path, small_test, school_a, municipality):
    path = write_xlsx(tmp_path / "no-levels.xlsx", [*title_rows(), F1_HEADER, *good_f1_rows()])
    assert import_path(path, municipality=municipality).status == UploadStatus.APPLIED
    assert levels_row()  # the builders' row of levels exists and is simply absent here
