"""Editing the plan in place (htmx): item rows, add, move, delete with confirmation, sections."""

from datetime import date

import pytest
from django.urls import reverse

from plans.models import DeadlineKind, Item, ItemStatus, PartyRole, Section
from tests import factories

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def item(plan, number: str) -> Item:
    return Item.objects.get(plan=plan, number=number)


@pytest.mark.django_db
def test_the_edit_button_turns_the_row_into_a_form_and_cancel_restores_it(
    staff_client, approved_plan
):
    target = item(approved_plan, "1.1.")
    form = staff_client.get(reverse("plans:item_edit", args=[target.pk]), **HTMX).content.decode()
    assert form.lstrip().startswith(f'<tr id="item-{target.pk}"')
    assert 'name="deadline_text"' in form and "Совещание с руководителями ОО" in form
    assert "Руководители ОО" in form  # parties, one per line
    row = staff_client.get(reverse("plans:item_row", args=[target.pk]), **HTMX).content.decode()
    assert row.lstrip().startswith(f'<tr id="item-{target.pk}"') and "<form" in row


@pytest.mark.django_db
def test_saving_an_inline_edit_rereads_the_deadline_and_relinks_parties(
    staff_client, approved_plan
):
    target = item(approved_plan, "1.1.")
    response = staff_client.post(
        reverse("plans:item_edit", args=[target.pk]),
        {
            "number": "1.1.",
            "text": "Совещание с руководителями ОО (перенесено)",
            "deadline_text": "Февраль",
            "responsible": "Отдел образования\nИМЦ",
            "expected_result": "Протокол",
        },
        **HTMX,
    )
    assert response.status_code == 204
    assert response["HX-Trigger"] == "plan-changed"  # the document reloads with its filters
    target.refresh_from_db()
    assert target.text.endswith("(перенесено)") and target.expected_result == "Протокол"
    assert target.deadline_text == "Февраль" and target.deadline_kind == DeadlineKind.WINDOW
    assert [(w.start, w.end) for w in target.window_list()] == [
        (date(2024, 2, 1), date(2024, 2, 29))
    ]
    roles = [r.role for r in target.responsibles.all()]
    assert roles == [PartyRole.DEPARTMENT, PartyRole.METHODICAL_CENTRE]


@pytest.mark.django_db
def test_an_unrecognised_deadline_can_be_given_dates_by_hand(staff_client, approved_plan):
    target = item(approved_plan, "1.1.")
    staff_client.post(
        reverse("plans:item_edit", args=[target.pk]),
        {
            "number": "1.1.",
            "text": target.text,
            "deadline_text": "после каникул",
            "window_start": "2024-01-09",
            "window_end": "2024-01-20",
            "responsible": "Руководители ОО",
        },
        **HTMX,
    )
    target.refresh_from_db()
    assert target.deadline_text == "после каникул" and target.deadline_manual
    assert [(w.start, w.end) for w in target.window_list()] == [
        (date(2024, 1, 9), date(2024, 1, 20))
    ]


@pytest.mark.django_db
def test_an_invalid_edit_comes_back_as_the_form_with_the_error(staff_client, approved_plan):
    target = item(approved_plan, "1.1.")
    response = staff_client.post(
        reverse("plans:item_edit", args=[target.pk]),
        {"number": "1.1.", "text": "", "deadline_text": "Март 2024"},
        **HTMX,
    )
    page = response.content.decode()
    assert response.status_code == 200 and "is-invalid" in page
    target.refresh_from_db()
    assert target.text == "Совещание с руководителями ОО"


@pytest.mark.django_db
def test_an_item_is_added_at_the_end_of_its_section(staff_client, approved_plan):
    section = approved_plan.sections.get()
    form = staff_client.get(reverse("plans:item_add", args=[section.pk]), **HTMX).content.decode()
    assert f'id="add-slot-{section.pk}"' in form
    response = staff_client.post(
        reverse("plans:item_add", args=[section.pk]),
        {
            "number": "1.4.",
            "text": "Публикация итогов",
            "deadline_text": "Июнь 2024",
            "responsible": "Отдел образования",
        },
        **HTMX,
    )
    assert response.status_code == 204
    added = item(approved_plan, "1.4.")
    assert added.position == 3 and added.deadline_kind == DeadlineKind.WINDOW
    assert added.responsibles.get().role == PartyRole.DEPARTMENT


@pytest.mark.django_db
def test_a_sub_item_is_added_under_its_parent(staff_client, approved_plan):
    parent = item(approved_plan, "1.2.")
    section = parent.section
    staff_client.post(
        reverse("plans:item_add", args=[section.pk]) + f"?parent={parent.pk}",
        {"number": "1.2.1", "text": "Анализ по математике", "deadline_text": "Май 2024"},
    )
    child = item(approved_plan, "1.2.1")
    assert child.parent == parent and child.section == section


@pytest.mark.django_db
def test_moving_an_item_up_and_down_swaps_it_with_its_neighbour(staff_client, approved_plan):
    target = item(approved_plan, "1.2.")
    url = reverse("plans:item_move", args=[target.pk])
    staff_client.post(url, {"direction": "up"}, **HTMX)
    order = list(
        Item.objects.filter(plan=approved_plan)
        .order_by("position")
        .values_list("number", flat=True)
    )
    assert order == ["1.2.", "1.1.", "1.3."]
    staff_client.post(url, {"direction": "down"}, **HTMX)
    staff_client.post(url, {"direction": "down"}, **HTMX)
    staff_client.post(url, {"direction": "down"}, **HTMX)  # already last: nothing happens
    order = list(
        Item.objects.filter(plan=approved_plan)
        .order_by("position")
        .values_list("number", flat=True)
    )
    assert order == ["1.1.", "1.3.", "1.2."]


@pytest.mark.django_db
def test_an_item_can_be_moved_to_another_section(staff_client, approved_plan):
    other = factories.PlanSectionFactory(plan=approved_plan, number="2.", title="Методика")
    target = item(approved_plan, "1.1.")
    staff_client.post(reverse("plans:item_move", args=[target.pk]), {"section": other.pk})
    target.refresh_from_db()
    assert target.section == other
    foreign = factories.PlanSectionFactory()  # a section of another plan
    response = staff_client.post(
        reverse("plans:item_move", args=[target.pk]), {"section": foreign.pk}
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_deleting_asks_for_confirmation_first(staff_client, approved_plan):
    parent = item(approved_plan, "1.2.")
    factories.PlanItemFactory(section=parent.section, parent=parent, number="1.2.1")
    url = reverse("plans:item_delete", args=[parent.pk])
    confirm = staff_client.get(url, **HTMX).content.decode()
    assert "Удалить мероприятие 1.2." in confirm and "подпунктами (1)" in confirm
    assert Item.objects.filter(pk=parent.pk).exists()  # GET deletes nothing
    page = staff_client.get(url).content.decode()  # without htmx: a confirmation page
    assert "Удалить мероприятие?" in page
    response = staff_client.post(url, **HTMX)
    assert response.status_code == 204
    assert not Item.objects.filter(number__in=["1.2.", "1.2.1"]).exists()
    assert list(
        Item.objects.filter(plan=approved_plan)
        .order_by("position")
        .values_list("position", flat=True)
    ) == [0, 1]


@pytest.mark.django_db
def test_the_status_select_changes_the_status_and_dates_it(staff_client, approved_plan):
    target = item(approved_plan, "1.1.")
    staff_client.post(reverse("plans:item_status", args=[target.pk]), {"status": "done"}, **HTMX)
    target.refresh_from_db()
    assert target.status == ItemStatus.DONE and target.completed_on is not None
    staff_client.post(
        reverse("plans:item_status", args=[target.pk]), {"status": "in_progress"}, **HTMX
    )
    target.refresh_from_db()
    assert target.status == ItemStatus.IN_PROGRESS and target.completed_on is None


@pytest.mark.django_db
def test_a_completion_date_in_the_future_is_refused(staff_client, approved_plan):
    target = item(approved_plan, "1.1.")
    staff_client.post(
        reverse("plans:item_status", args=[target.pk]),
        {"status": "done", "completed_on": "2999-01-01", "next": "execution"},
    )
    target.refresh_from_db()
    assert target.status == ItemStatus.PLANNED


@pytest.mark.django_db
def test_sections_are_added_renamed_and_deleted_with_their_items(staff_client, approved_plan):
    staff_client.post(
        reverse("plans:section_add", args=[approved_plan.pk]), {"number": "2.", "title": "Новый"}
    )
    section = Section.objects.get(plan=approved_plan, number="2.")
    staff_client.post(
        reverse("plans:section_edit", args=[section.pk]), {"number": "II.", "title": "Другой"}
    )
    section.refresh_from_db()
    assert (section.number, section.title) == ("II.", "Другой")
    first = approved_plan.sections.get(number="1.")
    page = staff_client.get(reverse("plans:section_delete", args=[first.pk])).content.decode()
    assert "мероприятия (3)" in page
    staff_client.post(reverse("plans:section_delete", args=[first.pk]))
    assert not Item.objects.filter(plan=approved_plan).exists()


@pytest.mark.django_db
def test_the_execution_page_records_a_report_and_evidence(
    staff_client, approved_plan, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    target = item(approved_plan, "1.2.")
    assert staff_client.get(reverse("plans:item_execution", args=[target.pk])).status_code == 200
    staff_client.post(
        reverse("plans:item_status", args=[target.pk]),
        {
            "status": "done",
            "completed_on": "2024-05-20",
            "report_text": "Проведено",
            "next": "execution",
        },
    )
    staff_client.post(
        reverse("plans:evidence_add", args=[target.pk]),
        {"title": "Протокол", "file": SimpleUploadedFile("протокол.pdf", b"%PDF-1.4 test")},
    )
    staff_client.post(
        reverse("plans:evidence_add", args=[target.pk]), {"url": "https://example.org/vpr"}
    )
    target.refresh_from_db()
    assert (target.status, target.completed_on, target.report_text) == (
        ItemStatus.DONE,
        date(2024, 5, 20),
        "Проведено",
    )
    evidence = list(target.evidence.order_by("pk"))
    assert [e.title for e in evidence] == ["Протокол", ""]
    download = staff_client.get(reverse("plans:evidence_download", args=[evidence[0].pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"
    staff_client.post(reverse("plans:evidence_delete", args=[evidence[0].pk]))
    assert target.evidence.count() == 1
