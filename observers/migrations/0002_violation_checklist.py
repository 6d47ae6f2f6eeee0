"""The checklist of violations of the Moscow Oblast 2021 act form (editable in admin later)."""

from django.db import migrations

CHECKLIST = [
    ("information-security", "Не соблюдалась информационная безопасность при подготовке и (или) передаче материалов ВПР", "preparation"),
    ("late-entry", "Вход участников в аудиторию начался после звонка на урок, отведённый для работы", "test"),
    ("no-briefing", "Не проведён инструктаж участников", "test"),
    ("subject-teacher", "В аудитории находится учитель по предмету, по которому проводится работа", "test"),
    ("phones-notes", "Участники используют телефоны, справочные материалы, шпаргалки", "test"),
    ("prompting", "Организатор или другие лица подсказывают участникам", "test"),
    ("talking-copying", "Участники переговариваются, списывают друг у друга", "test"),
    ("time-exceeded", "Превышено время выполнения работы", "test"),
    ("outsiders", "В аудитории находятся посторонние лица", "test"),
    ("not-by-criteria", "Работы проверяются не по критериям оценивания", "checking"),
    ("single-checker", "Работы проверяет один учитель, без комиссии", "checking"),
]


def add_checklist(apps, schema_editor):
    ViolationType = apps.get_model("observers", "ViolationType")
    for position, (code, title, stage) in enumerate(CHECKLIST, start=1):
        ViolationType.objects.update_or_create(
            code=code, defaults={"title": title, "stage_hint": stage, "position": position * 10}
        )


def remove_checklist(apps, schema_editor):
    apps.get_model("observers", "ViolationType").objects.filter(
        code__in=[code for code, _, _ in CHECKLIST]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("observers", "0001_initial")]

    operations = [migrations.RunPython(add_checklist, remove_checklist)]
