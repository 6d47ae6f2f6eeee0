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
