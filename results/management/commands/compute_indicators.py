"""python manage.py compute_indicators --year 2026 [--municipality NAME] [--json]"""

import json

from django.core.management.base import BaseCommand, CommandError

from results.indicators import services
from schools.models import Municipality


class Command(BaseCommand):
    help = "Рассчитать признаки необъективности результатов за год (синхронно)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--municipality",
            help="Название муниципалитета: расчёт идёт по его региону, итог — по нему.",
        )
        parser.add_argument("--json", action="store_true", help="Итог в JSON.")

    def handle(self, *args, **options):
        municipality = None
        if options["municipality"]:
            municipality = Municipality.objects.filter(name=options["municipality"]).first()
            if municipality is None:
                raise CommandError(f"Муниципалитет «{options['municipality']}» не найден.")
        summary = services.compute_indicators(year=options["year"], municipality=municipality)
        if options["json"]:
            self.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False))
        else:
            self.stdout.write(summary.message_ru() + f" Время: {summary.seconds:.2f} с.")
