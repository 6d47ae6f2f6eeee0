"""python manage.py import_official_list FILE [--year YYYY]"""

from django.core.management.base import BaseCommand, CommandError

from results.indicators import official_list
from schools.models import School
from vpr_portal.jobs import UserFacingError


class Command(BaseCommand):
    help = "Загрузить официальный перечень «ОО с признаками необъективности результатов»."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--year", type=int)

    def handle(self, *args, **options):
        try:
            with open(options["path"], "rb") as handle:
                imported = official_list.import_official_list(
                    file=handle, filename=options["path"], year=options["year"]
                )
        except (OSError, UserFacingError) as exc:
            raise CommandError(getattr(exc, "message_ru", str(exc))) from exc
        result = official_list.agreement(imported.year, School.objects.all())
        self.stdout.write(
            f"Строк: {imported.rows}. Совпали: {len(result.both)}, только у нас: "
            f"{len(result.only_ours)}, только в перечне: {len(result.only_theirs)}."
        )
