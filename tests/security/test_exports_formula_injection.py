"""Every XLSX and CSV the portal produces writes user text as text, never as a formula.

A plan title, an item, a school's or a municipality's name, a participant code or a row
copied from an uploaded file may start with ``=``, ``+``, ``-``, ``@``, a tab or a CR; opened
in Excel or LibreOffice such a cell must show the text, not run it (OWASP «CSV Injection»).

Two nets catch a new export that forgets this:
* the source scan fails when an ``openpyxl`` workbook or a ``csv`` writer is created anywhere
  but ``vpr_portal/spreadsheets.py`` (the one writer);
* ``EXPORT_TESTS`` lists every module that writes through that writer with the test that
  plants formula text into its export; a module writing through it without an entry fails.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from results.models import PupilResult, SchoolYearIndicator, UploadStatus
from tests import factories
from tests.fileformats.builders import (
    CUTS,
    F1_HEADER,
    MAX,
    TASKS,
    f1_row,
    levels_row,
    title_rows,
    write_csv,
)
from tests.results.conftest import import_path
from vpr_portal import spreadsheets

ROOT = Path(__file__).resolve().parents[2]
PORTAL_PACKAGES = ("plans", "results", "observers", "schools", "vpr_portal")
WRITER = "vpr_portal/spreadsheets.py"
#: Files allowed to create a workbook or a csv writer of their own, and why.
NOT_EXPORTS = {
    # Fabricates *input* files (synthetic F1 results) for tests, benchmarks and the demo
    # seed; its XLSX is raw XML and its CSV holds generated numbers, never user text.
    "results/fileformats/synthetic.py",
}

#: Text a user could type that a spreadsheet would read as a formula.
PAYLOADS = ['=HYPERLINK("http://x","y")', "+1", "-1+1", "@SUM(1)", "\t=1", "\r=1"]
HYPERLINK = PAYLOADS[0]

_WORKBOOK_OR_CSV_WRITER = re.compile(
    r"\bWorkbook\s*\(|\bcsv\s*\.\s*(writer|DictWriter)\s*\(|\bWriteOnlyCell\s*\(|"
    r"^\s*from\s+csv\s+import\s+.*\b(writer|DictWriter)\b",
    re.MULTILINE,
)


def portal_sources() -> list[Path]:
    return sorted(
        path
        for package in PORTAL_PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# --- reading what an export produced ---------------------------------------------------------


def assert_xlsx_has_no_formula(content: bytes, *, expected: list[str]) -> list[str]:
    """Open the file as XML and with openpyxl: no cell is a formula, every text that starts like one
    carries the quote prefix, and each ``expected`` text is there, readable. Returns all
    texts."""
    # What Excel and LibreOffice read: no worksheet holds a formula element at all.
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                assert not re.search(rb"<(\w+:)?f[ >/]", archive.read(name)), name
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    texts: list[str] = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    if cell.value.startswith(spreadsheets.FORMULA_TRIGGERS):
                        assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
    joined = "\n".join(texts)
    for text in expected:
        assert text in joined, f"{text!r} is missing from the export"
    return texts


# --- 1. one writer -----------------------------------------------------------------------------


def test_no_workbook_or_csv_writer_is_created_outside_the_one_writer():
    offenders = [
        relative(path)
        for path in portal_sources()
        if relative(path) not in {WRITER, *NOT_EXPORTS}
        and _WORKBOOK_OR_CSV_WRITER.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], (
        "Build XLSX/CSV with vpr_portal.spreadsheets (new_workbook, put, append, cell, "
        f"csv_writer), then add the export to EXPORT_TESTS: {offenders}"
    )


def test_the_source_scan_recognises_the_ways_a_workbook_or_csv_writer_is_made():
    for line in (
        "wb = Workbook()",
        "wb = openpyxl.Workbook(write_only=True)",
        "w = csv.writer(handle)",
        "w = csv.DictWriter(handle, fieldnames)",
        "from csv import writer",
        "cell = WriteOnlyCell(ws, value=v)",
    ):
        assert _WORKBOOK_OR_CSV_WRITER.search(line), line
    assert not _WORKBOOK_OR_CSV_WRITER.search("wb = spreadsheets.new_workbook()")


#: Every module that produces a spreadsheet through the writer → the tests that plant
#: formula text into what it prints and open the result.
EXPORT_TESTS = {
    "plans/services/output.py": ["test_the_plan_xlsx_writes_plan_text_as_text"],
    "results/reports/xlsx.py": [
        "test_every_report_xlsx_writes_school_names_as_text_for_staff",
        "test_every_report_xlsx_writes_the_school_name_as_text_for_a_coordinator",
    ],
    "results/indicators/official_list.py": [
        "test_the_official_list_page_export_writes_names_as_text",
        "test_export_signs_xlsx_writes_names_as_text",
    ],
    "results/fileformats/report.py": ["test_the_upload_error_report_copies_formula_text_as_text"],
}


def test_every_module_that_writes_a_spreadsheet_has_a_formula_injection_test():
    users = {
        relative(path)
        for path in portal_sources()
        if relative(path) != WRITER
        and re.search(
            r"spreadsheets\.(new_workbook|csv_writer)\(", path.read_text(encoding="utf-8")
        )
    }
    assert users == set(EXPORT_TESTS), (
        "A module writes XLSX/CSV through vpr_portal.spreadsheets without a formula-injection "
        "test here (or an entry names a module that no longer exports)"
    )
    for names in EXPORT_TESTS.values():
        for name in names:
            assert callable(globals().get(name)), name


# --- 2. the writer itself ----------------------------------------------------------------------


@pytest.mark.parametrize("write_only", [False, True])
def test_the_writer_keeps_formula_text_as_text_and_numbers_as_numbers(write_only):
    workbook = spreadsheets.new_workbook(write_only=write_only)
    sheet = workbook.create_sheet("Лист") if write_only else workbook.active
    spreadsheets.append(sheet, [*PAYLOADS, -5, 2.5, 0, None, "обычный текст"])
    styled = spreadsheets.cell(sheet, HYPERLINK)
    spreadsheets.append(sheet, [styled, "bad\x01char"])
    content = spreadsheets.workbook_bytes(workbook)

    texts = assert_xlsx_has_no_formula(content, expected=[])
    values = [cell.value for cell in openpyxl.load_workbook(io.BytesIO(content)).worksheets[-1][1]]
    assert values[:6] == PAYLOADS  # the text is kept as it was, readable
    assert values[6:10] == [-5, 2.5, 0, None]  # numbers stay numbers, negatives too
    assert "badchar" in texts  # a control character XLSX cannot hold is dropped, no crash


def test_put_writes_formula_text_as_a_string_cell():
    workbook = spreadsheets.new_workbook()
    for column, payload in enumerate(PAYLOADS, start=1):
        spreadsheets.put(workbook.active, row=1, column=column, value=payload)
    spreadsheets.put(workbook.active, row=2, column=1, value=-3)
    content = spreadsheets.workbook_bytes(workbook)
    assert_xlsx_has_no_formula(content, expected=[HYPERLINK, "@SUM(1)", "-1+1"])
    assert openpyxl.load_workbook(io.BytesIO(content)).active["A2"].value == -3


def test_a_formula_written_past_the_writer_is_saved_as_text():
    workbook = spreadsheets.new_workbook()
    workbook.active["A1"] = "=1+1"  # openpyxl alone would store a formula
    assert_xlsx_has_no_formula(spreadsheets.workbook_bytes(workbook), expected=["=1+1"])


def test_the_csv_writer_prefixes_formula_text_with_a_quote_and_leaves_numbers_alone():
    out = io.StringIO()
    writer = spreadsheets.csv_writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Код", "Название", "Число"])
    writer.writerows([[payload, f"ОО {payload}", -1] for payload in PAYLOADS])
    rows = list(csv.reader(io.StringIO(out.getvalue(), newline=""), delimiter=";"))
    assert rows[0] == ["Код", "Название", "Число"]
    for payload, row in zip(PAYLOADS, rows[1:], strict=True):
        assert row == ["'" + payload, f"ОО {payload}", "-1"]
        assert not row[0].startswith(spreadsheets.FORMULA_TRIGGERS)


# --- 3. each export ----------------------------------------------------------------------------


@pytest.fixture
def planted_school(municipality):
    return factories.SchoolFactory(
        municipality=municipality, login="edu100011", short_name=HYPERLINK
    )


@pytest.mark.django_db
def test_the_plan_xlsx_writes_plan_text_as_text(client, municipality):
    plan = factories.PlanFactory(
        municipality=municipality,
        title=HYPERLINK,
        order_reference="+1",
        basis="@SUM(1)",
        goal="-1+1",
        tasks=["=1+2"],
    )
    section = factories.PlanSectionFactory(plan=plan, number="", title="=SUM(A1:A3)")
    factories.PlanItemFactory(
        section=section,
        number="-1",
        text=HYPERLINK,
        deadline_text="@SUM(1)",
        expected_result="\t=1",
        responsible=["\r=1"],
    )
    client.force_login(factories.make_staff(municipality=municipality))
    response = client.get(reverse("plans:xlsx", args=[plan.pk]))
    assert response.status_code == 200
    assert_xlsx_has_no_formula(
        response.content, expected=[HYPERLINK, "+1", "=SUM(A1:A3)", "@SUM(1)", "-1+1"]
    )


REPORT_KINDS = ["marks", "journal", "histogram", "tasks", "dynamics"]
REPORT_ROWS = [("4А", [2, 2, 3, 3], 5, 5), ("4А", [1, 0, 1, 0], 2, 3)]


@pytest.fixture
def reported(planted_school, municipality):
    test = factories.TestFactory(year=2026, grade=4)
    factories.make_results(test=test, school=planted_school, rows=REPORT_ROWS)
    other = factories.SchoolFactory(municipality=municipality, short_name="@SUM(1)")
    factories.make_results(test=test, school=other, rows=REPORT_ROWS)
    return test


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["marks", "journal", "tasks"])  # those with a line per school
def test_every_report_xlsx_writes_school_names_as_text_for_staff(
    client, reported, municipality, kind
):
    client.force_login(factories.make_staff(municipality=municipality))
    response = client.get(reverse("results:report_xlsx", args=[kind]))
    assert response.status_code == 200
    assert_xlsx_has_no_formula(response.content, expected=[f"{HYPERLINK} (edu100011)", "@SUM(1) ("])


@pytest.mark.django_db
@pytest.mark.parametrize("kind", REPORT_KINDS)
def test_every_report_xlsx_writes_the_school_name_as_text_for_a_coordinator(
    client, reported, planted_school, kind
):
    client.force_login(factories.make_coordinator(school=planted_school))
    response = client.get(reverse("results:report_xlsx", args=[kind]))
    assert response.status_code == 200
    assert_xlsx_has_no_formula(response.content, expected=[f"{HYPERLINK} (edu100011)"])


def test_the_report_tests_cover_every_report_kind():
    from results.reports.xlsx import _SHEETS

    assert set(REPORT_KINDS) == set(_SHEETS)


@pytest.fixture
def flagged(planted_school, municipality, other_municipality):
    test = factories.TestFactory(year=2026, grade=4, subject="Русский язык")
    other_municipality.name = "+7 (900) 000-00-00"
    other_municipality.save()
    second = factories.SchoolFactory(municipality=other_municipality, short_name="-1+1")
    for school in (planted_school, second):
        SchoolYearIndicator.objects.create(
            school=school, year=2026, n_tests=1, n_flagged=1, markers=[test.short_code]
        )
    return test


@pytest.mark.django_db
def test_the_official_list_page_export_writes_names_as_text(client, flagged, region):
    client.force_login(factories.make_region_staff(region=region))
    response = client.get(reverse("results:indicators_official_xlsx"), {"year": 2026})
    assert response.status_code == 200
    texts = assert_xlsx_has_no_formula(
        response.content, expected=[HYPERLINK, "-1+1", "+7 (900) 000-00-00"]
    )
    assert texts.count(HYPERLINK) == 1


@pytest.mark.django_db
def test_export_signs_xlsx_writes_names_as_text(flagged, tmp_path):
    path = tmp_path / "list.xlsx"
    call_command("export_signs", "--year", "2026", "--format", "xlsx", "--out", str(path))
    sheet = openpyxl.load_workbook(path).active
    years_and_counts = [(row[0].value, row[-1].value) for row in sheet.iter_rows(min_row=2)]
    assert years_and_counts == [(2026, 1), (2026, 1)]  # numbers stay numbers
    assert_xlsx_has_no_formula(
        path.read_bytes(), expected=[HYPERLINK, "-1+1", "+7 (900) 000-00-00"]
    )


@pytest.fixture
def short_test(db):
    from results.models import Test, TestTask

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


def planted_results_rows() -> list[list[object]]:
    """An F1 file whose free-text cells and one participant code hold formula text, and
    whose rows all have an error (a score above the task's maximum), so that the error
    report copies them."""
    rows = [f1_row(10001 + i, [2, 1, 1, 3]) for i in range(len(PAYLOADS))]
    for row, payload in zip(rows, PAYLOADS, strict=True):
        row[F1_HEADER.index("Название ОО")] = payload
        row[F1_HEADER.index("Муниципалитет")] = HYPERLINK
        row[F1_HEADER.index("1 (2б)")] = 9
    rows[0][F1_HEADER.index("Код участника")] = HYPERLINK
    return [*title_rows(org=None), levels_row(), F1_HEADER, *rows]


def write_text_xlsx(path: Path, rows: list[list[object]]) -> Path:
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


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_the_upload_error_report_copies_formula_text_as_text(
    tmp_path, short_test, municipality, suffix
):
    factories.SchoolFactory(municipality=municipality, login="edu501001")
    rows = planted_results_rows()
    path = tmp_path / f"planted.{suffix}"
    (write_csv if suffix == "csv" else write_text_xlsx)(path, rows)

    outcome = import_path(path, municipality=municipality)

    assert outcome.status == UploadStatus.FAILED
    assert not PupilResult.objects.exists()
    report = Path(outcome.upload.error_report.path).read_bytes()
    texts = assert_xlsx_has_no_formula(report, expected=[HYPERLINK, "@SUM(1)", "-1+1", "+1", "=1"])
    assert f"Код участника «{HYPERLINK}» недопустим" in "\n".join(texts)
