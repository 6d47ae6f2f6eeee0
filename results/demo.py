"""Demo catalog (and, with the results issue, generated results)."""

from __future__ import annotations

import random
from pathlib import Path

from results.services import import_catalog

CATALOG_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "catalog.json"


def seed(*, rng: random.Random, context: dict, stdout=None) -> str:
    report = import_catalog(data=CATALOG_FIXTURE)
    return f"каталог работ: добавлено {report.created}, обновлено {report.updated}"
