"""School coordinators see the items their school answers for and report them with evidence."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans.models import Evidence, Item, ItemStatus, SchoolReport
from tests import factories


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.mark.django_db
def test_the_plans_entry_takes_a_coordinator_to_their_items(coordinator_client, approved_plan):
    response = coordinator_client.get(reverse("plans:index"))
    assert response.status_code == 302 and response.url == reverse("plans:my_items")
    page = coordinator_client.get(reverse("plans:my_items")).content.decode()
    assert "Совещание с руководителями ОО" in page  # "Руководители ОО": every school
    assert "Анализ результатов ВПР" not in page  # the department's own item
    assert "Горячая линия" not in page


@pytest.mark.django_db
def test_an_item_naming_the_school_itself_is_shown_to_it(coordinator_client, approved_plan, school):
    section = approved_plan.sections.get()
    factories.PlanItemFactory(
        section=section, text="Пробная ВПР в СОШ № 1", responsible=["СОШ № 1"]
    )
    page = coordinator_client.get(reverse("plans:my_items")).content.decode()
    assert "Пробная ВПР в СОШ № 1" in page


@pytest.mark.django_db
def test_a_coordinator_marks_an_item_done_with_a_report_and_a_file(
    coordinator_client, approved_plan, school, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    item = Item.objects.get(plan=approved_plan, number="1.1.")
    url = reverse("plans:my_item", args=[item.pk])
    assert "Что сделано" in coordinator_client.get(url).content.decode()
    response = coordinator_client.post(
        url,
        {
            "status": "done",
            "completed_on": "2024-03-12",
            "report_text": "Совещание проведено, протокол № 3",
            "evidence_title": "Протокол совещания",
            "evidence_file": SimpleUploadedFile("протокол.pdf", b"%PDF-1.4 minutes"),
        },
    )
    assert response.status_code == 302
    report = SchoolReport.objects.get(item=item, school=school)
    assert (report.status, report.completed_on) == (ItemStatus.DONE, date(2024, 3, 12))
    evidence = Evidence.objects.get(item=item)
    assert evidence.school == school and evidence.title == "Протокол совещания"
    download = coordinator_client.get(reverse("plans:evidence_download", args=[evidence.pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 minutes"
    item.refresh_from_db()
    # The only school of the municipality has reported, and schools are the only party.
    assert item.status == ItemStatus.DONE and item.completed_on == date(2024, 3, 12)


@pytest.mark.django_db
def test_the_item_waits_for_every_responsible_school(
    coordinator_client, approved_plan, school, municipality
):
    factories.SchoolFactory(municipality=municipality, short_name="СОШ № 7")
    item = Item.objects.get(plan=approved_plan, number="1.1.")
    coordinator_client.post(
        reverse("plans:my_item", args=[item.pk]),
        {"status": "done", "completed_on": "2024-03-12", "report_text": "Проведено"},
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_PROGRESS
    staff = factories.make_staff(municipality=municipality)
    coordinator_client.force_login(staff)
    page = coordinator_client.get(reverse("plans:item_execution", args=[item.pk])).content.decode()
    assert "выполнили 1 из 2" in page and "Проведено" in page


@pytest.mark.django_db
def test_a_report_needs_text_and_a_real_link(coordinator_client, approved_plan):
    item = Item.objects.get(plan=approved_plan, number="1.1.")
    url = reverse("plans:my_item", args=[item.pk])
    page = coordinator_client.post(url, {"status": "done", "report_text": ""}).content.decode()
    assert "Обязательное поле" in page
    page = coordinator_client.post(
        url, {"status": "done", "report_text": "Сделано", "evidence_url": "javascript:alert(1)"}
    ).content.decode()
    assert not SchoolReport.objects.exists()
    assert "Введите правильный URL" in page or "http" in page


@pytest.mark.django_db
def test_the_dashboard_invites_the_coordinator_to_report(coordinator_client, approved_plan):
    page = coordinator_client.get(reverse("dashboard")).content.decode()
    assert "Мероприятия плана" in page and "отвечает за 1" in page
