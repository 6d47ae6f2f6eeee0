"""The official list «ОО с признаками необъективности результатов» (Рособрнадзор layout).

Columns: Год, Логин, ОО, Муниципалитет, one 0/1 column per test titled by its short code
(«4 РУ», «4 МА», «5 РУ», «5 МА»), then «Количество маркеров». Only schools with at least
one marker are listed, as in the lists sent to the regions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.db.models import QuerySet
from openpyxl import load_workbook
from openpyxl.styles import Font
from simple_history.utils import bulk_create_with_history

from guarded_archive import ArchiveRefused, limits_from_settings, verify_inflated
from results.models import OfficialListEntry, OfficialListImport, SchoolYearIndicator, Test
from schools.models import School
from vpr_portal import audit, spreadsheets
from vpr_portal.jobs import UserFacingError

TITLE = "ОО с признаками необъективности результатов"
FIXED_COLUMNS = ("Год", "Логин", "ОО", "Муниципалитет")
COUNT_COLUMN = "Количество маркеров"
MARKER_COLUMN = re.compile(r"^\d{1,2} [А-ЯЁA-Z]{2}$")


def marker_columns(year: int) -> list[str]:
    """Short codes of the year's tests, grade then subject («4 РУ», «4 МА», …)."""
    tests = Test.objects.filter(year=year).order_by("grade", "subject")
    codes: list[str] = []
    for test in sorted(tests, key=lambda t: (t.grade, t.short_code[-2:] != "РУ", t.short_code)):
        if test.short_code not in codes:
            codes.append(test.short_code)
    return codes


def list_rows(year: int, schools: QuerySet[School]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of our list for ``year`` over ``schools`` (the user's scope)."""
    columns = marker_columns(year)
    header = [*FIXED_COLUMNS, *columns, COUNT_COLUMN]
    rows = []
    summaries = (
        SchoolYearIndicator.objects.filter(year=year, n_flagged__gt=0, school__in=schools)
        .select_related("school__municipality")
        .order_by("school__municipality__name", "school__login")
    )
    for summary in summaries:
        school = summary.school
        markers = set(summary.markers)
        rows.append(
            [
                year,
                school.login,
                school.display_name,
                school.municipality.name,
                *[1 if code in markers else 0 for code in columns],
                summary.n_flagged,
            ]
        )
    return header, rows


def export_xlsx(year: int, schools: QuerySet[School]) -> bytes:
    header, rows = list_rows(year, schools)
    workbook = spreadsheets.new_workbook()
    sheet = workbook.active
    sheet.title = "Перечень ОО"
    spreadsheets.append(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        spreadsheets.append(sheet, row)
    sheet.column_dimensions["C"].width = 50
    sheet.column_dimensions["D"].width = 28
    return spreadsheets.workbook_bytes(workbook)


def _cell_flag(value: Any) -> int:
    if value in (None, ""):
        return 0
    try:
        return 1 if float(str(value).replace(",", ".")) > 0 else 0
    except ValueError:
        return 1 if str(value).strip().lower() in ("да", "+", "x", "х") else 0


@audit.records_import(
    audit.ImportKind.OFFICIAL_LIST,
    counts=lambda r: (r.rows, 0, 0),
    reference=lambda r: f"official_list:{r.pk}",
)
@transaction.atomic
def import_official_list(
    *, file: IO[bytes], filename: str, year: int | None = None, user: Any = None
) -> OfficialListImport:
    """Store an official list in the Рособрнадзор layout; the header row is found by «Логин».

    Raises UserFacingError with a Russian message when the file is not such a list.
    """
    try:
        # Zip bombs, forged zip headers and DTDs are refused before openpyxl unzips it.
        verify_inflated(file, limits_from_settings("tables"))
    except ArchiveRefused as exc:
        raise UserFacingError(exc.message_ru) from None
    except Exception as exc:
        raise UserFacingError("Не удалось прочитать файл: нужен XLSX-файл перечня ОО.") from exc
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:
        raise UserFacingError("Не удалось прочитать файл: нужен XLSX-файл перечня ОО.") from exc
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    header_at = next(
        (i for i, row in enumerate(rows) if any(str(c or "").strip() == "Логин" for c in row)),
        None,
    )
    if header_at is None:
        raise UserFacingError("В файле нет строки заголовка со столбцом «Логин».")
    header = [str(c or "").strip() for c in rows[header_at]]
    index = {name: i for i, name in enumerate(header) if name}
    markers = [name for name in header if MARKER_COLUMN.match(name)]
    if not markers:
        raise UserFacingError(
            "Не найдены столбцы работ вида «4 РУ», «5 МА» — файл не похож на перечень ОО."
        )
    logins = {s.login: s for s in School.objects.select_related("municipality")}
    entries = []
    years = set()
    for row in rows[header_at + 1 :]:
        login = str(row[index["Логин"]] or "").strip().lower() if "Логин" in index else ""
        if not login:
            continue
        row_year = row[index["Год"]] if "Год" in index else None
        try:
            row_year = int(row_year) if row_year not in (None, "") else year
        except (TypeError, ValueError):
            row_year = year
        if row_year is None:
            raise UserFacingError("Год не указан ни в файле (столбец «Год»), ни в форме.")
        years.add(row_year)
        flags = {code: _cell_flag(row[index[code]]) for code in markers}
        school = logins.get(login)
        entries.append(
            OfficialListEntry(
                year=row_year,
                login=login,
                school=school,
                school_name=str(row[index["ОО"]] or "") if "ОО" in index else "",
                municipality_name=str(row[index["Муниципалитет"]] or "")
                if "Муниципалитет" in index
                else "",
                markers=flags,
                marker_count=sum(flags.values()),
            )
        )
    if not entries:
        raise UserFacingError("В перечне нет ни одной строки с логином ОО.")
    imported = OfficialListImport.objects.create(
        year=year or min(years),
        original_filename=filename[:255],
        rows=len(entries),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    for entry in entries:
        entry.list_import = imported
    bulk_create_with_history(entries, OfficialListEntry)  # audit: history rows too
    return imported


@dataclass(frozen=True)
class AgreementRow:
    login: str
    name: str
    municipality: str
    ours: list[str]
    theirs: list[str]

    @property
    def both_markers(self) -> list[str]:
        return [m for m in self.ours if m in self.theirs]


@dataclass(frozen=True)
class Agreement:
    year: int
    list_import: OfficialListImport | None
    both: list[AgreementRow]
    only_ours: list[AgreementRow]
    only_theirs: list[AgreementRow]

    @property
    def total(self) -> int:
        return len(self.both) + len(self.only_ours) + len(self.only_theirs)


def agreement(year: int, schools: QuerySet[School]) -> Agreement:
    """Schools flagged by us and by the latest official list of ``year`` (within scope)."""
    latest = OfficialListImport.objects.filter(entries__year=year).order_by("-pk").first()
    visible = {s.login: s for s in schools.select_related("municipality")}
    ours = {
        s.school.login: s.markers
        for s in SchoolYearIndicator.objects.filter(
            year=year, n_flagged__gt=0, school__in=schools
        ).select_related("school")
    }
    theirs: dict[str, tuple[list[str], OfficialListEntry]] = {}
    if latest is not None:
        for entry in latest.entries.filter(year=year, marker_count__gt=0):
            # Staff see the lines of their own schools only.
            if entry.login in visible:
                theirs[entry.login] = ([k for k, v in entry.markers.items() if v], entry)
    both, only_ours, only_theirs = [], [], []
    for login in sorted(set(ours) | set(theirs)):
        school = visible.get(login)
        row = AgreementRow(
            login=login,
            name=school.display_name if school else theirs[login][1].school_name,
            municipality=school.municipality.name if school else "",
            ours=ours.get(login, []),
            theirs=theirs[login][0] if login in theirs else [],
        )
        if login in ours and login in theirs:
            both.append(row)
        elif login in ours:
            only_ours.append(row)
        else:
            only_theirs.append(row)
    return Agreement(year, latest, both, only_ours, only_theirs)
