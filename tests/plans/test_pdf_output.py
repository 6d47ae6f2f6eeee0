"""Printed plan and execution report (PDF), the PDF job, the CLI, and the XLSX export.

PDFs are checked as a reader would: text extracted with pdftotext (every item number
and text present), fonts with pdffonts (the bundled face embedded).
"""

import io
import re
import subprocess
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from plans.models import Item, ItemStatus
from plans.services import output
from plans.services.importing import import_plan_document
from tests.conftest import require_binary
from tests.plans.conftest import seed_path
from vpr_portal.models import Job, JobStatus


def squash(text: str) -> str:
    """Whitespace collapsed; a line broken after a hyphen ("учителей-⏎предметников") rejoined."""
    return re.sub(r"-\s+", "-", re.sub(r"\s+", " ", text)).strip()


def pdf_text(path, *options: str) -> str:
    pdftotext = require_binary("pdftotext", "poppler-utils")
    return subprocess.run(
        [pdftotext, *options, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def assert_fonts_embedded(path) -> None:
    pdffonts = require_binary("pdffonts", "poppler-utils")
    fonts = subprocess.run([pdffonts, str(path)], capture_output=True, text=True).stdout
    rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all("+Portal" in row for row in rows), fonts  # the bundled faces, subset
    assert all(row.split()[-5] == "yes" for row in rows), fonts  # the "emb" column


def load(number: str, municipality):
    path = seed_path(number)
    return import_plan_document(
        source=path.read_bytes(), filename=path.name, municipality=municipality
    )


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["000", "001", "002", "003", "004"])
def test_every_item_number_and_text_is_in_the_printed_plan(
    number, municipality, tmp_path, no_schedule
):
    plan = load(number, municipality)
    path = tmp_path / "plan.pdf"
    path.write_bytes(output.render_plan_pdf(plan=plan))
    text = squash(pdf_text(path, "-raw"))
    assert squash(plan.title) in text
    for item in Item.objects.filter(plan=plan):
        if item.number:
            assert item.number in text, item.number
        assert squash(item.text) in text, item.text[:60]
    pages = int(re.findall(r"(\d+) из (\d+)", text)[-1][1])
    assert f"1 из {pages}" in text and f"{pages} из {pages}" in text  # page numbers
    assert_fonts_embedded(path)


@pytest.mark.django_db
def test_the_printed_plan_follows_the_document_form(municipality, tmp_path, no_schedule):
    plan = load("002", municipality)  # approval block, basis, no expected-result column
    path = tmp_path / "plan.pdf"
    path.write_bytes(output.render_plan_pdf(plan=plan))
    text = squash(pdf_text(path, "-raw"))
    assert "УТВЕРЖДАЮ" in text.upper() and "И.В.Шадеркова" in text
    assert "«10» февраля 2023 г." in text
    assert "Основание:" in text
    assert "№ Мероприятие Срок Ответственные" in text
    assert "Ожидаемый результат" not in text  # the plan has no such column
    section = plan.sections.first()
    assert squash(section.title) in text  # the section row spanning the table
    # The approval block sits in the right half of the first page.
    bbox = pdf_text(path, "-bbox", "-f", "1", "-l", "1")
    page_width = float(re.search(r'<page width="([\d.]+)"', bbox).group(1))
    x_min = float(re.search(r'xMin="([\d.]+)"[^>]*>Утверждаю<', bbox, re.I).group(1))
    assert x_min > page_width / 2
    assert re.search(r'<page width="595\.\d+" height="841\.\d+"', bbox)  # A4 portrait


@pytest.mark.django_db
def test_a_plan_with_five_columns_prints_on_landscape_a4(municipality, tmp_path, no_schedule):
    plan = load("000", municipality)  # has the expected-result column
    path = tmp_path / "plan.pdf"
    path.write_bytes(output.render_plan_pdf(plan=plan))
    bbox = pdf_text(path, "-bbox", "-f", "1", "-l", "1")
    assert re.search(r'<page width="841\.\d+" height="595\.\d+"', bbox)
    assert "Ожидаемый результат" in pdf_text(path, "-raw")


@pytest.mark.django_db
def test_the_order_line_goal_and_tasks_are_printed(municipality, tmp_path, no_schedule):
    plan = load("004", municipality)
    path = tmp_path / "plan.pdf"
    path.write_bytes(output.render_plan_pdf(plan=plan))
    text = squash(pdf_text(path, "-raw"))
    assert (
        "Приложение 1 к приказу управления образования администрации ПМО СК от 03.03.2021 № 89"
        in text
    )
    assert "Цель: обеспечение объективности проведения оценочных процедур" in text
    assert "Задачи:" in text and "Ожидаемые результаты:" in text


@pytest.mark.django_db
def test_the_execution_report_lists_status_date_and_report(municipality, tmp_path, no_schedule):
    plan = load("004", municipality)
    first = Item.objects.get(plan=plan, number="1.")
    first.status, first.completed_on = ItemStatus.DONE, date(2021, 3, 1)
    first.report_text = "Информация размещена на сайте управления"
    first.save()
    path = tmp_path / "report.pdf"
    path.write_bytes(output.render_execution_report_pdf(plan=plan, today=date(2021, 6, 1)))
    text = squash(pdf_text(path, "-raw"))
    assert "Отчёт о выполнении плана мероприятий" in text
    assert "по состоянию на «01» июня 2021 г." in text
    assert "выполнено 01.03.2021 Информация размещена на сайте управления" in text
    assert "Просрочено:" in text and "просрочено" in text
    for item in Item.objects.filter(plan=plan):
        assert squash(item.text) in text
    assert_fonts_embedded(path)


@pytest.mark.django_db
def test_pdf_is_rendered_in_a_job_with_progress_and_a_download(
    client,
    staff_user,
    approved_plan,
    django_capture_on_commit_callbacks,
    eager_celery,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("plans:pdf", args=[approved_plan.pk]))
    job = Job.objects.get()
    assert response.url == reverse("job_detail", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED and job.progress == 100
    assert job.output_file.name.endswith(".pdf")
    download = client.get(reverse("job_download", args=[job.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("plans:pdf", args=[approved_plan.pk]), {"document": "report"})
    report = Job.objects.exclude(pk=job.pk).get()
    assert report.kind == "plan_pdf_report" and report.status == JobStatus.SUCCEEDED


@pytest.mark.django_db
def test_a_job_for_a_deleted_plan_fails_with_a_russian_message(approved_plan, staff_user):
    job = output.start_pdf_job(plan=approved_plan, user=staff_user)
    approved_plan.delete()
    output.run_pdf_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "План удалён" in job.message


@pytest.mark.django_db
def test_render_plan_pdf_command_writes_the_file(approved_plan, tmp_path):
    out = tmp_path / "plan.pdf"
    call_command("render_plan_pdf", str(approved_plan.pk), str(out))
    assert out.read_bytes().startswith(b"%PDF")
    assert "Совещание с руководителями ОО" in pdf_text(out, "-raw")
    assert_fonts_embedded(out)
    with pytest.raises(CommandError, match="не найден"):
        call_command("render_plan_pdf", "999999", str(out))


@pytest.mark.django_db
def test_the_plan_exports_to_excel(client, staff_user, municipality, no_schedule):
    import openpyxl

    plan = load("000", municipality)
    client.force_login(staff_user)
    response = client.get(reverse("plans:xlsx", args=[plan.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = next(row for row in values if row[0] == "№")
    assert tuple(header[:5]) == ("№", "Мероприятие", "Срок", "Ответственные", "Ожидаемый результат")
    texts = {row[1] for row in values}
    for item in Item.objects.filter(plan=plan):
        assert item.text in texts
    assert any(str(row[0]).startswith("1. Мероприятия по формированию") for row in values)
