"""XLSX exports of the reports: the same numbers as the page, one sheet per table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook

from vpr_portal import spreadsheets

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_FLAG_FILL = PatternFill("solid", fgColor="FFC7CE")
_PERCENT = "0.0"


def _header(ws, report: dict[str, Any]) -> None:
    spreadsheets.append(ws, [report["title"]])
    ws["A1"].font = _TITLE
    spreadsheets.append(ws, ["Работа", report["test"]["label"]])
    spreadsheets.append(ws, ["Регион", report["region"]])
    spreadsheets.append(ws, ["Муниципалитет", report["municipality"]])
    if report.get("school"):
        spreadsheets.append(ws, ["ОО", f"{report['school']['name']} ({report['school']['login']})"])
    if report.get("class_label"):
        spreadsheets.append(ws, ["Класс", report["class_label"]])
    spreadsheets.append(ws, ["Сформировано", timezone.localtime().strftime("%d.%m.%Y %H:%M")])
    spreadsheets.append(ws, [])


def _table(ws, headers: Sequence[str], rows: Sequence[Sequence[Any]], *, flags=None) -> None:
    spreadsheets.append(ws, list(headers))
    header_row = ws.max_row
    for col in range(1, len(headers) + 1):
        cell = ws.cell(row=header_row, column=col)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, row in enumerate(rows):
        spreadsheets.append(ws, list(row))
        for col, value in enumerate(row, start=1):
            if isinstance(value, float):
                ws.cell(row=ws.max_row, column=col).number_format = _PERCENT
        if flags and flags[i]:
            for col in flags[i]:
                ws.cell(row=ws.max_row, column=col).fill = _FLAG_FILL
    spreadsheets.append(ws, [])


def _widths(ws, first: int = 34, rest: int = 13) -> None:
    ws.column_dimensions["A"].width = first
    for col in range(2, ws.max_column + 1):
        ws.column_dimensions[get_column_letter(col)].width = rest


def _marks(wb: Workbook, report: dict[str, Any]) -> None:
    ws = wb.active
    ws.title = "Отметки"
    _header(ws, report)
    headers = ["Группа", "Участников", "«2», %", "«3», %", "«4», %", "«5», %",
               "«4» и «5», %", "Средний балл, % от макс.", "«2»", "«3»", "«4»", "«5»"]  # fmt: skip

    def line(label: str, g: dict) -> list:
        shares, counts = g["shares"], g["counts"]
        return [label, g["n"], *(shares[m] for m in "2345"), g["quality"], g["mean_percent"],
                *(counts[m] for m in "2345")]  # fmt: skip

    _table(ws, headers, [line(g["label"], g) for g in report["groups"]])
    if report.get("schools"):
        _table(ws, ["ОО (логин)", *headers[1:]],
               [line(f"{s['name']} ({s['login']})", s) for s in report["schools"]])  # fmt: skip
    _widths(ws)


def _journal(wb: Workbook, report: dict[str, Any]) -> None:
    ws = wb.active
    ws.title = "Журнал"
    _header(ws, report)
    headers = ["Группа", "Участников", "С отметкой по журналу", "Понизили", "Понизили, %",
               "Подтвердили", "Подтвердили, %", "Повысили", "Повысили, %",
               "Расхождение ≥ 2", "Расхождение ≥ 2, %"]  # fmt: skip

    def line(label: str, g: dict) -> list:
        return [label, g["n"], g["compared"], g["lowered"], g["lowered_pct"], g["confirmed"],
                g["confirmed_pct"], g["raised"], g["raised_pct"], g["large_gap"], g["large_gap_pct"]]  # fmt: skip

    _table(ws, headers, [line(g["label"], g) for g in report["groups"]])
    if report.get("schools"):
        _table(ws, ["ОО (логин)", *headers[1:]],
               [line(f"{s['name']} ({s['login']})", s) for s in report["schools"]])  # fmt: skip
    _widths(ws)


def _histogram(wb: Workbook, report: dict[str, Any]) -> None:
    ws = wb.active
    ws.title = "Гистограмма"
    _header(ws, report)
    cuts = report["cuts"]
    spreadsheets.append(
        ws, ["Шкала", f"«3» от {cuts['3']}", f"«4» от {cuts['4']}", f"«5» от {cuts['5']}"]
    )
    spreadsheets.append(ws, [])
    groups = report["groups"]
    headers = ["Первичный балл"]
    for g in groups:
        headers += [f"{g['label']}: чел.", f"{g['label']}: %"]
    rows = []
    for score in report["bins"]:
        row: list[Any] = [score]
        for g in groups:
            row += [g["counts"][score], g["shares"][score]]
        rows.append(row)
    _table(ws, headers, rows)
    _widths(ws, first=16, rest=18)


def _tasks(wb: Workbook, report: dict[str, Any]) -> None:
    ws = wb.active
    ws.title = "Задания"
    _header(ws, report)
    groups = report["groups"]
    headers = ["Задание", "Уровень", "Макс. балл", "Порог, %"] + [
        f"{g['label']}, %" for g in groups
    ]
    focus_column = len(headers)
    rows, flags = [], []
    for task in report["tasks"]:
        rows.append([task["number"], task["level"], task["max_score"], task["threshold"],
                     *(task["success"][g["level"]] for g in groups)])  # fmt: skip
        flags.append([focus_column] if task["verdict"] == "below" else [])
    _table(ws, headers, rows, flags=flags)
    if report.get("schools"):
        numbers = [t["number"] for t in report["tasks"]]
        _table(ws, ["ОО (логин)", "Участников", *numbers],
               [[f"{s['name']} ({s['login']})", s["n"], *s["success"]] for s in report["schools"]])  # fmt: skip
    _widths(ws, first=12, rest=16)


def _dynamics(wb: Workbook, report: dict[str, Any]) -> None:
    ws = wb.active
    ws.title = "Динамика"
    _header(ws, report)
    for g in report["groups"]:
        spreadsheets.append(ws, [g["label"]])
        ws.cell(row=ws.max_row, column=1).font = _BOLD
        _table(ws, ["Год", "Участников", "«2», %", "«4» и «5», %", "Средний балл, % от макс."],
               [[year, p["n"], p["share_2"], p["quality"], p["mean_percent"]]
                for year, p in zip(report["years"], g["points"], strict=True)])  # fmt: skip
        for flag in g.get("negative", []):
            spreadsheets.append(ws, [f"Отрицательная динамика: {flag}"])
    _widths(ws, first=20, rest=16)


_SHEETS = {
    "marks": _marks,
    "journal": _journal,
    "histogram": _histogram,
    "tasks": _tasks,
    "dynamics": _dynamics,
}


def report_workbook(report: dict[str, Any]) -> bytes:
    wb = spreadsheets.new_workbook()
    _SHEETS[report["kind"]](wb, report)
    ws = wb.active
    if report.get("notes"):
        spreadsheets.append(ws, [])
        for note in report["notes"]:
            spreadsheets.append(ws, [note])
    return spreadsheets.workbook_bytes(wb)
