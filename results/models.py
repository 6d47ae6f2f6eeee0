"""VPR results: the test catalog, uploads, versions and pupils' rows."""

import orjson
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords


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

    history = HistoricalRecords()  # audit: who changed what, when (issue 11)

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

    history = HistoricalRecords()  # audit: who changed what, when (issue 11)

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


# --- Uploads and pupils' results -----------------------------------------------------------


class ScoresField(models.Field):
    """Task scores of one pupil in catalog order.

    PostgreSQL stores them as ``smallint[]``: one value per row keeps COPY fast (a separate
    row per task would be 12–17 rows per pupil) and arrays can still be unnested in SQL.
    Other backends (SQLite) store the same ``{1,2,0}`` text.
    """

    description = "Баллы за задания (массив smallint)"

    def db_type(self, connection) -> str:
        return "smallint[]" if connection.vendor == "postgresql" else "text"

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if value is None or isinstance(value, list):
            return value
        if isinstance(value, tuple):
            return list(value)
        text = str(value).strip().strip("{}")
        return [int(part) for part in text.split(",")] if text else []

    def get_prep_value(self, value):
        if value is None:
            return None
        return "{" + ",".join(str(int(v)) for v in value) + "}"


class UploadStatus(models.TextChoices):
    QUEUED = "queued", "в очереди"
    PROCESSING = "processing", "обрабатывается"
    APPLIED = "applied", "загружен"
    UNCHANGED = "unchanged", "без изменений"
    FAILED = "failed", "отклонён"
    SUPERSEDED = "superseded", "заменён новой загрузкой"


class UploadSource(models.TextChoices):
    WEB = "web", "страница загрузки"
    API = "api", "API"
    CLI = "cli", "командная строка"
    DEMO = "demo", "демонстрационные данные"


class Upload(models.Model):
    """One uploaded results file and what became of it.

    The scope is the school (a coordinator's upload, or a single-school file) or the
    municipality (a department's export for all its schools); both empty means a regional
    import from the command line.
    """

    file = models.FileField("файл", upload_to="results/uploads/%Y/%m/", max_length=300)
    original_filename = models.CharField("имя файла", max_length=255)
    size = models.PositiveBigIntegerField("размер, байт", default=0)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    test = models.ForeignKey(
        Test,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="uploads",
        verbose_name="работа",
    )
    test_chosen = models.BooleanField(
        "работа выбрана вручную", default=False, help_text="Иначе определена по заголовку файла."
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="result_uploads",
        verbose_name="ОО",
    )
    municipality = models.ForeignKey(
        "schools.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="result_uploads",
        verbose_name="муниципалитет",
    )
    status = models.CharField(
        "статус", max_length=12, choices=UploadStatus.choices, default=UploadStatus.QUEUED
    )
    message = models.TextField("сообщение", blank=True)
    file_format = models.CharField("формат", max_length=20, blank=True)
    rows_total = models.PositiveIntegerField("строк участников", default=0)
    rows_applied = models.PositiveIntegerField("строк загружено", default=0)
    rows_rejected = models.PositiveIntegerField("строк с ошибками", default=0)
    rows_absent = models.PositiveIntegerField("отсутствовавших", default=0)
    error_count = models.PositiveIntegerField("ошибок", default=0)
    warning_count = models.PositiveIntegerField("предупреждений", default=0)
    mark_mismatch_count = models.PositiveIntegerField(
        "отметок не по шкале", default=0, help_text="Признак h: отметка не соответствует баллу."
    )
    schools_applied = models.PositiveIntegerField("ОО обновлено", default=0)
    schools_unchanged = models.PositiveIntegerField("ОО без изменений", default=0)
    schools_skipped = models.PositiveIntegerField(
        "ОО пропущено", default=0, help_text="Для них уже загружена более новая версия."
    )
    #: {login: {"rows": n, "action": "applied" | "unchanged" | "newer"}}
    summary = models.JSONField("итог по ОО", default=dict, blank=True)
    #: The first problems as [row, column, message], for the page (the report has them all).
    errors_preview = models.JSONField("ошибки (начало списка)", default=list, blank=True)
    warnings_preview = models.JSONField("предупреждения (начало списка)", default=list, blank=True)
    error_report = models.FileField(
        "отчёт об ошибках", upload_to="results/error-reports/%Y/%m/", blank=True, max_length=300
    )
    job = models.ForeignKey(
        "portal.Job",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="фоновая задача",
    )
    source = models.CharField(
        "откуда", max_length=10, choices=UploadSource.choices, default=UploadSource.WEB
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="result_uploads",
        verbose_name="кто загрузил",
    )
    created_at = models.DateTimeField("загружен", auto_now_add=True)
    started_at = models.DateTimeField("обработка начата", null=True, blank=True)
    finished_at = models.DateTimeField("обработка завершена", null=True, blank=True)

    class Meta:
        verbose_name = "загрузка результатов"
        verbose_name_plural = "загрузки результатов"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.original_filename} ({self.get_status_display()})"

    @property
    def scope_label(self) -> str:
        if self.school_id:
            return f"ОО {self.school.login}"
        if self.municipality_id:
            return f"муниципалитет: {self.municipality.name}"
        return "регион"

    @property
    def is_finished(self) -> bool:
        return self.status not in (UploadStatus.QUEUED, UploadStatus.PROCESSING)


class ResultVersion(models.Model):
    """One version of a school's results for a test: what one upload put there.

    Versions stay as history after they are replaced; their pupils' rows do not (the file
    of the upload is kept and can be uploaded again).
    """

    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="result_versions"
    )
    test = models.ForeignKey(Test, on_delete=models.PROTECT, related_name="result_versions")
    upload = models.ForeignKey(Upload, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("номер версии")
    rows = models.PositiveIntegerField("участников")
    content_sha256 = models.CharField(
        "отпечаток данных",
        max_length=64,
        help_text="Хеш строк этой ОО: одинаковые данные не создают новую версию.",
    )
    created_at = models.DateTimeField("загружена", auto_now_add=True)
    replaced_at = models.DateTimeField("заменена", null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="заменена версией",
    )
    #: The version's pupils as one compressed blob of the columns the statistics read
    #: (``results.packs``): the indicators read a test's ~1,500 packs instead of its
    #: 250k rows. Written with the rows, dropped with them when the version is replaced;
    #: empty for versions stored before packs existed (those are read from the rows).
    pupils_pack = models.BinaryField("упакованные результаты", null=True, editable=False)

    class Meta:
        verbose_name = "версия результатов ОО"
        verbose_name_plural = "версии результатов ОО"
        ordering = ["school", "test", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "test", "number"], name="unique_result_version_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_id} × {self.test_id}: версия {self.number}"

    @property
    def is_current(self) -> bool:
        return self.replaced_at is None


class ResultSlot(models.Model):
    """The current version of one school × test, and the row imports lock.

    Two imports for the same school × test take ``SELECT … FOR UPDATE`` on this row, so
    they are applied one after the other and never mix (SQLite serialises writers with
    IMMEDIATE transactions instead).
    """

    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="result_slots"
    )
    test = models.ForeignKey(Test, on_delete=models.PROTECT, related_name="result_slots")
    current = models.ForeignKey(
        ResultVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="текущая версия",
    )

    class Meta:
        verbose_name = "текущие результаты ОО по работе"
        verbose_name_plural = "текущие результаты ОО по работам"
        constraints = [
            models.UniqueConstraint(fields=["school", "test"], name="unique_result_slot")
        ]

    def __str__(self) -> str:
        return f"{self.school_id} × {self.test_id}"


class PupilResult(models.Model):
    """One pupil's result in one test: codes only, never names (152-ФЗ).

    Rows are written in bulk (COPY on PostgreSQL) by the import service only, so the
    foreign keys carry no database constraints: a per-row constraint check tripled the
    time of a 1M-row COPY (measured), and the service checks every id before writing.
    """

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name="ОО",
    )
    test = models.ForeignKey(
        Test,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name="работа",
    )
    upload = models.ForeignKey(
        Upload,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name="загрузка",
    )
    class_label = models.CharField("класс", max_length=16, blank=True)
    participant_code = models.CharField("код участника", max_length=40)
    variant = models.SmallIntegerField("вариант", default=0, help_text="0 — не указан.")
    sex = models.CharField("пол", max_length=1, blank=True)
    scores = ScoresField("баллы за задания")
    #: Bit j set = task j (catalog order) was left unanswered («X», «Х» or «-»).
    unanswered_mask = models.BigIntegerField("задания без ответа (битовая маска)", default=0)
    primary_score = models.SmallIntegerField("первичный балл")
    mark = models.SmallIntegerField("отметка", help_text="Из файла; по шкале, если в файле её нет.")
    mark_matches_scale = models.BooleanField(
        "отметка по шкале", default=True, help_text="Нет — признак h."
    )
    journal_mark = models.SmallIntegerField("отметка по журналу", default=0, help_text="0 — нет.")
    source_row = models.PositiveIntegerField("строка файла", default=0)

    class Meta:
        verbose_name = "результат участника"
        verbose_name_plural = "результаты участников"
        # Every read and the replacement of a version go through (test, school).
        indexes = [models.Index(fields=["test", "school"], name="pupil_result_test_school")]

    def __str__(self) -> str:
        return f"{self.participant_code}: {self.primary_score} б., «{self.mark}»"

    @property
    def unanswered_tasks(self) -> list[int]:
        """Positions (0-based, catalog order) of the tasks left unanswered."""
        mask = self.unanswered_mask
        return [j for j in range(64) if mask >> j & 1]


# --- Objectivity indicators (issue 5) ------------------------------------------------------
# Computed by results.indicators.services from the pure package results.objectivity; pages
# read these rows only, never the pupils' rows.


class IndicatorSettings(models.Model):
    """The levels of the decision rule (one row, editable in the admin).

    Maps one to one onto ``results.objectivity.DecisionParams``; a change makes every
    snapshot stale (their input hash contains these values), so the next recompute
    evaluates everything again.
    """

    fdr_level = models.FloatField(
        "уровень FDR (Бенджамини — Хохберг)",
        default=0.05,
        validators=[MinValueValidator(0.0001), MaxValueValidator(0.5)],
    )
    min_pupils = models.PositiveSmallIntegerField(
        "минимум участников для признаков распределения",
        default=20,
        validators=[MinValueValidator(1)],
    )
    min_pupils_class = models.PositiveSmallIntegerField(
        "минимум участников в классе",
        default=10,
        validators=[MinValueValidator(1)],
    )
    bunching_window = models.PositiveSmallIntegerField(
        "окно у границы отметки, баллов",
        default=2,
        validators=[MinValueValidator(1)],
    )
    high_percentile = models.FloatField(
        "перцентиль для признака a",
        default=0.95,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    min_bunching_share = models.FloatField(
        "минимальная доля «подтянутых» (признак c)",
        default=0.1,
    )
    min_excess_share = models.FloatField(
        "минимальное превышение над регионом (признак b)",
        default=0.05,
    )
    min_scale_mismatches = models.PositiveSmallIntegerField(
        "отметок не по шкале для признака h",
        default=1,
        validators=[MinValueValidator(1)],
    )
    cohort_min_rank4 = models.FloatField(
        "минимальный перцентиль 4 класса (признак d)",
        default=0.75,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    updated_at = models.DateTimeField("изменено", auto_now=True)

    class Meta:
        verbose_name = "настройки признаков необъективности"
        verbose_name_plural = "настройки признаков необъективности"

    def __str__(self) -> str:
        return f"FDR {self.fdr_level}, от {self.min_pupils} участников"

    def save(self, *args, **kwargs) -> None:
        self.pk = 1  # a singleton: the admin edits the one row
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "IndicatorSettings":
        """The row; before anyone saved it, the defaults from settings.INDICATORS_DEFAULTS."""
        row = cls.objects.filter(pk=1).first()
        if row is None:
            row = cls(pk=1)
            for name, value in getattr(settings, "INDICATORS_DEFAULTS", {}).items():
                setattr(row, name, value)
        return row

    def as_params(self) -> dict:
        return {
            "fdr_level": self.fdr_level,
            "min_pupils": self.min_pupils,
            "min_pupils_class": self.min_pupils_class,
            "bunching_window": self.bunching_window,
            "high_percentile": self.high_percentile,
            "min_bunching_share": self.min_bunching_share,
            "min_excess_share": self.min_excess_share,
            "min_scale_mismatches": self.min_scale_mismatches,
            "cohort_min_rank4": self.cohort_min_rank4,
        }


class JSONBytesField(models.BinaryField):
    """JSON kept as bytes (orjson's output); Python sees the decoded value.

    For the signs' columns of a snapshot (≈ 2 MB of numbers per test, read whole, never
    queried inside): PostgreSQL neither parses it as json/jsonb would nor compresses it
    (EXTERNAL storage); zlib on top cost more time (≈ 60 ms a test) than it saved.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def get_prep_value(self, value):
        if value is None or isinstance(value, bytes | bytearray | memoryview):
            return value
        return json_bytes(value)

    def from_db_value(self, value, expression, connection):
        return None if value is None else orjson.loads(bytes(value))

    def to_python(self, value):
        if isinstance(value, str | bytes | bytearray | memoryview):
            return orjson.loads(bytes(value, "utf-8") if isinstance(value, str) else bytes(value))
        return value

    def value_to_string(self, obj):
        return orjson.dumps(self.value_from_object(obj)).decode()


def json_bytes(value) -> bytes:
    """JSON bytes by orjson: NaN/inf become null, numpy numbers are written as numbers."""
    return orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)


class IndicatorSnapshot(models.Model):
    """The signs of every school of a region for one test, keyed by a hash of the inputs.

    The inputs are the test's scale and tasks, the current result version of every school
    (and of grade 5 next year for sign d), the observed classes and the settings: when the
    hash is unchanged the stored signs are reused, not computed again.
    """

    region = models.ForeignKey(
        "schools.Region", on_delete=models.CASCADE, related_name="+", verbose_name="регион"
    )
    test = models.ForeignKey(
        Test, on_delete=models.CASCADE, related_name="indicator_snapshots", verbose_name="работа"
    )
    input_hash = models.CharField("хеш входных данных", max_length=64)
    n_schools = models.PositiveIntegerField("ОО", default=0)
    n_pupils = models.PositiveIntegerField("участников", default=0)
    seconds = models.FloatField("время расчёта, с", default=0.0)
    created_at = models.DateTimeField("рассчитан", auto_now_add=True)
    #: The vectorised signs of every school as columns (``results.objectivity.SignTable``
    #: as JSON), the schools' ids in column order and the decision levels used:
    #: {"school_ids", "params", "tables"}. A school's evidence is built from them when its
    #: card is read, so a computation writes one blob per test instead of 1,500 documents.
    tables = JSONBytesField("столбцы признаков", null=True)
    #: Pupils of the schools re-evaluated after uploads against the references frozen at
    #: the last full evaluation (0: the snapshot is a full evaluation). The nightly pass
    #: evaluates every snapshot with pupils here again.
    reevaluated_pupils = models.PositiveIntegerField(
        "участников пересчитано по эталонам последнего полного расчёта", default=0
    )

    class Meta:
        verbose_name = "снимок признаков по работе"
        verbose_name_plural = "снимки признаков по работам"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "test", "input_hash"], name="unique_indicator_snapshot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.test} — {self.input_hash[:10]}"


class VerbatimJSONField(models.JSONField):
    """A JSONField kept on PostgreSQL as ``json`` (the text as written) instead of ``jsonb``.

    For the signs' evidence (≈ 5 KB a row, written 6,000 rows at a time, read whole by the
    card and never queried inside): jsonb parses and rebuilds every document on the way
    in, json only validates it. Measured by COPY of 6,000 rows (30 MB): jsonb 0.87 s,
    json 0.37 s (both with EXTERNAL storage). Elsewhere it is the ordinary JSONField.
    """

    def db_type(self, connection):
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def from_db_value(self, value, expression, connection):
        if value is not None and not isinstance(value, str):
            return value  # psycopg parses the json type itself
        return super().from_db_value(value, expression, connection)


class SchoolTestIndicator(models.Model):
    """Signs of one school in one test, and the year-wide decision about them."""

    snapshot = models.ForeignKey(
        IndicatorSnapshot, on_delete=models.CASCADE, related_name="rows", verbose_name="снимок"
    )
    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="+", verbose_name="ОО"
    )
    test = models.ForeignKey(
        Test, on_delete=models.CASCADE, related_name="+", verbose_name="работа"
    )
    year = models.PositiveSmallIntegerField("год")
    n_pupils = models.PositiveIntegerField("участников")
    is_selective = models.BooleanField("лицей или гимназия", default=False)
    insufficient = models.BooleanField(
        "недостаточно данных", default=False, help_text="Меньше минимума участников."
    )
    #: {letter: {applicable, reason, effect, p, score, evidence}}
    signs = VerbatimJSONField("признаки", default=dict)
    #: What the year-wide decision needs: {letter: [p or null, effect_is_material]}.
    tested = models.JSONField("проверяемые признаки", default=dict)
    flagged = models.BooleanField("есть признаки", default=False)
    strength = models.FloatField("сила", default=0.0)
    surviving = models.JSONField("признаки после FDR", default=list)
    # The q-values are not stored per row: every upload moves all of them (BH ranks every
    # p-value of the year), so each would be rewritten. They are looked up on read in the
    # year's BH curve (``YearIndicatorRun.bh_curve``), see ``selectors.QValues``.
    annotations = models.JSONField("пометки", default=list)

    class Meta:
        verbose_name = "признаки ОО по работе"
        verbose_name_plural = "признаки ОО по работам"
        ordering = ["-strength", "school_id"]
        indexes = [
            models.Index(fields=["year", "flagged"], name="indicator_year_flagged"),
            models.Index(fields=["school", "year"], name="indicator_school_year"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "school"], name="unique_indicator_school_per_snapshot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_id} × {self.test_id}: {'есть признаки' if self.flagged else '—'}"


class YearIndicatorRun(models.Model):
    """The year-wide decision (BH across all tests of the year) for a region."""

    region = models.ForeignKey(
        "schools.Region", on_delete=models.CASCADE, related_name="+", verbose_name="регион"
    )
    year = models.PositiveSmallIntegerField("год")
    input_hash = models.CharField("хеш снимков и настроек", max_length=64)
    n_results = models.PositiveIntegerField("ОО × работ", default=0)
    n_flagged = models.PositiveIntegerField("с признаками", default=0)
    fdr_level = models.FloatField("уровень FDR", default=0.05)
    #: The year's tested p-values sorted ascending, then their BH-adjusted q-values, as
    #: little-endian float64 (2 × m numbers): the q-value of any stored p-value is read
    #: here, so a changed upload rewrites this one row instead of every row's q-values.
    bh_curve = models.BinaryField("кривая BH (p и q)", default=bytes)
    computed_at = models.DateTimeField("рассчитано", auto_now=True)

    class Meta:
        verbose_name = "расчёт признаков за год"
        verbose_name_plural = "расчёты признаков за год"
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="unique_year_indicator_run")
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.n_flagged} из {self.n_results}"


class SchoolYearIndicator(models.Model):
    """One school's year: the tests with signs, as the official list counts markers."""

    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="+", verbose_name="ОО"
    )
    year = models.PositiveSmallIntegerField("год")
    n_tests = models.PositiveSmallIntegerField("работ с результатами", default=0)
    n_flagged = models.PositiveSmallIntegerField("количество маркеров", default=0)
    #: Short codes of the tests with signs («4 РУ», «5 МА»).
    markers = models.JSONField("работы с признаками", default=list)
    strength = models.FloatField("сила", default=0.0)

    class Meta:
        verbose_name = "признаки ОО за год"
        verbose_name_plural = "признаки ОО за год"
        ordering = ["-year", "-strength"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="unique_school_year_indicator")
        ]

    def __str__(self) -> str:
        return f"{self.school_id}, {self.year}: {self.n_flagged}"


class OfficialListImport(models.Model):
    """An imported official list «ОО с признаками необъективности результатов»."""

    year = models.PositiveSmallIntegerField("год")
    original_filename = models.CharField("имя файла", max_length=255)
    rows = models.PositiveIntegerField("строк", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="кто загрузил",
    )
    created_at = models.DateTimeField("загружен", auto_now_add=True)

    history = HistoricalRecords()  # audit: who changed what, when (issue 11)

    class Meta:
        verbose_name = "официальный перечень ОО с признаками"
        verbose_name_plural = "официальные перечни ОО с признаками"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.year}: {self.original_filename}"


class OfficialListEntry(models.Model):
    """One row of an official list: a school and its 0/1 markers per test."""

    list_import = models.ForeignKey(
        OfficialListImport, on_delete=models.CASCADE, related_name="entries"
    )
    year = models.PositiveSmallIntegerField("год")
    login = models.CharField("логин", max_length=20)
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ОО",
    )
    school_name = models.CharField("ОО (как в перечне)", max_length=500, blank=True)
    municipality_name = models.CharField(
        "муниципалитет (как в перечне)", max_length=200, blank=True
    )
    #: {"4 РУ": 1, "4 МА": 0, …}
    markers = models.JSONField("маркеры", default=dict)
    marker_count = models.PositiveSmallIntegerField("количество маркеров", default=0)

    history = HistoricalRecords()  # audit: who changed what, when (issue 11)

    class Meta:
        verbose_name = "строка официального перечня"
        verbose_name_plural = "строки официального перечня"
        ordering = ["login"]

    def __str__(self) -> str:
        return f"{self.login}: {self.marker_count}"
