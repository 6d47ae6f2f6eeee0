"""Cross-cutting models: the job row that every long task reports to."""

from django.conf import settings
from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "в очереди"
    RUNNING = "running", "выполняется"
    SUCCEEDED = "succeeded", "готово"
    FAILED = "failed", "ошибка"


class Job(models.Model):
    """A background job: pages poll it (htmx) for status, progress and the output file."""

    kind = models.CharField("вид", max_length=50)
    title = models.CharField("название", max_length=200)
    status = models.CharField(
        "статус", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField("готовность, %", default=0)
    message = models.TextField("сообщение", blank=True)
    params = models.JSONField("параметры", default=dict, blank=True)
    result = models.JSONField("итог", default=dict, blank=True)
    output_file = models.FileField("файл", upload_to="jobs/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
        verbose_name="кто запустил",
    )
    created_at = models.DateTimeField("создано", auto_now_add=True)
    started_at = models.DateTimeField("начато", null=True, blank=True)
    finished_at = models.DateTimeField("завершено", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("запусков", default=0)
    # Recovery (vpr_portal/sweeper.py): what to send again, who runs it, when it last spoke.
    task_name = models.CharField("задача Celery", max_length=200, blank=True)
    task_args = models.JSONField("аргументы задачи", default=list, blank=True)
    worker = models.CharField(
        "обработчик", max_length=255, blank=True, help_text="Узел и процесс: host:pid."
    )
    heartbeat_at = models.DateTimeField(
        "последний признак жизни",
        null=True,
        blank=True,
        help_text="Начало, каждый отчёт о ходе работы и повторная постановка в очередь.",
    )

    class Meta:
        verbose_name = "фоновая задача"
        verbose_name_plural = "фоновые задачи"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["kind", "status"]),
            models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat"),
        ]

    def __str__(self) -> str:
        return f"{self.title} — {self.get_status_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)


# --- Audit (issue 11): import batches and reads of pupil-level rows ---


class ImportKind(models.TextChoices):
    REGISTRY = "registry", "реестр ОО"
    RESULTS = "results", "результаты ВПР"
    PLAN = "plan", "план мероприятий"
    OBSERVERS = "observers", "наблюдатели"
    SCHEDULE = "schedule", "расписание"
    OFFICIAL_LIST = "official_list", "перечень ОО"
    CATALOG = "catalog", "каталог работ"


class ImportBatch(models.Model):
    """One import of a file, by whom and when, and what it did (written by the services)."""

    kind = models.CharField("что загружено", max_length=20, choices=ImportKind.choices)
    channel = models.CharField("откуда", max_length=10, help_text="web, api, cli, demo")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="кто",
    )
    at = models.DateTimeField("когда", auto_now_add=True, db_index=True)
    file_name = models.CharField("файл", max_length=255, blank=True)
    succeeded = models.BooleanField("принят", default=True)
    created = models.PositiveIntegerField("создано", default=0)
    updated = models.PositiveIntegerField("изменено", default=0)
    refused = models.PositiveIntegerField("отклонено", default=0)
    reference = models.CharField(
        "объект", max_length=100, blank=True, help_text="upload:12, plan:3"
    )

    class Meta:
        verbose_name = "пакет импорта"
        verbose_name_plural = "журнал импорта"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%d.%m.%Y %H:%M}"


class PupilDataAccess(models.Model):
    """A read of pupil-level rows (a page, the API, a file): who, where, which schools, how
    many rows. No participant codes and no other content of the rows."""

    user_ref = models.BigIntegerField("пользователь (id)", null=True, blank=True, db_index=True)
    route = models.CharField("маршрут", max_length=200)
    channel = models.CharField("канал", max_length=10, help_text="web, api, cli, admin")
    school_ids = models.JSONField("ОО (id)", default=list)
    row_count = models.PositiveIntegerField("строк", default=0)
    at = models.DateTimeField("когда", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "доступ к данным обучающихся"
        verbose_name_plural = "журнал доступа к данным обучающихся"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.route} — {self.row_count} строк"
