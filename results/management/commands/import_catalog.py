from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from results.services import CatalogError, import_catalog


class Command(BaseCommand):
    help = "Загрузка каталога проверочных работ (задания и шкалы) из JSON."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options) -> None:
        if not path.is_file():
            raise CommandError(f"Файл не найден: {path}")
        try:
            report = import_catalog(data=path)
        except CatalogError as exc:
            for message in exc.errors:
                self.stderr.write(message)
            raise CommandError("Каталог не загружен: исправьте ошибки, ничего не сохранено.")
        self.stdout.write(f"Работ добавлено: {report.created}, обновлено: {report.updated}.")
