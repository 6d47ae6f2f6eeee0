"""Hostile upload files: zip bombs, forged zip headers, XML with a DTD, oversized files.

The outside probe's bomb (an F1 header and one pupil row repeated without ``r=``
attributes, 4.8 MB inflating to 1.07 GiB) used to reach calamine in the worker (1.5 GB and
killed, six times) and openpyxl in the web process (3.7 GB). Every reader now refuses it
from the zip's central directory, and the peak memory of refusing it is measured in a
subprocess.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse

import guarded_archive
from guarded_archive import ArchiveRefused, GuardedZip, ZipLimits, inspect_zip, verify_inflated
from plans.models import Plan, PlanImportDraft
from results.models import Upload, UploadStatus
from results.services import uploads
from tests.fileformats.builders import f1_xlsx
from tests.plans.conftest import HEADER, docx_plan, xlsx_plan
from tests.security.hostile_files import (
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    SHEET,
    docx_bomb,
    lie_about_sizes,
    many_entries,
    with_dtd,
    xlsx_bomb,
    xlsx_plan_bomb,
)

ROOT = Path(__file__).resolve().parents[2]
PEAK_LIMIT_MB = 200
PLAN_BOMB = 100 * 1024 * 1024  # beyond the plans' 50 MB inflated, at a bomb's ratio


@pytest.fixture(scope="session")
def bomb_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def results_bomb(bomb_dir) -> Path:
    """The probe's bomb: ≈ 4.8 MB, sheet1.xml inflating to ≈ 1.07 GiB."""
    return xlsx_bomb(bomb_dir / "bomb.xlsx")


@pytest.fixture(scope="session")
def lying_bomb(bomb_dir, results_bomb) -> Path:
    """The same bomb whose headers declare 50 KB for the sheet (ratio and size look fine)."""
    path = bomb_dir / "lying.xlsx"
    shutil.copyfile(results_bomb, path)
    return lie_about_sizes(path)


def peak_of(code: str, *args: str) -> dict:
    """Run ``code`` in a fresh interpreter; its last stdout line is JSON, plus peak RSS."""
    # VmHWM, the peak of this process image: getrusage's ru_maxrss would also count the
    # forked copy of the (large) pytest process that existed before exec.
    wrapper = (
        "import json, sys\n"
        f"{code}\n"
        "status = open('/proc/self/status').read()\n"
        "hwm = next(l for l in status.splitlines() if l.startswith('VmHWM:'))\n"
        "out['peak_mb'] = int(hwm.split()[1]) / 1024\n"
        "print(json.dumps(out, ensure_ascii=False))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", wrapper, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


READ_RESULTS = (
    "from results.fileformats import read_results_file\n"
    "rf = read_results_file(sys.argv[1], filename='bomb.xlsx', engine=sys.argv[2])\n"
    "out = {'fatal': rf.fatal}\n"
)


# --------------------------------------------------------------------------- the guard itself


def test_the_probes_bomb_is_refused_from_the_central_directory_before_anything_inflates(
    results_bomb,
):
    assert results_bomb.stat().st_size < 8 * 1024 * 1024
    with zipfile.ZipFile(results_bomb) as zf:
        assert zf.getinfo(SHEET).file_size > 1024**3
    with pytest.raises(ArchiveRefused) as refused:
        inspect_zip(results_bomb)
    assert refused.value.reason == "ratio"
    assert refused.value.message_ru.startswith("Файл похож на архив-бомбу: ")
    assert "sheet1.xml" in refused.value.message_ru


def test_a_forged_central_directory_is_caught_by_the_bytes_really_inflated(lying_bomb):
    inspect_zip(lying_bomb)  # declared sizes and ratio look harmless
    with pytest.raises(ArchiveRefused) as refused:
        verify_inflated(lying_bomb)
    assert refused.value.reason == "lying"


def test_a_guarded_zip_never_reads_a_member_past_its_declared_size(lying_bomb):
    with GuardedZip(lying_bomb) as zf, zf.open(SHEET) as f:
        read = 0
        try:
            while chunk := f.read(1 << 20):
                read += len(chunk)
        except (zipfile.BadZipFile, ArchiveRefused):
            pass  # the CRC of the cut stream, or the cap: either way it stops
    assert read <= 50_000


def test_a_capped_stream_refuses_past_its_cap():
    import io

    stream = guarded_archive.capped(io.BytesIO(b"x" * 1000), 100, "part.xml")
    with pytest.raises(ArchiveRefused):
        stream.read()


def test_too_many_entries_are_refused(tmp_path):
    with pytest.raises(ArchiveRefused) as refused:
        inspect_zip(many_entries(tmp_path / "many.xlsx", 1500))
    assert refused.value.reason == "entries"


def test_a_nested_archive_is_refused_where_none_belongs(tmp_path):
    path = f1_xlsx(tmp_path / "f1.xlsx")
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("xl/embeddings/inner.zip", b"PK\x05\x06" + b"\0" * 18)
    with pytest.raises(ArchiveRefused) as refused:
        inspect_zip(path)
    assert refused.value.reason == "nested"
    inspect_zip(path, ZipLimits(allow_nested=True))  # plans allow Word's embedded charts


def test_ordinary_office_files_pass_the_guard(tmp_path):
    from results.fileformats.synthetic import generate_f1, write_f1_xlsx

    big = tmp_path / "f1.xlsx"
    write_f1_xlsx(big, generate_f1(schools=3, rows=20_000))
    for path in (big, f1_xlsx(tmp_path / "small.xlsx")):
        summary = verify_inflated(path)
        assert summary.entries >= 3
    verify_inflated(docx_plan([HEADER, ["1", "Совещание", "март", "Отдел"]]))
    verify_inflated(xlsx_plan([HEADER, ["1", "Совещание", "март", "Отдел"]]))


@pytest.mark.parametrize("dtd,entity", [(BILLION_LAUGHS, "lol9"), (EXTERNAL_ENTITY, "xxe")])
def test_xml_with_a_dtd_is_refused_in_an_xlsx_and_a_docx(tmp_path, dtd, entity):
    from results.fileformats import read_results_file

    xlsx = with_dtd(tmp_path / "dtd.xlsx", f1_xlsx(tmp_path / "f1.xlsx"), SHEET, dtd, entity)
    rf = read_results_file(xlsx, filename="dtd.xlsx")
    assert rf.fatal and "DTD" in rf.fatal
    source = tmp_path / "plan.docx"
    source.write_bytes(docx_plan([HEADER, ["1", "Совещание", "март", "Отдел"]]))
    docx = with_dtd(tmp_path / "dtd.docx", source, "word/document.xml", dtd, entity)
    from plans.parsing import PlanParseError, parse_plan

    with pytest.raises(PlanParseError, match="DTD"):
        parse_plan(docx)
    with pytest.raises(ArchiveRefused) as refused:
        inspect_zip(docx)
    assert refused.value.reason == "dtd"


def test_the_xml_parsers_of_the_libraries_do_not_expand_entities():
    """Behind the guard: openpyxl reads worksheets through defusedxml, and python-docx's
    lxml parser neither resolves entities nor lets them amplify."""
    import openpyxl.xml
    from docx.oxml.parser import parse_xml

    assert openpyxl.xml.DEFUSEDXML is True
    from openpyxl.xml.functions import iterparse

    assert iterparse.__module__.startswith("defusedxml")
    for dtd, entity in ((BILLION_LAUGHS, "lol9"), (EXTERNAL_ENTITY, "xxe")):
        try:
            element = parse_xml(f"{dtd}<root>&{entity};</root>".encode())
        except Exception:  # noqa: S112 - refused outright by lxml: what we want
            continue
        assert "lol" not in (element.text or "") and "root:" not in (element.text or "")


# --------------------------------------------------------------------------- results files


@pytest.mark.parametrize("engine", ["auto", "stream", "calamine", "openpyxl"])
def test_refusing_the_probes_bomb_peaks_below_200_mb_in_every_engine(results_bomb, engine):
    out = peak_of(READ_RESULTS, str(results_bomb), engine)
    assert out["fatal"] and out["fatal"].startswith("Файл похож на архив-бомбу")
    assert out["peak_mb"] < PEAK_LIMIT_MB, out


@pytest.mark.parametrize("engine", ["auto", "calamine", "openpyxl"])
def test_refusing_a_bomb_with_forged_sizes_peaks_below_200_mb(lying_bomb, engine):
    out = peak_of(READ_RESULTS, str(lying_bomb), engine)
    assert out["fatal"] and "архив-бомбу" in out["fatal"]
    assert out["peak_mb"] < PEAK_LIMIT_MB, out


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


@pytest.mark.django_db
def test_the_results_upload_refuses_the_bomb_and_keeps_no_file(results_bomb, media, school):
    with open(results_bomb, "rb") as handle:
        created = uploads.create_upload(file=handle, filename="bomb.xlsx", school=school)
    assert stored_files(media)
    outcome = uploads.process_upload(upload_id=created.upload.pk)
    upload = Upload.objects.get(pk=created.upload.pk)
    assert outcome.refused and upload.status == UploadStatus.FAILED
    assert upload.message.startswith("Файл похож на архив-бомбу")
    assert not upload.file and stored_files(media) == []


@pytest.mark.django_db
def test_import_results_refuses_the_bomb_with_a_russian_message(results_bomb, media, school):
    with pytest.raises(CommandError, match="архив-бомбу"):
        call_command("import_results", str(results_bomb), stdout=StringIO(), stderr=StringIO())
    assert Upload.objects.get().status == UploadStatus.FAILED
    assert stored_files(media) == []


@pytest.mark.django_db
def test_five_refused_files_leave_nothing_in_media(tmp_path, media, school):
    for i in range(5):
        path = tmp_path / f"junk{i}.xlsx"
        path.write_bytes(bytes(range(256)) * 4096 + bytes([i]))  # 1 MB that is no table
        with open(path, "rb") as handle:
            created = uploads.create_upload(file=handle, filename=path.name, school=school)
        assert uploads.process_upload(upload_id=created.upload.pk).refused
    assert Upload.objects.filter(status=UploadStatus.FAILED).count() == 5
    assert stored_files(media) == []


@pytest.mark.django_db
def test_the_refused_uploads_file_link_is_gone_not_a_500(client, media, school, coordinator):
    path = media.parent / "junk.xlsx"
    path.write_bytes(b"\x00\x01" * 1000)
    with open(path, "rb") as handle:
        created = uploads.create_upload(file=handle, filename="junk.xlsx", school=school)
    uploads.process_upload(upload_id=created.upload.pk)
    client.force_login(coordinator)
    assert client.get(reverse("results:upload_file", args=[created.upload.pk])).status_code == 404
    page = client.get(reverse("results:upload_detail", args=[created.upload.pk]))
    assert page.status_code == 200 and "не хранится" in page.content.decode()


@pytest.mark.django_db
def test_the_results_api_refuses_a_file_over_the_pages_limit(client, settings, media, coordinator):
    settings.PORTAL_RESULTS_MAX_UPLOAD_MB = 1
    client.force_login(coordinator)
    big = SimpleUploadedFile("big.csv", b"x" * (1024 * 1024 + 1))
    response = client.post("/api/uploads/", {"file": big})
    assert response.status_code == 400
    assert "больше 1 МБ" in response.content.decode()
    assert not Upload.objects.exists() and stored_files(media) == []


# --------------------------------------------------------------------------- plan documents

PARSE_PLAN = (
    "from pathlib import Path\n"
    "from plans.parsing import PlanParseError, parse_plan\n"
    "try:\n"
    "    parse_plan(Path(sys.argv[1]))\n"
    "    out = {'error': None}\n"
    "except PlanParseError as e:\n"
    "    out = {'error': str(e)}\n"
)


@pytest.fixture(scope="session")
def plan_bombs(bomb_dir) -> list[Path]:
    return [
        docx_bomb(bomb_dir / "plan-bomb.docx", inflated=PLAN_BOMB),
        xlsx_plan_bomb(bomb_dir / "plan-bomb.xlsx", inflated=PLAN_BOMB),
    ]


def test_refusing_plan_bombs_peaks_below_200_mb(plan_bombs, results_bomb):
    for path in (*plan_bombs, results_bomb):
        out = peak_of(PARSE_PLAN, str(path))
        assert out["error"] and out["error"].startswith("Файл похож на архив-бомбу"), out
        assert out["peak_mb"] < PEAK_LIMIT_MB, out


def test_a_300_mb_plan_file_is_refused_without_being_read(tmp_path):
    huge = tmp_path / "plan.docx"
    with open(huge, "wb") as f:  # sparse: 300 MB that cost nothing to make
        f.write(b"PK\x03\x04")
        f.truncate(300 * 1024 * 1024)
    out = peak_of(PARSE_PLAN, str(huge))
    assert out["error"] and "больше 20 МБ" in out["error"]
    assert out["peak_mb"] < 100, out


@pytest.mark.django_db
def test_import_plan_refuses_docx_and_xlsx_bombs(plan_bombs, municipality):
    for path in plan_bombs:
        with pytest.raises(CommandError, match="архив-бомбу"):
            call_command("import_plan", str(path), stdout=StringIO(), stderr=StringIO())
    assert not Plan.objects.exists()


@pytest.mark.django_db
def test_import_plan_takes_its_size_limit_from_settings(tmp_path, settings, municipality):
    settings.PLANS_IMPORT_MAX_UPLOAD_MB = 1
    path = tmp_path / "plan.docx"
    path.write_bytes(b"PK\x03\x04" + b"\0" * (1024 * 1024))
    with pytest.raises(CommandError, match="больше 1 МБ"):
        call_command("import_plan", str(path), stdout=StringIO(), stderr=StringIO())


@pytest.fixture
def staff_client(client, staff_user, media):
    client.force_login(staff_user)
    return client


@pytest.mark.django_db
def test_the_plan_import_page_parses_nothing_itself_and_its_job_refuses_the_bomb(
    staff_client, municipality, plan_bombs, eager_celery, media
):
    from vpr_portal.models import Job

    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        response = staff_client.post(
            reverse("plans:import"),
            {
                "file": SimpleUploadedFile("plan.docx", plan_bombs[0].read_bytes()),
                "format": "auto",
                "municipality": municipality.pk,
            },
        )
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("job_detail", args=[job.pk])
    assert job.status == "queued" and job.kind == "plans_import"  # nothing parsed in the view
    assert len(callbacks) == 1
    callbacks[0]()  # the worker's turn (eager)
    job.refresh_from_db()
    assert job.status == "failed"
    assert "План не загружен, ничего не сохранено." in job.message
    assert "архив-бомбу" in job.message
    page = staff_client.get(response.url).content.decode()
    assert "архив-бомбу" in page
    assert not PlanImportDraft.objects.exists()
    assert stored_files(media) == []  # the stored upload went with the job


@pytest.mark.django_db
def test_a_good_plan_goes_from_the_job_page_to_its_preview(
    staff_client, municipality, eager_celery
):
    content = docx_plan([HEADER, ["1", "Совещание с руководителями ОО", "март", "Отдел"]])
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = staff_client.post(
            reverse("plans:import"),
            {
                "file": SimpleUploadedFile("plan.docx", content),
                "format": "auto",
                "municipality": municipality.pk,
            },
        )
    follow = staff_client.get(response.url)
    draft = PlanImportDraft.objects.get()
    assert follow.status_code == 302
    assert follow.url == reverse("plans:import_preview", args=[draft.pk])
    htmx = staff_client.get(response.url, HTTP_HX_REQUEST="true")
    assert htmx.headers["HX-Redirect"] == follow.url


@pytest.mark.django_db
def test_the_plan_page_states_and_applies_its_size_limit_from_settings(
    staff_client, municipality, settings
):
    settings.PLANS_IMPORT_MAX_UPLOAD_MB = 1
    assert "не больше 1 МБ" in staff_client.get(reverse("plans:import")).content.decode()
    response = staff_client.post(
        reverse("plans:import"),
        {
            "file": SimpleUploadedFile("plan.docx", b"x" * (1024 * 1024 + 1)),
            "format": "auto",
            "municipality": municipality.pk,
        },
    )
    assert response.status_code == 200 and "Файл больше 1 МБ" in response.content.decode()


# --------------------------------------------------------------------------- tables


@pytest.mark.django_db
def test_the_registry_and_official_list_readers_refuse_bombs(tmp_path, results_bomb, settings):
    from results.indicators.official_list import import_official_list
    from vpr_portal.jobs import UserFacingError
    from vpr_portal.tabular import TableFileError, read_table

    with pytest.raises(TableFileError, match="архив-бомбу"):
        read_table(results_bomb, filename="registry.xlsx", required=["Логин"], known=["Логин"])
    with open(results_bomb, "rb") as handle, pytest.raises(UserFacingError, match="архив-бомбу"):
        import_official_list(file=handle, filename="list.xlsx")


def test_a_big_file_the_stream_scanner_leaves_to_calamine_is_capped_not_loaded(tmp_path):
    from results.fileformats import read_results_file

    # Rows without r= attributes: the streaming scanner hands the sheet to calamine.
    path = xlsx_bomb(tmp_path / "no-refs.xlsx", inflated=300_000)
    rf = read_results_file(
        path, filename="no-refs.xlsx", fallback_zip_limits=ZipLimits().with_total(100_000)
    )
    assert rf.fatal and rf.fatal.startswith("Файл слишком велик для чтения в этом виде")
    assert read_results_file(path, filename="no-refs.xlsx").n_rows > 900  # within the cap


@pytest.mark.django_db
def test_a_stored_plan_upload_whose_job_never_ran_is_deleted_by_the_daily_job(media, settings):
    import os
    import time as clock

    from plans import tasks

    stale = media / "plans" / "imports" / "lost.bin"
    fresh = media / "plans" / "imports" / "queued.bin"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"x")
    fresh.write_bytes(b"x")
    two_days_ago = clock.time() - 2 * 86400
    os.utime(stale, (two_days_ago, two_days_ago))
    tasks.delete_stale_import_drafts()
    assert not stale.exists() and fresh.exists()
