"""python manage.py render_plan_pdf PLAN_ID OUT.pdf [--report]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plans.models import Plan
from plans.services import output


class Command(BaseCommand):
    help = "Печатает план мероприятий (или отчёт о выполнении с --report) в PDF."

    def add_arguments(self, parser) -> None:
        parser.add_argument("plan_id", type=int, help="Номер плана.")
        parser.add_argument("out", help="Куда записать PDF.")
        parser.add_argument(
            "--report", action="store_true", help="Отчёт о выполнении вместо самого плана."
        )

    def handle(self, *args, plan_id: int, out: str, report: bool, **options) -> None:
        plan = Plan.objects.select_related("municipality").filter(pk=plan_id).first()
        if plan is None:
            raise CommandError(f"План с номером {plan_id} не найден.")
        if report:
            content = output.render_execution_report_pdf(plan=plan)
        else:
            content = output.render_plan_pdf(plan=plan)
        try:
            Path(out).write_bytes(content)
        except OSError as exc:
            raise CommandError(f"Не удалось записать файл {out}: {exc.strerror or exc}.") from None
        self.stdout.write(f"PDF записан: {out} ({len(content) // 1024} КБ)")
