"""Public observers: the registry, the VPR schedule, assignments and visit acts.

Rules (conflict of interest, locking of filed acts) live in services, not here:
models only describe what is stored.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from results.models import Test
from schools.models import Municipality, School


class ObserverStatus(models.TextChoices):
    APPLICATION = "application", "заявка"
    TRAINED = "trained", "обучение пройдено"
    ACCREDITED = "accredited", "аккредитован"
    SUSPENDED = "suspended", "аккредитация приостановлена"


class Observer(models.Model):
    """A public observer (общественный наблюдатель) and the life cycle of their accreditation."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="observers",
        verbose_name="муниципалитет",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="observer_profile",
        verbose_name="учётная запись",
    )
    last_name = models.CharField("фамилия", max_length=100)
    first_name = models.CharField("имя", max_length=100)
    middle_name = models.CharField("отчество", max_length=100, blank=True)
    phone = models.CharField("телефон", max_length=50, blank=True)
    email = models.EmailField("эл. почта", blank=True)
    employer = models.CharField(
        "место работы",
        max_length=300,
        blank=True,
        help_text="Организация и должность; если это школа — укажите её также в связях.",
    )
    status = models.CharField(
        "статус", max_length=20, choices=ObserverStatus.choices, default=ObserverStatus.APPLICATION
    )
    applied_on = models.DateField("дата заявки", default=datetime.date.today)
    training_completed_on = models.DateField("обучение пройдено", null=True, blank=True)
    certificate_number = models.CharField("номер удостоверения", max_length=100, blank=True)
    accredited_until = models.DateField("аккредитован до", null=True, blank=True)
    suspension_reason = models.CharField("причина приостановки", max_length=500, blank=True)
    notes = models.TextField("примечания", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "общественный наблюдатель"
        verbose_name_plural = "общественные наблюдатели"
        ordering = ["last_name", "first_name", "middle_name"]
        indexes = [models.Index(fields=["municipality", "status"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def short_name(self) -> str:
        """«Белова Т. И.» — as documents print a person."""
        initials = " ".join(f"{p[0]}." for p in (self.first_name, self.middle_name) if p)
        return f"{self.last_name} {initials}".strip()

    def is_accredited_on(self, day: datetime.date) -> bool:
        return (
            self.status == ObserverStatus.ACCREDITED
            and self.accredited_until is not None
            and day <= self.accredited_until
        )


class TieKind(models.TextChoices):
    WORKS = "works", "работает в ОО"
    CHILD_STUDIES = "child_studies", "в ОО учится ребёнок"
    RELATIVE_STUDIES = "relative_studies", "в ОО учится родственник"
    RELATIVE_WORKS = "relative_works", "в ОО работает родственник"
    # The import file has one column for family ties and does not say which kind.
    RELATIVE = "relative", "в ОО учится или работает ребёнок или родственник"


class ObserverTie(models.Model):
    """A declared tie of an observer to a school: grounds for a conflict of interest."""

    observer = models.ForeignKey(Observer, on_delete=models.CASCADE, related_name="ties")
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="observer_ties", verbose_name="ОО"
    )
    kind = models.CharField("связь", max_length=20, choices=TieKind.choices)
    note = models.CharField("пояснение", max_length=300, blank=True)

    class Meta:
        verbose_name = "заявленная связь с ОО"
        verbose_name_plural = "заявленные связи с ОО"
        ordering = ["observer", "school"]
        constraints = [
            models.UniqueConstraint(
                fields=["observer", "school", "kind"], name="unique_observer_tie"
            )
        ]

    def __str__(self) -> str:
        return f"{self.observer}: {self.get_kind_display()} — {self.school}"


class ScheduledSession(models.Model):
    """One class writing one VPR test at a school: a line of the VPR schedule (график ВПР)."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="vpr_sessions", verbose_name="ОО"
    )
    test = models.ForeignKey(
        Test, on_delete=models.PROTECT, related_name="scheduled_sessions", verbose_name="работа"
    )
    # Normalised like the results files' «Класс» column («4А»), so sign f can join them.
    class_label = models.CharField("класс", max_length=10)
    date = models.DateField("дата")
    start_time = models.TimeField("начало")
    end_time = models.TimeField("окончание")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="кто внёс",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "работа по графику ВПР"
        verbose_name_plural = "график ВПР"
        ordering = ["date", "start_time", "school__short_name", "class_label"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "test", "class_label"], name="unique_session_per_class"
            ),
            models.CheckConstraint(
                name="session_ends_after_start",
                condition=models.Q(end_time__gt=models.F("start_time")),
            ),
        ]
        indexes = [models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{self.school} · {self.test.subject}, {self.class_label} · {self.date:%d.%m.%Y}"


class Stage(models.TextChoices):
    """Stages of a VPR an observer may watch (the Moscow Oblast 2021 act lists the same)."""

    PREPARATION = "preparation", "подготовка материалов (скачивание, распечатывание)"
    HANDOVER = "handover", "передача материалов организатору"
    TEST = "test", "проведение работы в аудитории"
    CHECKING = "checking", "проверка работ"
    UPLOAD = "upload", "заполнение и загрузка форм"


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", "назначен"
    CANCELLED = "cancelled", "отменено"


class Assignment(models.Model):
    """An observer sent to a scheduled session for one stage, at a date and time."""

    observer = models.ForeignKey(
        Observer, on_delete=models.PROTECT, related_name="assignments", verbose_name="наблюдатель"
    )
    session = models.ForeignKey(
        ScheduledSession,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name="работа по графику",
    )
    stage = models.CharField("этап", max_length=20, choices=Stage.choices, default=Stage.TEST)
    # Usually the session's own date and time; checking works or uploading forms happen later.
    date = models.DateField("дата")
    start_time = models.TimeField("с")
    end_time = models.TimeField("до")
    status = models.CharField(
        "статус", max_length=10, choices=AssignmentStatus.choices, default=AssignmentStatus.ACTIVE
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="кто назначил",
    )
    notified_at = models.DateTimeField("уведомление о назначении", null=True, blank=True)
    reminded_at = models.DateTimeField("напоминание накануне", null=True, blank=True)
    cancelled_at = models.DateTimeField("отменено", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()  # audit: who changed what, when (issue 11)

    class Meta:
        verbose_name = "назначение наблюдателя"
        verbose_name_plural = "назначения наблюдателей"
        ordering = ["date", "start_time"]
        constraints = [
            models.UniqueConstraint(
                fields=["observer", "session", "stage"],
                condition=models.Q(status="active"),
                name="unique_active_assignment",
            ),
            models.CheckConstraint(
                name="assignment_ends_after_start",
                condition=models.Q(end_time__gt=models.F("start_time")),
            ),
        ]
        indexes = [models.Index(fields=["date", "status"])]

    def __str__(self) -> str:
        return f"{self.observer.short_name} → {self.session} ({self.get_stage_display()})"

    @property
    def is_active(self) -> bool:
        return self.status == AssignmentStatus.ACTIVE


class ConflictRule(models.TextChoices):
    ACCREDITATION = "accreditation", "аккредитация"
    WORKPLACE = "workplace", "место работы"
    RELATIVE = "relative", "родственники"
    OVERLAP = "overlap", "два места одновременно"


class AssignmentRefusal(models.Model):
    """A refused assignment attempt, kept so the department can see what the rules stopped."""

    observer = models.ForeignKey(
        Observer, on_delete=models.CASCADE, related_name="refusals", verbose_name="наблюдатель"
    )
    session = models.ForeignKey(
        ScheduledSession,
        on_delete=models.CASCADE,
        related_name="refusals",
        verbose_name="работа по графику",
    )
    stage = models.CharField("этап", max_length=20, choices=Stage.choices)
    date = models.DateField("дата")
    start_time = models.TimeField("с")
    end_time = models.TimeField("до")
    rules = models.JSONField("нарушенные правила", default=list)
    reason = models.TextField("причина отказа")
    attempted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="кто пытался назначить",
    )
    created_at = models.DateTimeField("когда", auto_now_add=True)

    class Meta:
        verbose_name = "отказ в назначении"
        verbose_name_plural = "журнал отказов в назначении"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.observer.short_name} → {self.session}: {self.reason[:60]}"


class ViolationType(models.Model):
    """An item of the act's checklist of violations (editable in admin)."""

    code = models.SlugField("код", max_length=50, unique=True)
    title = models.CharField("нарушение", max_length=300)
    stage_hint = models.CharField(
        "этап", max_length=20, choices=Stage.choices, blank=True, help_text="Для подсказки в форме."
    )
    position = models.PositiveSmallIntegerField("порядок", default=0)
    is_active = models.BooleanField("используется", default=True)

    class Meta:
        verbose_name = "вид нарушения"
        verbose_name_plural = "виды нарушений (перечень акта)"
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class ActStatus(models.TextChoices):
    DRAFT = "draft", "черновик"
    SUBMITTED = "submitted", "отправлен, на проверке"
    ACCEPTED = "accepted", "принят"
    RETURNED = "returned", "возвращён на доработку"


LOCKED_ACT_STATUSES = (ActStatus.SUBMITTED, ActStatus.ACCEPTED)


class Act(models.Model):
    """The act of public observation (акт общественного наблюдения) for one assignment."""

    assignment = models.OneToOneField(
        Assignment, on_delete=models.PROTECT, related_name="act", verbose_name="назначение"
    )
    status = models.CharField(
        "статус", max_length=10, choices=ActStatus.choices, default=ActStatus.DRAFT
    )
    observed_from = models.TimeField("время начала наблюдения", null=True, blank=True)
    observed_to = models.TimeField("время окончания наблюдения", null=True, blank=True)
    stage = models.CharField("этап наблюдения", max_length=20, choices=Stage.choices)
    no_violations = models.BooleanField("нарушений не выявлено", default=False)
    violations = models.ManyToManyField(
        ViolationType, blank=True, related_name="acts", verbose_name="выявленные нарушения"
    )
    comments = models.TextField("комментарии", blank=True)
    # Bumped on every draft save: the phone compares it with its offline copy.
    revision = models.PositiveIntegerField("версия черновика", default=0)
    submitted_at = models.DateTimeField("отправлен", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="кто проверил",
    )
    reviewed_at = models.DateTimeField("проверен", null=True, blank=True)
    review_comment = models.TextField("комментарий проверяющего", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()  # audit: who changed what, when (issue 11)

    class Meta:
        verbose_name = "акт общественного наблюдения"
        verbose_name_plural = "акты общественного наблюдения"
        ordering = ["-submitted_at", "-updated_at"]

    def __str__(self) -> str:
        return f"Акт № {self.pk}: {self.assignment}"

    @property
    def is_locked(self) -> bool:
        return self.status in LOCKED_ACT_STATUSES


def act_photo_path(instance: ActPhoto, filename: str) -> str:
    # The stored file is re-encoded JPEG; the user's file name is kept in original_name only.
    return f"observers/acts/{instance.act_id}/{datetime.date.today():%Y%m%d}-{filename}"


class ActPhoto(models.Model):
    act = models.ForeignKey(Act, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField("фото", upload_to=act_photo_path)
    original_name = models.CharField("имя файла", max_length=255)
    width = models.PositiveIntegerField("ширина", default=0)
    height = models.PositiveIntegerField("высота", default=0)
    uploaded_at = models.DateTimeField("загружено", auto_now_add=True)

    class Meta:
        verbose_name = "фото к акту"
        verbose_name_plural = "фото к актам"
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name
