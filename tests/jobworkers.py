"""Real Celery workers for the recovery tests: start, SIGKILL, restart; seed a big import.

`seed_results_import` runs inside the worker's database (through `manage.py shell` for
SQLite files, or in the test process on PostgreSQL) and queues a real results upload.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.processes import ROOT, _wait_for_group

#: The worker of `make run` (runportal), without beat: the tests drive the sweeper.
WORKER = [
    sys.executable, "-m", "celery", "-A", "vpr_portal", "worker",
    "--loglevel=INFO", "--concurrency=1",
    "--without-gossip", "--without-mingle", "--without-heartbeat",
]  # fmt: skip


def start_worker(env: dict[str, str], log: Path, *extra: str) -> subprocess.Popen:
    """A worker in a session of its own, so its whole process group can be killed."""
    handle = open(log, "ab")  # noqa: SIM115 — the worker owns it until it exits
    return subprocess.Popen(
        [*WORKER, *extra],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the worker and its pool children at once (a crashed machine, OOM)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    _wait_for_group(process, timeout=10)


def stop_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        kill_group(process)
    _wait_for_group(process)


def wait_until(
    condition: Callable[[], object], *, timeout: float, what: str, log: Path | None = None
) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-4000:] if log and log.exists() else ""
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{tail}")


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise AssertionError(f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def seed_results_import(*, rows: int, schools: int, directory: str) -> dict[str, int]:
    """A catalog test, its schools and a queued upload of a synthetic F1 CSV (sent on commit)."""
    from results.fileformats.synthetic import generate_f1, write_f1_csv
    from results.services import uploads
    from tests import factories
    from tests.results.conftest import make_catalog_test

    test = make_catalog_test()
    municipality = factories.MunicipalityFactory(
        region=factories.RegionFactory(name="Область"), name="Город"
    )
    for i in range(schools):
        factories.SchoolFactory(
            municipality=municipality, login=f"edu50{1001 + i:04d}", short_name=f"СОШ № {i + 1}"
        )
    path = Path(directory) / "big.csv"
    write_f1_csv(path, generate_f1(schools=schools, rows=rows, seed=7))
    with open(path, "rb") as handle:
        created = uploads.submit_upload(file=handle, filename=path.name, user=None, test=test)
    upload = created.upload
    return {"upload": upload.pk, "job": upload.job_id}


def seed_in_subprocess(env: dict[str, str], *, rows: int, schools: int, directory: Path) -> dict:
    import json

    code = (
        "import json; from tests.jobworkers import seed_results_import; "
        f"print(json.dumps(seed_results_import(rows={rows}, schools={schools}, "
        f"directory={str(directory)!r})))"
    )
    return json.loads(manage(env, "shell", "-c", code).strip().splitlines()[-1])
