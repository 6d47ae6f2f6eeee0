"""Packs of a version's pupils (results.packs): written with the rows, read instead of them."""

import numpy as np
import pytest

from results.models import PupilResult, ResultSlot, ResultVersion, UploadStatus
from results.packs import pack_pupils, unpack_pupils
from tests.results.conftest import f1_file, import_path


def test_a_pack_gives_back_every_column_with_cyrillic_class_labels():
    labels = np.array(["4А", "4Б", "4А", "4Б-коррекционный", ""])
    scores = np.array([[1, 2], [0, 0], [2, 2], [1, 0], [0, 1]], dtype=np.int16)
    blob = pack_pupils(
        class_labels=labels,
        primary_score=scores.sum(axis=1),
        mark=np.array([3, 2, 5, 3, 2]),
        journal_mark=np.array([4, 0, 5, 3, 0]),
        task_scores=scores,
    )
    pupils = unpack_pupils(blob)
    assert [pupils.labels[i] for i in pupils.class_index] == labels.tolist()
    assert pupils.primary_score.tolist() == [3, 0, 4, 1, 1]
    assert pupils.mark.tolist() == [3, 2, 5, 3, 2]
    assert pupils.journal_mark.tolist() == [4, 0, 5, 3, 0]
    assert pupils.task_scores.tolist() == scores.tolist()


def test_an_empty_version_and_a_test_without_tasks_pack_too():
    empty = unpack_pupils(
        pack_pupils(
            class_labels=np.array([], dtype=str),
            primary_score=np.array([], dtype=np.int16),
            mark=np.array([], dtype=np.int16),
            journal_mark=np.array([], dtype=np.int16),
            task_scores=np.zeros((0, 3), dtype=np.int16),
        )
    )
    assert empty.n_rows == 0 and empty.labels == ()
    no_tasks = unpack_pupils(
        pack_pupils(
            class_labels=np.array(["5А"]),
            primary_score=np.array([7]),
            mark=np.array([4]),
            journal_mark=np.array([4]),
            task_scores=np.zeros((1, 0), dtype=np.int16),
        )
    )
    assert no_tasks.task_scores.shape == (1, 0) and no_tasks.primary_score.tolist() == [7]


@pytest.mark.parametrize("blob", [b"", b"not zlib", __import__("zlib").compress(b"VPK1 short")])
def test_anything_but_a_pack_is_refused(blob):
    with pytest.raises(ValueError):
        unpack_pupils(blob)


@pytest.mark.django_db
def test_the_import_writes_each_schools_pack_and_drops_the_replaced_one(
    russian4, synthetic_schools, tmp_path
):
    path, _ = f1_file(tmp_path, schools=2, rows=40, seed=0)
    assert import_path(path).status == UploadStatus.APPLIED
    for slot in ResultSlot.objects.filter(test=russian4).select_related("current"):
        pupils = unpack_pupils(slot.current.pupils_pack)
        stored = PupilResult.objects.filter(test=russian4, school_id=slot.school_id)
        assert sorted(
            zip(
                [pupils.labels[i] for i in pupils.class_index],
                pupils.primary_score.tolist(),
                pupils.mark.tolist(),
                pupils.journal_mark.tolist(),
                pupils.task_scores.tolist(),
                strict=True,
            )
        ) == sorted(
            (p.class_label, p.primary_score, p.mark, p.journal_mark, list(p.scores)) for p in stored
        )

    first = {s.school_id: s.current_id for s in ResultSlot.objects.filter(test=russian4)}
    path, _ = f1_file(tmp_path, schools=2, rows=40, seed=1)
    assert import_path(path).status == UploadStatus.APPLIED
    for school_id, version_id in first.items():
        replaced = ResultVersion.objects.get(pk=version_id)
        current = ResultSlot.objects.get(test=russian4, school_id=school_id).current
        assert current.pk != replaced.pk
        assert replaced.pupils_pack is None  # its rows are gone: so is their pack
        assert unpack_pupils(current.pupils_pack).n_rows == current.rows
