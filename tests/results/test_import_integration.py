"""Imports on real PostgreSQL (binary COPY, row locks, MVCC) and a real Celery worker.

These run only in the PostgreSQL pass of `make test` and fail, never skip, elsewhere.
"""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from results.models import PupilResult, ResultSlot, ResultVersion, Test, TestTask, UploadStatus
from results.services import storage, uploads
from tests import factories
from tests.conftest import require_env
from tests.fileformats.builders import CUTS, MAX, TASKS, f1_row, f1_xlsx, title_rows

pytestmark = pytest.mark.integration


@pytest.fixture
def postgres(db):
    if connection.vendor != "postgresql":
        pytest.fail("integration tests need DATABASE_URL to point at PostgreSQL (make test)")


def small_test() -> Test:
    test = Test.objects.create(
        year=2026, subject="Русский язык", grade=4, max_score=MAX,
        cut_3=CUTS[0], cut_4=CUTS[1], cut_5=CUTS[2],
    )  # fmt: skip
    for position, task in enumerate(TASKS, start=1):
        TestTask.objects.create(
            test=test, position=position, number=task.number,
            max_score=task.max_score, level=task.level,
        )  # fmt: skip
    return test


_logins = itertools.count(1)

# One pupil: a score or «X» per task (maxima 2, 1, 1, 3), a journal mark (0 = none).
pupil = st.tuples(
    st.tuples(*(st.one_of(st.integers(0, t.max_score), st.just("X")) for t in TASKS)),
    st.sampled_from([0, 2, 3, 4, 5]),
    st.sampled_from(["4А", "4Б"]),
)
# A file: its pupils, and whether one cell is broken (the file must then change nothing).
upload_file = st.tuples(st.lists(pupil, min_size=1, max_size=12), st.booleans())


def write_file(path: Path, login: str, pupils, broken: bool) -> Path:
    rows = [
        f1_row(10001 + i, list(scores), login=login, klass=klass, journal=journal or None)
        for i, (scores, journal, klass) in enumerate(pupils)
    ]
    if broken:
        rows[0][6] = 9  # task 1 has max 2
    return f1_xlsx(path, rows, top=title_rows(org=None))


def expected_rows(pupils) -> list[tuple]:
    out = []
    for i, (scores, journal, klass) in enumerate(pupils):
        values = [0 if s == "X" else s for s in scores]
        total = sum(values)
        out.append(
            (str(10001 + i), klass, values, total, 2 + sum(total >= c for c in CUTS), journal)
        )
    return sorted(out)


def stored_rows(school) -> list[tuple]:
    return sorted(
        PupilResult.objects.filter(school=school).values_list(
            "participant_code", "class_label", "scores", "primary_score", "mark", "journal_mark"
        )
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=st.lists(upload_file, min_size=1, max_size=5))
def test_after_any_sequence_of_uploads_the_rows_equal_the_last_applied_file(
    postgres, municipality, tmp_path, sequence
):
    test = Test.objects.first() or small_test()
    school = factories.SchoolFactory(municipality=municipality, login=f"edu7{next(_logins):05d}")
    applied = None
    for step, (pupils, broken) in enumerate(sequence):
        path = write_file(tmp_path / f"{school.login}-{step}.xlsx", school.login, pupils, broken)
        with open(path, "rb") as handle:
            created = uploads.create_upload(file=handle, filename=path.name, school=school)
        outcome = (
            created.unchanged
            if created.upload is None
            else uploads.process_upload(upload_id=created.upload.pk)
        )
        if broken:
            assert outcome.status == UploadStatus.FAILED
        else:
            assert outcome.status in (UploadStatus.APPLIED, UploadStatus.UNCHANGED)
            applied = pupils
        assert stored_rows(school) == (expected_rows(applied) if applied else [])
    versions = ResultVersion.objects.filter(school=school, test=test)
    assert versions.filter(replaced_at__isnull=True).count() == (1 if applied else 0)
    slot = ResultSlot.objects.filter(school=school, test=test).first()
    if applied:
        assert slot.current.rows == len(applied)


@pytest.fixture
def two_files(transactional_db, municipality, tmp_path):
    if connection.vendor != "postgresql":
        pytest.fail("integration tests need DATABASE_URL to point at PostgreSQL (make test)")
    small_test()
    school = factories.SchoolFactory(municipality=municipality, login="edu700001")
    first = [((2, 1, 1, 3), 5, "4А")] * 3 + [((0, 0, "X", 1), 2, "4Б")] * 2
    second = [((1, 1, 0, 2), 4, "4А")] * 4
    created = []
    for name, pupils in (("first", first), ("second", second)):
        path = write_file(tmp_path / f"{name}.xlsx", school.login, pupils, False)
        with open(path, "rb") as handle:
            created.append(
                uploads.create_upload(file=handle, filename=path.name, school=school).upload
            )
    return school, created, (first, second)


def _in_thread(target, *args):
    errors = []

    def run():
        try:
            target(*args)
        except BaseException as exc:  # surfaced in the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def test_two_concurrent_uploads_for_one_school_are_serialised_never_mixed(two_files, monkeypatch):
    school, (older, newer), (_, second) = two_files
    inside, overlaps, lock = [], [], threading.Lock()
    real_write = storage.write_rows

    def slow_write(*args, **kwargs):
        with lock:
            if inside:
                overlaps.append(True)
            inside.append(threading.get_ident())
        time.sleep(0.5)  # widen the window in which a second writer could slip in
        real_write(*args, **kwargs)
        with lock:
            inside.remove(threading.get_ident())

    monkeypatch.setattr(storage, "write_rows", slow_write)
    barrier = threading.Barrier(2)

    def run(upload_id):
        barrier.wait()
        uploads.process_upload(upload_id=upload_id)

    threads = [_in_thread(run, older.pk), _in_thread(run, newer.pk)]
    for thread, errors in threads:
        thread.join(60)
        assert not errors, errors
    assert not overlaps
    # Whichever finished first, the newer upload wins and its rows are the only ones.
    assert stored_rows(school) == expected_rows(second)
    assert set(PupilResult.objects.values_list("upload_id", flat=True)) == {newer.pk}
    older.refresh_from_db()
    assert older.status == UploadStatus.SUPERSEDED


def test_readers_see_the_old_rows_until_the_new_version_commits(two_files, monkeypatch):
    school, (older, newer), (first, second) = two_files
    uploads.process_upload(upload_id=older.pk)
    assert stored_rows(school) == expected_rows(first)
    written, release = threading.Event(), threading.Event()
    real_write = storage.write_rows

    def pausing_write(*args, **kwargs):
        real_write(*args, **kwargs)
        written.set()
        release.wait(30)  # new rows are in, old ones not yet deleted, nothing committed

    monkeypatch.setattr(storage, "write_rows", pausing_write)
    thread, errors = _in_thread(lambda: uploads.process_upload(upload_id=newer.pk))
    assert written.wait(30)
    assert stored_rows(school) == expected_rows(first)  # another connection: the old version
    release.set()
    thread.join(60)
    assert not errors, errors
    assert stored_rows(school) == expected_rows(second)


def test_a_real_celery_worker_imports_an_upload_sent_after_commit(
    transactional_db, municipality, tmp_path, settings
):
    from tests.processes import base_env, running, venv_bin

    if connection.vendor != "postgresql":
        pytest.fail("integration tests need DATABASE_URL to point at PostgreSQL (make test)")
    database_url = require_env("DATABASE_URL")
    redis_url = require_env("REDIS_URL")
    small_test()
    school = factories.SchoolFactory(municipality=municipality, login="edu700002")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    path = write_file(tmp_path / "school.xlsx", school.login, [((2, 1, 1, 3), 5, "4А")] * 6, False)
    with open(path, "rb") as handle:
        upload = uploads.submit_upload(
            file=handle, filename=path.name, user=None, school=school
        ).upload  # autocommit: the task is sent at once
    env = base_env(
        DATABASE_URL=database_url.rsplit("/", 1)[0] + f"/{connection.settings_dict['NAME']}",
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        VAR_DIR=str(tmp_path / "var"),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    worker = [venv_bin("celery"), "-A", "vpr_portal", "worker", "--pool=solo", "--concurrency=1"]
    with running({"worker": worker}, env=env, log_dir=tmp_path):
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            upload.refresh_from_db()
            if upload.is_finished:
                break
            time.sleep(0.5)
    log = (tmp_path / "worker.log").read_text(errors="replace")[-3000:]
    assert upload.status == UploadStatus.APPLIED, log
    assert upload.job.status == "succeeded" and upload.job.progress == 100
    assert PupilResult.objects.filter(school=school).count() == 6
