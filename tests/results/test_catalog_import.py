import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from results.models import Test
from results.services import CatalogError, import_catalog

FIXTURE = Path(__file__).resolve().parents[2] / "results" / "fixtures" / "catalog.json"


def catalog_with(**overrides) -> dict:
    test = {
        "year": 2026,
        "session": "spring",
        "subject": "Русский язык",
        "grade": 4,
        "max_score": 6,
        "cuts": {"3": 2, "4": 4, "5": 5},
        "tasks": [
            {"number": "1", "max": 2, "level": "Б"},
            {"number": "9.1", "max": 1, "level": "Б"},
            {"number": "1K1", "max": 3, "level": "П"},
        ],
    }
    test.update(overrides)
    return {"tests": [test]}


@pytest.mark.django_db
def test_the_shipped_catalog_loads_and_every_scale_is_consistent():
    report = import_catalog(data=FIXTURE)
    assert report.created == len(json.loads(FIXTURE.read_text())["tests"])
    ru4 = Test.objects.get(year=2026, subject="Русский язык", grade=4)
    assert (ru4.max_score, ru4.cuts) == (24, (10, 16, 21))
    assert ru4.tasks.count() == 12
    assert sum(ru4.tasks.values_list("max_score", flat=True)) == 24
    assert "проверены" in ru4.source_note


@pytest.mark.django_db
def test_reimport_of_the_same_test_updates_it():
    import_catalog(data=catalog_with())
    report = import_catalog(data=catalog_with(cuts={"3": 3, "4": 4, "5": 6}))
    assert (report.created, report.updated) == (0, 1)
    test = Test.objects.get()
    assert test.cuts == (3, 4, 6)
    assert list(test.tasks.values_list("number", flat=True)) == ["1", "9.1", "1K1"]


@pytest.mark.django_db
def test_task_maxima_not_summing_to_max_score_are_refused():
    with pytest.raises(CatalogError) as caught:
        import_catalog(data=catalog_with(max_score=7))
    assert (
        "сумма максимальных баллов заданий (6) не равна максимальному первичному баллу (7)"
        in (caught.value.errors[0])
    )
    assert Test.objects.count() == 0


@pytest.mark.parametrize(
    ("cuts", "message"),
    [
        ({"3": 4, "4": 4, "5": 5}, "пороги отметок должны возрастать"),
        ({"3": 2, "4": 4, "5": 7}, "порог «5» (7) больше максимального балла (6)"),
        ({"3": 2, "4": 4}, "должна задавать пороги"),
    ],
)
@pytest.mark.django_db
def test_bad_cut_scores_are_refused(cuts, message):
    with pytest.raises(CatalogError) as caught:
        import_catalog(data=catalog_with(cuts=cuts))
    assert message in caught.value.errors[0]


@pytest.mark.django_db
def test_cli_exits_nonzero_with_a_clear_message(tmp_path, capsys):
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(catalog_with(max_score=30), ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_catalog", str(path))
    assert "не равна максимальному первичному баллу (30)" in capsys.readouterr().err
    assert Test.objects.count() == 0


@pytest.mark.django_db
def test_invalid_json_is_reported_with_its_line(tmp_path):
    with pytest.raises(CatalogError) as caught:
        import_catalog(data='{"tests": [\n{"year": }]}')
    assert "строка 2" in caught.value.errors[0]


@pytest.mark.django_db
def test_mark_for_follows_the_scale():
    import_catalog(data=catalog_with())
    test = Test.objects.get()
    assert [test.mark_for(s) for s in range(7)] == [2, 2, 3, 3, 4, 5, 5]
    assert test.short_code == "4 РУ"
