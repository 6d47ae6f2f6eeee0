"""Point 12: `make backup` / `make restore` — a backup restored into a FRESH database finds
the same row count in every table and the same uploaded files (SQLite here, PostgreSQL in
the integration run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SEED = """
from django.core.files.base import ContentFile
from tests import factories
region = factories.RegionFactory(name="Область")
municipality = factories.MunicipalityFactory(region=region, name="Город")
school = factories.SchoolFactory(municipality=municipality, login="edu100001")
school.short_name = "СОШ № 1 (изменено)"
school.save()
test = factories.TestFactory()
upload = factories.make_results(test=test, school=school, rows=[
    ("4А", (1, 2, 1, 2), 3, 3), ("4А", (2, 2, 2, 2), 5, 4), ("4Б", (0, 1, 0, 1), 2, 2),
])
upload.error_report.save("errors.xlsx", ContentFile(b"error report"))
factories.PlanItemFactory(section=factories.PlanSectionFactory(
    plan=factories.PlanFactory(municipality=municipality)))
factories.make_staff(municipality=municipality, username="staff")
factories.AssignmentFactory()
"""

COUNTS = (
    "import json; from vpr_portal.backup import table_counts; print(json.dumps(table_counts()))"
)


def manage(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if check:
        assert done.returncode == 0, done.stderr[-3000:]
    return done


def environment(database_url: str, media: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DATABASE_URL=database_url, MEDIA_ROOT=str(media), DEBUG="0")
    return env


def media_files(media: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(media)): p.read_bytes() for p in sorted(media.rglob("*")) if p.is_file()
    }


def round_trip(source_url: str, fresh_url: str, tmp_path: Path) -> None:
    source = environment(source_url, tmp_path / "media-source")
    fresh = environment(fresh_url, tmp_path / "media-fresh")
    manage("migrate", "--noinput", env=source)
    manage("shell", "-c", SEED, env=source)
    before = json.loads(manage("shell", "-c", COUNTS, env=source).stdout.splitlines()[-1])
    archive = tmp_path / "backups" / "portal.tar.gz"
    out = manage("backup_portal", "--output", str(archive), env=source).stdout
    assert archive.is_file() and "Резервная копия" in out

    restored = manage("restore_portal", str(archive), env=fresh).stdout
    assert "совпадает" in restored
    after = json.loads(manage("shell", "-c", COUNTS, env=fresh).stdout.splitlines()[-1])
    assert after == before
    assert before["results_pupilresult"] == 3 and before["schools_historicalschool"] >= 2
    assert before["plans_item"] == 1 and before["auth_user"] >= 1
    assert media_files(tmp_path / "media-fresh") == media_files(tmp_path / "media-source")
    assert len(media_files(tmp_path / "media-source")) == 2
    # The restored portal works: its migrations are all applied.
    plan = manage("showmigrations", "--plan", env=fresh).stdout
    assert "[ ]" not in plan


def test_a_sqlite_backup_restores_into_a_fresh_database_with_the_same_counts(tmp_path):
    round_trip(
        f"sqlite:///{tmp_path / 'source.sqlite3'}",
        f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        tmp_path,
    )


def test_a_restore_refuses_an_archive_that_is_not_a_backup(tmp_path):
    import tarfile

    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz") as archive:
        (tmp_path / "x.txt").write_text("x")
        archive.add(tmp_path / "x.txt", arcname="x.txt")
    env = environment(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path / "media")
    done = manage("restore_portal", str(bogus), env=env, check=False)
    assert done.returncode != 0 and "manifest.json" in done.stderr


def test_a_restore_refuses_paths_outside_its_folders(tmp_path):
    import tarfile

    from vpr_portal.backup import BackupError, _safe_members

    evil = tmp_path / "evil.tar.gz"
    (tmp_path / "x.txt").write_text("x")
    with tarfile.open(evil, "w:gz") as archive:
        archive.add(tmp_path / "x.txt", arcname="../../etc/x.txt")
    with tarfile.open(evil) as archive, pytest.raises(BackupError, match="Недопустимый путь"):
        _safe_members(archive)


@pytest.mark.integration
def test_a_postgresql_backup_restores_into_a_fresh_database_with_the_same_counts(tmp_path):
    import psycopg

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        pytest.fail("The integration run sets DATABASE_URL to PostgreSQL (.ci/services.py).")
    suffix = uuid.uuid4().hex[:8]
    names = [f"backup_source_{suffix}", f"backup_fresh_{suffix}"]
    with psycopg.connect(base, autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
    try:
        prefix = base.rsplit("/", 1)[0]
        round_trip(f"{prefix}/{names[0]}", f"{prefix}/{names[1]}", tmp_path)
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
