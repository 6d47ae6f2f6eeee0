"""Printed plan (PDF), execution report (PDF) and the plan as an Excel workbook.

PDFs render in a Celery job (WeasyPrint takes seconds on a long plan); the page polls
the job and offers the file. The CLI renders the same bytes synchronously.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from plans import selectors
from plans.models import Item, ItemStatus, Plan
from vpr_portal.jobs import JobReporter, UserFacingError, run_job_body, start_job
from vpr_portal.models import Job
from vpr_portal.pdf import render_pdf

MONTHS_GENITIVE = [
    "",
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]
DOCUMENTS = {
    "plan": ("print/plan.html", "План мероприятий"),
    "report": ("print/plan_report.html", "Отчёт о выполнении плана"),
}


def russian_date(day: date | None) -> str:
    """«10» февраля 2023 г. — the form used under a signature."""
    if day is None:
        return ""
    return f"«{day.day:02d}» {MONTHS_GENITIVE[day.month]} {day.year} г."


def _print_items(plan: Plan, *, with_execution: bool) -> list[Item]:
    items = Item.objects.filter(plan=plan).order_by("position", "pk")
    if with_execution:
        items = items.prefetch_related("windows", "school_reports__school", "evidence")
    return list(items)


def plan_print_context(plan: Plan, *, today: date | None = None) -> dict[str, Any]:
    """What print/plan.html needs: the document tree and the columns the plan has."""
    today = today or timezone.localdate()
    items = _print_items(plan, with_execution=False)
    columns = selectors.plan_columns(items)
    return {
        "plan": plan,
        "sections": selectors.plan_document(plan, today=today, items=items, with_state=False),
        "columns": columns,
        "colspan": 1 + sum(columns.values()),
        "approval_date": russian_date(plan.approval_date),
    }


def report_context(plan: Plan, *, today: date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    items = _print_items(plan, with_execution=True)
    return {
        "plan": plan,
        "today": today,
        "today_text": russian_date(today),
        "sections": selectors.plan_document(plan, today=today, items=items),
        "progress": selectors.plan_progress(items, today=today),
        "statuses": ItemStatus,
    }


def render_plan_pdf(*, plan: Plan, today: date | None = None) -> bytes:
    """The plan as its printed document: A4, approval top right, the measures table."""
    return render_pdf("print/plan.html", plan_print_context(plan, today=today))


def render_execution_report_pdf(*, plan: Plan, today: date | None = None) -> bytes:
    """Status, completion date and report of every measure, with the plan's progress."""
    return render_pdf("print/plan_report.html", report_context(plan, today=today))


def start_pdf_job(*, plan: Plan, user: Any, document: str = "plan") -> Job:
    """Queue the PDF rendering; the job page polls it and offers the file."""
    _template, label = DOCUMENTS[document]
    return start_job(
        kind=f"plan_pdf_{document}",
        title=f"{label}: {plan.title[:120]}",
        task="plans.render_plan_pdf",
        user=user,
        params={"plan_id": plan.pk, "document": document},
    )


def run_pdf_job(*, job_id: int) -> None:
    """Body of the PDF task: render, store the file on the job row."""

    def body(reporter: JobReporter) -> dict:
        job = Job.objects.get(pk=job_id)
        document = job.params.get("document", "plan")
        plan = Plan.objects.select_related("municipality").filter(pk=job.params["plan_id"]).first()
        if plan is None or document not in DOCUMENTS:
            raise UserFacingError("План удалён: печатать нечего.")
        reporter.progress(1, 4, "Собираю мероприятия плана")
        if document == "report":
            content = render_execution_report_pdf(plan=plan)
        else:
            content = render_plan_pdf(plan=plan)
        reporter.progress(3, 4, "Сохраняю файл")
        prefix = "otchet-plan" if document == "report" else "plan"
        reporter.save_output(filename=f"{prefix}-{plan.pk}.pdf", content=content)
        return {"plan_id": plan.pk, "bytes": len(content)}

    run_job_body(job_id, body)


def render_plan_xlsx(*, plan: Plan, today: date | None = None) -> bytes:
    """The plan as an Excel workbook: header block, then the measures table."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    from vpr_portal import spreadsheets

    today = today or timezone.localdate()
    items = _print_items(plan, with_execution=False)
    columns = selectors.plan_columns(items)
    headers = [("number", "№", 8)] if columns["number"] else []
    headers.append(("text", "Мероприятие", 60))
    for key, title, width in (
        ("deadline", "Срок", 22),
        ("responsible", "Ответственные", 32),
        ("expected_result", "Ожидаемый результат", 40),
    ):
        if columns[key]:
            headers.append((key, title, width))
    headers += [("status", "Статус", 16), ("completed_on", "Дата выполнения", 14)]
    width = len(headers)

    workbook = spreadsheets.new_workbook()
    sheet = workbook.active
    sheet.title = "План"
    wrap = Alignment(wrap_text=True, vertical="top")
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    row = 1

    def line(text: str, *, bold: bool = False, center: bool = False) -> None:
        nonlocal row
        spreadsheets.put(sheet, row=row, column=1, value=text).font = Font(bold=bold)
        sheet.cell(row=row, column=1).alignment = Alignment(
            wrap_text=True, horizontal="center" if center else "left"
        )
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        row += 1

    if plan.order_reference:
        line(plan.order_reference)
    if plan.has_approval:
        line("УТВЕРЖДАЮ", bold=True)
        line(" ".join(p for p in (plan.approval_position, plan.approval_name) if p))
        if plan.approval_date:
            line(russian_date(plan.approval_date))
    if plan.basis:
        line(f"Основание: {plan.basis}")
    line(plan.title, bold=True, center=True)
    if plan.goal:
        line(f"Цель: {plan.goal}")
    for index, task in enumerate(plan.tasks, start=1):
        line(f"{'Задачи: ' if index == 1 else ''}{index}. {task}")
    for index, result in enumerate(plan.expected_results, start=1):
        line(f"{'Ожидаемые результаты: ' if index == 1 else ''}{index}. {result}")
    row += 1
    header_row = row
    for column, (_key, title, col_width) in enumerate(headers, start=1):
        cell = spreadsheets.put(sheet, row=row, column=column, value=title)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        cell.border = border
        sheet.column_dimensions[cell.column_letter].width = col_width
    row += 1
    section_fill = PatternFill("solid", fgColor="EEEEEE")
    for section_node in selectors.plan_document(plan, today=today, items=items, with_state=False):
        section = section_node.section
        heading = " ".join(p for p in (section.number, section.title) if p)
        if heading:
            cell = spreadsheets.put(sheet, row=row, column=1, value=heading)
            cell.font = Font(bold=True)
            cell.fill = section_fill
            cell.alignment = wrap
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
            row += 1
        for node in section_node.rows():
            item = node.item
            values = {
                "number": item.number,
                "text": item.text,
                "deadline": item.deadline_text,
                "responsible": item.responsible_text,
                "expected_result": item.expected_result,
                "status": item.get_status_display(),
                "completed_on": item.completed_on,
            }
            for column, (key, _title, _w) in enumerate(headers, start=1):
                cell = spreadsheets.put(sheet, row=row, column=column, value=values[key] or None)
                cell.alignment = wrap
                cell.border = border
                if key == "completed_on" and item.completed_on:
                    cell.number_format = "DD.MM.YYYY"
            row += 1
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    return spreadsheets.workbook_bytes(workbook)
