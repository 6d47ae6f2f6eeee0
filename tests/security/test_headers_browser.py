"""In a real Chromium the Content-Security-Policy blocks nothing the portal needs: the main
pages, htmx and the Swagger UI run without a single CSP violation, and the behaviour moved
out of inline handlers (select auto-submit, Enter on an editable cell, cancel of an added
row) still works."""

import pytest

from tests import factories
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

PASSWORD = "secret-pass-123"


def watch_csp(page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


@pytest.mark.django_db(transaction=True)
def test_main_pages_and_the_swagger_ui_run_without_csp_violations(live_server, page, staff_user):
    violations = watch_csp(page)
    log_in(page, live_server.url, "staff-a", PASSWORD)
    for path in (
        "/",
        "/schools/",
        "/plans/",
        "/observers/",
        "/results/uploads/",
        "/results/reports/",
        "/api/docs/",
    ):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert "script-src 'self';" in response.headers["content-security-policy"] + ";"
        page.wait_for_load_state("networkidle")
    page.wait_for_selector(".swagger-ui .info", timeout=15000)  # the docs really rendered
    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_an_inline_script_would_be_reported_as_a_violation(live_server, page, staff_user):
    # The watcher is not blind: an injected inline script is refused and reported.
    violations = watch_csp(page)
    log_in(page, live_server.url, "staff-a", PASSWORD)
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.x = 1';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.x") is None
    assert violations


@pytest.mark.django_db(transaction=True)
def test_the_add_item_row_is_cancelled_without_an_inline_handler(
    live_server, page, staff_user, municipality
):
    section = factories.PlanSectionFactory(plan=factories.PlanFactory(municipality=municipality))
    factories.PlanItemFactory(section=section)
    violations = watch_csp(page)
    log_in(page, live_server.url, "staff-a", PASSWORD)
    page.goto(f"{live_server.url}/plans/{section.plan.pk}/")
    slot = f"#add-slot-{section.pk}"
    page.click(f"a[hx-target='{slot}']")
    page.wait_for_selector(f"{slot} form")
    page.click(f"{slot} [data-cancel-slot]")
    page.wait_for_selector(f"tr{slot}.d-none", state="attached")
    assert page.locator(f"{slot} form").count() == 0
    assert page.url.endswith(f"/plans/{section.plan.pk}/")  # the link was not followed
    assert violations == []
