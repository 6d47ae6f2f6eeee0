"""Uploads of results files: from the stored file to the school's current version.

The page and the API call :func:`submit_upload` (an Upload row and a Celery job sent on
commit); the command line calls :func:`create_upload` and then :func:`process_upload`
itself. Both go through :func:`process_upload`, so a file is judged the same way whoever
sends it: a file applies wholly or not at all.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.files import File
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from results.fileformats import write_error_report
from results.models import ResultSlot, Test, Upload, UploadSource, UploadStatus
from results.selectors.uploads import RECOMPUTE_JOB_KIND
from results.services import reading, storage, upload_rules
from results.services.reading import Refusal
from schools.models import Municipality, School
from vpr_portal import audit
from vpr_portal.jobs import (
    JobReporter,
    UserFacingError,
    create_job,
    enqueue_job_task,
    run_job,
    worker_id,
)
from vpr_portal.models import Job, JobStatus

logger = logging.getLogger(__name__)

#: Problems shown on the upload page (the XLSX report lists up to 5,000).
PREVIEW_ITEMS = 200


@dataclass
class ImportOutcome:
    """What an import did; the CLI prints it, the page shows the Upload it describes."""

    status: str
    upload: Upload | None
    message: str = ""
    applied: int = 0
    rejected: int = 0
    unchanged: bool = False
    schools: dict[str, int] = field(default_factory=dict)

    @property
    def refused(self) -> bool:
        return self.status == UploadStatus.FAILED

    def as_json(self) -> dict[str, Any]:
        """The CLI's --json summary, exactly these four keys."""
        return {
            "applied": self.applied,
            "rejected": self.rejected,
            "unchanged": self.unchanged,
            "schools": dict(self.schools),
        }


def file_sha256(handle: IO[bytes]) -> tuple[str, int]:
    """SHA-256 and size of a file object, read in chunks from the start."""
    digest, size = hashlib.sha256(), 0
    handle.seek(0)
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
        size += len(chunk)
    handle.seek(0)
    return digest.hexdigest(), size


def identical_current_upload(
    *,
    sha256: str,
    test: Test | None,
    school: School | None,
    municipality: Municipality | None,
) -> Upload | None:
    """An earlier upload of the same bytes whose data is still every school's current one.

    Uploading it again would change nothing, so callers stop before storing anything.
    """
    # Whatever became of the earlier upload, its summary holds each school's digest.
    finished = [UploadStatus.APPLIED, UploadStatus.UNCHANGED, UploadStatus.SUPERSEDED]
    candidates = Upload.objects.filter(sha256=sha256, status__in=finished).exclude(summary={})
    if test is not None:
        candidates = candidates.filter(test=test)
    for candidate in candidates.order_by("-pk")[:5]:
        covered = {login: item.get("digest") for login, item in candidate.summary.items()}
        if school is not None and set(covered) != {school.login}:
            continue
        schools = School.objects.filter(login__in=covered)
        if municipality is not None and schools.exclude(municipality=municipality).exists():
            continue
        current = dict(
            ResultSlot.objects.filter(test=candidate.test, school__login__in=covered).values_list(
                "school__login", "current__content_sha256"
            )
        )
        if all(current.get(login) == digest for login, digest in covered.items()):
            return candidate
    return None


def _unchanged_outcome(previous: Upload) -> ImportOutcome:
    return ImportOutcome(
        status=UploadStatus.UNCHANGED,
        upload=previous,
        message=(
            f"Этот файл уже загружен {timezone.localtime(previous.created_at):%d.%m.%Y %H:%M} "
            "и его данные актуальны: ничего не изменено."
        ),
        unchanged=True,
        schools={login: item["rows"] for login, item in previous.summary.items()},
    )


@dataclass
class CreatedUpload:
    """Either a new queued upload, or the earlier identical one (nothing was stored)."""

    upload: Upload | None
    unchanged: ImportOutcome | None = None


def create_upload(
    *,
    file: IO[bytes],
    filename: str,
    user: Any = None,
    test: Test | None = None,
    school: School | None = None,
    municipality: Municipality | None = None,
    source: str = UploadSource.WEB,
) -> CreatedUpload:
    """Store the file as a queued Upload, unless the same bytes are already current.

    ``school`` scopes a coordinator's upload (every row must be that school's);
    ``municipality`` scopes a department's export; neither: the command line's regional
    import.
    """
    sha256, size = file_sha256(file)
    previous = identical_current_upload(
        sha256=sha256, test=test, school=school, municipality=municipality
    )
    if previous is not None:
        return CreatedUpload(upload=None, unchanged=_unchanged_outcome(previous))
    upload = Upload(
        original_filename=Path(filename).name[:255],
        size=size,
        sha256=sha256,
        test=test,
        test_chosen=test is not None,
        school=school,
        municipality=municipality if school is None else None,
        source=source,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    upload.file.save(_storage_name(filename), File(file), save=False)
    upload.save()
    return CreatedUpload(upload=upload)


def _storage_name(filename: str) -> str:
    # Names of uploaded files are the user's; keep only a safe suffix.
    suffix = Path(filename).suffix.lower()
    return "results" + (suffix if suffix.isascii() and len(suffix) <= 6 else "")


def submit_upload(
    *,
    file: IO[bytes],
    filename: str,
    user: Any,
    test: Test | None = None,
    school: School | None = None,
    municipality: Municipality | None = None,
    source: str = UploadSource.WEB,
) -> CreatedUpload:
    """Store the file and start its import as a background job (sent after commit)."""
    created = create_upload(
        file=file,
        filename=filename,
        user=user,
        test=test,
        school=school,
        municipality=municipality,
        source=source,
    )
    upload = created.upload
    if upload is not None:
        upload.job = create_job(
            kind="results_import",
            title=f"Загрузка результатов: {upload.original_filename}",
            user=user,
            params={"upload_id": upload.pk},
        )
        upload.save(update_fields=["job"])
        enqueue_job_task(upload.job, "results.import_upload", upload.pk)
    return created


def attach_local_job(upload: Upload) -> Job:
    """A job row for an import that this process runs itself (the command line).

    It names the process (host:pid) and carries the heartbeat, so if the process is
    killed the sweeper fails the upload instead of leaving it «processing» forever. It
    has no task: no worker will ever pick it up again.
    """
    upload.job = create_job(
        kind="results_import_cli",
        title=f"Загрузка результатов (командная строка): {upload.original_filename}",
        params={"upload_id": upload.pk},
    )
    Job.objects.filter(pk=upload.job.pk).update(worker=worker_id())
    upload.save(update_fields=["job"])
    return upload.job


# --- Recovery: uploads follow their job (vpr_portal/sweeper.py) ---------------------

#: An unfinished upload whose job is gone or finished, or that never had one.
ABANDONED_MESSAGE = (
    "Обработка файла прервалась и не будет продолжена. Ничего не изменено; загрузите файл заново."
)


def follow_abandoned_job(sender: Any = None, *, job: Job, **kwargs: Any) -> None:
    """A job failed by recovery fails its unfinished upload with the same message."""
    for upload in Upload.objects.filter(
        job_id=job.pk, status__in=[UploadStatus.QUEUED, UploadStatus.PROCESSING]
    ):
        _finish(upload, status=UploadStatus.FAILED, message=job.message or ABANDONED_MESSAGE)


def fail_orphaned_uploads(*, now: Any = None) -> int:
    """Fail unfinished uploads that no job will ever finish.

    A command-line import killed before its job row existed (or stored before jobs
    named their process) has none; an upload whose job ended without it has a finished
    one. Jobs still alive keep theirs. Uploads younger than the longest task limit are
    left alone.
    """
    from datetime import timedelta

    from django.conf import settings

    now = now or timezone.now()
    limit = settings.CELERY_TASK_TIME_LIMIT + settings.PORTAL_JOB_STALE_GRACE_SECONDS
    unfinished = Upload.objects.filter(
        status__in=[UploadStatus.QUEUED, UploadStatus.PROCESSING],
        created_at__lt=now - timedelta(seconds=limit),
    )
    orphaned = unfinished.filter(job__isnull=True) | unfinished.filter(
        job__status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED]
    )
    count = 0
    for upload in orphaned.select_related("job"):
        message = upload.job.message if upload.job and upload.job.message else ABANDONED_MESSAGE
        if upload.job and upload.job.status == JobStatus.SUCCEEDED:
            message = ABANDONED_MESSAGE
        _finish(upload, status=UploadStatus.FAILED, message=message)
        logger.warning("Upload %s failed by the sweeper: no job will finish it", upload.pk)
        count += 1
    return count


def process_upload(*, upload_id: int) -> ImportOutcome:
    """Import a stored upload; with a job row, report progress to it.

    Idempotent: an upload already finished is not imported again (a redelivered task
    message after a worker restart), its outcome is returned.
    """
    upload = Upload.objects.select_related("test", "school", "municipality").get(pk=upload_id)
    if upload.is_finished:
        return outcome_of(upload)
    if upload.job_id is None:
        return _import(upload, reporter=None)
    outcome = None
    with run_job(upload.job_id) as reporter:
        if reporter is not None:
            outcome = _import(upload, reporter=reporter)
            Job.objects.filter(pk=upload.job_id).update(
                message=outcome.message,
                result={
                    "next_url": reverse("results:upload_detail", args=[upload.pk]),
                    **outcome.as_json(),
                },
            )
            if outcome.refused:
                # run_job marks the job failed with this message (and swallows it).
                raise UserFacingError(outcome.message)
    return outcome or outcome_of(Upload.objects.get(pk=upload_id))


def outcome_of(upload: Upload) -> ImportOutcome:
    return ImportOutcome(
        status=upload.status,
        upload=upload,
        message=upload.message,
        applied=upload.rows_applied,
        rejected=upload.rows_rejected,
        unchanged=upload.status == UploadStatus.UNCHANGED,
        schools={login: item.get("rows", 0) for login, item in upload.summary.items()},
    )


def _import(upload: Upload, *, reporter: JobReporter | None) -> ImportOutcome:
    upload.status, upload.started_at = UploadStatus.PROCESSING, timezone.now()
    Upload.objects.filter(pk=upload.pk).update(status=upload.status, started_at=upload.started_at)
    say = reporter.progress if reporter else (lambda *a, **k: None)
    say(1, 100, "Чтение и проверка файла…")
    try:
        result, test, in_order = reading.read_for_test(
            upload.file.path,
            filename=upload.original_filename,
            test=upload.test,
            school=upload.school,
            # Reading is the long half of a big import: move the bar from 1 % to 49 %.
            progress=lambda share: say(1 + int(share * 48), 100, ""),
        )
        upload.test = test
        upload.file_format = result.format
        upload.rows_total = result.n_rows
        upload.rows_absent = result.absent_rows
        schools = reading.resolve_schools(
            result,
            school=upload.school,
            municipality=upload.municipality,
            allowed=upload_rules.allowed_school_ids(upload),
        )
        prepared = reading.prepare(result, test=test, schools=schools, in_catalog_order=in_order)
        del result  # the columns now live in `prepared`
    except Refusal as refusal:
        return _refuse(upload, refusal)
    except Exception:
        logger.exception("Import of upload %s failed", upload.pk)
        _finish(
            upload,
            status=UploadStatus.FAILED,
            message="Внутренняя ошибка при загрузке. Файл не загружен; администратор может "
            "посмотреть журнал.",
        )
        raise

    say(50, 100, "Запись результатов…")
    try:
        with _progress_outside_transaction(reporter) as progress:
            outcomes = storage.apply_results(upload=upload, data=prepared.data, progress=progress)
    except Exception:
        logger.exception("Storing upload %s failed", upload.pk)
        _finish(
            upload,
            status=UploadStatus.FAILED,
            message="Внутренняя ошибка при записи результатов. Ничего не изменено; "
            "администратор может посмотреть журнал.",
        )
        raise
    return _applied(upload, prepared, outcomes)


def _refuse(upload: Upload, refusal: Refusal) -> ImportOutcome:
    upload.rows_rejected = refusal.rows_rejected
    upload.error_count = refusal.error_count or (1 if not refusal.errors else len(refusal.errors))
    if refusal.rows_total:
        upload.rows_total = refusal.rows_total
    upload.errors_preview = [[e.row, e.column or "", e.message_ru] for e in refusal.errors][
        :PREVIEW_ITEMS
    ]
    if refusal.errors:
        _save_error_report(upload, refusal)
    _delete_refused_file(upload)
    _finish(upload, status=UploadStatus.FAILED, message=refusal.message_ru)
    return outcome_of(upload)


def _delete_refused_file(upload: Upload) -> None:
    """A refused file is not kept: nothing of it was stored, and five refused 300 MB files
    must not fill the disk (the error report, written from it, stays)."""
    if not upload.file:
        return
    try:
        upload.file.delete(save=False)
    except OSError:
        logger.exception("Refused file of upload %s could not be deleted", upload.pk)


def _save_error_report(upload: Upload, refusal: Refusal) -> None:
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        write_error_report(
            refusal.results_file if refusal.results_file is not None else refusal.errors,
            upload.file.path,
            path,
        )
        with open(path, "rb") as handle:
            stem = Path(upload.original_filename).stem[:80] or "файл"
            upload.error_report.save(f"ошибки-{stem}.xlsx", File(handle), save=False)
    except Exception:
        # The refusal and its message matter more than the report: log and go on.
        logger.exception("Error report for upload %s could not be written", upload.pk)
    finally:
        os.unlink(path)


def _applied(
    upload: Upload, prepared: reading.ReadOutcome, outcomes: list[storage.SchoolOutcome]
) -> ImportOutcome:
    applied = [o for o in outcomes if o.action == "applied"]
    upload.summary = {
        o.school.login: {
            "name": o.school.display_name,
            "rows": o.rows,
            "action": o.action,
            "version": o.version,
            "digest": o.digest,
        }
        for o in outcomes
    }
    upload.rows_applied = sum(o.rows for o in applied)
    upload.rows_rejected = 0
    upload.warning_count = prepared.warning_count
    upload.mark_mismatch_count = prepared.mark_mismatch_count
    upload.warnings_preview = [[w.row, w.column or "", w.message_ru] for w in prepared.warnings][
        :PREVIEW_ITEMS
    ]
    upload.schools_applied = len(applied)
    upload.schools_unchanged = sum(o.action == "unchanged" for o in outcomes)
    upload.schools_skipped = sum(o.action == "newer" for o in outcomes)
    parts = [f"Участников в файле: {prepared.data.n_rows}, ОО: {len(outcomes)}."]
    if applied:
        parts.append(f"Загружено строк: {upload.rows_applied} (ОО: {len(applied)}).")
    if upload.schools_unchanged:
        parts.append(f"Без изменений ОО: {upload.schools_unchanged}.")
    if upload.schools_skipped:
        parts.append(
            f"Пропущено ОО: {upload.schools_skipped} — для них уже загружена более новая версия."
        )
    if prepared.mark_mismatch_count:
        parts.append(
            f"Отметок, не соответствующих шкале (признак h): {prepared.mark_mismatch_count}."
        )
    if upload.rows_absent:
        parts.append(f"Отсутствовали: {upload.rows_absent}.")
    status = UploadStatus.APPLIED if applied else UploadStatus.UNCHANGED
    if not applied and upload.schools_skipped == len(outcomes):
        status = UploadStatus.SUPERSEDED
    _finish(upload, status=status, message=" ".join(parts))
    if applied and upload.source != UploadSource.DEMO:  # seed_demo computes them at its end
        start_recompute_job(upload)
    return outcome_of(upload)


def start_recompute_job(upload: Upload) -> Job:
    """The recompute of the signs after an applied upload: its own job row, sent on commit.

    The task (in the indicators) takes the upload's id and runs under this row; the upload
    page reads the row (``results.selectors.uploads.recompute_job_of``).
    """
    job = create_job(
        kind=RECOMPUTE_JOB_KIND,
        title=f"Пересчёт признаков: {upload.original_filename}"[:200],
        user=upload.created_by,
        params={"upload_id": upload.pk},
    )
    enqueue_job_task(job, "results.indicators.recompute_after_upload", upload.pk)
    return job


def _finish(upload: Upload, *, status: str, message: str) -> None:
    upload.status = status
    upload.message = message
    upload.finished_at = timezone.now()
    upload.save()
    audit.record_upload(upload)


@contextmanager
def _progress_outside_transaction(
    reporter: JobReporter | None,
) -> Iterator[Callable[[int, int], None] | None]:
    """Progress of the write phase (50–99 %) that pages can see before the commit.

    The rows are written in one transaction, and an update of the job row made inside it
    would stay invisible until the end. On PostgreSQL a helper thread (Django gives each
    thread its own connection, in autocommit) writes the progress instead. SQLite allows
    one writer at a time, so there the bar simply jumps when the import commits.
    """
    if reporter is None or connection.vendor != "postgresql":
        yield None
        return
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-progress")

    def report(done: int, total: int) -> None:
        pool.submit(reporter.progress, 50 + done * 49 // max(total, 1), 100, "Запись результатов…")

    try:
        yield report
    finally:
        pool.submit(connections.close_all)
        pool.shutdown(wait=True)
