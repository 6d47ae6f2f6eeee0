"""docker-compose.yml can't run here (no Docker engine): keep it right by reading it."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def service_env(name: str) -> dict:
    env = COMPOSE["services"][name].get("environment", {})
    anchors = COMPOSE["services"][name].get("env_file")
    assert isinstance(env, dict) or anchors
    return env


def test_it_has_the_production_services():
    assert set(COMPOSE["services"]) == {"db", "redis", "web", "worker", "beat"}


def test_postgres_15_and_redis_7_with_append_only_file():
    assert COMPOSE["services"]["db"]["image"].startswith("postgres:15")
    redis = COMPOSE["services"]["redis"]
    assert redis["image"].startswith("redis:7")
    assert "--appendonly" in redis["command"] and "yes" in redis["command"]
    assert any(v.endswith(":/data") for v in redis["volumes"])


def test_web_runs_gunicorn_and_worker_and_beat_run_celery_on_the_same_image():
    services = COMPOSE["services"]
    assert "gunicorn" in " ".join(services["web"]["command"])
    assert "vpr_portal.wsgi" in " ".join(services["web"]["command"])
    assert services["worker"]["command"][:4] == ["celery", "-A", "vpr_portal", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "vpr_portal", "beat"]
    images = {
        services[name].get("build", {}).get("context", ".") for name in ("web", "worker", "beat")
    }
    assert images == {"."}


def test_a_shell_in_a_command_hands_over_to_the_server_with_exec():
    """`docker stop` signals the container's first process: a shell that only runs the
    server as its child would take the SIGTERM and leave gunicorn to be killed (no
    graceful shutdown), so after the migration the shell must exec the server."""
    for name, service in COMPOSE["services"].items():
        command = service.get("command") or []
        if command[:2] == ["sh", "-c"]:
            last = command[2].split("&&")[-1].strip()
            assert last.startswith("exec "), (name, last)


def test_only_environment_variables_differ_and_they_point_at_the_services():
    env = COMPOSE["x-portal-env"]
    assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:6379")
    assert env["DEBUG"] == "0"
    for name in ("web", "worker", "beat"):
        assert COMPOSE["services"][name]["environment"] == env


def test_media_is_a_shared_volume():
    for name in ("web", "worker"):
        assert any(v.startswith("media:") for v in COMPOSE["services"][name]["volumes"])
    assert "media" in COMPOSE["volumes"]


def test_the_dockerfile_installs_the_pinned_requirements():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "requirements.txt" in dockerfile
    assert "python:3.11" in dockerfile
