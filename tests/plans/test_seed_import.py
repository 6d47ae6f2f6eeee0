"""The five real seed plans, imported into the database and printed with --json."""

import json
from datetime import date

import pytest
from django.core.management import call_command

from plans.models import Item, Plan
from plans.services.importing import import_plan_document
from tests.plans.conftest import seed_path

SEED_COUNTS = [
    ("000", 5, 11, 11),
    ("001", 3, 16, 16),
    ("002", 3, 13, 16),
    ("003", 4, 16, 16),
    ("004", 1, 13, 13),
]


def load(number: str, municipality) -> Plan:
    path = seed_path(number)
    return import_plan_document(
        source=path.read_bytes(), filename=path.name, municipality=municipality
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("number", "sections", "top_level", "total"), SEED_COUNTS)
def test_seed_plans_are_stored_with_their_sections_and_items(
    number, sections, top_level, total, municipality, no_schedule
):
    plan = load(number, municipality)
    assert plan.sections.count() == sections
    assert Item.objects.filter(plan=plan, parent=None).count() == top_level
    assert Item.objects.filter(plan=plan).count() == total


@pytest.mark.django_db
def test_seed_004_item_7_keeps_its_window_and_named_people(municipality, no_schedule):
    plan = load("004", municipality)
    item = Item.objects.get(plan=plan, number__in=["7", "7."])
    assert [(w.start, w.end) for w in item.window_list()] == [
        (date(2021, 3, 20), date(2021, 3, 26))
    ]
    assert "Ю.И. Беляева" in [r.text for r in item.responsibles.all()]
    assert plan.order_reference.startswith("Приложение 1 к приказу")
    assert plan.goal and plan.tasks and plan.expected_results


@pytest.mark.django_db
def test_seed_002_keeps_its_approval_block_and_nested_item_8(municipality, no_schedule):
    plan = load("002", municipality)
    assert (plan.approval_name, plan.approval_date) == ("И.В.Шадеркова", date(2023, 2, 10))
    parent = Item.objects.get(plan=plan, number__in=["8", "8."])
    assert parent.children.count() == 3
    assert parent.deadline_text == "" and parent.window_list() == []


@pytest.mark.django_db
def test_seed_001_item_1_2_responsible_joined_with_its_continuation_line(municipality, no_schedule):
    plan = load("001", municipality)
    item = Item.objects.get(plan=plan, number__in=["1.2", "1.2."])
    assert item.responsible_text.endswith("… общественные наблюдатели, специалисты УО"[2:])
    assert "специалисты УО" in [r.text for r in item.responsibles.all()]


@pytest.mark.django_db
def test_seed_003_merged_responsible_cell_is_not_repeated(municipality, no_schedule):
    plan = load("003", municipality)
    item = Item.objects.get(plan=plan, number__in=["2.2", "2.2."])
    texts = [r.text for r in item.responsibles.all()]
    assert len(texts) == len(set(texts))
    assert item.responsible_text.count("Муниципальный координатор ВПР") <= 1


@pytest.mark.django_db
def test_seed_003_mixed_script_word_survives_verbatim(municipality, no_schedule):
    plan = load("003", municipality)
    assert Item.objects.filter(plan=plan, expected_result__contains="неobjективности").exists()


@pytest.mark.django_db
def test_import_plan_json_prints_exactly_the_contract_shape(municipality, capsys):
    call_command("import_plan", str(seed_path("002")), "--json", "--dry-run")
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {
        "title",
        "period",
        "approval",
        "basis",
        "order",
        "goal",
        "tasks",
        "expected_results",
        "sections",
    }
    assert data["approval"] == {
        "position": data["approval"]["position"],
        "name": "И.В.Шадеркова",
        "date": "2023-02-10",
    }
    assert len(data["sections"]) == 3
    item = data["sections"][0]["items"][0]
    assert set(item) == {"number", "text", "deadline", "responsible", "expected_result", "children"}
    assert set(item["deadline"]) == {"text", "kind", "windows"}
    assert not Plan.objects.exists()


@pytest.mark.django_db
def test_import_plan_saves_and_prints_the_new_plans_id(municipality, capsys, no_schedule):
    call_command("import_plan", str(seed_path("000")))
    plan_id = int(capsys.readouterr().out.strip())
    plan = Plan.objects.get(pk=plan_id)
    assert plan.municipality == municipality
    assert plan.items.count() == 11
    assert plan.source_name == seed_path("000").name
