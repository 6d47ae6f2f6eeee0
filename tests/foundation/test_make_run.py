"""`make run`'s server: a real Celery worker on the embedded broker, SQLite, no services."""

import subprocess
import sys

from tests.processes import ROOT, base_env, free_port, health, http_get, running, wait_for_http


def test_runportal_serves_the_login_page_and_a_live_worker(tmp_path):
    port = free_port()
    env = base_env(DEBUG="1", VAR_DIR=str(tmp_path / "var"), EMAIL_URL="console://")
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "SECRET_KEY"):
        env.pop(name, None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        env=env,
        check=True,
        cwd=ROOT,
    )
    command = [sys.executable, "manage.py", "runportal", f"127.0.0.1:{port}", "--noreload"]
    with running({"runportal": command}, env=env, log_dir=tmp_path) as processes:
        base_url = f"http://127.0.0.1:{port}"
        wait_for_http(f"{base_url}/accounts/login/", processes=list(processes.values()))
        status, page = http_get(f"{base_url}/accounts/login/")
        assert status == 200 and "Вход в портал" in page
        status, body = health(base_url)
        log = (tmp_path / "runportal.log").read_text(errors="replace")
        assert status == 200, log
        assert body["checks"]["broker"]["detail"] == "filesystem"
        assert body["checks"]["worker"]["ok"] is True, log
        assert "celery@" in log and "ready" in log  # a separate worker process, not eager mode
