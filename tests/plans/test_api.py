"""API: plans, sections, items with filters (status, deadline window, responsible, overdue)."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from plans.models import Item, ItemStatus


@pytest.fixture
def api(client, staff_user):
    client.force_login(staff_user)
    return client


def numbers(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["number"] for item in response.json()["results"]}


@pytest.mark.django_db
def test_plans_and_sections_are_listed(api, approved_plan):
    plans = api.get(reverse("plan-list")).json()
    assert plans["count"] == 1 and plans["results"][0]["title"] == approved_plan.title
    sections = api.get(reverse("plan-section-list"), {"plan": approved_plan.pk}).json()
    assert [s["number"] for s in sections["results"]] == ["1."]


@pytest.mark.django_db
def test_an_item_carries_its_deadline_text_windows_and_parties(api, approved_plan):
    item = Item.objects.get(plan=approved_plan, number="1.2.")
    data = api.get(reverse("plan-item-detail", args=[item.pk])).json()
    assert data["deadline"]["text"] == "Май 2024"
    assert data["deadline"]["windows"] == [
        {"start": "2024-05-01", "end": "2024-05-31", "from_schedule": False}
    ]
    assert data["responsible"][0]["text"] == "Отдел образования"
    assert data["responsible"][0]["role"] == "department"


@pytest.mark.django_db
def test_items_filter_by_status_window_responsible_and_overdue(api, approved_plan, monkeypatch):
    url = reverse("plan-item-list")
    Item.objects.filter(plan=approved_plan, number="1.3.").update(status=ItemStatus.DONE)
    assert numbers(api.get(url, {"status": "done"})) == {"1.3."}
    assert numbers(api.get(url, {"status": ["planned", "done"]})) == {"1.1.", "1.2.", "1.3."}
    window = {"window_from": "2024-05-10", "window_to": "2024-05-20"}
    assert numbers(api.get(url, window)) == {"1.2.", "1.3."}  # May, and the whole year
    assert numbers(api.get(url, {"window_to": "2024-02-01"})) == {"1.3."}
    assert numbers(api.get(url, {"responsible": "руководители"})) == {"1.1."}
    assert numbers(api.get(url, {"responsible": "department"})) == {"1.2."}
    monkeypatch.setattr(timezone, "localdate", lambda *a: date(2024, 4, 15))
    assert numbers(api.get(url, {"overdue": "true"})) == {"1.1."}
    assert numbers(api.get(url, {"overdue": "false"})) == {"1.2.", "1.3."}


@pytest.mark.django_db
def test_the_api_needs_a_login(client, approved_plan):
    assert client.get(reverse("plan-item-list")).status_code in (401, 403)
