import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from results.models import Test, UploadSource
from results.services import uploads
from schools.models import School


class Command(BaseCommand):
    help = (
        "Загрузка результатов ВПР из файла (выгрузка ФИС ОКО «Индивидуальные результаты», "
        "форма сбора результатов или CSV) — так же, как при загрузке на портале: файл "
        "применяется целиком или не применяется вовсе."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path, help="Файл .xlsx, .xls или .csv")
        parser.add_argument(
            "--test-id", type=int, help="Работа из каталога; по умолчанию — по заголовку файла"
        )
        parser.add_argument(
            "--school",
            metavar="LOGIN",
            help="Логин ОО (eduNNNNNN): только её строки; обязателен для формы сбора без «ОО»",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help='Итог одной строкой JSON: {"applied", "rejected", "unchanged", "schools"}',
        )

    def handle(self, *args, path: Path, test_id: int | None, school: str | None, **options):
        if not path.is_file():
            raise CommandError(f"Файл не найден: {path}")
        test = None
        if test_id is not None:
            test = Test.objects.filter(pk=test_id).first()
            if test is None:
                raise CommandError(f"В каталоге нет работы с id {test_id}.")
        school_obj = None
        if school is not None:
            school_obj = School.objects.filter(login=school.strip().lower()).first()
            if school_obj is None:
                raise CommandError(f"В реестре нет ОО с логином {school}.")

        with open(path, "rb") as handle:
            created = uploads.create_upload(
                file=handle,
                filename=path.name,
                test=test,
                school=school_obj,
                source=UploadSource.CLI,
            )
        if created.upload is None:
            outcome = created.unchanged
        else:
            # A job row naming this process: if it is killed, the sweeper fails the upload.
            uploads.attach_local_job(created.upload)
            outcome = uploads.process_upload(upload_id=created.upload.pk)

        if options["json"]:
            self.stdout.write(json.dumps(outcome.as_json(), ensure_ascii=False))
        else:
            self._print_summary(outcome)
        if outcome.refused:
            raise CommandError("Файл не загружен: " + outcome.message)

    def _print_summary(self, outcome: uploads.ImportOutcome) -> None:
        upload = outcome.upload
        if upload is not None and upload.test_id:
            self.stdout.write(f"Работа: {upload.test}")
        if outcome.unchanged:
            self.stdout.write(outcome.message)
        self.stdout.write(
            f"Строк загружено: {outcome.applied}; строк с ошибками: {outcome.rejected}."
        )
        for login, rows in sorted(outcome.schools.items()):
            self.stdout.write(f"  {login}: {rows}")
        if outcome.refused and upload is not None:
            for row, column, message in upload.errors_preview[:20]:
                where = f"строка {row}" if row else "файл"
                self.stderr.write(f"  {where}{', ' + column if column else ''}: {message}")
            if upload.error_count > 20:
                self.stderr.write(f"  … всего ошибок: {upload.error_count}")
            if upload.error_report:
                self.stderr.write(f"Отчёт об ошибках: {upload.error_report.path}")
        elif not outcome.unchanged:
            self.stdout.write(self.style.SUCCESS(outcome.message))
