"""Start the portal's real processes (web, worker, beat) natively for tests."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(url: str, timeout: float = 30) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 — loopback only
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def wait_for_http(url: str, *, processes: list[subprocess.Popen], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f"process exited early: {process.args!r} → {process.returncode}")
        try:
            http_get(url, timeout=2)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def health(base_url: str) -> tuple[int, dict]:
    status, body = http_get(f"{base_url}/health/")
    return status, json.loads(body)


def venv_bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


@contextmanager
def running(commands: dict[str, list[str]], *, env: dict[str, str], log_dir: Path):
    """Start named commands in the repo root; stop them all on exit, even on failure."""
    processes: dict[str, subprocess.Popen] = {}
    logs = []
    try:
        for name, command in commands.items():
            log = open(log_dir / f"{name}.log", "wb")  # noqa: SIM115 — closed in finally
            logs.append(log)
            # A session of its own: the command's children (a shell's server, gunicorn's
            # and celery's workers) are stopped with it, never left holding the test
            # database open.
            processes[name] = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        yield processes
    finally:
        for process in processes.values():
            _signal_group(process, signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        for process in processes.values():
            _wait_for_group(process)
        for log in logs:
            log.close()


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the whole group has exited
        os.killpg(process.pid, signum)


def _wait_for_group(process: subprocess.Popen, timeout: float = 20) -> None:
    """Until no process of the command's group is left (SIGKILL after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    _signal_group(process, signal.SIGKILL)


def base_env(**overrides: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST", "DJANGO_ALLOW")) and k not in ("DEBUG",)
    }
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "integration-test-key-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "STATIC_MANIFEST": "0",
            "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        }
    )
    env.update(overrides)
    return env
