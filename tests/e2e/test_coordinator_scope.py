import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True)
def test_coordinator_sees_their_school_and_gets_404_on_another(
    live_server, page, coordinator, school, other_school
):
    log_in(page, live_server.url, "coordinator-a", "secret-pass-123")
    panel = page.locator("[data-testid=coordinator-panel]")
    assert panel.is_visible()
    assert school.short_name in panel.inner_text()
    assert school.login in panel.inner_text()
    assert page.locator("html").get_attribute("lang") == "ru"

    response = page.goto(f"{live_server.url}/schools/{other_school.pk}/")
    assert response.status == 404
    assert "Страница не найдена" in page.inner_text("body")
    assert other_school.short_name not in page.content()
