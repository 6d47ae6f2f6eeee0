"""Importing through the pages: upload or paste, preview, correct fields with htmx, save."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from plans.models import Item, Plan, PlanImportDraft
from tests.plans.conftest import HEADER, docx_plan, seed_path


@pytest.fixture
def staff_client(client, staff_user, eager_celery, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    client.force_login(staff_user)
    return client


def post_import(client, data: dict):
    """Post the import form; the reading job runs (eagerly) when the post commits, and the
    job page it redirects to is followed once: on to the preview, or the refusal."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("plans:import"), data)
    if response.status_code != 302 or not response.url.startswith("/jobs/"):
        return response
    return client.get(response.url)


def upload(client, municipality, name: str, content: bytes, **extra):
    return post_import(
        client,
        {
            "file": SimpleUploadedFile(name, content),
            "format": "auto",
            "municipality": municipality.pk,
            **extra,
        },
    )


def field_url(draft) -> str:
    return reverse("plans:import_field", args=[draft.pk])


@pytest.mark.django_db
def test_an_uploaded_plan_is_previewed_before_anything_is_saved(staff_client, municipality):
    path = seed_path("002")
    response = upload(staff_client, municipality, path.name, path.read_bytes())
    draft = PlanImportDraft.objects.get()
    assert response.url == reverse("plans:import_preview", args=[draft.pk])
    page = staff_client.get(response.url).content.decode()
    assert "Разделов: <strong>3</strong>" in page
    assert "мероприятий верхнего уровня: <strong>13</strong>" in page
    assert "всего мероприятий: <strong>16</strong>" in page
    assert "И.В.Шадеркова" in page and "Сохранить план" in page
    assert not Plan.objects.exists()


@pytest.mark.django_db
def test_words_mixing_latin_and_cyrillic_letters_are_highlighted(staff_client, municipality):
    path = seed_path("003")
    response = upload(staff_client, municipality, path.name, path.read_bytes())
    page = staff_client.get(response.url).content.decode()
    assert (
        '<mark class="mixed-script" title="Слово содержит и латинские, и русские буквы">неobjективности</mark>'
        in page
    )
    assert "содержит и латинские, и русские" in page  # the parser's warning, in Russian


@pytest.mark.django_db
def test_a_field_is_edited_in_place_and_the_deadline_reread(staff_client, municipality):
    path = seed_path("004")
    upload(staff_client, municipality, path.name, path.read_bytes())
    draft = PlanImportDraft.objects.get()
    form = staff_client.get(
        field_url(draft),
        {"target": "0.0", "field": "deadline", "edit": "1"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'name="value"' in form and "Февраль - март 2021" in form
    shown = staff_client.post(
        field_url(draft),
        {"target": "0.0", "field": "deadline", "value": "Апрель 2021"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "Апрель 2021" in shown and "01.04.2021 – 30.04.2021" in shown
    shown = staff_client.post(
        field_url(draft),
        {"target": "0.1", "field": "responsible", "value": "ИМЦ\nРуководители ОО"},
    ).content.decode()
    assert "ИМЦ" in shown
    draft.refresh_from_db()
    first, second = draft.data["sections"][0]["items"][:2]
    assert first["deadline"]["kind"] == "window"
    assert first["deadline"]["windows"] == [{"start": "2021-04-01", "end": "2021-04-30"}]
    assert second["responsible"] == ["ИМЦ", "Руководители ОО"]


@pytest.mark.django_db
def test_a_new_period_rereads_every_deadline(staff_client, municipality):
    path = seed_path("004")
    upload(staff_client, municipality, path.name, path.read_bytes())
    draft = PlanImportDraft.objects.get()
    response = staff_client.post(
        field_url(draft),
        {"target": "plan", "field": "period_start", "value": "2020-09-01"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204 and response["HX-Refresh"] == "true"
    draft.refresh_from_db()
    assert draft.data["period"]["start"] == "2020-09-01"


@pytest.mark.django_db
def test_a_bad_value_comes_back_with_a_russian_error(staff_client, municipality):
    path = seed_path("004")
    upload(staff_client, municipality, path.name, path.read_bytes())
    draft = PlanImportDraft.objects.get()
    shown = staff_client.post(
        field_url(draft), {"target": "0.0", "field": "text", "value": "  "}
    ).content.decode()
    assert "Текст мероприятия не может быть пустым." in shown
    assert (
        staff_client.post(
            field_url(draft), {"target": "9.9", "field": "text", "value": "x"}
        ).status_code
        == 400
    )


@pytest.mark.django_db
def test_an_item_can_be_dropped_from_the_preview(staff_client, municipality):
    path = seed_path("004")
    upload(staff_client, municipality, path.name, path.read_bytes())
    draft = PlanImportDraft.objects.get()
    page = staff_client.post(
        field_url(draft), {"target": "0.0", "field": "delete"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "всего мероприятий: <strong>12</strong>" in page


@pytest.mark.django_db
def test_saving_the_corrected_preview_creates_the_plan_and_drops_the_draft(
    staff_client, municipality, no_schedule
):
    path = seed_path("004")
    upload(staff_client, municipality, path.name, path.read_bytes())
    draft = PlanImportDraft.objects.get()
    staff_client.post(
        field_url(draft), {"target": "plan", "field": "title", "value": "План на 2021 год"}
    )
    response = staff_client.post(reverse("plans:import_commit", args=[draft.pk]))
    plan = Plan.objects.get()
    assert response.url == reverse("plans:detail", args=[plan.pk])
    assert plan.title == "План на 2021 год" and plan.items.count() == 13
    assert plan.created_by is not None and plan.source_name == path.name
    assert not PlanImportDraft.objects.exists()


@pytest.mark.django_db
def test_a_preview_that_cannot_be_saved_says_why_and_saves_nothing(staff_client, municipality):
    path = seed_path("004")
    upload(staff_client, municipality, path.name, path.read_bytes())
    draft = PlanImportDraft.objects.get()
    draft.data["title"] = ""
    draft.save()
    page = staff_client.post(reverse("plans:import_commit", args=[draft.pk])).content.decode()
    assert "Не указано название плана." in page
    assert not Plan.objects.exists() and PlanImportDraft.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("plan.docx", docx_plan([], paragraphs=["Только текст"]), "таблиц"),
        ("plan.docx", b"PK\x03\x04 broken", "повреждён"),
        ("plan.docx", docx_plan([HEADER]), "План не загружен"),
    ],
)
def test_a_bad_upload_is_refused_in_russian_and_nothing_is_kept(
    staff_client, municipality, name, content, message
):
    page = upload(staff_client, municipality, name, content).content.decode()
    assert "План не загружен, ничего не сохранено." in page and message in page
    assert not PlanImportDraft.objects.exists() and not Plan.objects.exists()


@pytest.mark.django_db
def test_pasted_text_is_read_as_text_never_as_a_file_path(staff_client, municipality):
    response = post_import(
        staff_client,
        {"text": str(seed_path("004")), "format": "auto", "municipality": municipality.pk},
    )
    assert response.status_code == 200  # refused: a path is not a plan table
    assert "План не загружен" in response.content.decode()
    assert not PlanImportDraft.objects.exists()


@pytest.mark.django_db
def test_pasted_table_text_is_previewed(staff_client, municipality):
    text = seed_path("000").read_text(encoding="utf-8")
    response = post_import(
        staff_client, {"text": text, "format": "auto", "municipality": municipality.pk}
    )
    assert response.status_code == 302
    assert PlanImportDraft.objects.get().data["sections"][0]["items"][0]["number"] == "1.1."
    assert not Item.objects.exists()


@pytest.mark.django_db
def test_discarding_the_preview_keeps_nothing(staff_client, municipality):
    path = seed_path("004")
    upload(staff_client, municipality, path.name, path.read_bytes())
    draft = PlanImportDraft.objects.get()
    staff_client.post(reverse("plans:import_discard", args=[draft.pk]))
    assert not PlanImportDraft.objects.exists() and not Plan.objects.exists()


@pytest.mark.django_db
def test_previews_left_unsaved_are_deleted_by_the_daily_job(staff_client, municipality, settings):
    from datetime import timedelta

    from django.utils import timezone

    from plans import tasks

    path = seed_path("002")
    upload(staff_client, municipality, path.name, path.read_bytes())
    upload(staff_client, municipality, path.name, path.read_bytes())
    old, fresh = PlanImportDraft.objects.order_by("pk")
    PlanImportDraft.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=settings.PLANS_IMPORT_DRAFT_DAYS + 1)
    )
    assert tasks.delete_stale_import_drafts() == 1
    assert list(PlanImportDraft.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert "Незавершённые загрузки" in staff_client.get(reverse("plans:import")).content.decode()
    assert not Plan.objects.exists()  # only previews go, never a saved plan
    beat = settings.CELERY_BEAT_SCHEDULE["plans-import-drafts"]
    assert beat["task"] == tasks.delete_stale_import_drafts.name
