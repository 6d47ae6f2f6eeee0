"""Settings come from the environment; production hardening passes check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 20 + "-Zq8#vP2!mW4rT6yU1iO3pA5sD7fG9hJ0kL",
    "ALLOWED_HOSTS": "vpr.example.ru",
    "DATABASE_URL": "sqlite:///:memory:",
    "REDIS_URL": "redis://127.0.0.1:6390/0",
    "EMAIL_URL": "smtp://mailer:pw@smtp.example.ru:587/?tls=True",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # Start from the caller's environment minus what the test run itself sets.
    ours = {
        "DEBUG",
        "SECRET_KEY",
        "DATABASE_URL",
        "SECURE_SSL_REDIRECT",
        "STATIC_MANIFEST",
        "VAR_DIR",
        "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests in this process
        "REDIS_URL",  # set by make test's PostgreSQL + Redis pass
        "CELERY_BROKER_URL",
    }
    clean = {k: v for k, v in os.environ.items() if k not in ours and not k.startswith("PYTEST")}
    clean.update(env)
    clean["VAR_DIR"] = env.get("VAR_DIR", str(ROOT / "var"))
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_check_deploy_with_production_variables_prints_no_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_secret_key_is_required_when_debug_is_off():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_settings_read_the_environment():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.EMAIL_HOST, s.EMAIL_PORT,"
        " s.EMAIL_USE_TLS, s.TIME_ZONE, s.LANGUAGE_CODE, s.DEBUG, s.SESSION_COOKIE_SECURE)"
    )
    env = {**PRODUCTION_ENV, "DATABASE_URL": "postgres://u:p@db:5432/vpr"}
    result = run_manage("shell", "-v", "0", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "redis://127.0.0.1:6390/0",
        "smtp.example.ru",
        "587",
        "True",
        "Europe/Moscow",
        "ru",
        "False",
        "True",
    ]


def test_without_a_broker_url_the_embedded_filesystem_broker_is_used(tmp_path):
    code = "from django.conf import settings as s; print(s.CELERY_BROKER_URL, s.DATABASES['default']['NAME'])"
    env = {"DEBUG": "1", "VAR_DIR": str(tmp_path)}
    result = run_manage("shell", "-v", "0", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    broker, database = result.stdout.split()
    assert broker == "filesystem://"
    assert database == str(tmp_path / "portal.sqlite3")
    assert (tmp_path / "broker" / "queue").is_dir()
