"""Reading and validating VPR result files, with no Django dependency.

Public API::

    from results.fileformats import (
        read_results_file, match_tasks, write_error_report, mark_for_scores,
        ResultsFile, ResultsFileError, RowError, TaskSpec, TestHint,
    )

    rf = read_results_file(path, filename=upload.name, expected_tasks=tasks,
                           cuts=(10, 16, 21), max_score=24)
    if rf.fatal:            # the whole file is refused: show rf.fatal
        ...
    elif rf.error_count:    # refuse, offer the report
        write_error_report(rf, path, report_path)
    else:                   # apply: columnar numpy arrays, one entry per participant
        rf.logins[rf.login_index[i]], rf.participant_code[i], rf.scores[i], ...

Formats (detected from the bytes and the header, never from the name): the ФИС ОКО export
F1 «Индивидуальные результаты» (one school or a whole municipality), the school's
collection form, and CSV with the F1 header. See :func:`read_results_file` for the
arguments and :class:`ResultsFile` for the arrays; :mod:`.synthetic` writes believable
F1 files for tests and benchmarks.
"""

from .headers import match_tasks, normalize_task_number
from .reader import read_results_file
from .report import write_error_report
from .schema import ResultsFile, ResultsFileError, RowError, TaskSpec, TestHint
from .validation import mark_for_scores

__all__ = [
    "ResultsFile",
    "ResultsFileError",
    "RowError",
    "TaskSpec",
    "TestHint",
    "mark_for_scores",
    "match_tasks",
    "normalize_task_number",
    "read_results_file",
    "write_error_report",
]
