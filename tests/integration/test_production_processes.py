"""The compose file's processes, started natively on real PostgreSQL and Redis.

There is no Docker engine here, so this test takes web, worker and beat commands
from docker-compose.yml itself and runs them against the throwaway servers that
`make test` starts: if the compose file drifts from what works, this fails.
"""

import time
from pathlib import Path

import pytest
import yaml
from django.db import connection

from tests.conftest import require_env
from tests.processes import ROOT, base_env, free_port, health, running, wait_for_http

pytestmark = pytest.mark.integration


@pytest.fixture
def production_env(transactional_db, tmp_path):
    database_url = require_env("DATABASE_URL")
    redis_url = require_env("REDIS_URL")
    if connection.vendor != "postgresql":
        pytest.fail("integration tests need DATABASE_URL to point at PostgreSQL (make test)")
    # The processes must use the test database pytest-django created, not the base one.
    test_db = connection.settings_dict["NAME"]
    url = database_url.rsplit("/", 1)[0] + f"/{test_db}"
    return base_env(
        DATABASE_URL=url,
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        VAR_DIR=str(tmp_path / "var"),
        MEDIA_ROOT=str(tmp_path / "media"),
        EMAIL_URL="console://",
    )


def compose_commands(port: int, schedule: Path) -> dict[str, list[str]]:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    web = [part.replace("0.0.0.0:8000", f"127.0.0.1:{port}") for part in services["web"]["command"]]
    beat = [
        part.replace("/tmp/celerybeat-schedule", str(schedule))
        for part in services["beat"]["command"]
    ]
    return {"web": web, "worker": services["worker"]["command"], "beat": beat}


def test_web_worker_and_beat_from_the_compose_file_serve_a_healthy_portal(production_env, tmp_path):
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    commands = compose_commands(port, tmp_path / "beat-schedule")
    with running(commands, env=production_env, log_dir=tmp_path) as processes:
        wait_for_http(f"{base_url}/accounts/login/", processes=list(processes.values()))
        status, body = health(base_url)
        deadline = time.monotonic() + 60
        while body["checks"]["worker"]["ok"] is False and time.monotonic() < deadline:
            time.sleep(1)  # the worker may still be connecting to Redis
            status, body = health(base_url)
        logs = "\n".join(
            (tmp_path / f"{n}.log").read_text(errors="replace")[-2000:] for n in commands
        )
        assert status == 200, logs
        assert body["checks"]["database"] == {"ok": True, "detail": "postgresql"}
        assert body["checks"]["broker"]["ok"] is True
        assert body["checks"]["worker"]["ok"] is True, logs
        assert processes["beat"].poll() is None, logs
        assert "gunicorn" in (tmp_path / "web.log").read_text()
