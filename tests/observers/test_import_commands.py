"""The command-line imports: all rows or none, Russian messages, non-zero exit on errors."""

import pytest
from django.core.management import CommandError, call_command

from observers.models import Observer, ScheduledSession

pytestmark = pytest.mark.django_db


def test_import_observers_from_the_command_line(tmp_path, municipality, capsys):
    path = tmp_path / "observers.csv"
    path.write_text("Фамилия;Имя;Муниципалитет\nГромов;Павел;Город А\n", encoding="utf-8")
    call_command("import_observers", str(path))
    assert "Создано наблюдателей: 1" in capsys.readouterr().out
    assert Observer.objects.get().municipality == municipality


def test_a_bad_observers_file_exits_non_zero_and_saves_nothing(tmp_path, municipality, capsys):
    path = tmp_path / "observers.csv"
    path.write_text("Фамилия;Имя;Муниципалитет\n;Павел;Город А\n", encoding="utf-8")
    with pytest.raises(CommandError, match="ничего не сохранено"):
        call_command("import_observers", str(path))
    assert "Строка 2, столбец «Фамилия»: не заполнено." in capsys.readouterr().err
    assert not Observer.objects.exists()


def test_import_schedule_from_the_command_line(tmp_path, school, vpr_test, capsys):
    path = tmp_path / "schedule.csv"
    path.write_text(
        "Логин;Дата;Предмет;Класс;Время начала\n"
        f"{school.login};14.04.{vpr_test.year};Русский язык;4А;09:00\n"
        f"{school.login};14.04.{vpr_test.year};Русский язык;5А;09:00\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError):
        call_command("import_schedule", str(path))
    assert "Строка 3" in capsys.readouterr().err
    assert not ScheduledSession.objects.exists()
    path.write_text(
        f"Логин;Дата;Предмет;Класс;Время начала\n{school.login};14.04.{vpr_test.year};Русский язык;4А;09:00\n",
        encoding="utf-8",
    )
    call_command("import_schedule", str(path))
    assert ScheduledSession.objects.get().class_label == "4А"
