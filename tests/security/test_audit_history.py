"""Point 7: django-simple-history records who changed plans, items, schools, the catalog,
assignments, acts and official lists — from a page (the request's user) or in bulk."""

import io

import openpyxl
import pytest
from django.urls import reverse

from observers.models import Act, Assignment
from plans.models import Item, Plan
from results.models import OfficialListEntry, OfficialListImport, Test, TestTask
from schools.models import Municipality, School
from tests import factories

pytestmark = pytest.mark.django_db

AUDITED_MODELS = [
    Plan, Item, School, Municipality, Test, TestTask, Assignment, Act,
    OfficialListImport, OfficialListEntry,
]  # fmt: skip


@pytest.mark.parametrize("model", AUDITED_MODELS, ids=lambda m: m.__name__)
def test_every_audited_model_keeps_a_history(model):
    assert hasattr(model, "history"), f"{model.__name__} has no HistoricalRecords"
    assert model.history.model._meta.db_table.startswith(model._meta.app_label + "_historical")


def test_a_change_of_a_school_is_recorded_with_its_previous_value(school):
    school.short_name = "Гимназия № 1"
    school.save()
    records = list(school.history.order_by("history_id"))
    assert [r.history_type for r in records] == ["+", "~"]
    assert records[0].short_name == "СОШ № 1" and records[1].short_name == "Гимназия № 1"


def test_a_registry_import_through_the_page_records_the_staff_user(client, region, municipality):
    user = factories.make_region_staff(region=region)
    factories.SchoolFactory(municipality=municipality, login="edu123001", short_name="Старое")
    workbook = openpyxl.Workbook()
    workbook.active.append(["Логин", "Наименование", "Краткое наименование", "Муниципалитет"])
    workbook.active.append(["edu123001", "МБОУ «СОШ № 1»", "Новое", municipality.name])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.name = "reestr.xlsx"
    buffer.seek(0)
    client.force_login(user)
    response = client.post(reverse("schools:import"), {"file": buffer})
    assert response.status_code == 302
    change = School.objects.get(login="edu123001").history.latest()
    assert change.history_type == "~" and change.short_name == "Новое"
    assert change.history_user == user


def test_a_change_of_the_mark_scale_and_of_a_task_is_recorded():
    test = factories.TestFactory()
    old_cut = test.cut_3
    test.cut_3 = old_cut - 1
    test.save()
    assert [r.cut_3 for r in test.history.order_by("history_id")][-2:] == [old_cut, old_cut - 1]
    task = test.tasks.first()
    task.max_score += 1
    task.save()
    assert [r.max_score for r in task.history.order_by("history_id")][-2:] == [
        task.max_score - 1,
        task.max_score,
    ]


def test_items_saved_in_bulk_by_a_plan_import_get_history_rows(municipality, staff_user):
    from plans.services.importing import import_plan
    from tests.plans.conftest import small_plan_dict

    plan = import_plan(data=small_plan_dict(), municipality=municipality, user=staff_user)
    items = list(plan.items.all())
    assert items
    assert Item.history.filter(id__in=[i.pk for i in items]).count() == len(items)
    assert plan.history.get().history_type == "+"


def test_assignments_and_acts_keep_a_history():
    assignment = factories.AssignmentFactory()
    act = Act.objects.create(assignment=assignment, stage="test")
    act.comments = "Нарушений нет"
    act.save()
    assert assignment.history.count() == 1
    assert [r.comments for r in act.history.order_by("history_id")] == ["", "Нарушений нет"]


def test_official_list_rows_stored_in_bulk_get_history_rows(school):
    from results.indicators.official_list import import_official_list

    workbook = openpyxl.Workbook()
    workbook.active.append(["Логин", "Год", "4 РУ", "5 МА"])
    workbook.active.append([school.login, 2026, 1, 0])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    imported = import_official_list(file=buffer, filename="perechen.xlsx")
    entry = imported.entries.get()
    assert imported.history.count() == 1
    assert entry.history.count() == 1 and entry.history.get().marker_count == 1


def test_the_admin_shows_the_history_of_a_school(client, administrator, school):
    client.force_login(administrator)
    response = client.get(reverse("admin:schools_school_history", args=[school.pk]))
    assert response.status_code == 200
    assert "История" in response.content.decode()


@pytest.mark.parametrize("model", AUDITED_MODELS, ids=lambda m: m.__name__)
def test_the_admin_of_every_audited_model_offers_its_history(client, administrator, model):
    from django.contrib import admin
    from simple_history.admin import SimpleHistoryAdmin

    model_admin = admin.site._registry.get(model)
    if model is TestTask:  # edited inline on its test, whose admin shows the history
        model_admin = admin.site._registry[Test]
    assert isinstance(model_admin, SimpleHistoryAdmin), model.__name__
