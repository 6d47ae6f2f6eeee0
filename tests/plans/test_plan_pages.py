"""Staff pages of plans: list, the document page with filters and progress, timeline."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from plans.models import Item, ItemStatus
from tests import factories


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.mark.django_db
def test_the_plans_list_shows_the_municipalitys_plans_with_counts(staff_client, approved_plan):
    other = factories.PlanFactory(title="Чужой план")  # another municipality
    page = staff_client.get(reverse("plans:index")).content.decode()
    assert approved_plan.title in page
    assert other.title not in page
    assert "утверждён" in page


@pytest.mark.django_db
def test_the_plan_page_shows_the_document_with_header_and_sections(staff_client, approved_plan):
    approved_plan.approval_name = "И.В. Петрова"
    approved_plan.order_reference = "Приложение 1 к приказу от 03.03.2021 № 89"
    approved_plan.goal = "Обеспечение объективности"
    approved_plan.tasks = ["Первая задача"]
    approved_plan.save()
    response = staff_client.get(reverse("plans:detail", args=[approved_plan.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Утверждаю" in page and "И.В. Петрова" in page
    assert "Приложение 1 к приказу" in page and "Первая задача" in page
    assert "Совещание с руководителями ОО" in page and "Горячая линия" in page
    assert 'data-testid="progress"' in page


@pytest.mark.django_db
def test_filters_narrow_the_document_and_htmx_gets_only_the_document(staff_client, approved_plan):
    url = reverse("plans:detail", args=[approved_plan.pk])
    page = staff_client.get(url, {"month": "2024-05"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in page
    assert "Анализ результатов ВПР" in page  # May window
    assert "Горячая линия" in page  # continuous over the year covers May
    assert "Совещание с руководителями ОО" not in page  # March only
    page = staff_client.get(url, {"responsible": "руководители оо"}).content.decode()
    assert "Совещание с руководителями ОО" in page and "Анализ результатов ВПР" not in page
    Item.objects.filter(plan=approved_plan, number="1.2.").update(status=ItemStatus.DONE)
    page = staff_client.get(url, {"status": "done"}).content.decode()
    assert "Анализ результатов ВПР" in page and "Горячая линия" not in page


@pytest.mark.django_db
def test_the_overdue_filter_shows_only_overdue_items(staff_client, approved_plan, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a: date(2024, 4, 15))
    url = reverse("plans:detail", args=[approved_plan.pk])
    page = staff_client.get(url, {"overdue": "on"}).content.decode()
    assert "Совещание с руководителями ОО" in page  # March ended
    assert "Анализ результатов ВПР" not in page and "Горячая линия" not in page
    assert "просрочено" in page


@pytest.mark.django_db
def test_progress_counts_done_and_done_on_time(staff_client, approved_plan, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a: date(2024, 6, 15))
    items = {i.number: i for i in Item.objects.filter(plan=approved_plan)}
    Item.objects.filter(pk=items["1.1."].pk).update(
        status=ItemStatus.DONE, completed_on=date(2024, 3, 20)
    )
    Item.objects.filter(pk=items["1.2."].pk).update(
        status=ItemStatus.DONE, completed_on=date(2024, 6, 10)
    )
    page = staff_client.get(reverse("plans:detail", args=[approved_plan.pk])).content.decode()
    assert "Выполнено: <strong>2</strong> из 3 (67 %)" in page
    assert "Выполнено в срок: <strong>1</strong> (33 %)" in page


@pytest.mark.django_db
def test_the_timeline_places_windows_in_their_months(staff_client, approved_plan):
    response = staff_client.get(reverse("plans:timeline", args=[approved_plan.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "мар 24" in page and "май 24" in page and "сен 23" in page
    assert page.count('class="cell window"') == 2  # March and May items, one month each
    assert page.count('class="cell continuous"') == 12  # the hotline, every month


@pytest.mark.django_db
def test_plan_header_edit_rereads_deadlines_for_a_new_period(staff_client, municipality):
    from plans.services.importing import import_plan
    from tests.plans.conftest import small_plan_dict

    plan = import_plan(data=small_plan_dict(), municipality=municipality)
    url = reverse("plans:edit", args=[plan.pk])
    assert staff_client.get(url).status_code == 200
    Item.objects.filter(plan=plan, number="1.1.").update(deadline_text="Февраль")
    response = staff_client.post(
        url,
        {
            "title": plan.title,
            "period_start": "2024-09-01",
            "period_end": "2025-08-31",
            "status": "approved",
            "tasks_text": "Одна\nДве",
            "expected_results_text": "",
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.tasks == ["Одна", "Две"] and plan.status == "approved"
    item = Item.objects.get(plan=plan, number="1.1.")
    assert [(w.start, w.end) for w in item.window_list()] == [(date(2025, 2, 1), date(2025, 2, 28))]


@pytest.mark.django_db
def test_plan_status_can_be_changed(staff_client, approved_plan):
    staff_client.post(reverse("plans:status", args=[approved_plan.pk]), {"status": "archived"})
    approved_plan.refresh_from_db()
    assert approved_plan.status == "archived"


@pytest.mark.django_db
def test_a_plan_is_deleted_only_after_confirmation(staff_client, approved_plan):
    url = reverse("plans:delete", args=[approved_plan.pk])
    page = staff_client.get(url).content.decode()
    assert "Удалить план?" in page and "мероприятия (3)" in page
    assert Item.objects.filter(plan=approved_plan).count() == 3
    staff_client.post(url)
    assert not Item.objects.filter(plan_id=approved_plan.pk).exists()


@pytest.mark.django_db
def test_the_dashboard_shows_the_plans_panel_to_staff(staff_client, approved_plan):
    page = staff_client.get(reverse("dashboard")).content.decode()
    assert "Планы мероприятий" in page and "Загрузить план" in page
