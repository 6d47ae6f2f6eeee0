"""Results import: a generated 1,000,000-row municipal F1 export, end to end.

Targets (issue 4), each measured in its own subprocess (so peak RSS is the import's own
and every run starts from an empty database):

* into PostgreSQL (binary COPY): ≤ 25 s, ≥ 40k rows/s, peak RSS ≤ 1 GB;
* into SQLite (batched INSERT): ≤ 45 s;
* ≥ 20× faster than a naive import (openpyxl in its default mode, one ORM ``save()`` per
  row in autocommit) run here on a 20,000-row slice of the same kind and extrapolated.

"End to end" is what a coordinator's upload costs after the file is on the server:
hashing and storing the file, reading and validating it, writing the rows, swapping the
version. The export is generated once and cached in var/bench/.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
ROWS = int(os.environ.get("RESULTS_BENCH_ROWS", "1000000"))
SCHOOLS = int(os.environ.get("RESULTS_BENCH_SCHOOLS", "500"))
BASELINE_ROWS = int(os.environ.get("RESULTS_BENCH_BASELINE_ROWS", "20000"))
SEED = 11

PG_SECONDS, PG_ROWS_PER_S, PG_RSS_MB = 25.0, 40_000, 1024
SQLITE_SECONDS = 45.0
SPEED_UP = 20.0


# --- the parent: generate, spawn, collect ---------------------------------------------------


def _export(rows: int, schools: int) -> Path:
    """The generated F1 export (cached: generating 1M rows takes longer than importing)."""
    from results.fileformats.synthetic import RUSSIAN_4_2026, generate_f1, write_f1_xlsx

    cache = ROOT / "var" / "bench"
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"f1-russian4-{rows}-{schools}-{SEED}.xlsx"
    if not path.exists():
        data = generate_f1(test=RUSSIAN_4_2026, schools=schools, rows=rows, seed=SEED)
        partial = path.with_suffix(".partial")
        write_f1_xlsx(partial, data)
        partial.rename(path)
    return path


@contextmanager
def _fresh_postgres(url: str):
    """A new empty database on the server DATABASE_URL points at, dropped afterwards."""
    import psycopg

    name = f"bench_results_{os.getpid()}_{int(time.time() * 1000) % 10**8}"
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(scheme="postgresql"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _child(mode: str, path: Path, database_url: str, schools: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="results-bench-") as workdir:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": str(Path(workdir) / "media"),
            "VAR_DIR": str(Path(workdir) / "var"),
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-key"),
            "DJANGO_SETTINGS_MODULE": "vpr_portal.settings",
            "LOG_LEVEL": "WARNING",
        }
        done = subprocess.run(
            [sys.executable, __file__, "child", mode, str(path), str(schools)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=3600,
        )
    if done.returncode != 0:
        raise RuntimeError(f"{mode} child failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _phases(figures: dict) -> str:
    phases = figures["phases"]
    return ", ".join(f"{k} {v:.1f} s" for k, v in phases.items())


def run() -> list[dict]:
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise RuntimeError("results_bench needs DATABASE_URL pointing at PostgreSQL (make bench)")
    export = _export(ROWS, SCHOOLS)
    slice_schools = max(1, SCHOOLS * BASELINE_ROWS // ROWS)
    baseline_file = _export(BASELINE_ROWS, slice_schools)
    out = []

    with _fresh_postgres(database_url) as url:
        pg = _child("import", export, url, SCHOOLS)
    rate = pg["rows"] / pg["seconds"]
    out.append(
        {
            "name": f"F1 export, {pg['rows']:,} rows × {SCHOOLS} schools → PostgreSQL (binary COPY)",
            "seconds": pg["seconds"],
            "rows_per_s": round(rate),
            "peak_rss_mb": pg["peak_rss_mb"],
            "target": f"≤ {PG_SECONDS:.0f} s, ≥ {PG_ROWS_PER_S:,} rows/s, ≤ {PG_RSS_MB} MB",
            "passed": pg["seconds"] <= PG_SECONDS
            and rate >= PG_ROWS_PER_S
            and pg["peak_rss_mb"] <= PG_RSS_MB,
            "note": _phases(pg),
        }
    )

    with tempfile.TemporaryDirectory(prefix="results-bench-sqlite-") as workdir:
        sqlite = _child("import", export, f"sqlite:///{workdir}/bench.sqlite3", SCHOOLS)
    out.append(
        {
            "name": f"F1 export, {sqlite['rows']:,} rows → SQLite (batched INSERT)",
            "seconds": sqlite["seconds"],
            "rows_per_s": round(sqlite["rows"] / sqlite["seconds"]),
            "peak_rss_mb": sqlite["peak_rss_mb"],
            "target": f"≤ {SQLITE_SECONDS:.0f} s",
            "passed": sqlite["seconds"] <= SQLITE_SECONDS,
            "note": _phases(sqlite),
        }
    )

    with _fresh_postgres(database_url) as url:
        naive = _child("baseline", baseline_file, url, slice_schools)
    extrapolated = naive["seconds"] / naive["rows"] * pg["rows"]
    out.append(
        {
            "name": f"speed-up over a naive import ({naive['rows']:,}-row slice, extrapolated)",
            "seconds": pg["seconds"],
            "baseline": "openpyxl (default mode) + ORM save() per row, PostgreSQL",
            "baseline_seconds": round(extrapolated, 1),
            "ratio": round(extrapolated / pg["seconds"], 1),
            "target": f"≥ {SPEED_UP:.0f}×",
            "passed": extrapolated / pg["seconds"] >= SPEED_UP,
            "note": f"naive: {naive['seconds']:.1f} s for {naive['rows']:,} rows "
            f"({naive['rows'] / naive['seconds']:,.0f} rows/s)",
        }
    )
    return out


# --- the child: one measurement in a fresh process ------------------------------------------


def _setup(schools: int):
    """Migrate the empty database, register the schools and the test (not timed)."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from results.fileformats.synthetic import RUSSIAN_4_2026
    from results.models import Test, TestTask
    from schools.models import Municipality, Region, School

    region = Region.objects.create(name="Регион (бенчмарк)")
    municipality = Municipality.objects.create(region=region, name="Муниципалитет (бенчмарк)")
    School.objects.bulk_create(
        School(login=f"edu50{1001 + i:04d}", municipality=municipality, full_name=f"Школа {i + 1}")
        for i in range(schools)
    )
    spec = RUSSIAN_4_2026
    test = Test.objects.create(
        year=spec.year, subject=spec.subject, grade=spec.grade, max_score=spec.max_score,
        cut_3=spec.cuts[0], cut_4=spec.cuts[1], cut_5=spec.cuts[2],
    )  # fmt: skip
    for position, task in enumerate(spec.tasks, start=1):
        TestTask.objects.create(
            test=test, position=position, number=task.number,
            max_score=task.max_score, level=task.level,
        )  # fmt: skip
    return test, municipality


def _timed(phases: dict, module, name: str, label: str) -> None:
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            phases[label] = phases.get(label, 0.0) + time.perf_counter() - started

    setattr(module, name, wrapper)


def child_import(path: Path, schools: int) -> dict:
    """The real service, as the job runs it: store the file, then import it."""
    _, municipality = _setup(schools)
    from results.services import reading, storage, uploads

    phases: dict[str, float] = {}
    _timed(phases, uploads, "create_upload", "store file")
    _timed(phases, reading, "read_for_test", "read + validate")
    _timed(phases, reading, "prepare", "prepare")
    _timed(phases, storage, "write_rows", "write rows")
    started = time.perf_counter()
    with open(path, "rb") as handle:
        created = uploads.create_upload(file=handle, filename=path.name, municipality=municipality)
    outcome = uploads.process_upload(upload_id=created.upload.pk)
    seconds = time.perf_counter() - started
    if outcome.status != "applied":
        raise RuntimeError(outcome.message)
    return {"rows": outcome.applied, "seconds": round(seconds, 2), "phases": phases}


def child_baseline(path: Path, schools: int) -> dict:
    """What a straightforward import looks like: openpyxl rows, one save() per pupil."""
    test, _ = _setup(schools)
    import openpyxl
    from django.core.files.base import ContentFile

    from results.models import PupilResult, Upload
    from schools.models import School

    started = time.perf_counter()
    upload = Upload(original_filename=path.name, sha256="0" * 64, test=test)
    upload.file.save(path.name, ContentFile(path.read_bytes()), save=False)
    upload.save()
    by_login = {s.login: s for s in School.objects.all()}
    sheet = openpyxl.load_workbook(path).active  # the default mode, as most examples show
    rows = sheet.iter_rows(values_only=True)
    header = next(row for row in rows if row and row[0] == "ОО")
    column = {title: i for i, title in enumerate(header)}
    task_columns = [i for i, t in enumerate(header) if t and str(t)[0].isdigit()]
    count = 0
    for number, row in enumerate(rows, start=1):
        if not row or row[0] is None:
            continue
        scores, unanswered = [], 0
        for j, i in enumerate(task_columns):
            value = row[i]
            if value in (None, "X", "Х", "-"):
                scores.append(0)
                unanswered |= 1 << j
            else:
                scores.append(int(value))
        primary = sum(scores)
        mark = int(row[column["Отметка"]])
        PupilResult(
            school=by_login[row[0]],
            test=test,
            upload=upload,
            class_label=str(row[column["Класс"]]),
            participant_code=str(row[column["Код участника"]]),
            variant=int(row[column["Вариант"]] or 0),
            scores=scores,
            unanswered_mask=unanswered,
            primary_score=primary,
            mark=mark,
            mark_matches_scale=mark == test.mark_for(primary),
            journal_mark=int(row[column["Отметка по журналу"]] or 0),
            source_row=number,
        ).save()
        count += 1
    seconds = time.perf_counter() - started
    return {"rows": count, "seconds": round(seconds, 2), "phases": {}}


def _child_main(mode: str, path: str, schools: str) -> None:
    figures = (child_import if mode == "import" else child_baseline)(Path(path), int(schools))
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(figures))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "child":
        _child_main(*sys.argv[2:])
    else:
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vpr_portal.settings")
        os.environ.setdefault("SECRET_KEY", "bench-only-key")
        for row in run():
            print(json.dumps(row, ensure_ascii=False))
