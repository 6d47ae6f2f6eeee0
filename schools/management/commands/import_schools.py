from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from schools.models import Region
from schools.services import RegistryImportError, import_school_registry


class Command(BaseCommand):
    help = (
        "Импорт реестра ОО из CSV или XLSX (Логин, Наименование, …, Муниципалитет, Тип, Местность)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--region", help="Название региона (по умолчанию — единственный)")

    def handle(self, *args, path: Path, region: str | None, **options) -> None:
        if not path.is_file():
            raise CommandError(f"Файл не найден: {path}")
        region_obj = Region.objects.get_or_create(name=region)[0] if region else None
        try:
            # The CLI is an administrator's tool: user=None reaches every municipality.
            report = import_school_registry(
                source=path, filename=path.name, user=None, region=region_obj
            )
        except RegistryImportError as exc:
            for message in exc.errors:
                self.stderr.write(message)
            raise CommandError(f"Импорт отменён: ошибок — {len(exc.errors)}, ничего не сохранено.")
        self.stdout.write(
            f"Создано ОО: {report.created}, обновлено: {report.updated}, "
            f"новых муниципалитетов: {len(report.municipalities_created)}."
        )
