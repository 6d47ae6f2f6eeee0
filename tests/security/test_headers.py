"""Security headers on every page: a Content-Security-Policy with no inline script, and the
headers Django's security middleware sets; templates hold no inline script at all."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories

TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates"]
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
HTMX_ON = re.compile(r"\shx-on[:-]")
HTMX_EVAL_VALUE = re.compile(r"\shx-(trigger|vals|vars)=\"([^\"]*)\"")


class _HtmxEval:
    """hx-on handlers, `js:` values and trigger filters (`keyup[...]`) are evaluated by
    htmx with eval: blocked by the CSP. `from:input[name=q]` is a selector, not a filter."""

    def finditer(self, text: str):
        yield from HTMX_ON.finditer(text)
        for match in HTMX_EVAL_VALUE.finditer(text):
            attribute, value = match.groups()
            if (
                "js:" in value
                or "javascript:" in value
                or (
                    attribute == "trigger"
                    and any(re.match(r"\s*[\w:.-]+\[", spec) for spec in value.split(","))
                )
            ):
                yield match

    def search(self, text: str):
        return next(iter(self.finditer(text)), None)


HTMX_EVAL = _HtmxEval()
JS_URL = re.compile(r"(?:href|src|action)\s*=\s*[\"']\s*javascript:", re.IGNORECASE)


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def assert_secure_headers(response) -> None:
    csp = directives(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no CDN
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def _pages_for(role: str) -> list[str]:
    common = [reverse("dashboard"), reverse("results:catalog"), reverse("job_list")]
    if role == "staff":
        return [
            *common,
            reverse("schools:list"),
            reverse("plans:index"),
            reverse("observers:index"),
            reverse("results:upload_list"),
            reverse("results:reports"),
            reverse("results:indicators"),
        ]
    if role == "coordinator":
        return [*common, reverse("results:upload_list"), reverse("plans:index")]
    return [*common, reverse("observers:index")]


@pytest.mark.django_db
def test_the_login_page_and_the_lockout_page_carry_the_headers(client):
    assert_secure_headers(client.get(reverse("login")))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["staff", "coordinator", "observer"])
def test_every_main_page_of_a_role_carries_the_security_headers(client, role, staff_user, school):
    if role == "staff":
        user = staff_user
    elif role == "coordinator":
        user = factories.make_coordinator(school=school, username="coord-h")
    else:
        observer = factories.ObserverFactory(municipality=school.municipality)
        user = factories.make_observer_user(observer=observer, username="observer-h")
    client.force_login(user)
    for url in _pages_for(role):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert_secure_headers(response)


@pytest.mark.django_db
def test_api_responses_and_the_swagger_ui_carry_the_headers(client, staff_user):
    client.force_login(staff_user)
    for url in (reverse("test-list"), reverse("api-docs")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_secure_headers(response)


@pytest.mark.django_db
def test_hsts_is_sent_over_https_when_debug_is_off(client, settings):
    assert not settings.DEBUG
    response = client.get(reverse("login"), secure=True)
    assert "max-age=" in response["Strict-Transport-Security"]
    assert int(response["Strict-Transport-Security"].split("max-age=")[1].split(";")[0]) > 0


def _template_files() -> list[Path]:
    files = [p for d in TEMPLATE_DIRS for p in d.rglob("*.html")]
    assert len(files) > 50  # the scan really reads the portal's templates
    return files


def test_no_template_has_an_inline_script_or_an_event_handler_attribute():
    offenders = []
    for path in _template_files():
        text = path.read_text(encoding="utf-8")
        for name, pattern in (
            ("inline <script>", INLINE_SCRIPT),
            ("on*= handler", EVENT_HANDLER),
            ("htmx code evaluation", HTMX_EVAL),
            ("javascript: URL", JS_URL),
        ):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(settings.BASE_DIR)}:{line}: {name}")
    assert offenders == []


def test_the_template_scan_catches_each_kind_of_inline_script():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/x.js" defer></script>')
    assert EVENT_HANDLER.search('<select name="y" onchange="this.form.submit()">')
    assert not EVENT_HANDLER.search('<select name="year" data-autosubmit>')
    assert HTMX_EVAL.search('<a hx-on:click="event.preventDefault()">')
    assert HTMX_EVAL.search("<span hx-trigger=\"click, keyup[key=='Enter']\">")
    assert HTMX_EVAL.search('<span hx-vals="js:{a: 1}">')
    assert not HTMX_EVAL.search(
        '<form hx-trigger="change, keyup changed delay:400ms from:input[name=q]">'
    )
    assert JS_URL.search('<a href="javascript:void(0)">')


def test_htmx_is_configured_not_to_evaluate_code_or_inject_styles():
    base = (TEMPLATE_DIRS[0] / "base.html").read_text(encoding="utf-8")
    assert '"includeIndicatorStyles": false' in base
    assert '"allowEval": false' in base
