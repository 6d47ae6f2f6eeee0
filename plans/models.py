"""Plans of measures (планы мероприятий): the document, its execution and reminders.

A plan keeps every text as written (numbers, deadlines, responsible parties) next to
what the portal understood of it (date windows, linked schools, users and roles), so
the printed plan always matches the department's document while the portal can still
tell what is due, overdue and whose it is.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, Max, Min, OuterRef, Q, Value, When
from simple_history.models import HistoricalRecords

from schools.models import Municipality, School


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "черновик"
    APPROVED = "approved", "утверждён"
    ARCHIVED = "archived", "в архиве"


class ItemStatus(models.TextChoices):
    PLANNED = "planned", "запланировано"
    IN_PROGRESS = "in_progress", "выполняется"
    DONE = "done", "выполнено"
    CANCELLED = "cancelled", "отменено"


OPEN_STATUSES = (ItemStatus.PLANNED, ItemStatus.IN_PROGRESS)


class DeadlineKind(models.TextChoices):
    DATE = "date", "дата"
    WINDOW = "window", "период"
    CONTINUOUS = "continuous", "в течение периода"
    EVENT = "event", "по графику ВПР"
    UNKNOWN = "unknown", "срок не распознан"


class PartyKind(models.TextChoices):
    ORGANISATION = "organisation", "организация"
    ROLE = "role", "должность / роль"
    PERSON = "person", "сотрудник"
    SCHOOL = "school", "ОО"
    UNKNOWN = "unknown", "не распознано"


class PartyRole(models.TextChoices):
    """What a recognised party is, whatever words the plan used for it."""

    DEPARTMENT = "department", "орган управления образованием"
    METHODICAL_CENTRE = "methodical_centre", "методический центр"
    MUNICIPAL_COORDINATOR = "municipal_coordinator", "муниципальный координатор"
    SCHOOLS = "schools", "образовательные организации"
    SCHOOL_HEADS = "school_heads", "руководители ОО"
    SCHOOL_COORDINATORS = "school_coordinators", "школьные координаторы"
    SUBJECT_ASSOCIATIONS = "subject_associations", "руководители методических объединений"
    TEACHERS = "teachers", "учителя"
    OBSERVERS = "observers", "общественные наблюдатели"
    EXPERTS = "experts", "эксперты"
    REGIONAL_CENTRE = "regional_centre", "региональный центр оценки качества"


# Parties that mean "every school of the municipality": each school coordinator sees
# such an item and reports for their school.
ALL_SCHOOLS_ROLES = (PartyRole.SCHOOLS, PartyRole.SCHOOL_HEADS, PartyRole.SCHOOL_COORDINATORS)
# Parties that are the department itself: its staff answer for the item.
DEPARTMENT_ROLES = (
    PartyRole.DEPARTMENT,
    PartyRole.METHODICAL_CENTRE,
    PartyRole.MUNICIPAL_COORDINATOR,
)


class Plan(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="plans", verbose_name="муниципалитет"
    )
    title = models.TextField("название")
    period_start = models.DateField("начало периода", null=True, blank=True)
    period_end = models.DateField("конец периода", null=True, blank=True)
    status = models.CharField(
        "статус", max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    approval_position = models.TextField("должность утверждающего", blank=True)
    approval_name = models.CharField("утверждающий", max_length=200, blank=True)
    approval_date = models.DateField("дата утверждения", null=True, blank=True)
    basis = models.TextField("основание", blank=True)
    order_reference = models.TextField(
        "приказ", blank=True, help_text="Например: «Приложение 1 к приказу … от 03.03.2021 № 89»"
    )
    goal = models.TextField("цель", blank=True)
    tasks = models.JSONField("задачи", default=list, blank=True)
    expected_results = models.JSONField("ожидаемые результаты", default=list, blank=True)
    source_name = models.CharField("исходный файл", max_length=255, blank=True)
    source_format = models.CharField("формат источника", max_length=10, blank=True)
    copied_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
        verbose_name="копия плана",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="кто создал",
    )
    created_at = models.DateTimeField("создан", auto_now_add=True)
    updated_at = models.DateTimeField("изменён", auto_now=True)

    history = HistoricalRecords()  # audit: who changed what, when (issue 11)

    class Meta:
        verbose_name = "план мероприятий"
        verbose_name_plural = "планы мероприятий"
        ordering = ["-period_start", "-created_at"]
        constraints = [
            models.CheckConstraint(
                name="plan_period_ordered",
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_start__lte=models.F("period_end")),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def period_label(self) -> str:
        if self.period_start and self.period_end:
            return f"{self.period_start:%d.%m.%Y} – {self.period_end:%d.%m.%Y}"
        return "период не указан"

    @property
    def has_approval(self) -> bool:
        return bool(self.approval_position or self.approval_name or self.approval_date)


class Section(models.Model):
    """A section (направление) of the plan; number and title as written, both optional."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections")
    number = models.CharField("номер", max_length=30, blank=True)
    title = models.TextField("название", blank=True)
    position = models.PositiveIntegerField("порядок", default=0)

    class Meta:
        verbose_name = "раздел плана"
        verbose_name_plural = "разделы плана"
        ordering = ["plan", "position", "pk"]

    def __str__(self) -> str:
        return " ".join(part for part in (self.number, self.title) if part) or "Без раздела"


class ItemQuerySet(models.QuerySet):
    def with_deadline_state(self, *, today: date) -> ItemQuerySet:
        """Annotate first_day / last_day of the windows and the derived is_overdue.

        Overdue is derived, never stored: an open item (planned or in progress) whose
        last window has ended before today. Items without windows (unknown deadline,
        containers such as item 8 over 8.1–8.3) are never overdue by themselves.
        """
        return self.annotate(
            first_day=Min("windows__start"),
            last_day=Max("windows__end"),
        ).annotate(
            is_overdue=Case(
                When(status__in=OPEN_STATUSES, last_day__lt=today, then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            )
        )

    def overdue(self, *, today: date) -> ItemQuerySet:
        late = DeadlineWindow.objects.filter(item=OuterRef("pk")).values("item")
        late = late.annotate(last=Max("end")).filter(last__lt=today)
        return self.filter(status__in=OPEN_STATUSES).filter(Exists(late))

    def leaves(self) -> ItemQuerySet:
        """Items that are measures themselves, not containers of sub-items."""
        return self.filter(children__isnull=True)

    def in_window(self, *, start: date | None, end: date | None) -> ItemQuerySet:
        """Items with at least one window overlapping [start, end] (either end open)."""
        windows = DeadlineWindow.objects.filter(item=OuterRef("pk"))
        if end is not None:
            windows = windows.filter(start__lte=end)
        if start is not None:
            windows = windows.filter(end__gte=start)
        return self.filter(Exists(windows))


class Item(models.Model):
    """A measure (мероприятие). Sub-items (8.1 under 8) point to their parent."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="items")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        verbose_name="пункт верхнего уровня",
    )
    position = models.PositiveIntegerField("порядок", default=0)
    number = models.CharField("номер", max_length=30, blank=True)
    text = models.TextField("мероприятие")
    deadline_text = models.CharField("срок (как в документе)", max_length=500, blank=True)
    deadline_kind = models.CharField(
        "вид срока", max_length=12, choices=DeadlineKind.choices, default=DeadlineKind.UNKNOWN
    )
    # Set when staff entered the window by hand (a deadline the parser could not read):
    # re-reading the deadline text (a new period, a copy) must not overwrite it.
    deadline_manual = models.BooleanField("срок задан вручную", default=False)
    responsible_text = models.TextField("ответственные (как в документе)", blank=True)
    expected_result = models.TextField("ожидаемый результат", blank=True)
    status = models.CharField(
        "статус", max_length=12, choices=ItemStatus.choices, default=ItemStatus.PLANNED
    )
    completed_on = models.DateField("дата выполнения", null=True, blank=True)
    report_text = models.TextField("отчёт о выполнении", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ItemQuerySet.as_manager()

    history = HistoricalRecords()  # audit: who changed what, when (issue 11)

    class Meta:
        verbose_name = "мероприятие"
        verbose_name_plural = "мероприятия"
        ordering = ["section__position", "position", "pk"]
        indexes = [models.Index(fields=["plan", "status"])]

    def __str__(self) -> str:
        head = f"{self.number} " if self.number else ""
        return f"{head}{self.text[:80]}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def window_list(self) -> list[DeadlineWindow]:
        """Windows, from the prefetch cache when there is one."""
        return sorted(self.windows.all(), key=lambda w: (w.start, w.end))

    def last_day(self) -> date | None:
        windows = self.window_list()
        return max(w.end for w in windows) if windows else None

    def is_overdue_on(self, today: date) -> bool:
        last = self.last_day()
        return self.is_open and last is not None and last < today

    def done_on_time(self) -> bool | None:
        """True/False for done items with a known deadline; None when it can't be said."""
        if self.status != ItemStatus.DONE:
            return None
        last = self.last_day()
        if last is None or self.completed_on is None:
            return None
        return self.completed_on <= last

    @property
    def deadline_recognised(self) -> bool:
        return self.deadline_kind != DeadlineKind.UNKNOWN or not self.deadline_text.strip()


class DeadlineWindow(models.Model):
    """One [start, end] range (both inclusive) the deadline text was understood as."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="windows")
    start = models.DateField("с")
    end = models.DateField("по")
    # Event deadlines ("по графику проведения ВПР") take their windows from the VPR
    # schedule, not from the text: a copy re-derives them instead of shifting.
    from_schedule = models.BooleanField("из графика ВПР", default=False)

    class Meta:
        verbose_name = "окно срока"
        verbose_name_plural = "окна сроков"
        ordering = ["item", "start", "end"]
        constraints = [
            models.CheckConstraint(name="window_ordered", condition=Q(start__lte=models.F("end")))
        ]

    def __str__(self) -> str:
        if self.start == self.end:
            return f"{self.start:%d.%m.%Y}"
        return f"{self.start:%d.%m.%Y} – {self.end:%d.%m.%Y}"


class KnownParty(models.Model):
    """A responsible party the portal knows by name (справочник ответственных).

    Plans name the same body in many ways ("ИМЦ", "МКУ «ИМЦ»"): aliases catch them, and
    the linked users receive the reminders for the items of that party.
    """

    municipality = models.ForeignKey(
        Municipality,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="known_parties",
        verbose_name="муниципалитет",
        help_text="Пусто — для всех муниципалитетов.",
    )
    name = models.CharField("наименование", max_length=300)
    aliases = models.TextField("другие написания", blank=True, help_text="По одному на строку.")
    kind = models.CharField(
        "вид", max_length=12, choices=PartyKind.choices, default=PartyKind.ORGANISATION
    )
    role = models.CharField("роль", max_length=30, choices=PartyRole.choices, blank=True)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name="пользователи"
    )

    class Meta:
        verbose_name = "известный ответственный"
        verbose_name_plural = "справочник ответственных"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def spellings(self) -> list[str]:
        return [self.name, *(line.strip() for line in self.aliases.splitlines() if line.strip())]


class Responsible(models.Model):
    """One responsible party of an item: the text as written and what it was linked to."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="responsibles")
    position = models.PositiveSmallIntegerField("порядок", default=0)
    text = models.CharField("как в документе", max_length=500)
    kind = models.CharField(
        "вид", max_length=12, choices=PartyKind.choices, default=PartyKind.UNKNOWN
    )
    role = models.CharField("роль", max_length=30, choices=PartyRole.choices, blank=True)
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="пользователь",
    )
    party = models.ForeignKey(
        KnownParty,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="из справочника",
    )

    class Meta:
        verbose_name = "ответственный"
        verbose_name_plural = "ответственные"
        ordering = ["item", "position", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def covers_all_schools(self) -> bool:
        return self.role in ALL_SCHOOLS_ROLES

    @property
    def is_recognised(self) -> bool:
        return self.kind != PartyKind.UNKNOWN


class SchoolReport(models.Model):
    """A school's report on an item it answers for (one per item and school)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="school_reports")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        "статус",
        max_length=12,
        choices=[
            (ItemStatus.IN_PROGRESS.value, "выполняется"),
            (ItemStatus.DONE.value, "выполнено"),
        ],
        default=ItemStatus.DONE,
    )
    completed_on = models.DateField("дата выполнения", null=True, blank=True)
    report_text = models.TextField("отчёт")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField("изменён", auto_now=True)

    class Meta:
        verbose_name = "отчёт ОО по мероприятию"
        verbose_name_plural = "отчёты ОО по мероприятиям"
        ordering = ["item", "school"]
        constraints = [
            models.UniqueConstraint(fields=["item", "school"], name="one_report_per_school")
        ]

    def __str__(self) -> str:
        return f"{self.school} — {self.item}"


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    return f"plans/evidence/{instance.item.plan_id}/{filename}"


class Evidence(models.Model):
    """Proof of execution: a file (order, minutes) or a link (a page on the website)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="evidence")
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField("описание", max_length=300, blank=True)
    file = models.FileField("файл", upload_to=evidence_upload_to, blank=True)
    url = models.URLField("ссылка", max_length=1000, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("добавлено", auto_now_add=True)

    class Meta:
        verbose_name = "подтверждение"
        verbose_name_plural = "подтверждения"
        ordering = ["item", "created_at"]
        constraints = [
            models.CheckConstraint(
                name="evidence_has_file_or_url", condition=~Q(file="") | ~Q(url="")
            )
        ]

    def __str__(self) -> str:
        return self.title or self.url or self.file.name.rsplit("/", 1)[-1]

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", "скоро срок"
    OVERDUE = "overdue", "просрочено"


class ReminderLog(models.Model):
    """A reminder that went out: makes the daily job safe to run twice."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    window_end = models.DateField("окончание окна")
    sent_on = models.DateField("отправлено")

    class Meta:
        verbose_name = "отправленное напоминание"
        verbose_name_plural = "отправленные напоминания"
        ordering = ["-sent_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "user", "kind", "window_end", "sent_on"], name="one_reminder_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.item} → {self.user} ({self.sent_on})"


class PlanImportDraft(models.Model):
    """A parsed plan waiting in the preview, where staff correct it before it is saved."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    source_name = models.CharField("исходный файл", max_length=255, blank=True)
    source_format = models.CharField("формат", max_length=10, blank=True)
    data = models.JSONField("план (JSON)")
    warnings = models.JSONField("замечания разбора", default=list, blank=True)
    created_at = models.DateTimeField("создан", auto_now_add=True)

    class Meta:
        verbose_name = "черновик импорта плана"
        verbose_name_plural = "черновики импорта планов"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source_name or 'Текст'} — {self.data.get('title', '')[:60]}"
