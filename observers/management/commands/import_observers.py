from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from observers.services import ImportRefused
from observers.services.registry import IMPORT_COLUMNS, import_observers
from schools.models import Municipality, School


class Command(BaseCommand):
    help = (
        "Импорт списка общественных наблюдателей из CSV или XLSX ("
        + ", ".join(IMPORT_COLUMNS)
        + ")."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options) -> None:
        if not path.is_file():
            raise CommandError(f"Файл не найден: {path}")
        try:
            # The command line is an administrator's tool: every municipality and school.
            report = import_observers(
                source=path,
                filename=path.name,
                municipalities=list(Municipality.objects.all()),
                schools=list(School.objects.all()),
            )
        except ImportRefused as exc:
            for message in exc.errors:
                self.stderr.write(message)
            raise CommandError(f"Импорт отменён: ошибок — {len(exc.errors)}, ничего не сохранено.")
        self.stdout.write(f"Создано наблюдателей: {report.created}, обновлено: {report.updated}.")
