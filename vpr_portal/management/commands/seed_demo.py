"""Build a believable demo municipality; each app adds its part in its demo.py."""

import importlib
import random

from django.core.management.base import BaseCommand

from schools.models import School

# Order matters: later parts use earlier ones (results need schools and the catalog;
# observers schedule the classes results created; plans tie "event" deadlines to that schedule).
DEMO_STEPS = [
    ("schools.demo", "seed"),
    ("results.demo", "seed"),
    ("observers.demo", "seed"),
    ("plans.demo", "seed"),
]


class Command(BaseCommand):
    help = "Создаёт демонстрационные данные: муниципалитеты, ОО, пользователей всех ролей и т. д."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Ничего не делать, если ОО уже есть в базе."
        )
        parser.add_argument("--seed", type=int, default=2026, help="Зерно генератора.")

    def handle(self, *args, if_empty: bool, seed: int, **options) -> None:
        if if_empty and School.objects.exists():
            self.stdout.write("Данные уже есть — демонстрационные данные не создавались.")
            return
        rng = random.Random(seed)
        context: dict = {}
        for module_name, function_name in DEMO_STEPS:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name == module_name:
                    continue  # that app has no demo data yet
                raise
            summary = getattr(module, function_name)(rng=rng, context=context, stdout=self.stdout)
            if summary:
                self.stdout.write(f"{module_name}: {summary}")
        self.stdout.write(
            self.style.SUCCESS("Демонстрационные данные готовы. Пароль у всех: demo12345")
        )
