"""The Django side of the objectivity indicators (issue 5).

The statistics are the pure package :mod:`results.objectivity`; this package feeds it and
stores what it returns:

* ``arrays``    — pupils' rows of one test → ``TestArrays`` (values_list / binary COPY);
* ``services``  — ``compute_indicators``: snapshots per test keyed by an input hash, the
  year-wide decision (Benjamini–Hochberg), the per-school year summary;
* ``official_list`` — the Рособрнадзор layout «ОО с признаками необъективности
  результатов»: export, import, agreement;
* ``selectors`` — scoped reads for the pages, the exports and the API;
* ``views``, ``forms``, ``urls``, ``tasks``, ``api``, ``charts`` — the usual rooms.

Pages read only the stored rows; the computation runs in jobs (after an upload, nightly,
on demand) and in ``manage.py compute_indicators``.
"""
