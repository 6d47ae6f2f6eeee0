"""Point 7: every import records a batch — who, when, what kind, created/updated/refused."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from observers.services import registry as observer_registry
from observers.services import schedule as observer_schedule
from plans.services import importing as plan_importing
from results.indicators import official_list
from results.services import catalog, uploads
from schools import services as school_services
from tests import factories
from tests.plans.conftest import small_plan_dict
from tests.results import conftest as results_conftest
from tests.results.conftest import f1_file, import_path
from vpr_portal.models import ImportBatch, ImportKind

pytestmark = pytest.mark.django_db

# The results tests' fixtures: the catalog's Russian 4 and the synthetic files' schools.
russian4 = results_conftest.russian4
synthetic_schools = results_conftest.synthetic_schools

#: Each import entry point and the kind it records; a new import must be added here.
IMPORT_ENTRY_POINTS = {
    ImportKind.REGISTRY: school_services.import_school_registry,
    ImportKind.CATALOG: catalog.import_catalog,
    ImportKind.PLAN: plan_importing.import_plan,
    ImportKind.OBSERVERS: observer_registry.import_observers,
    ImportKind.SCHEDULE: observer_schedule.import_schedule,
    ImportKind.OFFICIAL_LIST: official_list.import_official_list,
}


@pytest.mark.parametrize("kind", list(IMPORT_ENTRY_POINTS), ids=str)
def test_every_import_service_records_its_batches(kind):
    assert getattr(IMPORT_ENTRY_POINTS[kind], "audit_import_kind", None) == kind


def test_every_import_kind_has_a_recording_entry_point():
    # Results uploads record when they end (uploads._finish), the others by the decorator.
    assert set(ImportKind) == set(IMPORT_ENTRY_POINTS) | {ImportKind.RESULTS}


def _registry_xlsx(rows):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Логин", "Наименование", "Краткое наименование", "Муниципалитет"])
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def test_a_registry_import_from_the_command_line_records_counts_and_no_user(
    tmp_path, region, municipality
):
    factories.SchoolFactory(municipality=municipality, login="edu123001")
    path = tmp_path / "reestr.xlsx"
    rows = [
        ["edu123001", "МБОУ «СОШ № 1»", "СОШ № 1", municipality.name],
        ["edu123002", "МБОУ «СОШ № 2»", "СОШ № 2", municipality.name],
    ]
    path.write_bytes(_registry_xlsx(rows).getvalue())
    call_command("import_schools", str(path))
    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.channel, batch.user) == (ImportKind.REGISTRY, "cli", None)
    assert (batch.created, batch.updated, batch.refused, batch.succeeded) == (1, 1, 0, True)
    assert batch.file_name == "reestr.xlsx"


def test_a_refused_registry_file_is_recorded_as_refused_with_the_user(client, region):
    user = factories.make_region_staff(region=region)
    client.force_login(user)
    upload = _registry_xlsx([["bad-login", "", "", ""]])
    upload.name = "reestr.xlsx"
    response = client.post(reverse("schools:import"), {"file": upload})
    assert response.status_code == 200  # the page lists the errors
    batch = ImportBatch.objects.get()
    assert batch.user == user and batch.channel == "web"
    assert not batch.succeeded and batch.refused >= 2 and batch.created == 0


def test_a_results_upload_records_the_rows_applied_and_its_uploader(
    tmp_path, russian4, synthetic_schools, municipality, staff_user
):
    path, _ = f1_file(tmp_path, schools=2, rows=20)
    outcome = import_path(path, user=staff_user, municipality=municipality)
    assert outcome.applied == 20
    batch = ImportBatch.objects.get(kind=ImportKind.RESULTS)
    assert batch.user == staff_user and batch.succeeded
    assert batch.created == 20 and batch.reference == f"upload:{outcome.upload.pk}"


def test_a_refused_results_upload_is_recorded_as_refused(
    tmp_path, russian4, synthetic_schools, municipality, staff_user
):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    outcome = import_path(path, user=staff_user, municipality=municipality)
    assert outcome.refused
    batch = ImportBatch.objects.get(kind=ImportKind.RESULTS)
    assert not batch.succeeded and batch.user == staff_user


def test_a_catalog_import_records_created_then_updated():
    data = {
        "tests": [
            {
                "year": 2026, "session": "spring", "subject": "Русский язык", "grade": 4,
                "max_score": 3, "cuts": {"3": 1, "4": 2, "5": 3},
                "tasks": [{"number": "1", "max": 2, "level": "Б"}, {"number": "2", "max": 1}],
            }
        ]
    }  # fmt: skip
    catalog.import_catalog(data=data)
    catalog.import_catalog(data=data)
    assert list(ImportBatch.objects.order_by("pk").values_list("kind", "created", "updated")) == [
        (ImportKind.CATALOG, 1, 0),
        (ImportKind.CATALOG, 0, 1),
    ]


def test_a_plan_import_records_its_items_and_the_staff_user(municipality, staff_user):
    plan = plan_importing.import_plan(
        data=small_plan_dict(), municipality=municipality, user=staff_user, source_name="plan.docx"
    )
    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.user, batch.file_name) == (ImportKind.PLAN, staff_user, "plan.docx")
    assert batch.created == plan.items.count() > 0 and batch.reference == f"plan:{plan.pk}"


def test_observer_imports_record_success_and_refusal(tmp_path, municipality):
    path = tmp_path / "observers.csv"
    path.write_text("Фамилия;Имя;Муниципалитет\nГромов;Павел;Город А\n", encoding="utf-8")
    call_command("import_observers", str(path))
    path.write_text("Фамилия;Имя;Муниципалитет\n;Павел;Город А\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_observers", str(path))
    ok, refused = ImportBatch.objects.order_by("pk")
    assert (ok.kind, ok.created, ok.succeeded) == (ImportKind.OBSERVERS, 1, True)
    assert (refused.kind, refused.refused, refused.succeeded) == (ImportKind.OBSERVERS, 1, False)


def test_a_schedule_import_records_its_lines(tmp_path, school):
    test = factories.TestFactory(year=2026, subject="Русский язык", grade=4)
    path = tmp_path / "schedule.csv"
    path.write_text(
        f"Логин;Дата;Предмет;Класс;Время начала\n{school.login};14.04.{test.year};Русский язык;4А;09:00\n",
        encoding="utf-8",
    )
    call_command("import_schedule", str(path))
    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.created, batch.file_name) == (ImportKind.SCHEDULE, 1, "schedule.csv")


def test_an_official_list_import_records_its_rows(school, administrator):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Логин", "Год", "4 РУ"])
    workbook.active.append([school.login, 2026, 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    imported = official_list.import_official_list(
        file=buffer, filename="perechen.xlsx", user=administrator
    )
    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.created, batch.user) == (ImportKind.OFFICIAL_LIST, 1, administrator)
    assert batch.reference == f"official_list:{imported.pk}"


def test_the_import_journal_is_visible_to_admins_only_read_only(client, administrator):
    ImportBatch.objects.create(kind=ImportKind.REGISTRY, channel="cli", created=3)
    client.force_login(administrator)
    page = client.get(reverse("admin:portal_importbatch_changelist"))
    assert page.status_code == 200 and "реестр ОО" in page.content.decode()
    assert client.get(reverse("admin:portal_importbatch_add")).status_code == 403


def test_uploads_module_records_on_finish():
    # The one line in uploads._finish is what records results batches (see the tests above).
    import inspect

    assert "audit.record_upload(upload)" in inspect.getsource(uploads._finish)


def test_admins_read_pupils_rows_and_the_access_journal_but_cannot_edit_them(client, administrator):
    client.force_login(administrator)
    for name in ("results_pupilresult", "portal_pupildataaccess"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:{name}_add")).status_code == 403
