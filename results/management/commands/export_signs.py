"""python manage.py export_signs --year 2026 --format json|xlsx [--out FILE]"""

import json
import sys

from django.core.management.base import BaseCommand

from results.indicators import official_list, selectors
from results.models import SchoolTestIndicator
from schools.models import School


class Command(BaseCommand):
    help = "Выгрузить признаки: JSON по ОО × работам или XLSX-перечень ОО с признаками."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("--out", help="Файл (по умолчанию — стандартный вывод).")

    def handle(self, *args, **options):
        year = options["year"]
        if options["format"] == "json":
            records = selectors.export_records(SchoolTestIndicator.objects.filter(year=year))
            content = json.dumps(records, ensure_ascii=False, indent=1).encode()
        else:
            content = official_list.export_xlsx(year, School.objects.all())
        if options["out"]:
            with open(options["out"], "wb") as handle:
                handle.write(content)
            self.stderr.write(f"Записано: {options['out']}")
        else:
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
