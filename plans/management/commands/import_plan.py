"""python manage.py import_plan PATH [--format auto|docx|xlsx|text] [--dry-run] [--json]"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from plans.services.documents import read_plan_document
from plans.services.errors import PlanImportError
from plans.services.importing import import_plan, validate_plan_data
from schools.models import Municipality


class Command(BaseCommand):
    help = (
        "Загружает план мероприятий из .docx, .xlsx или текста. Без --dry-run сохраняет его "
        "черновиком и печатает номер плана; с --json печатает разобранный план в JSON."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="Файл плана (.docx, .xlsx, .txt) или «-» для stdin.")
        parser.add_argument(
            "--format", default="auto", choices=["auto", "docx", "xlsx", "text"], help="Формат."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Только разобрать и проверить, не сохранять."
        )
        parser.add_argument("--json", action="store_true", help="Напечатать план в JSON.")
        parser.add_argument(
            "--municipality",
            help="Муниципалитет-владелец (название или id); можно не указывать, если он один.",
        )

    def handle(self, *args, path: str, format: str, dry_run: bool, json: bool, **options):
        # Known failures end with a Russian message and exit code 1, never a traceback.
        try:
            if path == "-":
                # One byte past the limit is enough to refuse: never read it all.
                limit = settings.PLANS_IMPORT_MAX_UPLOAD_MB * 1024 * 1024
                source, filename = sys.stdin.buffer.read(limit + 1), None
            else:
                # A Path, not a str: the parser would take a str for the plan's text. Its
                # size is checked (stat) before it is read; zip bombs before it is parsed.
                source, filename = Path(path), None
            read = read_plan_document(source=source, filename=filename, format=format)
            errors = validate_plan_data(read.data)
            if errors:
                raise PlanImportError(errors)
            plan_id = None
            if not dry_run:
                municipality = self._municipality(options.get("municipality"))
                plan = import_plan(
                    data=read.data,
                    municipality=municipality,
                    source_name=path.rsplit("/", 1)[-1] if path != "-" else "",
                    source_format=read.source_format,
                )
                plan_id = plan.pk
        except PlanImportError as exc:
            raise CommandError(
                "План не загружен, ничего не сохранено.\n" + exc.message_ru
            ) from None
        if json:
            self.stdout.write(_json_dumps(read.json_dict))
            if plan_id is not None:
                self.stderr.write(f"План сохранён: id {plan_id}")
        elif plan_id is not None:
            self.stdout.write(str(plan_id))
        else:
            counts = _counts(read.json_dict)
            self.stdout.write(
                "Проверка пройдена, план не сохранён (--dry-run). Разделов: {sections}, "
                "мероприятий верхнего уровня: {top}, всего: {total}.".format(**counts)
            )
        for warning in read.warnings:
            self.stderr.write(f"Замечание: {warning['message']}")

    def _municipality(self, value: str | None) -> Municipality:
        municipalities = Municipality.objects.all()
        if value:
            found = municipalities.filter(
                pk=int(value) if value.isdigit() else None
            ) | municipalities.filter(name__iexact=value)
            found = list(found.distinct())
            if len(found) != 1:
                raise PlanImportError(f"Муниципалитет «{value}» не найден.")
            return found[0]
        found = list(municipalities[:2])
        if len(found) == 1:
            return found[0]
        if not found:
            raise PlanImportError(
                "В базе нет ни одного муниципалитета: сначала загрузите реестр ОО (import_schools)."
            )
        raise PlanImportError(
            "Муниципалитетов несколько: укажите владельца плана, например --municipality 1."
        )


def _json_dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def _counts(data: dict) -> dict[str, int]:
    def count(items: list[dict]) -> int:
        return sum(1 + count(item["children"]) for item in items)

    sections = data["sections"]
    return {
        "sections": len(sections),
        "top": sum(len(s["items"]) for s in sections),
        "total": sum(count(s["items"]) for s in sections),
    }
