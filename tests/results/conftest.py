"""Fixtures for the results tests: a catalog test, schools whose logins the synthetic
F1 files use, and writers of such files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from results.fileformats.synthetic import (
    RUSSIAN_4_2026,
    SyntheticF1,
    generate_f1,
    write_f1_csv,
    write_f1_xlsx,
)
from results.models import Test, TestTask
from results.services import uploads
from tests import factories


def make_catalog_test(spec=RUSSIAN_4_2026) -> Test:
    test = Test.objects.create(
        year=spec.year,
        session="spring",
        subject=spec.subject,
        grade=spec.grade,
        max_score=spec.max_score,
        cut_3=spec.cuts[0],
        cut_4=spec.cuts[1],
        cut_5=spec.cuts[2],
    )
    for position, task in enumerate(spec.tasks, start=1):
        TestTask.objects.create(
            test=test,
            position=position,
            number=task.number,
            max_score=task.max_score,
            level=task.level or "",
        )
    return test


@pytest.fixture
def russian4(db) -> Test:
    """ВПР 2026 Русский язык 4 класс: 12 tasks, max 24, cuts 10/16/21."""
    return make_catalog_test()


@pytest.fixture
def synthetic_schools(municipality):
    """Schools edu501001…edu501005 of «Город А», the logins the synthetic files use."""
    return [
        factories.SchoolFactory(
            municipality=municipality, login=f"edu50{1001 + i:04d}", short_name=f"СОШ № {i + 1}"
        )
        for i in range(5)
    ]


def f1_file(
    tmp_path: Path, *, schools: int = 1, rows: int = 40, seed: int = 0, csv: bool = False, **kw
) -> tuple[Path, SyntheticF1]:
    data = generate_f1(test=RUSSIAN_4_2026, schools=schools, rows=rows, seed=seed, **kw)
    path = tmp_path / f"f1-{schools}-{rows}-{seed}.{'csv' if csv else 'xlsx'}"
    (write_f1_csv if csv else write_f1_xlsx)(path, data)
    return path, data


def import_path(path: Path, **kwargs) -> uploads.ImportOutcome:
    """Import a file the way the CLI does (create, then process synchronously)."""
    with open(path, "rb") as handle:
        created = uploads.create_upload(
            file=handle, filename=kwargs.pop("filename", path.name), **kwargs
        )
    if created.upload is None:
        return created.unchanged
    return uploads.process_upload(upload_id=created.upload.pk)


def import_bytes(content: bytes, filename: str, **kwargs) -> uploads.ImportOutcome:
    created = uploads.create_upload(file=io.BytesIO(content), filename=filename, **kwargs)
    if created.upload is None:
        return created.unchanged
    return uploads.process_upload(upload_id=created.upload.pk)
