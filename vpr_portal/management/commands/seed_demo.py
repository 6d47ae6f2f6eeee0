"""Build a believable demo municipality; each app adds its part in its demo.py."""

import importlib
import random

from django.core.management.base import BaseCommand

from vpr_portal import demo


class Command(BaseCommand):
    help = "Создаёт демонстрационные данные: муниципалитеты, ОО, пользователей всех ролей и т. д."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Ничего не делать, если ОО уже есть в базе."
        )
        parser.add_argument("--seed", type=int, default=2026, help="Зерно генератора.")

    def handle(self, *args, if_empty: bool, seed: int, **options) -> None:
        if if_empty and demo.has_data():
            self.stdout.write("Данные уже есть — демонстрационные данные не создавались.")
            return
        rng = random.Random(seed)
        context: dict = {}
        # Apps register their steps in AppConfig.ready(), in the order they need.
        for step in demo.steps():
            module = importlib.import_module(step.module)
            summary = module.seed(rng=rng, context=context, stdout=self.stdout)
            if summary:
                self.stdout.write(f"{step.module}: {summary}")
        self.stdout.write(
            self.style.SUCCESS("Демонстрационные данные готовы. Пароль у всех: demo12345")
        )
