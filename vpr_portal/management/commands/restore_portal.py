"""python manage.py restore_portal FILE  (make restore BACKUP_FILE=…)"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from vpr_portal.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Восстановить базу данных и загруженные файлы из резервной копии; содержимое базы "
        "заменяется. Число строк каждой таблицы сверяется с копией."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", type=Path)

    def handle(self, *args, archive: Path, **options) -> None:
        try:
            manifest = restore(archive_path=archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Восстановлено из {archive}: копия от {manifest.created_at}, таблиц "
            f"{len(manifest.counts)}, строк {sum(manifest.counts.values())} — совпадает."
        )
