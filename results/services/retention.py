"""Retention of pupil-level data (152-ФЗ: kept no longer than the purpose needs).

Pupil-level data are the rows of `PupilResult` (participant code, class, scores, marks), each
result version's `pupils_pack` (the same numbers packed, without codes) and the uploaded
files with their error reports (they hold the codes). For the tests of years at or before
`retention_cutoff_year()` (`PORTAL_PUPIL_ROWS_RETENTION_YEARS`, default 5, counted back from
the current year) `purge_pupil_rows` deletes all of them.

Kept, because they hold no pupil: the catalog, uploads and result versions as records (who
uploaded what and when, row counts, digests), the signs of non-objective results
(`IndicatorSnapshot` tables of per-school numbers, `SchoolTestIndicator`,
`SchoolYearIndicator`), official lists, plans, observers' acts and the audit journals.
After a purge the ФИС ОКО report pages of those years show no rows, and their signs are
no longer recomputed (the nightly pass skips those years): the stored ones stay as they were.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from results.models import PupilResult, ResultVersion, Test, Upload

logger = logging.getLogger(__name__)


def retention_cutoff_year(*, today=None) -> int:
    """Tests of this year and earlier are past the retention period."""
    today = today or timezone.localdate()
    return today.year - int(settings.PORTAL_PUPIL_ROWS_RETENTION_YEARS)


@dataclass
class PurgeReport:
    cutoff_year: int
    tests: list[str] = field(default_factory=list)
    rows: int = 0
    packs: int = 0
    files: int = 0
    dry_run: bool = False

    def message_ru(self) -> str:
        verb = "Будет удалено" if self.dry_run else "Удалено"
        if not self.tests:
            return f"Данных обучающихся за {self.cutoff_year} год и ранее нет — удалять нечего."
        return (
            f"{verb} (работы {self.cutoff_year} года и ранее, {len(self.tests)}): строк "
            f"обучающихся — {self.rows}, упакованных версий — {self.packs}, файлов — "
            f"{self.files}. Сводные показатели и признаки сохранены."
        )


def purge_pupil_rows(*, dry_run: bool = False, today=None) -> PurgeReport:
    """Delete pupil-level rows, packs and files of the tests past the retention period."""
    report = PurgeReport(cutoff_year=retention_cutoff_year(today=today), dry_run=dry_run)
    old_tests = list(Test.objects.filter(year__lte=report.cutoff_year).order_by("year", "pk"))
    for test in old_tests:
        rows = PupilResult.objects.filter(test=test)
        packs = ResultVersion.objects.filter(test=test, pupils_pack__isnull=False)
        uploads = Upload.objects.filter(test=test).exclude(file="", error_report="")
        n_rows, n_packs = rows.count(), packs.count()
        n_files = sum(bool(u.file) + bool(u.error_report) for u in uploads)
        if not (n_rows or n_packs or n_files):
            continue
        report.tests.append(str(test))
        report.rows += n_rows
        report.packs += n_packs
        report.files += n_files
        if dry_run:
            continue
        with transaction.atomic():
            rows.delete()
            packs.update(pupils_pack=None)
            files = []
            for upload in uploads.select_for_update():
                files += [f.name for f in (upload.file, upload.error_report) if f]
                Upload.objects.filter(pk=upload.pk).update(file="", error_report="")
            # Files go only when the rows are gone for good (after the commit).
            transaction.on_commit(lambda names=files: _delete_files(names))
        logger.info(
            "Retention: purged test %s (%s rows, %s packs, %s files)",
            test.pk,
            n_rows,
            n_packs,
            n_files,
        )
    return report


def _delete_files(names: list[str]) -> None:
    storage = Upload._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("Retention: could not delete %s", name)
