"""Real workers on `make run`'s embedded filesystem broker and SQLite, killed on purpose.

No external service is needed. The filesystem transport loses a message whose worker is
killed (it holds unacknowledged messages in memory only): the sweeper, run when a worker
starts, brings the job back. A file that kills its worker every time ends failed.
"""

import json
import sqlite3
import time

import pytest

from tests.jobworkers import (
    kill_group,
    manage,
    seed_in_subprocess,
    start_worker,
    stop_group,
    wait_until,
)
from tests.processes import base_env


@pytest.fixture
def embedded(tmp_path):
    """The environment of `make run`: DEBUG, SQLite file, filesystem broker under var/."""
    database = tmp_path / "portal.sqlite3"
    env = base_env(
        DEBUG="1",
        VAR_DIR=str(tmp_path / "var"),
        MEDIA_ROOT=str(tmp_path / "media"),
        DATABASE_URL=f"sqlite:///{database}",
        EMAIL_URL="console://",
        PORTAL_JOB_MAX_ATTEMPTS="3",
    )
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "SECRET_KEY"):
        env.pop(name, None)
    manage(env, "migrate", "--noinput", "-v", "0")
    return env, database


def row(database, sql, *params):
    with sqlite3.connect(database, timeout=30) as db:
        return db.execute(sql, params).fetchone()


def queued_tasks(tmp_path) -> list[str]:
    """Names of the tasks waiting in the filesystem broker's queue."""
    folder = tmp_path / "var" / "broker" / "queue"
    return [json.loads(p.read_text())["headers"]["task"] for p in folder.iterdir()]


def job_row(database, job_id):
    return row(
        database, "SELECT status, progress, attempts, message FROM portal_job WHERE id=?", job_id
    )


def test_a_file_that_kills_its_worker_every_time_ends_failed_after_the_attempt_cap(
    embedded, tmp_path
):
    env, database = embedded
    code = (
        "from vpr_portal.jobs import start_job; "
        "from tests.foundation.poison_tasks import kill_own_worker; "
        "print(start_job(kind='poison', title='Ядовитый файл', task=kill_own_worker).pk)"
    )
    job_id = int(manage(env, "shell", "-c", code).strip().splitlines()[-1])
    log = tmp_path / "worker.log"
    worker = start_worker(env, log, "--include", "tests.foundation.poison_tasks")
    try:
        _, _, attempts, message = wait_until(
            lambda: (r := job_row(database, job_id)) and r[0] == "failed" and r,
            timeout=180,
            what="the poisoned job to fail",
            log=log,
        )
        assert attempts == 3
        assert message.startswith("Обработка прервалась 3 раз; файл, вероятно, повреждён")
        # The worker stops looping: it survives, its queue is empty, nothing starts again.
        time.sleep(5)
        assert worker.poll() is None, log.read_text(errors="replace")[-3000:]
        assert job_row(database, job_id)[2] == 3
        assert "tests.kill_own_worker" not in queued_tasks(tmp_path)
        assert log.read_text(errors="replace").count("exited with 'signal 9 (SIGKILL)'") == 3
    finally:
        stop_group(worker)


def test_an_import_whose_worker_is_killed_completes_exactly_once_on_the_embedded_broker(
    embedded, tmp_path
):
    env, database = embedded
    rows = 60_000
    seeded = seed_in_subprocess(env, rows=rows, schools=3, directory=tmp_path)
    job_id, upload_id = seeded["job"], seeded["upload"]
    log = tmp_path / "worker.log"
    worker = start_worker(env, log)
    try:
        # Kill the whole worker (main process and pool) in the middle of reading the file.
        wait_until(
            lambda: (r := job_row(database, job_id)) and r[0] == "running" and 5 <= r[1] < 49,
            timeout=180,
            what="the import to report progress",
            log=log,
        )
        kill_group(worker)
        status, _, attempts, _ = job_row(database, job_id)
        assert (status, attempts) == ("running", 1)
        # The embedded broker lost the message with its worker: nothing would ever run it.
        assert "results.import_upload" not in queued_tasks(tmp_path)
        assert row(database, "SELECT status FROM results_upload WHERE id=?", upload_id) == (
            "processing",
        )

        # A new worker starts: its sweeper finds the orphaned job and sends it again.
        worker = start_worker(env, log)
        wait_until(
            lambda: job_row(database, job_id)[0] in ("succeeded", "failed"),
            timeout=300,
            what="the import to finish after the restart",
            log=log,
        )
    finally:
        stop_group(worker)
    status, progress, attempts, message = job_row(database, job_id)
    assert (status, progress, attempts) == ("succeeded", 100, 2), message
    upload = row(
        database,
        "SELECT status, rows_applied, schools_applied FROM results_upload WHERE id=?",
        upload_id,
    )
    assert upload == ("applied", rows, 3)
    # Exactly once: one version per school, each pupil stored once.
    assert row(database, "SELECT count(*) FROM results_resultversion") == (3,)
    assert row(database, "SELECT count(*) FROM results_pupilresult") == (rows,)
