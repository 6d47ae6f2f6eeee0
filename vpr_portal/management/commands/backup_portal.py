"""python manage.py backup_portal [--output FILE]  (make backup [BACKUP_FILE=…])"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from vpr_portal.backup import BackupError, backup


class Command(BaseCommand):
    help = "Резервная копия базы данных и загруженных файлов в один архив (.tar.gz)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", type=Path, help="Файл архива (по умолчанию var/backups/)")

    def handle(self, *args, output: Path | None = None, **options) -> None:
        try:
            path, manifest = backup(output=output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Резервная копия: {path} (база {manifest.vendor}, таблиц {len(manifest.counts)}, "
            f"строк {sum(manifest.counts.values())}, файлов {manifest.media_files})."
        )
