"""Nobody reaches a plan, section, item, file or draft outside their scope, by any URL: 404."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from plans.models import Evidence, Item, ItemStatus, PlanImportDraft
from tests import factories


@pytest.fixture
def scene(approved_plan, municipality, settings, tmp_path):
    """Municipality A's plan with a file; a coordinator of A; staff of B."""
    settings.MEDIA_ROOT = tmp_path
    item = Item.objects.get(plan=approved_plan, number="1.1.")
    evidence = Evidence(item=item, title="Протокол")
    evidence.file.save("protocol.pdf", ContentFile(b"%PDF-1.4"), save=False)
    evidence.save()
    draft = PlanImportDraft.objects.create(
        municipality=municipality,
        created_by=factories.make_staff(municipality=municipality),
        data={"title": "Черновик", "sections": []},
    )
    return {
        "plan": approved_plan,
        "section": item.section,
        "item": item,
        "evidence": evidence,
        "draft": draft,
    }


def staff_urls(scene) -> list[tuple[str, str]]:
    """(method, url) of every staff page that takes an object id."""
    plan, section, item = scene["plan"].pk, scene["section"].pk, scene["item"].pk
    evidence, draft = scene["evidence"].pk, scene["draft"].pk
    urls = [
        ("get", reverse("plans:detail", args=[plan])),
        ("get", reverse("plans:edit", args=[plan])),
        ("post", reverse("plans:status", args=[plan])),
        ("get", reverse("plans:copy", args=[plan])),
        ("post", reverse("plans:copy", args=[plan])),
        ("get", reverse("plans:delete", args=[plan])),
        ("post", reverse("plans:delete", args=[plan])),
        ("get", reverse("plans:timeline", args=[plan])),
        ("post", reverse("plans:pdf", args=[plan])),
        ("get", reverse("plans:xlsx", args=[plan])),
        ("get", reverse("plans:section_add", args=[plan])),
        ("get", reverse("plans:section_edit", args=[section])),
        ("post", reverse("plans:section_delete", args=[section])),
        ("get", reverse("plans:item_add", args=[section])),
        ("get", reverse("plans:item_row", args=[item])),
        ("get", reverse("plans:item_edit", args=[item])),
        ("post", reverse("plans:item_edit", args=[item])),
        ("post", reverse("plans:item_status", args=[item])),
        ("post", reverse("plans:item_move", args=[item])),
        ("get", reverse("plans:item_delete", args=[item])),
        ("post", reverse("plans:item_delete", args=[item])),
        ("get", reverse("plans:item_execution", args=[item])),
        ("post", reverse("plans:evidence_add", args=[item])),
        ("get", reverse("plans:evidence_download", args=[evidence])),
        ("post", reverse("plans:evidence_delete", args=[evidence])),
        ("get", reverse("plans:import_preview", args=[draft])),
        ("get", reverse("plans:import_field", args=[draft]) + "?target=plan&field=title"),
        ("post", reverse("plans:import_commit", args=[draft])),
        ("post", reverse("plans:import_discard", args=[draft])),
    ]
    return urls


def assert_all_404(client, urls) -> None:
    for method, url in urls:
        response = getattr(client, method)(url, {"status": "done", "direction": "up"})
        assert response.status_code == 404, f"{method.upper()} {url}: {response.status_code}"


@pytest.mark.django_db
def test_staff_of_another_municipality_get_404_on_every_url(client, scene, other_municipality):
    client.force_login(factories.make_staff(municipality=other_municipality))
    assert_all_404(client, staff_urls(scene))
    assert Item.objects.filter(pk=scene["item"].pk, status=ItemStatus.PLANNED).exists()
    assert scene["plan"].__class__.objects.filter(pk=scene["plan"].pk).exists()


@pytest.mark.django_db
def test_a_coordinator_gets_404_on_every_staff_url_even_of_their_own_municipality(
    client, scene, coordinator
):
    client.force_login(coordinator)
    assert_all_404(client, staff_urls(scene))


@pytest.mark.django_db
def test_an_observer_gets_404_on_plans(client, scene, municipality):
    user = factories.UserFactory()
    factories.MembershipFactory(user=user, role="observer", municipality=municipality)
    client.force_login(user)
    assert_all_404(client, [*staff_urls(scene), ("get", reverse("plans:index"))])


@pytest.mark.django_db
def test_staff_of_another_municipality_cannot_use_someone_elses_import_draft(
    client, scene, municipality
):
    # Even in the same municipality a draft belongs to the person who uploaded it.
    client.force_login(factories.make_staff(municipality=municipality))
    response = client.get(reverse("plans:import_preview", args=[scene["draft"].pk]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_coordinator_of_another_school_gets_404_on_the_item_and_its_file(
    client, scene, other_school
):
    client.force_login(factories.make_coordinator(school=other_school))
    item, evidence = scene["item"], scene["evidence"]
    assert client.get(reverse("plans:my_item", args=[item.pk])).status_code == 404
    assert client.post(reverse("plans:my_item", args=[item.pk]), {}).status_code == 404
    assert client.get(reverse("plans:evidence_download", args=[evidence.pk])).status_code == 404
    page = client.get(reverse("plans:my_items") + "?show=all").content.decode()
    assert item.text not in page


@pytest.mark.django_db
def test_a_coordinator_does_not_see_the_departments_files(client, scene, coordinator):
    client.force_login(coordinator)
    # The item is theirs (Руководители ОО), the file is the department's own.
    assert client.get(reverse("plans:my_item", args=[scene["item"].pk])).status_code == 200
    response = client.get(reverse("plans:evidence_download", args=[scene["evidence"].pk]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_coordinators_see_nothing_of_draft_or_archived_plans(client, approved_plan, coordinator):
    approved_plan.status = "draft"
    approved_plan.save()
    client.force_login(coordinator)
    item = Item.objects.get(plan=approved_plan, number="1.1.")
    assert client.get(reverse("plans:my_item", args=[item.pk])).status_code == 404


@pytest.mark.django_db
def test_region_staff_see_the_plans_of_every_municipality(client, approved_plan, region):
    # Region-wide staff see the whole installation (schools.roles.sees_everything).
    client.force_login(factories.make_region_staff(region=region))
    assert client.get(reverse("plans:detail", args=[approved_plan.pk])).status_code == 200


@pytest.mark.django_db
def test_staff_in_one_municipality_and_expert_in_another_see_only_their_own_plans(
    client, approved_plan, other_municipality, municipality
):
    user = factories.make_staff(municipality=other_municipality)
    factories.MembershipFactory(user=user, role="expert", municipality=municipality)
    client.force_login(user)
    assert client.get(reverse("plans:detail", args=[approved_plan.pk])).status_code == 404


@pytest.mark.django_db
def test_the_api_is_scoped_like_the_pages(
    client, scene, other_municipality, coordinator, other_school
):
    plan, item = scene["plan"], scene["item"]
    urls = [
        reverse("plan-detail", args=[plan.pk]),
        reverse("plan-section-detail", args=[scene["section"].pk]),
        reverse("plan-item-detail", args=[item.pk]),
    ]
    client.force_login(factories.make_staff(municipality=other_municipality))
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("plan-list")).json()["count"] == 0
    assert client.get(reverse("plan-item-list")).json()["count"] == 0
    client.force_login(coordinator)  # the item is theirs, the plan as such is not
    assert client.get(urls[0]).status_code == 404
    assert client.get(urls[2]).status_code == 200
    assert {i["id"] for i in client.get(reverse("plan-item-list")).json()["results"]} == {item.pk}
    client.force_login(factories.make_coordinator(school=other_school))
    assert client.get(urls[2]).status_code == 404
