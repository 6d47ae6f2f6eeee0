"""Fixtures of the plans tests: small plan dicts, seed files, documents built on the fly."""

from __future__ import annotations

import glob
import io
from datetime import date
from pathlib import Path

import pytest

from plans.services import schedule
from tests import factories

SEEDS = Path("/work/shared/seeds")


def seed_path(number: str) -> Path:
    (path,) = glob.glob(str(SEEDS / f"{number}_*.txt"))
    return Path(path)


def deadline(text: str, kind: str, *windows: tuple[str, str]) -> dict:
    return {
        "text": text,
        "kind": kind,
        "windows": [{"start": start, "end": end} for start, end in windows],
    }


def item(
    number: str | None,
    text: str,
    *,
    deadline_: dict | None = None,
    responsible: list[str] | None = None,
    expected_result: str | None = None,
    children: list[dict] | None = None,
) -> dict:
    return {
        "number": number,
        "text": text,
        "deadline": deadline_ or deadline("", "unknown"),
        "responsible": responsible or [],
        "expected_result": expected_result,
        "children": children or [],
    }


def small_plan_dict() -> dict:
    """A plan in the import_plan --json shape: two sections, a nested item, an event item."""
    return {
        "title": "План мероприятий по обеспечению объективности ВПР в 2023-2024 учебном году",
        "period": {"start": "2023-09-01", "end": "2024-08-31"},
        "approval": {
            "position": "Начальник управления образования",
            "name": "И.В. Петрова",
            "date": "2023-09-05",
        },
        "basis": "Региональный план мероприятий на 2023-2024 учебный год",
        "order": "Приложение 1 к приказу управления образования от 05.09.2023 № 101",
        "goal": "Обеспечение объективности ВПР",
        "tasks": ["Недопущение необъективных результатов", "Информирование родителей"],
        "expected_results": ["Отсутствие ОО с признаками необъективности"],
        "sections": [
            {
                "number": "1.",
                "title": "Нормативное обеспечение",
                "items": [
                    item(
                        "1.1.",
                        "Издание приказа о проведении ВПР",
                        deadline_=deadline("Март 2024", "window", ("2024-03-01", "2024-03-31")),
                        responsible=["Отдел образования", "Руководители ОО"],
                        expected_result="Приказ",
                    ),
                    item(
                        "1.2.",
                        "Присутствие специалистов в ОО в дни проведения ВПР",
                        deadline_=deadline("По графику проведения ВПР", "event"),
                        responsible=["Муниципальный координатор"],
                    ),
                ],
            },
            {
                "number": "2.",
                "title": "Методическое сопровождение",
                "items": [
                    item(
                        "2",
                        "Заседания методических объединений",
                        children=[
                            item(
                                "2.1",
                                "Заседание РМО учителей математики",
                                deadline_=deadline(
                                    "Октябрь – февраль",
                                    "window",
                                    ("2023-10-01", "2024-02-29"),
                                ),
                                responsible=["Руководители РМО"],
                            ),
                            item(
                                "2.2",
                                "Заседание РМО учителей русского языка",
                                deadline_=deadline("Неизвестно когда", "unknown"),
                                responsible=["И.В. Петрова"],
                            ),
                        ],
                    ),
                ],
            },
        ],
    }


@pytest.fixture
def plan_dict() -> dict:
    return small_plan_dict()


@pytest.fixture
def no_schedule(monkeypatch):
    """No VPR schedule known: event items get no windows."""
    monkeypatch.setattr(schedule, "vpr_dates", lambda **kwargs: [])


@pytest.fixture
def vpr_schedule(monkeypatch):
    """A spring VPR schedule: 2024-03-15 … 2024-04-20 (and nothing else)."""
    days = [date(2024, 3, 15), date(2024, 3, 20), date(2024, 4, 20)]

    def fake(*, municipality, period_start, period_end):
        return [d for d in days if period_start <= d <= period_end]

    monkeypatch.setattr(schedule, "vpr_dates", fake)
    return days


@pytest.fixture
def approved_plan(municipality, no_schedule):
    """An approved plan of municipality A with three items, one of them for all schools."""
    plan = factories.PlanFactory(municipality=municipality)
    section = factories.PlanSectionFactory(plan=plan, number="1.", title="Контроль")
    factories.PlanItemFactory(
        section=section,
        number="1.1.",
        text="Совещание с руководителями ОО",
        responsible=["Руководители ОО"],
    )
    factories.PlanItemFactory(
        section=section,
        number="1.2.",
        text="Анализ результатов ВПР",
        deadline_text="Май 2024",
        windows=[(date(2024, 5, 1), date(2024, 5, 31))],
        responsible=["Отдел образования"],
    )
    factories.PlanItemFactory(
        section=section,
        number="1.3.",
        text="Горячая линия",
        deadline_text="В течение года",
        deadline_kind="continuous",
        windows=[(date(2023, 9, 1), date(2024, 8, 31))],
        responsible=["Муниципальный координатор"],
    )
    return plan


def docx_plan(rows: list[list[str]], *, paragraphs: list[str] | None = None) -> bytes:
    """A Word document with the given paragraphs and one table of the given rows."""
    import docx

    document = docx.Document()
    for paragraph in paragraphs or []:
        document.add_paragraph(paragraph)
    if rows:
        table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        for row, values in zip(table.rows, rows, strict=True):
            for cell, value in zip(row.cells, values, strict=False):
                cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_plan(rows: list[list[str]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


HEADER = ["№", "Мероприятие", "Срок", "Ответственные"]
