"""VPR results: the test catalog (and, in later modules, uploads and pupils' rows)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Session(models.TextChoices):
    SPRING = "spring", "весна"
    AUTUMN = "autumn", "осень"


class TaskLevel(models.TextChoices):
    BASIC = "Б", "базовый"
    ADVANCED = "П", "повышенный"
    HIGH = "В", "высокий"


# Abbreviations used in the official lists of schools with signs («4 РУ», «5 МА»).
SUBJECT_ABBREVIATIONS = {
    "русский язык": "РУ",
    "математика": "МА",
    "окружающий мир": "ОМ",
    "история": "ИС",
    "биология": "БИ",
    "география": "ГЕ",
    "обществознание": "ОБ",
    "физика": "ФИ",
    "химия": "ХИ",
    "английский язык": "АЯ",
    "немецкий язык": "НЯ",
    "французский язык": "ФЯ",
    "литература": "ЛИ",
    "информатика": "ИН",
}


class TestQuerySet(models.QuerySet):
    def for_key(self, *, year: int, session: str, subject: str, grade: int) -> "TestQuerySet":
        return self.filter(year=year, session=session, subject__iexact=subject, grade=grade)


class Test(models.Model):
    """A VPR test (проверочная работа): year, session, subject, grade and its mark scale."""

    year = models.PositiveSmallIntegerField("год", validators=[MinValueValidator(2015)])
    session = models.CharField(
        "сессия", max_length=10, choices=Session.choices, default=Session.SPRING
    )
    subject = models.CharField("предмет", max_length=100)
    grade = models.PositiveSmallIntegerField(
        "класс", validators=[MinValueValidator(1), MaxValueValidator(11)]
    )
    max_score = models.PositiveSmallIntegerField("максимальный первичный балл")
    cut_3 = models.PositiveSmallIntegerField("отметка «3» от")
    cut_4 = models.PositiveSmallIntegerField("отметка «4» от")
    cut_5 = models.PositiveSmallIntegerField("отметка «5» от")
    source_note = models.TextField(
        "источник и проверка", blank=True, help_text="Откуда взяты задания и шкала, что проверено."
    )

    objects = TestQuerySet.as_manager()

    class Meta:
        verbose_name = "проверочная работа"
        verbose_name_plural = "проверочные работы (каталог)"
        ordering = ["-year", "session", "grade", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "session", "subject", "grade"], name="unique_test_per_session"
            ),
            models.CheckConstraint(
                name="cuts_increase_within_max",
                condition=models.Q(cut_3__lt=models.F("cut_4"))
                & models.Q(cut_4__lt=models.F("cut_5"))
                & models.Q(cut_5__lte=models.F("max_score")),
            ),
        ]

    def __str__(self) -> str:
        return f"ВПР {self.year} ({self.get_session_display()}) {self.subject}, {self.grade} класс"

    @property
    def short_code(self) -> str:
        """«4 РУ», as the official lists title their columns."""
        abbreviation = SUBJECT_ABBREVIATIONS.get(self.subject.lower(), self.subject[:2].upper())
        return f"{self.grade} {abbreviation}"

    @property
    def cuts(self) -> tuple[int, int, int]:
        return (self.cut_3, self.cut_4, self.cut_5)

    def mark_for(self, primary_score: int) -> int:
        """The mark the scale gives for a primary score."""
        if primary_score >= self.cut_5:
            return 5
        if primary_score >= self.cut_4:
            return 4
        if primary_score >= self.cut_3:
            return 3
        return 2


class TestTask(models.Model):
    test = models.ForeignKey(Test, on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveSmallIntegerField("порядок")
    number = models.CharField("номер", max_length=20)
    max_score = models.PositiveSmallIntegerField("максимальный балл")
    level = models.CharField("уровень", max_length=1, choices=TaskLevel.choices, blank=True)

    class Meta:
        verbose_name = "задание"
        verbose_name_plural = "задания"
        ordering = ["test", "position"]
        constraints = [
            models.UniqueConstraint(fields=["test", "number"], name="unique_task_number"),
            models.UniqueConstraint(fields=["test", "position"], name="unique_task_position"),
        ]

    def __str__(self) -> str:
        return f"№{self.number} ({self.max_score} б.)"
