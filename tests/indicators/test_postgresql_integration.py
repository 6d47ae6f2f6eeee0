"""On real PostgreSQL: the binary COPY read equals the ORM read, and the service runs."""

import numpy as np
import pytest
from django.db import connection

from results.indicators import arrays, services
from results.models import SchoolTestIndicator

pytestmark = pytest.mark.integration


def test_binary_copy_reads_the_same_rows_as_values_list_and_flags_inflation(synthetic):
    if connection.vendor != "postgresql":
        pytest.fail("Integration tests need PostgreSQL: run them through `make test`.")
    test = synthetic[0]
    rows = arrays.pupil_rows(test).order_by("id")
    n_tasks = test.tasks.count()
    fast = arrays._fetch_binary_copy(rows, n_tasks, with_labels=True)
    slow = arrays._fetch_values_list(rows, n_tasks)
    order_fast = np.lexsort((fast.primary_score, fast.school_id))
    order_slow = np.lexsort((slow.primary_score, slow.school_id))
    assert np.array_equal(fast.school_id[order_fast], slow.school_id[order_slow])
    assert np.array_equal(
        np.sort(fast.task_scores.sum(axis=1)), np.sort(slow.task_scores.sum(axis=1))
    )
    assert np.array_equal(np.sort(fast.journal_mark), np.sort(slow.journal_mark))
    assert len(np.unique(fast.class_key)) == len(np.unique(slow.class_key))
    summary = services.compute_indicators(year=2026)
    assert summary.flagged >= 5
    assert SchoolTestIndicator.objects.filter(flagged=True).exists()
