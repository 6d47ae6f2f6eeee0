"""On real PostgreSQL + Redis and a real Celery worker: the probe's zip bomb, uploaded as a
results file, ends *failed* with a Russian message in one attempt (it used to kill the
worker six times over, the user seeing «processing»), the worker's peak memory stays low,
and the plan import's job is run by that worker too."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.db import connection

from plans.models import PlanImportDraft
from plans.services import importing
from results.models import UploadStatus
from results.services import uploads
from tests import factories
from tests.conftest import require_env
from tests.plans.conftest import HEADER, docx_plan
from tests.security.hostile_files import xlsx_bomb

pytestmark = pytest.mark.integration


def _peak_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(x for x in status.splitlines() if x.startswith("VmHWM:")).split()[1]) / 1024


def _wait(predicate, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not predicate():
        time.sleep(0.5)


def test_a_real_worker_refuses_the_bomb_once_and_reads_a_plan(
    transactional_db, municipality, tmp_path, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.processes import base_env, running, venv_bin

    if connection.vendor != "postgresql":
        pytest.fail("integration tests need DATABASE_URL to point at PostgreSQL (make test)")
    database_url = require_env("DATABASE_URL")
    redis_url = require_env("REDIS_URL")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    school = factories.SchoolFactory(municipality=municipality, login="edu700003")
    staff = factories.make_staff(municipality=municipality, username="staff-int")
    bomb = xlsx_bomb(tmp_path / "bomb.xlsx")
    with open(bomb, "rb") as handle:
        upload = uploads.submit_upload(
            file=handle, filename="bomb.xlsx", user=None, school=school
        ).upload  # autocommit: the task is sent at once
    plan = SimpleUploadedFile("plan.docx", docx_plan([HEADER, ["1", "Совещание", "март", "ИМЦ"]]))
    plan_job = importing.submit_import(
        municipality=municipality, user=staff, file=plan, filename="plan.docx"
    )
    env = base_env(
        DATABASE_URL=database_url.rsplit("/", 1)[0] + f"/{connection.settings_dict['NAME']}",
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        VAR_DIR=str(tmp_path / "var"),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    worker = [venv_bin("celery"), "-A", "vpr_portal", "worker", "--pool=solo", "--concurrency=1"]
    with running({"worker": worker}, env=env, log_dir=tmp_path) as processes:

        def done() -> bool:
            upload.refresh_from_db()
            plan_job.refresh_from_db()
            return upload.is_finished and plan_job.status in ("succeeded", "failed")

        _wait(done)
        peak = _peak_mb(processes["worker"].pid)  # --pool=solo: the task ran in this process
    log = (tmp_path / "worker.log").read_text(errors="replace")[-3000:]
    assert upload.status == UploadStatus.FAILED, log
    assert upload.message.startswith("Файл похож на архив-бомбу"), upload.message
    upload.job.refresh_from_db()
    assert upload.job.status == "failed" and upload.job.attempts == 1
    assert "архив-бомбу" in upload.job.message
    assert not upload.file  # the refused file is not kept
    assert peak < 400, f"worker peak {peak:.0f} MB"  # it was 1.5 GB and killed
    assert plan_job.status == "succeeded", (plan_job.message, log)
    draft = PlanImportDraft.objects.get(created_by=staff)
    assert plan_job.result["next_url"].endswith(f"/import/{draft.pk}/")
    assert list((tmp_path / "media").rglob("plans/imports/*")) == []
