"""Reading a test's pupils from the versions' packs gives what reading the rows gives."""

import pytest

from results.indicators import arrays
from results.models import ResultSlot, ResultVersion

pytestmark = pytest.mark.django_db


def _rows_of(columns) -> list[tuple]:
    """Pupils' rows without the class key (its value depends on the read path), sorted."""
    return sorted(
        zip(
            columns.school_id.tolist(),
            columns.primary_score.tolist(),
            columns.mark.tolist(),
            columns.journal_mark.tolist(),
            map(tuple, columns.task_scores.tolist()),
            strict=True,
        )
    )


def _classes_of(columns) -> list[list[tuple]]:
    """The partition of the pupils into classes (what the statistics use of the key)."""
    classes: dict[int, list[tuple]] = {}
    for key, row in zip(columns.class_key.tolist(), _rows_of_unsorted(columns), strict=True):
        classes.setdefault(key, []).append(row)
    return sorted(sorted(members) for members in classes.values())


def _rows_of_unsorted(columns) -> list[tuple]:
    return list(
        zip(
            columns.school_id.tolist(),
            columns.primary_score.tolist(),
            map(tuple, columns.task_scores.tolist()),
            strict=True,
        )
    )


@pytest.mark.django_db
def test_reading_packs_gives_the_same_pupils_and_classes_as_reading_the_rows(synthetic):
    test, _, _ = synthetic
    n_tasks = test.tasks.count()
    versions = dict(
        ResultSlot.objects.filter(test=test, current__isnull=False).values_list(
            "school_id", "current_id"
        )
    )
    from_packs = arrays.fetch_version_columns(test, versions, n_tasks, with_labels=True)
    from_rows = arrays.fetch_columns(arrays.pupil_rows(test, sorted(versions)), n_tasks)
    assert from_packs.school_id.size == from_rows.school_id.size > 0
    assert _rows_of(from_packs) == _rows_of(from_rows)
    assert _classes_of(from_packs) == _classes_of(from_rows)
    # The label map names every class key the read produced (sign f needs it).
    assert set(from_packs.class_keys_by_label.values()) == set(from_packs.class_key.tolist())

    # Versions stored before packs existed are read from their rows, mixed with the rest.
    some = sorted(versions)[:5]
    ResultVersion.objects.filter(pk__in=[versions[s] for s in some]).update(pupils_pack=None)
    mixed = arrays.fetch_version_columns(test, versions, n_tasks, with_labels=True)
    assert _rows_of(mixed) == _rows_of(from_rows)
    assert _classes_of(mixed) == _classes_of(from_rows)
    assert set(mixed.class_keys_by_label.values()) == set(mixed.class_key.tolist())
