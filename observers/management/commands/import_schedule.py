from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from observers.services import ImportRefused
from observers.services.schedule import SCHEDULE_COLUMNS, import_schedule
from schools.models import School


class Command(BaseCommand):
    help = "Импорт графика ВПР из CSV или XLSX (" + ", ".join(SCHEDULE_COLUMNS) + ")."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options) -> None:
        if not path.is_file():
            raise CommandError(f"Файл не найден: {path}")
        try:
            report = import_schedule(
                source=path, filename=path.name, schools=list(School.objects.all()), user=None
            )
        except ImportRefused as exc:
            for message in exc.errors:
                self.stderr.write(message)
            raise CommandError(f"Импорт отменён: ошибок — {len(exc.errors)}, ничего не сохранено.")
        self.stdout.write(f"Строк графика создано: {report.created}, обновлено: {report.updated}.")
