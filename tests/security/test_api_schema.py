"""The OpenAPI schema, the offline Swagger UI and schemathesis against a live server.

The live test starts the portal (gunicorn, DEBUG off) on a free loopback port over a
freshly migrated and seeded SQLite database, takes a token for the demo staff user from
/api/auth/token/, and runs schemathesis over every GET operation: no 5xx, every status
code, content type and body as the schema documents them.
"""

import json
import re
import subprocess
import urllib.request

import pytest
from django.urls import reverse

from tests.processes import ROOT, base_env, free_port, running, venv_bin, wait_for_http

SCHEMATHESIS_TIMEOUT = 150


@pytest.mark.django_db
def test_the_schema_and_the_docs_need_a_login(client):
    assert client.get(reverse("api-schema")).status_code in (401, 403)
    assert client.get(reverse("api-docs")).status_code in (401, 403)


@pytest.mark.django_db
def test_the_schema_describes_token_and_basic_auth_and_every_router_path(client, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    schemes = schema["components"]["securitySchemes"]
    assert schemes["basicAuth"] == {"type": "http", "scheme": "basic"}
    assert schemes["tokenAuth"]["in"] == "header"
    assert "/api/auth/token/" in schema["paths"]
    for path in ("/api/results/", "/api/reports/{id}/", "/api/schools/", "/api/indicators/"):
        operation = schema["paths"][path]["get"]
        assert {"200", "400", "401", "403", "404", "429"} <= set(operation["responses"])


@pytest.mark.django_db
def test_the_swagger_ui_is_served_offline_without_inline_script(client, staff_user):
    client.force_login(staff_user)
    page = client.get(reverse("api-docs")).content.decode()
    sources = re.findall(r'<script[^>]*src="([^"]+)"', page)
    assert any("drf_spectacular_sidecar/swagger-ui-dist" in src for src in sources)
    assert all(src.startswith("/") for src in sources), sources  # no CDN
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    stylesheets = re.findall(r'<link[^>]*href="([^"]+)"', page)
    assert all(href.startswith("/") for href in stylesheets), stylesheets
    script_url = next(src for src in sources if "script" in src and "sidecar" not in src)
    script = client.get(script_url)
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def _run(command: list[str], env: dict, timeout: float, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_schemathesis_finds_no_server_error_and_no_schema_violation(tmp_path):
    env = base_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        VAR_DIR=str(tmp_path / "var"),
        EMAIL_URL="memory://",
        AXES_ENABLED="1",
    )
    python = venv_bin("python")
    for step in (["migrate", "--verbosity", "0"], ["seed_demo"]):
        result = _run([python, "manage.py", *step], env, timeout=300)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = [
        venv_bin("gunicorn"),
        "vpr_portal.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--timeout",
        "60",
    ]
    with running({"web": server}, env=env, log_dir=tmp_path) as processes:
        wait_for_http(f"{base}/accounts/login/", processes=list(processes.values()))
        request = urllib.request.Request(  # noqa: S310 — loopback only
            f"{base}/api/auth/token/",
            data=b"username=staff&password=demo12345",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            token = json.loads(response.read())["token"]
        result = _run(
            [
                venv_bin("schemathesis"),
                "run",
                f"{base}/api/schema/?format=json",
                "--header",
                f"Authorization: Token {token}",
                "--include-method",
                "GET",
                "--checks",
                "not_a_server_error,response_schema_conformance,"
                "status_code_conformance,content_type_conformance",
                "--phases",
                "coverage,fuzzing",
                "--max-examples",
                "5",
                "--workers",
                "2",
                "--seed",
                "2026",
                "--generation-database",
                "none",
                "--request-timeout",
                "30",
                "--no-color",
            ],
            env,
            timeout=SCHEMATHESIS_TIMEOUT,
            cwd=tmp_path,  # its cache and reports stay out of the work tree
        )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    tested = re.search(r"Tested: (\d+)", output)
    assert tested and int(tested.group(1)) >= 20, output[-3000:]  # it really ran the GETs
    assert "No issues found" in output, output[-3000:]
