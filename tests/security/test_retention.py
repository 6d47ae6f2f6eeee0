"""Point 8: pupil-level rows past the retention period are deleted (rows, packs, files);
aggregates, versions as records and the catalog are kept; beat runs it monthly."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from results.models import PupilResult, ResultVersion, SchoolYearIndicator, Test, Upload
from results.services.retention import purge_pupil_rows, retention_cutoff_year
from tests import factories

pytestmark = pytest.mark.django_db

ROWS = [("4А", (1, 2, 1, 2), 3, 3), ("4А", (2, 2, 2, 2), 5, 4)]


@pytest.fixture
def years(settings):
    settings.PORTAL_PUPIL_ROWS_RETENTION_YEARS = 5
    this_year = timezone.localdate().year
    return this_year - 6, this_year


@pytest.fixture
def stored(years, school):
    old_year, new_year = years
    old = factories.TestFactory(year=old_year)
    new = factories.TestFactory(year=new_year, subject="Математика")
    old_upload = factories.make_results(test=old, school=school, rows=ROWS, filename="old.xlsx")
    new_upload = factories.make_results(test=new, school=school, rows=ROWS, filename="new.xlsx")
    SchoolYearIndicator.objects.create(school=school, year=old_year, n_tests=1, n_flagged=1)
    return old, new, old_upload, new_upload


def _path(upload: Upload) -> Path:
    return Path(upload.file.path)


def test_the_cutoff_follows_the_setting(settings, years):
    settings.PORTAL_PUPIL_ROWS_RETENTION_YEARS = 3
    assert retention_cutoff_year() == timezone.localdate().year - 3


def test_a_dry_run_counts_and_deletes_nothing(stored, capsys):
    old_upload = stored[2]
    call_command("purge_pupil_rows", "--dry-run")
    out = capsys.readouterr().out
    assert "Будет удалено" in out and "строк обучающихся — 2" in out and "файлов — 1" in out
    assert PupilResult.objects.count() == 4
    assert _path(old_upload).exists()
    assert ResultVersion.objects.filter(pupils_pack__isnull=False).count() == 2


def test_old_pupil_rows_packs_and_files_go_and_the_recent_ones_stay(
    stored, django_capture_on_commit_callbacks
):
    old, new, old_upload, new_upload = stored
    old_file = _path(old_upload)
    with django_capture_on_commit_callbacks(execute=True):
        report = purge_pupil_rows()
    assert (report.rows, report.packs, report.files) == (2, 1, 1)
    assert not PupilResult.objects.filter(test=old).exists()
    assert PupilResult.objects.filter(test=new).count() == 2
    assert ResultVersion.objects.get(test=old).pupils_pack is None
    assert ResultVersion.objects.get(test=new).pupils_pack is not None
    assert not old_file.exists()
    old_upload.refresh_from_db()
    assert not old_upload.file and old_upload.original_filename == "old.xlsx"
    assert _path(Upload.objects.get(pk=new_upload.pk)).exists()


def test_aggregates_the_catalog_and_the_records_of_versions_are_kept(stored):
    old, *_ = stored
    purge_pupil_rows()
    assert Test.objects.filter(pk=old.pk).exists()
    assert ResultVersion.objects.get(test=old).rows == 2
    assert SchoolYearIndicator.objects.filter(year=old.year).exists()


def test_a_second_run_has_nothing_left_to_delete(stored, capsys):
    purge_pupil_rows()
    call_command("purge_pupil_rows")
    assert "удалять нечего" in capsys.readouterr().out


def test_a_longer_retention_keeps_everything(settings, stored):
    settings.PORTAL_PUPIL_ROWS_RETENTION_YEARS = 10
    assert purge_pupil_rows().rows == 0
    assert PupilResult.objects.count() == 4


def test_beat_runs_the_purge_monthly_through_a_registered_task(settings):
    from vpr_portal.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["results-purge-pupil-rows"]
    assert entry["task"] == "results.purge_pupil_rows"
    assert entry["schedule"].day_of_month == {1}
    app.loader.import_default_modules()
    assert "results.purge_pupil_rows" in app.tasks


def test_the_nightly_recomputation_skips_purged_years(stored, monkeypatch):
    from results.indicators.services import computing

    new = stored[1]
    seen = []
    monkeypatch.setattr(
        computing, "compute_indicators", lambda *, year, **kw: seen.append(year) or _Summary()
    )
    computing.recompute_all_years()
    assert seen == [new.year]


class _Summary:
    def as_dict(self):
        return {}
