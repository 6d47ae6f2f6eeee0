"""Report pages and XLSX exports: the same numbers, charts inline, filters that stick."""

import io

import openpyxl
import pytest
from django.urls import reverse

from tests import factories
from tests.results.test_reports import A_ROWS, B_ROWS, C_ROWS

pytestmark = pytest.mark.django_db

KINDS = ["marks", "journal", "histogram", "tasks", "dynamics"]


@pytest.fixture
def world(region, municipality, other_municipality):
    test = factories.TestFactory(year=2026, grade=4)
    a = factories.SchoolFactory(municipality=municipality, login="edu100011", short_name="СОШ А")
    b = factories.SchoolFactory(municipality=municipality, login="edu100012", short_name="СОШ Б")
    c = factories.SchoolFactory(
        municipality=other_municipality, login="edu200013", short_name="СОШ В"
    )
    factories.make_results(test=test, school=a, rows=A_ROWS)
    factories.make_results(test=test, school=b, rows=B_ROWS)
    factories.make_results(test=test, school=c, rows=C_ROWS)
    return {"test": test, "a": a, "b": b, "c": c}


@pytest.mark.parametrize("kind", KINDS)
def test_every_report_renders_for_a_coordinator_with_a_chart(client, world, kind):
    client.force_login(factories.make_coordinator(school=world["a"]))
    response = client.get(reverse("results:report", args=[kind]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in page and 'role="img"' in page
    assert "ОО: СОШ А" in page and "Муниципалитет: Город А" in page
    assert "СОШ Б" not in page  # never another school's name or numbers


@pytest.mark.parametrize("kind", KINDS)
def test_every_report_exports_to_xlsx(client, world, kind):
    client.force_login(factories.make_coordinator(school=world["a"]))
    response = client.get(reverse("results:report_xlsx", args=[kind]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [c for row in workbook.active.iter_rows(values_only=True) for c in row if c is not None]
    assert any("СОШ А" in str(c) for c in cells)
    assert not any("СОШ Б" in str(c) for c in cells)


def test_the_marks_export_holds_the_hand_checked_shares(client, world):
    client.force_login(factories.make_coordinator(school=world["a"]))
    response = client.get(reverse("results:report_xlsx", args=["marks"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True) if r and r[0]}
    school = rows["ОО: СОШ А"]
    assert school[1:7] == (4, 25.0, 25.0, 25.0, 25.0, 50.0)
    assert rows["Регион: Тестовая область"][1] == 8


def test_staff_see_a_line_per_school_and_can_drill_down(client, world, municipality):
    client.force_login(factories.make_staff(municipality=municipality))
    page = client.get(reverse("results:report", args=["marks"])).content.decode()
    assert 'data-testid="schools-table"' in page
    assert "СОШ А" in page and "СОШ Б" in page and "СОШ В" not in page
    drill = client.get(
        reverse("results:report", args=["marks"]), {"school": world["a"].pk, "class_label": "4Б"}
    ).content.decode()
    assert "Класс 4Б" in drill


def test_filters_are_applied_by_htmx_as_a_partial(client, world):
    client.force_login(factories.make_coordinator(school=world["a"]))
    response = client.get(
        reverse("results:report", args=["tasks"]),
        {"test": world["test"].pk, "class_label": "4А"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert 'id="report-body"' in body and "<html" not in body
    assert "Класс 4А" in body


def test_the_histogram_page_draws_the_cut_scores(client, world):
    client.force_login(factories.make_coordinator(school=world["a"]))
    page = client.get(reverse("results:report", args=["histogram"])).content.decode()
    assert page.count('class="cut"') == 3
    assert "«3» от 4" in page


def test_without_results_the_page_says_so(client, school):
    client.force_login(factories.make_coordinator(school=school))
    page = client.get(reverse("results:report", args=["marks"])).content.decode()
    assert "Результаты ещё не загружены" in page


def test_an_unknown_report_is_a_404(client, world):
    client.force_login(factories.make_coordinator(school=world["a"]))
    assert client.get(reverse("results:report", args=["nonsense"])).status_code == 404


def test_changing_the_year_falls_back_to_that_years_test(client, world):
    earlier = factories.TestFactory(year=2025, grade=4)
    factories.make_results(test=earlier, school=world["a"], rows=A_ROWS)
    client.force_login(factories.make_coordinator(school=world["a"]))
    response = client.get(
        reverse("results:report", args=["marks"]), {"year": 2025, "test": world["test"].pk}
    )
    assert response.status_code == 200
    assert "ВПР 2025" in response.content.decode()
