"""python manage.py purge_pupil_rows [--dry-run]

Deletes pupils' rows, packs and result files of the tests older than the retention period
(PORTAL_PUPIL_ROWS_RETENTION_YEARS); aggregates and signs are kept. Beat runs it monthly.
"""

from django.core.management.base import BaseCommand

from results.services.retention import purge_pupil_rows


class Command(BaseCommand):
    help = (
        "Удалить данные обучающихся (строки, упакованные версии, файлы) работ старше срока "
        "хранения PORTAL_PUPIL_ROWS_RETENTION_YEARS; сводные показатели сохраняются."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Только посчитать, ничего не удалять."
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        report = purge_pupil_rows(dry_run=dry_run)
        self.stdout.write(report.message_ru())
        for title in report.tests:
            self.stdout.write(f"  {title}")
