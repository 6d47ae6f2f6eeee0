"""The import service: a valid file becomes the schools' current rows, exactly."""

import numpy as np
import pytest

from results.models import PupilResult, ResultSlot, ResultVersion, Upload, UploadStatus
from results.services import uploads
from tests.results.conftest import f1_file, import_path

pytestmark = pytest.mark.django_db


def stored_rows(test, school):
    return sorted(
        PupilResult.objects.filter(test=test, school=school).values_list(
            "participant_code",
            "class_label",
            "variant",
            "scores",
            "primary_score",
            "mark",
            "journal_mark",
        )
    )


def expected_rows(data, login_index):
    rows = []
    for i in np.flatnonzero(data.login_index == login_index):
        rows.append(
            (
                str(data.participant_code[i]),
                data.class_label[i],
                int(data.variant[i]),
                data.scores[i].tolist(),
                int(data.primary_score[i]),
                int(data.mark[i]),
                int(data.journal_mark[i]),
            )
        )
    return sorted(rows)


def test_a_municipal_export_becomes_each_schools_current_rows(
    tmp_path, russian4, synthetic_schools, municipality
):
    path, data = f1_file(tmp_path, schools=3, rows=90)
    outcome = import_path(path, municipality=municipality)
    assert outcome.status == UploadStatus.APPLIED, outcome.message
    assert outcome.applied == 90 and outcome.rejected == 0 and not outcome.unchanged
    assert outcome.schools == {"edu501001": 30, "edu501002": 30, "edu501003": 30}
    for i, school in enumerate(synthetic_schools[:3]):
        assert stored_rows(russian4, school) == expected_rows(data, i)
    assert ResultSlot.objects.filter(test=russian4, current__isnull=False).count() == 3
    upload = outcome.upload
    assert upload.started_at and upload.finished_at and upload.started_at <= upload.finished_at


def test_unanswered_tasks_are_stored_as_a_mask(tmp_path, russian4, synthetic_schools, municipality):
    path, data = f1_file(tmp_path, schools=1, rows=200)
    import_path(path, municipality=municipality)
    stored = dict(PupilResult.objects.values_list("participant_code", "unanswered_mask"))
    for i in range(data.n_rows):
        mask = sum(1 << j for j in np.flatnonzero(data.unanswered[i]))
        assert stored[str(data.participant_code[i])] == mask
    assert any(stored.values())


def test_the_test_is_read_from_the_title_when_not_chosen(
    tmp_path, russian4, synthetic_schools, municipality
):
    path, _ = f1_file(tmp_path)
    outcome = import_path(path, municipality=municipality)
    assert outcome.upload.test == russian4 and not outcome.upload.test_chosen


def test_a_csv_with_the_f1_header_needs_the_test_chosen(
    tmp_path, russian4, synthetic_schools, municipality
):
    path, data = f1_file(tmp_path, csv=True)
    refused = import_path(path, municipality=municipality)
    assert refused.status == UploadStatus.FAILED
    assert "Выберите работу" in refused.message
    outcome = import_path(path, municipality=municipality, test=russian4)
    assert outcome.status == UploadStatus.APPLIED, outcome.message
    assert stored_rows(russian4, synthetic_schools[0]) == expected_rows(data, 0)


def test_the_same_file_twice_is_a_no_op(tmp_path, russian4, synthetic_schools, municipality):
    path, _ = f1_file(tmp_path, schools=2, rows=50)
    first = import_path(path, municipality=municipality)
    ids = set(PupilResult.objects.values_list("pk", flat=True))
    uploads_before = Upload.objects.count()
    again = import_path(path, municipality=municipality)
    assert again.unchanged and again.applied == 0
    assert again.upload == first.upload
    assert Upload.objects.count() == uploads_before
    assert set(PupilResult.objects.values_list("pk", flat=True)) == ids


def test_a_new_upload_replaces_the_previous_version_and_keeps_history(
    tmp_path, russian4, synthetic_schools, municipality
):
    school = synthetic_schools[0]
    first_path, _ = f1_file(tmp_path, rows=30, seed=1)
    second_path, second = f1_file(tmp_path, rows=25, seed=2)
    first = import_path(first_path, municipality=municipality)
    second_outcome = import_path(second_path, municipality=municipality)
    assert stored_rows(russian4, school) == expected_rows(second, 0)
    versions = list(ResultVersion.objects.filter(school=school, test=russian4).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].replaced_by == versions[1] and versions[1].is_current
    first.upload.refresh_from_db()
    assert first.upload.status == UploadStatus.SUPERSEDED
    assert second_outcome.upload.status == UploadStatus.APPLIED


def test_an_identical_school_in_a_new_export_keeps_its_version(
    tmp_path, russian4, synthetic_schools, municipality
):
    path, data = f1_file(tmp_path, schools=2, rows=40, seed=3)
    import_path(path, municipality=municipality)
    # Same data written again: different bytes (another file), same rows.
    from results.fileformats.synthetic import write_f1_csv

    csv_path = tmp_path / "again.csv"
    write_f1_csv(csv_path, data)
    outcome = import_path(csv_path, municipality=municipality, test=russian4)
    assert outcome.status == UploadStatus.UNCHANGED and outcome.unchanged
    assert ResultVersion.objects.count() == 2


def test_an_older_upload_applied_late_does_not_override_a_newer_one(
    tmp_path, russian4, synthetic_schools, municipality
):
    old_path, _ = f1_file(tmp_path, rows=20, seed=4)
    new_path, new = f1_file(tmp_path, rows=22, seed=5)
    with open(old_path, "rb") as handle:
        old = uploads.create_upload(
            file=handle, filename="old.xlsx", municipality=municipality
        ).upload
    import_path(new_path, municipality=municipality)
    late = uploads.process_upload(upload_id=old.pk)
    assert late.status == UploadStatus.SUPERSEDED
    assert stored_rows(russian4, synthetic_schools[0]) == expected_rows(new, 0)


def test_a_mark_that_does_not_match_the_scale_is_kept_and_flagged(
    tmp_path, russian4, synthetic_schools, municipality
):
    from results.fileformats.synthetic import write_f1_xlsx

    _, data = f1_file(tmp_path, rows=30, seed=6)
    data.mark[0] = 5 if data.mark[0] != 5 else 2
    path = tmp_path / "h.xlsx"
    write_f1_xlsx(path, data)
    outcome = import_path(path, municipality=municipality)
    assert outcome.status == UploadStatus.APPLIED
    row = PupilResult.objects.get(participant_code=str(data.participant_code[0]))
    assert row.mark == data.mark[0] and not row.mark_matches_scale
    assert outcome.upload.mark_mismatch_count == 1
    assert "признак h" in outcome.upload.message


def test_processing_an_applied_upload_again_changes_nothing(
    tmp_path, russian4, synthetic_schools, municipality
):
    from results.models import Upload

    path, _ = f1_file(tmp_path, schools=2, rows=20)
    outcome = import_path(path, municipality=municipality)
    ids = set(PupilResult.objects.values_list("pk", flat=True))
    # A redelivered task finds the upload finished and returns its outcome.
    again = uploads.process_upload(upload_id=outcome.upload.pk)
    assert again.status == UploadStatus.APPLIED and again.applied == 20
    # Even forced back to "processing" (a worker lost mid-way), the rows stay as they are.
    Upload.objects.filter(pk=outcome.upload.pk).update(status=UploadStatus.PROCESSING)
    forced = uploads.process_upload(upload_id=outcome.upload.pk)
    assert forced.status == UploadStatus.APPLIED
    assert set(PupilResult.objects.values_list("pk", flat=True)) == ids
    assert ResultVersion.objects.count() == 2
