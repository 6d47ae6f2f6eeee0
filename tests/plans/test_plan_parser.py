"""Plan import parsing (plans.parsing): the five seed plans, .docx/.xlsx/text layouts, errors.

These tests need no database and no Django: the parser is a pure package.
"""

from __future__ import annotations

import glob
import io
import json
import re
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plans.parsing import (
    ParsedPlan,
    PlanItem,
    PlanParseError,
    RawDocument,
    parse_plan,
    read_text,
    split_responsible,
)

SEEDS = "/work/shared/seeds"
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def seed_text(number: str) -> str:
    (path,) = glob.glob(f"{SEEDS}/{number}_*.txt")
    return Path(path).read_text(encoding="utf-8")


def seed(number: str) -> ParsedPlan:
    return parse_plan(seed_text(number))


def items_by_number(plan: ParsedPlan) -> dict[str, PlanItem]:
    return {item.number: item for _, item in plan.iter_items() if item.number}


def all_items(plan: ParsedPlan) -> list[PlanItem]:
    return [item for _, item in plan.iter_items()]


# --------------------------------------------------------------------------- document builders


def _set_cell_text(cell, text: str) -> None:
    for paragraph in cell.paragraphs[1:]:
        paragraph._p.getparent().remove(paragraph._p)
    lines = text.split("\n") if text else [""]
    cell.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def build_docx(raw: RawDocument, *, merge: bool = True) -> bytes:
    """A real Word table from rows of cell strings.

    Equal neighbouring cells become one merged cell (gridSpan) and a row whose only text is
    in its first cell (a section row) is merged across the table, as Word users do.
    """
    document = docx.Document()
    for line in raw.header_lines:
        document.add_paragraph(line)
    width = max(len(row.cells) for row in raw.rows)
    table = document.add_table(rows=len(raw.rows), cols=width)
    for row_index, (row, source) in enumerate(zip(table.rows, raw.rows, strict=True)):
        cells = row.cells
        values = [*source.cells, *[""] * (width - len(source.cells))]
        filled = [k for k, value in enumerate(values) if value]
        if merge and row_index > 0 and filled == [0] and width > 1:
            _set_cell_text(cells[0].merge(cells[width - 1]), values[0])
            continue
        column = 0
        while column < width:
            end = column
            while (
                merge and values[column] and end + 1 < width and values[end + 1] == values[column]
            ):
                end += 1
            target = cells[column] if end == column else cells[column].merge(cells[end])
            _set_cell_text(target, values[column])
            column = end + 1
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def build_xlsx(raw: RawDocument, *, merge: bool = True) -> bytes:
    """An Excel sheet: header lines in column A, then the table; equal neighbours merged."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line_index, line in enumerate(raw.header_lines, start=1):
        sheet.cell(row=line_index, column=1, value=line or None)
    offset = len(raw.header_lines)
    width = max(len(row.cells) for row in raw.rows)
    for row_index, source in enumerate(raw.rows, start=offset + 1):
        values = [*source.cells, *[""] * (width - len(source.cells))]
        filled = [k for k, value in enumerate(values) if value]
        if merge and row_index > offset + 1 and filled == [0] and width > 1:
            sheet.cell(row=row_index, column=1, value=values[0])
            sheet.merge_cells(
                start_row=row_index, start_column=1, end_row=row_index, end_column=width
            )
            continue
        column = 0
        while column < width:
            end = column
            while (
                merge and values[column] and end + 1 < width and values[end + 1] == values[column]
            ):
                end += 1
            sheet.cell(row=row_index, column=column + 1, value=values[column] or None)
            if end > column:
                sheet.merge_cells(
                    start_row=row_index,
                    start_column=column + 1,
                    end_row=row_index,
                    end_column=end + 1,
                )
            column = end + 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def docx_with_table(
    rows: list[list[str]], *, paragraphs: tuple[str, ...] = ("План мероприятий",)
) -> docx.Document:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=False):
            _set_cell_text(cell, value)
    return document


def docx_bytes(document: docx.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


HEADER = ["№ п/п", "Мероприятие", "Срок", "Ответственные", "Ожидаемый результат"]


# --------------------------------------------------------------------------- the five seeds


@pytest.mark.parametrize(
    ("number", "sections", "top_level", "total"),
    [
        ("000", 5, 11, 11),
        ("001", 3, 16, 16),
        ("002", 3, 13, 16),
        ("003", 4, 16, 16),
        ("004", 1, 13, 13),
    ],
)
def test_seed_plans_have_the_expected_sections_and_items(number, sections, top_level, total):
    plan = seed(number)
    assert len(plan.sections) == sections
    assert plan.top_level_item_count == top_level
    assert plan.item_count == total
    data = plan.to_json_dict()
    assert len(data["sections"]) == sections
    assert sum(len(s["items"]) for s in data["sections"]) == top_level


def test_seed_000_smolensk_academic_year_plan():
    plan = seed("000")
    assert plan.layout == "tab-indented"
    assert (
        plan.title == "План мероприятий по обеспечению объективности ВПР в 2020-2021 учебном году"
    )
    assert (plan.period_start, plan.period_end) == (date(2020, 9, 1), date(2021, 8, 31))
    assert plan.approval is None and plan.order is None
    assert [s.number for s in plan.sections] == [
        "1.",
        "2.",
        "2.",
        "3.",
        "4.",
    ]  # "2." twice, as written
    assert plan.sections[2].title == "Контроль организации и проведения ВПР в городе Смоленске"
    assert plan.columns == ("number", "text", "deadline", "responsible", "expected_result")
    items = items_by_number(plan)
    first = items["1.1."]
    assert first.text.endswith(
        "ВПР 2020 -2021\nСсылка на документы со страницы сайта Администрации города Смоленска"
    )
    assert first.deadline.text == "В течение года"  # the cell's text was on the next line
    assert first.deadline.kind == "continuous"
    assert first.deadline.windows == ((date(2020, 9, 1), date(2021, 8, 31)),)
    assert items["2.1."].deadline.windows[0][1] == date(2020, 10, 1)
    assert [w[0].isoformat() for w in items["2.4."].deadline.windows] == [
        "2020-12-01",
        "2021-09-01",
    ]
    assert items["2.4."].expected_result.endswith("общеобразовательные учреждения г. Смоленска")
    assert items["2.2."].deadline.kind == "event"
    assert items["2.6."].responsible == ["ОЦПРМСО", "методический отдел МБУ ДО «ЦДО»"]
    assert items["3.3."].responsible == ["ОЦПРМСО", "ОО"]


def test_seed_001_bratsk_plan_with_page_breaks_and_unnumbered_items():
    plan = seed("001")
    assert plan.layout == "tab-separated"
    assert plan.title.startswith("ПЛАН МЕРОПРИЯТИЙ, НАПРАВЛЕННЫХ НА ПОВЫШЕНИЕ КАЧЕСТВА")
    assert plan.title.endswith("БРАТСКОГО РАЙОНА (НА ОСНОВЕ ВПР 2019)")
    assert (plan.period_start, plan.period_end) == (date(2019, 9, 1), date(2020, 8, 31))
    assert plan.tasks == [
        "обеспечение объективности образовательных результатов в рамках ВПР 2020",
        "профилактическая работа с образовательными учреждениями по предупреждению "
        "необъективности результатов при проведении ВПР 2020",
        "формирование у участников образовательных отношений позитивного отношения к "
        "объективности образовательных результатов",
    ]
    # columns in the source's order: the date comes before the measure
    assert plan.columns == ("number", "deadline", "text", "responsible", "expected_result")
    items = items_by_number(plan)
    assert items["1.1."].deadline.windows == ((date(2019, 10, 9), date(2019, 10, 9)),)
    row_12 = items["1.2."]
    assert (
        row_12.responsible_text
        == "Руководители ОО Контроль: общественные наблюдатели, специалисты УО"
    )
    assert row_12.responsible[-1] == "специалисты УО"
    assert "Технологическая готовность копировальной техникой." in row_12.expected_result
    assert items["1.3."].deadline.windows == ((date(2020, 2, 1), date(2020, 2, 29)),)
    assert items["1.4."].deadline.windows == ((date(2019, 10, 1), date(2020, 2, 29)),)
    second, third = plan.sections[1], plan.sections[2]
    assert all(item.number is None for item in second.items + third.items)
    assert len(second.items) == 8 and len(third.items) == 4
    seminar = second.items[0]
    assert seminar.deadline.text == "Февраль 2020 г."
    assert seminar.responsible_text.endswith("муниципальные эксперты по перепроверке ВПР")
    assert "-система регулярных независимых оценочных процедур" in seminar.expected_result
    # a row whose empty number cell was lost in the extract is put back in place
    meetings = second.items[1]
    assert meetings.deadline.text == "Январь – февраль"
    assert meetings.text.startswith("– Проведение совещаний с руководителями ОО")
    assert meetings.responsible == [
        "Начальник УО муниципальный координатор проведения процедуры ВПР"
    ]
    control = second.items[2]
    assert control.deadline.text == "Февраль – март"
    assert "<p>" not in control.expected_result
    assert control.expected_result.endswith(
        "аналитической экспертной работы с результатами оценочных процедур."
    )
    hotline_site = third.items[1]
    assert hotline_site.text.startswith("Размещение на сайте в специальном разделе «ВПР»")
    assert hotline_site.deadline.text == "" and hotline_site.deadline.kind == "unknown"
    assert third.items[0].expected_result is None
    assert [w.code for w in plan.warnings] == ["deadline_missing"]
    assert plan.warnings[0].item_path == (2, 1)


def test_seed_002_krasny_kholm_plan_with_approval_and_nested_items():
    plan = seed("002")
    assert plan.approval is not None
    assert plan.approval.name == "И.В.Шадеркова"
    assert plan.approval.date == date(2023, 2, 10)
    assert plan.approval.position == (
        "Заведующий Отделом образования Администрации Краснохолмского муниципального округа"
    )
    assert plan.basis.startswith("План мероприятий по обеспечению объективности оценки")
    assert plan.basis.endswith("Министерства образования Тверской области Н.А.Тарасовой")
    assert plan.title == (
        "План мероприятий по обеспечению объективности оценки образовательных результатов при "
        "проведении всероссийских проверочных работ на территории Краснохолмского "
        "муниципального округа в 2023 году"
    )
    assert (plan.period_start, plan.period_end) == (date(2023, 1, 1), date(2023, 12, 31))
    assert [s.number for s in plan.sections] == ["I", "II", "III"]
    assert plan.sections[1].title.startswith("направление – выявление ОО с необъективными")
    assert plan.columns == ("number", "text", "deadline", "responsible")
    eight = plan.sections[1].items[-1]
    assert eight.number == "8."
    assert [child.number for child in eight.children] == ["8.1.", "8.2.", "8.3."]
    assert eight.deadline.text == "" and eight.responsible == []
    assert eight.children[0].deadline.windows == ((date(2023, 5, 1), date(2023, 6, 30)),)
    items = items_by_number(plan)
    assert items["3."].responsible == [
        "Отдел образования Администрации Краснохолмского муниципального округа",
        "общеобразовательные учреждения (далее- ОУ)",
    ]
    assert len(items["9."].deadline.windows) == 2
    assert items["13."].deadline.kind == "continuous"
    assert plan.warnings == []  # item 8 has children, so its empty deadline is fine
    assert plan.to_json_dict()["sections"][1]["items"][-1]["children"][2]["number"] == "8.3."


def test_seed_003_buinaksk_roadmap_with_merged_responsible_cells():
    plan = seed("003")
    assert plan.title == (
        "Дорожная карта мероприятий по обеспечению объективности результатов знаний "
        "обучающихся в процедуре ВПР 2023-2024 учебного года"
    )
    assert (plan.period_start, plan.period_end) == (date(2023, 9, 1), date(2024, 8, 31))
    items = items_by_number(plan)
    merged = "Муниципальный координатор ВПР. Руководители ОУ, школьные координаторы"
    row_22 = items["2.2."]
    assert row_22.responsible_text.count(merged) == 1  # the merged cell is not repeated
    assert row_22.responsible_text == f"Муниципальный координатор Школьные координаторы\n{merged}"
    assert row_22.expected_result.startswith("Качественная подготовка и проведение ВПР.")
    assert items["2.3."].responsible == ["Муниципальный координатор"]
    assert items["2.3."].expected_result == "Повышение качества проведения ВПР"
    assert items["3.1."].responsible == ["ИМЦ", "руководители ОО"]
    assert items["2.1."].text.endswith("ГМО учителей-предметников.")
    assert items["3.1."].text.endswith("ВПР по результатам 2020-2021 учебного года.")
    assert items["3.2."].deadline.kind == "event"  # "Про графику ЦОКО"
    assert items["1.3."].deadline.windows == ((date(2023, 5, 1), date(2023, 5, 31)),)
    warnings = {(w.code, w.item_number, w.field, w.word) for w in plan.warnings}
    assert ("mixed_script", "2.2.", "expected_result", "неobjективности") in warnings
    assert ("mixed_script", "3.1.", "text", "неobjективными") in warnings
    assert ("deadline_outside_period", "1.3.", "deadline", None) in warnings
    mixed = next(w for w in plan.warnings if w.word == "неobjективными")
    assert mixed.row == 23 and mixed.item_path == (2, 0)
    assert "неobjективными" in mixed.message and "латинские" in mixed.message


def test_seed_004_predgorny_plan_with_order_goal_tasks_and_people():
    plan = seed("004")
    assert (
        plan.order
        == "Приложение 1 к приказу управления образования администрации ПМО СК от 03.03.2021 № 89"
    )
    assert plan.goal == "обеспечение объективности проведения оценочных процедур"
    assert plan.tasks == [
        "Повышение качества образования обучающихся в соответствии с федеральными "
        "государственными образовательными стандартами",
        "Недопущение необъективных результатов образовательной деятельности",
    ]
    assert plan.expected_results == [
        "Создание условий для предотвращения необъективности проведения оценочных процедур"
    ]
    assert plan.title.startswith("План мероприятий, направленный на обеспечение объективности")
    assert (plan.period_start, plan.period_end) == (date(2021, 1, 1), date(2021, 12, 31))
    (section,) = plan.sections
    assert section.number is None and section.title is None
    items = items_by_number(plan)
    seven = items["7"]
    assert seven.deadline.windows == ((date(2021, 3, 20), date(2021, 3, 26)),)
    assert "Ю.И. Беляева" in seven.responsible
    assert seven.responsible == [
        "Ю.И. Беляева",
        "О.Ф. Тараканова",
        "О.В. Калайчева",
        "Руководители ОО",
        "Руководители РМО учителей -предметников",
    ]
    assert items["2"].responsible == [
        "И.В. Слынько",
        "Ю.И. Беляева",
        "О.В. Калайчева",
        "Руководители ОО",
    ]
    assert items["6"].deadline.kind == "date"
    assert items["11"].deadline.text == "Март - апрель 2021"  # row cut by a blank line
    assert items["11"].responsible == ["Руководители ОО"]
    assert items["12"].text.startswith("Организация работы «горячей линии»")
    assert items["13"].deadline.text == "Июнь-июль 2021"
    assert [item.number for item in section.items][:3] == ["1.", "2", "3"]  # as written


def test_json_has_exactly_the_import_plan_shape():
    data = seed("002").to_json_dict()
    assert set(data) == {
        "title",
        "period",
        "approval",
        "basis",
        "order",
        "goal",
        "tasks",
        "expected_results",
        "sections",
    }
    assert data["period"] == {"start": "2023-01-01", "end": "2023-12-31"}
    assert data["approval"] == {
        "position": "Заведующий Отделом образования Администрации Краснохолмского муниципального округа",
        "name": "И.В.Шадеркова",
        "date": "2023-02-10",
    }
    assert set(data["sections"][0]) == {"number", "title", "items"}
    item = data["sections"][0]["items"][0]
    assert set(item) == {"number", "text", "deadline", "responsible", "expected_result", "children"}
    assert item["deadline"] == {
        "text": "Март 2023",
        "kind": "window",
        "windows": [{"start": "2023-03-01", "end": "2023-03-31"}],
    }
    json.dumps(data, ensure_ascii=False)  # serialisable as is


@pytest.mark.parametrize("number", ["000", "001", "002", "003", "004"])
def test_json_round_trip(number):
    data = seed(number).to_json_dict()
    assert ParsedPlan.from_json_dict(json.loads(json.dumps(data))).to_json_dict() == data


# --------------------------------------------------------------------------- same plans as .docx / .xlsx


@pytest.mark.parametrize("number", ["000", "001", "002", "003", "004"])
def test_seed_rebuilt_as_a_word_table_parses_to_the_same_plan(number):
    text = seed_text(number)
    expected = parse_plan(text).to_json_dict()
    data = build_docx(read_text(text))
    plan = parse_plan(data)
    assert plan.source_format == "docx"
    assert plan.to_json_dict() == expected


@pytest.mark.parametrize("number", ["000", "001", "002", "003", "004"])
def test_seed_rebuilt_as_an_excel_sheet_parses_to_the_same_plan(number):
    text = seed_text(number)
    expected = parse_plan(text).to_json_dict()
    plan = parse_plan(build_xlsx(read_text(text)))
    assert plan.source_format == "xlsx"
    assert plan.to_json_dict() == expected


def test_word_table_with_a_header_cell_spanning_sub_columns():
    """Seed 003's layout as Word has it: «Ответственные» spans three columns."""
    document = docx_with_table(
        [
            ["№", "Мероприятия", "Дата проведения", "Ответственные", "", "", "Ожидаемый результат"],
            [
                "1.1.",
                "Анализ итогов ВПР",
                "Сентябрь 2023г.",
                "Муниципальный координатор",
                "",
                "",
                "Отчёт",
            ],
            ["1.2.", "Консультации", "Весь период", "ИМЦ", "ИМЦ", "Руководители ОО", "Помощь"],
        ],
        paragraphs=("Дорожная карта на 2023-2024 учебный год",),
    )
    table = document.tables[0]
    header = table.rows[0].cells
    _set_cell_text(header[3].merge(header[5]), "Ответственные")
    first = table.rows[1].cells
    _set_cell_text(first[3].merge(first[5]), "Муниципальный координатор")
    second = table.rows[2].cells
    _set_cell_text(second[3].merge(second[4]), "ИМЦ")
    plan = parse_plan(docx_bytes(document))
    one, two = plan.sections[0].items
    assert one.responsible == ["Муниципальный координатор"]
    assert one.responsible_text == "Муниципальный координатор"
    assert two.responsible == ["ИМЦ", "Руководители ОО"]
    assert two.expected_result == "Помощь"
    assert one.deadline.windows == ((date(2023, 9, 1), date(2023, 9, 30)),)


def _vmerge(cell, value: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    element = OxmlElement("w:vMerge")
    if value:
        element.set(qn("w:val"), value)
    tc_pr.append(element)


def test_word_cells_merged_down_apply_to_every_row_they_cover():
    document = docx_with_table(
        [
            HEADER,
            ["1", "Совещание", "Март 2021", "Отдел образования", "Протокол"],
            ["2", "Семинар", "Апрель 2021", "", "Материалы"],
            ["", "", "Май 2021", "", ""],
        ]
    )
    rows = document.tables[0].rows
    _vmerge(rows[1].cells[3], "restart")
    _vmerge(rows[2].cells[3], "")
    # item 2's number and text cells span its second row (two deadlines)
    _vmerge(rows[2].cells[0], "restart")
    _vmerge(rows[3].cells[0], "")
    _vmerge(rows[2].cells[1], "restart")
    _vmerge(rows[3].cells[1], "")
    _vmerge(rows[3].cells[3], "")
    plan = parse_plan(docx_bytes(document))
    one, two = plan.sections[0].items
    assert one.responsible == two.responsible == ["Отдел образования"]
    assert two.deadline.text == "Апрель 2021 Май 2021"
    assert two.deadline.windows == (
        (date(2021, 4, 1), date(2021, 4, 30)),
        (date(2021, 5, 1), date(2021, 5, 31)),
    )
    assert two.responsible_text == "Отдел образования"  # not repeated by the covered row


def test_word_document_with_approval_table_title_paragraphs_and_a_split_plan_table():
    document = docx.Document()
    approval = document.add_table(rows=1, cols=2)
    _set_cell_text(
        approval.rows[0].cells[0], "СОГЛАСОВАНО\nПредседатель профсоюза\n____ А.А. Петров"
    )
    _set_cell_text(
        approval.rows[0].cells[1],
        "УТВЕРЖДАЮ\nНачальник управления образования\n_________ Е.Н. Сидорова\n«15» сентября 2022 г.",
    )
    document.add_paragraph("")
    document.add_paragraph("ПЛАН")
    document.add_paragraph("мероприятий по обеспечению объективности ВПР")
    document.add_paragraph("на 2022-2023 учебный год")
    document.add_paragraph("Цель: создание условий для объективной оценки.")
    first = document.add_table(rows=4, cols=4)
    for row, values in zip(
        first.rows,
        [
            ["№", "Наименование мероприятия", "Срок исполнения", "Ответственные исполнители"],
            ["1", "2", "3", "4"],
            ["1.", "Приказ о проведении ВПР", "Сентябрь", "Петрова А.А."],
            ["2.", "Назначение наблюдателей", "Март", "Руководители ОО"],
        ],
        strict=True,
    ):
        for cell, value in zip(row.cells, values, strict=True):
            _set_cell_text(cell, value)
    document.add_paragraph("II. Анализ результатов")
    second = document.add_table(rows=2, cols=4)
    for row, values in zip(
        second.rows,
        [
            ["№", "Наименование мероприятия", "Срок исполнения", "Ответственные исполнители"],
            ["3.", "Анализ результатов ВПР", "Май – июнь", "ИМЦ"],
        ],
        strict=True,
    ):
        for cell, value in zip(row.cells, values, strict=True):
            _set_cell_text(cell, value)
    document.add_paragraph("Исполнитель: Иванова И.И., тел. 2-22-22")
    signature = document.add_table(rows=1, cols=2)
    _set_cell_text(signature.rows[0].cells[0], "Начальник управления")
    _set_cell_text(signature.rows[0].cells[1], "Е.Н. Сидорова")

    plan = parse_plan(docx_bytes(document))
    assert (
        plan.title == "ПЛАН мероприятий по обеспечению объективности ВПР на 2022-2023 учебный год"
    )
    assert plan.approval.position == "Начальник управления образования"
    assert plan.approval.name == "Е.Н. Сидорова"
    assert plan.approval.date == date(2022, 9, 15)
    assert plan.goal == "создание условий для объективной оценки."
    assert (plan.period_start, plan.period_end) == (date(2022, 9, 1), date(2023, 8, 31))
    assert [(s.number, s.title) for s in plan.sections] == [
        (None, None),
        ("II.", "Анализ результатов"),
    ]
    assert [i.number for i in plan.sections[0].items] == ["1.", "2."]
    assert plan.sections[0].items[0].deadline.windows == ((date(2022, 9, 1), date(2022, 9, 30)),)
    assert plan.sections[0].items[1].deadline.windows == ((date(2023, 3, 1), date(2023, 3, 31)),)
    assert plan.sections[1].items[0].deadline.windows == ((date(2023, 5, 1), date(2023, 6, 30)),)
    assert plan.item_count == 3  # the signature table is not a plan row


def test_excel_sheet_with_merged_title_real_dates_and_numbers():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "План мероприятий по обеспечению объективности ВПР в 2021 году"
    sheet.merge_cells("A1:D1")
    sheet.append([])
    sheet.append(["№", "Мероприятие", "Срок", "Ответственный"])
    sheet.append([1, "Совещание руководителей", date(2021, 3, 24), "Отдел образования"])
    sheet.append([2.1, "Перепроверка работ", "Апрель – май", "Эксперты"])
    sheet.append([None, "Работа горячей линии", "Весь период", "Специалисты УО"])
    sheet.append([3, "Анализ результатов", "Июнь", "Методисты"])
    sheet.merge_cells("D6:D7")
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = parse_plan(buffer.getvalue(), filename="план.xlsx")
    assert plan.title == "План мероприятий по обеспечению объективности ВПР в 2021 году"
    items = all_items(plan)
    assert [i.number for i in items] == ["1", "2.1", None, "3"]
    assert items[0].deadline.text == "24.03.2021"
    assert items[0].deadline.kind == "date"
    assert items[3].responsible == ["Специалисты УО"]  # merged down from the row above
    assert items[0].source_row == 4


# --------------------------------------------------------------------------- text layouts


def test_pipe_separated_markdown_table():
    text = """План мероприятий на 2021 год

| № | Мероприятие | Срок | Ответственные |
|---|---|---|---|
| 1. Организационные мероприятия | | | |
| 1.1 | Издание приказа | Январь | Отдел образования |
| 1.2 | Назначение наблюдателей | Март - апрель | Руководители ОО, ИМЦ |
"""
    plan = parse_plan(text)
    assert plan.layout == "pipe"
    assert [(s.number, s.title) for s in plan.sections] == [("1.", "Организационные мероприятия")]
    assert [i.number for i in all_items(plan)] == ["1.1", "1.2"]
    assert all_items(plan)[1].responsible == ["Руководители ОО", "ИМЦ"]
    assert all_items(plan)[1].deadline.windows == ((date(2021, 3, 1), date(2021, 4, 30)),)


def test_pseudographic_table_from_a_legal_database_with_wrapped_cells():
    text = """ПЛАН
мероприятий на 2022 год

┌────┬─────────────────────┬────────────┬──────────────┐
│ N  │   Наименование      │   Срок     │Ответственные │
│п/п │   мероприятия       │ исполнения │              │
├────┼─────────────────────┼────────────┼──────────────┤
│1.  │Проведение совещания │Февраль     │Отдел         │
│    │с руководителями ОО  │2022 г.     │образования   │
├────┼─────────────────────┼────────────┼──────────────┤
│2.  │Общественное         │По графику  │Руководители  │
│    │наблюдение           │ВПР         │ОО            │
└────┴─────────────────────┴────────────┴──────────────┘
"""
    plan = parse_plan(text)
    assert plan.layout == "pipe"
    one, two = all_items(plan)
    assert one.text == "Проведение совещания с руководителями ОО"
    assert one.deadline.text == "Февраль 2022 г."
    assert one.responsible == ["Отдел образования"]
    assert two.deadline.kind == "event"
    assert plan.title == "ПЛАН мероприятий на 2022 год"


def test_one_cell_per_paragraph_text_copied_from_a_legal_database():
    text = """Приложение N 2
к приказу управления образования
от 12.01.2022 N 7

ПЛАН
мероприятий по обеспечению объективности ВПР в 2022 году

N п/п

Наименование мероприятия

Срок исполнения

Ответственные исполнители

1.

Проведение совещания с руководителями ОО

февраль 2022 г.

Управление образования

2.

Организация общественного наблюдения

при проведении ВПР в ОО

март - май 2022 г.

Руководители ОО

ИМЦ
"""
    plan = parse_plan(text)
    assert plan.layout == "paragraphs"
    assert plan.order == "Приложение N 2 к приказу управления образования от 12.01.2022 N 7"
    one, two = all_items(plan)
    assert (one.number, one.text, one.deadline.text) == (
        "1.",
        "Проведение совещания с руководителями ОО",
        "февраль 2022 г.",
    )
    assert two.text == "Организация общественного наблюдения\nпри проведении ВПР в ОО"
    assert two.deadline.windows == ((date(2022, 3, 1), date(2022, 5, 31)),)
    assert two.responsible == ["Руководители ОО", "ИМЦ"]


def test_csv_saved_by_excel_with_semicolons_quotes_and_cp1251():
    text = (
        "План мероприятий на 2021 год;;;\n"
        "№;Мероприятие;Срок;Ответственные\n"
        '1;"Совещание; анализ ""итогов""";Март 2021;"Отдел, ИМЦ"\n'
        '2;"Семинар\nдля учителей";Апрель 2021;ИМЦ\n'
        "3;Анализ;Май 2021;УО\n"
    )
    plan = parse_plan(text.encode("cp1251"), filename="план.csv")
    assert plan.layout == "semicolon-separated"
    assert plan.title == "План мероприятий на 2021 год"
    one, two, three = all_items(plan)
    assert one.text == 'Совещание; анализ "итогов"'
    assert one.responsible == ["Отдел", "ИМЦ"]
    assert two.text == "Семинар\nдля учителей"
    assert three.source_row == 6


def test_text_pasted_from_excel_with_a_quoted_multi_line_cell():
    text = (
        "План на 2021 год\n№\tМероприятие\tСрок\tОтветственные\n"
        '1\t"Семинар\nдля учителей"\tАпрель 2021\tИМЦ\n2\tАнализ\tМай 2021\tУО\n'
    )
    plan = parse_plan(text)
    assert [(i.number, i.text) for i in all_items(plan)] == [
        ("1", "Семинар\nдля учителей"),
        ("2", "Анализ"),
    ]


def test_header_words_and_column_order_vary():
    text = (
        "План работы на 2021 год\n"
        "Ответственные лица\tНаправление деятельности\tОжидаемый результат\tСрок выполнения\t№\tПримечание\n"
        "Отдел образования\tПодготовка приказа\tПриказ\t15.01.2021\t1\tвыполнено\n"
    )
    plan = parse_plan(text)
    (item,) = all_items(plan)
    assert (item.number, item.text, item.expected_result) == ("1", "Подготовка приказа", "Приказ")
    assert item.responsible == ["Отдел образования"]
    assert item.deadline.windows == ((date(2021, 1, 15), date(2021, 1, 15)),)
    assert plan.columns == ("responsible", "text", "expected_result", "deadline", "number")
    (ignored,) = [w for w in plan.warnings if w.code == "column_ignored"]
    assert "Примечание" in ignored.message


def test_nested_numbers_build_a_tree_and_roman_section_numbers_in_their_own_cell():
    text = (
        "План мероприятий на 2021 год\n"
        "№\tМероприятие\tСрок\tОтветственные\n"
        "I.\tОрганизационные мероприятия\t\t\n"
        "1\tПодготовка\t\t\n"
        "1.1\tПриказ\tЯнварь\tОтдел\n"
        "1.1.1\tПроект приказа\tЯнварь\tОтдел\n"
        "1.2\tСовещание\tФевраль\tОтдел\n"
        "2\tМониторинг\tМарт\tОтдел\n"
        "\tКонсультации для учителей\tАпрель\tИМЦ\n"
    )
    plan = parse_plan(text)
    assert [(s.number, s.title) for s in plan.sections] == [("I.", "Организационные мероприятия")]
    one, two, unnumbered = plan.sections[0].items
    assert [c.number for c in one.children] == ["1.1", "1.2"]
    assert [c.number for c in one.children[0].children] == ["1.1.1"]
    assert two.children == [] and unnumbered.number is None
    assert plan.item_count == 6
    paths = [path for path, _ in plan.iter_items()]
    assert paths[:4] == [(0, 0), (0, 0, 0), (0, 0, 0, 0), (0, 0, 1)]


def test_tab_indented_row_continued_after_a_blank_line_and_footer_text_ignored():
    text = (
        "План мероприятий в 2021 году\n\n"
        "\t№\n\tМероприятие\n\tСрок\n\tОтветственные\n\n"
        "\t1\n\tСовещание\n\n\tМарт 2021\n\tОтдел образования\n\n"
        "\t2\n\tСеминар для\nучителей\n\tАпрель 2021\n\tИМЦ\n\n\n"
        "Начальник отдела                     И.И. Иванов\n"
    )
    plan = parse_plan(text)
    one, two = all_items(plan)
    assert (one.deadline.text, one.responsible) == ("Март 2021", ["Отдел образования"])
    assert two.text == "Семинар для\nучителей"
    assert two.responsible == ["ИМЦ"]


def test_text_input_as_bytes_in_cp1251_and_utf8_with_bom():
    text = seed_text("002")
    expected = parse_plan(text).to_json_dict()
    assert parse_plan(text.encode("cp1251")).to_json_dict() == expected
    assert parse_plan(b"\xef\xbb\xbf" + text.encode("utf-8")).to_json_dict() == expected


def test_sources_path_file_object_and_path_string(tmp_path):
    data = build_docx(read_text(seed_text("004")))
    path = tmp_path / "план.docx"
    path.write_bytes(data)
    expected = seed("004").to_json_dict()
    assert parse_plan(path).to_json_dict() == expected
    assert parse_plan(str(path)).to_json_dict() == expected
    with path.open("rb") as handle:
        assert parse_plan(handle).to_json_dict() == expected
    text_path = tmp_path / "план.txt"
    text_path.write_text(seed_text("004"), encoding="utf-8")
    assert parse_plan(text_path).to_json_dict() == expected


def test_word_section_rows_with_the_number_in_its_own_cell_and_the_title_merged():
    document = docx_with_table(
        [
            ["№ п/п", "Содержание мероприятия", "Сроки реализации", "Ответственный исполнитель"],
            ["1.", "Организационно-методическое обеспечение", "", ""],
            ["1.1.", "Приказ о проведении ВПР", "Сентябрь 2021", "УО"],
            ["2.", "Контроль", "", ""],
            ["2.1.", "Общественное наблюдение", "2 раза в год", "ОО"],
        ],
        paragraphs=("План на 2021-2022 учебный год",),
    )
    for row in (1, 3):
        cells = document.tables[0].rows[row].cells
        title = cells[1].text
        _set_cell_text(cells[1].merge(cells[3]), title)
    plan = parse_plan(docx_bytes(document))
    assert [(s.number, s.title) for s in plan.sections] == [
        ("1.", "Организационно-методическое обеспечение"),
        ("2.", "Контроль"),
    ]
    assert [i.number for i in all_items(plan)] == ["1.1.", "2.1."]
    assert all_items(plan)[1].deadline.kind == "continuous"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            [
                "УТВЕРЖДАЮ:",
                "Начальник управления образования",
                "_____________/И.И. Иванов/",
                "«___»__________2021 г.",
                "",
                "План мероприятий на 2021 год",
            ],
            {
                "approval": ("Начальник управления образования", "И.И. Иванов", None),
                "title": "План мероприятий на 2021 год",
            },
        ),
        (
            [
                "УТВЕРЖДАЮ",
                "Начальник МКУ «Управление образования» ________ Петрова А.А.",
                "«05» октября 2020 г.",
                "",
                "ПЛАН",
                "мероприятий по подготовке к ВПР",
            ],
            {
                "approval": (
                    "Начальник МКУ «Управление образования»",
                    "Петрова А.А.",
                    date(2020, 10, 5),
                ),
                "title": "ПЛАН мероприятий по подготовке к ВПР",
            },
        ),
        (
            [
                "УТВЕРЖДЕНО",
                "приказом управления образования",
                "от 10.01.2023 № 5",
                "",
                "План мероприятий",
            ],
            {
                "approval": None,
                "order": "УТВЕРЖДЕНО приказом управления образования от 10.01.2023 № 5",
            },
        ),
        (
            [
                "Цель:",
                "повышение объективности",
                "оценки результатов",
                "",
                "Задачи:",
                "1) провести;",
                "2) обеспечить.",
                "",
                "План работы",
            ],
            {
                "goal": "повышение объективности оценки результатов",
                "tasks": ["провести", "обеспечить"],
                "title": "План работы",
            },
        ),
        (
            ["Задачи: обеспечить наблюдение; провести перепроверку", "ПЛАН мероприятий"],
            {
                "tasks": ["обеспечить наблюдение", "провести перепроверку"],
                "title": "ПЛАН мероприятий",
            },
        ),
    ],
)
def test_header_block_variants(lines, expected):
    text = "\n".join([*lines, "", "№\tМероприятие\tСрок", "1\tСовещание\tМарт 2021"])
    plan = parse_plan(text)
    for key, value in expected.items():
        if key == "approval":
            actual = plan.approval and (
                plan.approval.position,
                plan.approval.name,
                plan.approval.date,
            )
            assert actual == value
        else:
            assert getattr(plan, key) == value


# --------------------------------------------------------------------------- warnings and parties


def test_warnings_name_the_row_the_item_and_the_problem_in_russian():
    text = (
        "План мероприятий на 2021 год\n"
        "№\tМероприятие\tСрок\tОтветственные\n"
        "1.\tПроверка рабoт\tкогда-нибудь\tОтдел\n"  # Latin "o" in "рабoт"
        "2.\tСеминар\t\tИМЦ\n"
        "3.\tАнализ\tФевраль 2019\tИМЦ\n"
    )
    plan = parse_plan(text)
    by_code = {w.code: w for w in plan.warnings}
    assert set(by_code) == {
        "mixed_script",
        "deadline_unrecognised",
        "deadline_missing",
        "deadline_outside_period",
    }
    mixed = by_code["mixed_script"]
    assert (mixed.row, mixed.item_path, mixed.item_number, mixed.field, mixed.word) == (
        3,
        (0, 0),
        "1.",
        "text",
        "рабoт",
    )
    assert mixed.message.startswith("Строка 3, пункт 1: слово «рабoт»")
    assert (
        by_code["deadline_unrecognised"].message
        == "Строка 3, пункт 1: срок не распознан: «когда-нибудь»."
    )
    assert by_code["deadline_missing"].row == 4
    assert "выходит за период плана" in by_code["deadline_outside_period"].message
    assert all(CYRILLIC.search(w.message) for w in plan.warnings)


def test_plan_without_title_or_period_is_reported():
    plan = parse_plan("№\tМероприятие\tСрок\n1\tСовещание\tМарт\n")
    codes = [w.code for w in plan.warnings]
    assert (
        "title_missing" in codes and "period_unknown" in codes and "deadline_year_unknown" in codes
    )
    assert plan.title == "" and plan.period_start is None


@pytest.mark.parametrize(
    ("text", "parties"),
    [
        ("Ю.И. Беляева\nО.Ф. Тараканова", ["Ю.И. Беляева", "О.Ф. Тараканова"]),
        ("И.В.Шадеркова, Н.А.Тарасова", ["И.В.Шадеркова", "Н.А.Тарасова"]),
        ("Безделёва М.А., зам. дир. ЦРО", ["Безделёва М.А.", "зам. дир. ЦРО"]),
        ("ОЦПРМСО; ИМЦ", ["ОЦПРМСО", "ИМЦ"]),
        ("МБУ ДО «ЦДО, методический отдел»", ["МБУ ДО «ЦДО, методический отдел»"]),
        (
            "общеобразовательные учреждения (далее - ОУ, школы)",
            ["общеобразовательные учреждения (далее - ОУ, школы)"],
        ),
        (
            "Муниципальный координатор Школьные координаторы",
            ["Муниципальный координатор", "Школьные координаторы"],
        ),
        (
            "Муниципальный координатор ВПР. Руководители ОУ",
            ["Муниципальный координатор ВПР", "Руководители ОУ"],
        ),
        ("Начальник УО, ", ["Начальник УО"]),
        ("ИМЦ, ИМЦ", ["ИМЦ"]),
        ("", []),
    ],
)
def test_responsible_cell_is_split_into_parties(text, parties):
    assert split_responsible(text) == parties


# --------------------------------------------------------------------------- bad input


def assert_russian_error(error: PlanParseError, code: str) -> None:
    assert error.code == code
    assert CYRILLIC.search(str(error))
    assert str(error) == error.message


@pytest.mark.parametrize(
    "text",
    [
        "Съешь же ещё этих мягких французских булок, да выпей чаю.\nВторая строка текста.",
        "lorem ipsum dolor sit amet\tconsectetur\tadipiscing",
        "1\t2\t3\n4\t5\t6\n",
    ],
)
def test_random_text_is_refused(text):
    with pytest.raises(PlanParseError) as caught:
        parse_plan(text)
    assert_russian_error(caught.value, "no_header")
    assert "заголовков" in str(caught.value)


@pytest.mark.parametrize("text", ["", "   \n\t\n"])
def test_empty_text_is_refused(text):
    with pytest.raises(PlanParseError) as caught:
        parse_plan(text)
    assert_russian_error(caught.value, "empty")


def test_a_table_with_a_header_and_no_rows_is_refused():
    with pytest.raises(PlanParseError) as caught:
        parse_plan("План\n№\tМероприятие\tСрок\tОтветственные\n\n")
    assert_russian_error(caught.value, "no_items")
    empty_table = docx_with_table([HEADER, ["", "", "", "", ""]])
    with pytest.raises(PlanParseError) as caught:
        parse_plan(docx_bytes(empty_table))
    assert_russian_error(caught.value, "no_items")


def test_a_word_document_without_a_table_is_refused():
    document = docx.Document()
    document.add_paragraph("План мероприятий")
    document.add_paragraph("1. Совещание — март")
    with pytest.raises(PlanParseError) as caught:
        parse_plan(docx_bytes(document))
    assert_russian_error(caught.value, "no_table")
    assert "нет таблицы" in str(caught.value)


def test_a_word_table_that_is_not_a_plan_is_refused():
    document = docx_with_table([["Имя", "Телефон"], ["Иванов", "2-22-22"]])
    with pytest.raises(PlanParseError) as caught:
        parse_plan(docx_bytes(document))
    assert_russian_error(caught.value, "no_header")


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04 this is not really a zip archive",
        b"\x00\x01\x02garbage" * 50,
        docx_bytes(docx_with_table([HEADER]))[:300],  # truncated
    ],
)
def test_a_corrupt_docx_is_refused(tmp_path, data):
    path = tmp_path / "план.docx"
    path.write_bytes(data)
    with pytest.raises(PlanParseError) as caught:
        parse_plan(path)
    assert_russian_error(caught.value, "corrupt")
    assert ".docx" in str(caught.value)


def test_a_zip_with_a_broken_document_xml_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<not-closed")
    with pytest.raises(PlanParseError) as caught:
        parse_plan(buffer.getvalue())
    assert_russian_error(caught.value, "corrupt")


def test_an_xlsx_renamed_to_docx_is_detected_and_named(tmp_path):
    path = tmp_path / "план.docx"
    path.write_bytes(build_xlsx(read_text(seed_text("004"))))
    with pytest.raises(PlanParseError) as caught:
        parse_plan(path)
    assert_russian_error(caught.value, "wrong_format")
    assert "Excel" in str(caught.value) and ".xlsx" in str(caught.value)
    assert "план.docx" in str(caught.value)
    # declared explicitly: the same answer
    with pytest.raises(PlanParseError) as caught:
        parse_plan(path.read_bytes(), format="docx")
    assert_russian_error(caught.value, "wrong_format")
    # without a name, the content decides and the plan is read
    assert parse_plan(path.read_bytes()).item_count == 13


def test_a_docx_renamed_to_xlsx_is_detected(tmp_path):
    path = tmp_path / "план.xlsx"
    path.write_bytes(build_docx(read_text(seed_text("004"))))
    with pytest.raises(PlanParseError) as caught:
        parse_plan(path)
    assert_russian_error(caught.value, "wrong_format")
    assert "Word" in str(caught.value)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "unsupported"),  # .doc / .xls
        (b"%PDF-1.7\n...", "unsupported"),
        (b"{\\rtf1\\ansi ...}", "unsupported"),
        (b"\x89PNG\r\n\x1a\n....", "unsupported"),
    ],
)
def test_unsupported_formats_are_refused(data, code):
    with pytest.raises(PlanParseError) as caught:
        parse_plan(data)
    assert_russian_error(caught.value, code)


def test_a_text_format_given_for_a_binary_file_is_refused():
    with pytest.raises(PlanParseError) as caught:
        parse_plan(build_docx(read_text(seed_text("004"))), format="text")
    assert_russian_error(caught.value, "wrong_format")


def test_a_missing_file_and_an_unknown_format_are_refused(tmp_path):
    with pytest.raises(PlanParseError) as caught:
        parse_plan(tmp_path / "нет.docx")
    assert_russian_error(caught.value, "corrupt")
    with pytest.raises(PlanParseError) as caught:
        parse_plan("текст", format="pdf")
    assert_russian_error(caught.value, "unsupported")


def test_an_unexpected_failure_inside_the_parser_becomes_a_plan_parse_error(monkeypatch):
    from plans.parsing import plan as plan_module

    def broken(document):
        raise IndexError("bug")

    monkeypatch.setattr(plan_module, "build_table", broken)
    with pytest.raises(PlanParseError) as caught:
        parse_plan(seed_text("004"))
    assert_russian_error(caught.value, "internal")
    assert isinstance(caught.value.__cause__, IndexError)


_TABLE_PIECES = st.sampled_from(
    ["№", "Мероприятие", "Срок", "Ответственные", "1.", "1.1", "II.", "Март 2021", "Весь период",
     "\t", "\t\t", "\n", "\n\n", " | ", "текст", "УТВЕРЖДАЮ", "Задачи:", "- пункт;", "«", "2023г."]
)  # fmt: skip


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_TABLE_PIECES, st.text(max_size=8)), max_size=60))
def test_any_text_gives_a_plan_or_a_russian_error_never_a_crash(pieces):
    try:
        plan = parse_plan("".join(pieces))
    except PlanParseError as error:
        assert error.code != "internal", error.__cause__
        assert CYRILLIC.search(str(error))
    else:
        assert plan.item_count >= 1
        json.dumps(plan.to_json_dict(), ensure_ascii=False)


# --------------------------------------------------------------------------- speed and purity


def _large_plan_rows(count: int) -> list[list[str]]:
    rows = [HEADER]
    for section in range(1, count // 10 + 1):
        rows.append([f"{section}. Раздел плана номер {section}", "", "", "", ""])
        for index in range(1, 11):
            rows.append(
                [
                    f"{section}.{index}.",
                    f"Мероприятие {section}.{index}: проведение совещания с руководителями ОО "
                    "по вопросам объективности ВПР",
                    ["Март 2021", "В течение года", "20.03-26.03.2021", "По графику ВПР"][
                        index % 4
                    ],
                    "Отдел образования, И.В. Иванова\nРуководители ОО",
                    "Протокол совещания, аналитическая справка",
                ]
            )
    return rows


def test_a_300_item_word_plan_parses_well_under_two_seconds():
    raw = RawDocument(
        ["План мероприятий по обеспечению объективности ВПР в 2020-2021 учебном году"],
        [],
        source_format="text",
        layout="test",
    )
    from plans.parsing import RawRow

    raw.rows = [RawRow(cells=row, source_row=k + 1) for k, row in enumerate(_large_plan_rows(300))]
    data = build_docx(raw)
    started = time.perf_counter()
    plan = parse_plan(data)
    elapsed = time.perf_counter() - started
    assert plan.item_count == 300
    assert len(plan.sections) == 30
    assert elapsed < 2.0, f"parsing took {elapsed:.2f} s"


def test_the_parser_imports_no_django():
    code = (
        "import sys, pkgutil, importlib, plans.parsing as p\n"
        "for m in pkgutil.iter_modules(p.__path__): importlib.import_module('plans.parsing.' + m.name)\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    for source in (root / "plans" / "parsing").glob("*.py"):
        imports = re.findall(
            r"^\s*(?:from|import)\s+(\S+)", source.read_text(encoding="utf-8"), re.M
        )
        assert not [name for name in imports if name.startswith("django")], source.name


# --------------------------------------------------------------------------- two-row headers

TWO_ROW_HEADER_TEXT = """План мероприятий по обеспечению объективности ВПР на 2024 год
№ п/п\tМероприятие\tСроки проведения\t\tОтветственные
\t\tначало\tокончание\t
1\t2\t3\t4\t5
1.\tСовещание с руководителями ОО\t01.02.2024\t28.02.2024\tОтдел образования
2.\tАнализ результатов ВПР\t01.05.2024\t31.05.2024\tИМЦ
"""


def _two_dates_read_as_periods(plan: ParsedPlan) -> None:
    one, two = all_items(plan)
    assert (one.number, one.text) == ("1.", "Совещание с руководителями ОО")
    assert one.deadline.windows == ((date(2024, 2, 1), date(2024, 2, 28)),)
    assert two.deadline.windows == ((date(2024, 5, 1), date(2024, 5, 31)),)
    assert two.responsible == ["ИМЦ"]


def test_a_two_row_header_in_text_reads_the_sub_columns_as_one_period():
    plan = parse_plan(TWO_ROW_HEADER_TEXT)
    _two_dates_read_as_periods(plan)
    assert not [w for w in plan.warnings if w.code == "column_ignored"]


def test_a_two_row_word_header_with_merged_cells_reads_the_sub_columns_as_one_period():
    document = docx_with_table(
        [
            ["№ п/п", "Мероприятие", "Сроки проведения", "", "Ответственные"],
            ["", "", "начало", "окончание", ""],
            [
                "1.",
                "Совещание с руководителями ОО",
                "01.02.2024",
                "28.02.2024",
                "Отдел образования",
            ],
            ["2.", "Анализ результатов ВПР", "01.05.2024", "31.05.2024", "ИМЦ"],
        ],
        paragraphs=("План мероприятий по обеспечению объективности ВПР на 2024 год",),
    )
    rows = document.tables[0].rows
    _set_cell_text(rows[0].cells[2].merge(rows[0].cells[3]), "Сроки проведения")
    for column in (0, 1, 4):  # these header cells span both header rows
        _vmerge(rows[0].cells[column], "restart")
        _vmerge(rows[1].cells[column], "")
    _two_dates_read_as_periods(parse_plan(docx_bytes(document)))


def test_a_row_under_the_header_with_a_measure_is_data_not_a_sub_header():
    text = TWO_ROW_HEADER_TEXT.replace("\t\tначало\tокончание\t\n", "")
    text = text.replace("1\t2\t3\t4\t5\n", "\tСбор заявок\tМарт\t\tИМЦ\n")
    plan = parse_plan(text)
    assert all_items(plan)[0].text == "Сбор заявок"


def test_a_two_row_excel_header_with_merged_ranges_reads_the_sub_columns_as_one_period():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "План мероприятий по обеспечению объективности ВПР на 2024 год"
    rows = [
        ["№ п/п", "Мероприятие", "Сроки проведения", None, "Ответственные"],
        [None, None, "начало", "окончание", None],
        ["1.", "Совещание с руководителями ОО", "01.02.2024", "28.02.2024", "Отдел образования"],
        ["2.", "Анализ результатов ВПР", "01.05.2024", "31.05.2024", "ИМЦ"],
    ]
    for row_index, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=row_index, column=column, value=value)
    for merged in ("C2:D2", "A2:A3", "B2:B3", "E2:E3"):
        sheet.merge_cells(merged)
    buffer = io.BytesIO()
    workbook.save(buffer)
    _two_dates_read_as_periods(parse_plan(buffer.getvalue()))
