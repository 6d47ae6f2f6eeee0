"""Territory tree (region → municipality → school) and role memberships."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    """A membership's role; what each role may see is decided in schools/roles.py."""

    STAFF = "staff", "Специалист управления образования"
    COORDINATOR = "coordinator", "Школьный координатор"
    OBSERVER = "observer", "Общественный наблюдатель"
    EXPERT = "expert", "Эксперт предметной комиссии"
    ADMINISTRATOR = "admin", "Администратор"


LOGIN_PATTERN = r"^edu\d{6}$"
validate_fis_oko_login = RegexValidator(
    LOGIN_PATTERN, "Логин ФИС ОКО должен иметь вид edu и шесть цифр, например edu123456."
)


class Region(models.Model):
    name = models.CharField("название", max_length=200, unique=True)
    code = models.CharField("код региона", max_length=2, blank=True)

    class Meta:
        verbose_name = "регион"
        verbose_name_plural = "регионы"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="municipalities")
    name = models.CharField("название", max_length=200)

    history = HistoricalRecords()  # audit: who changed what, when (issue 11)

    class Meta:
        verbose_name = "муниципалитет"
        verbose_name_plural = "муниципалитеты"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="unique_municipality_name")
        ]

    def __str__(self) -> str:
        return self.name


class SchoolType(models.TextChoices):
    SCHOOL = "school", "школа"
    LYCEUM = "lyceum", "лицей"
    GYMNASIUM = "gymnasium", "гимназия"
    EDUCATION_CENTRE = "centre", "центр образования"
    BOARDING = "boarding", "школа-интернат"
    PRIMARY = "primary", "начальная школа"
    EVENING = "evening", "вечерняя (сменная) школа"
    OTHER = "other", "другое"


class Locality(models.TextChoices):
    CITY = "city", "город"
    VILLAGE = "village", "село"


class SchoolQuerySet(models.QuerySet):
    def active(self) -> "SchoolQuerySet":
        return self.filter(is_active=True)


class School(models.Model):
    login = models.CharField(
        "логин ФИС ОКО", max_length=9, unique=True, validators=[validate_fis_oko_login]
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="schools", verbose_name="муниципалитет"
    )
    full_name = models.CharField("полное наименование", max_length=500)
    short_name = models.CharField("краткое наименование", max_length=200, blank=True)
    school_type = models.CharField(
        "тип", max_length=20, choices=SchoolType.choices, default=SchoolType.SCHOOL
    )
    locality = models.CharField("местность", max_length=10, choices=Locality.choices, blank=True)
    address = models.CharField("адрес", max_length=500, blank=True)
    director = models.CharField("директор", max_length=200, blank=True)
    phone = models.CharField("телефон", max_length=50, blank=True)
    email = models.EmailField("эл. почта", blank=True)
    is_active = models.BooleanField("действует", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SchoolQuerySet.as_manager()

    history = HistoricalRecords()  # audit: who changed what, when (issue 11)

    class Meta:
        verbose_name = "образовательная организация"
        verbose_name_plural = "образовательные организации"
        ordering = ["short_name", "full_name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.short_name or self.full_name

    @property
    def is_selective(self) -> bool:
        """Lyceums and gymnasiums select pupils: high results there are expected."""
        return self.school_type in (SchoolType.LYCEUM, SchoolType.GYMNASIUM)


class Membership(models.Model):
    """A user's role at a node of the territory tree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField("роль", max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.CASCADE, verbose_name="регион"
    )
    municipality = models.ForeignKey(
        Municipality, null=True, blank=True, on_delete=models.CASCADE, verbose_name="муниципалитет"
    )
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.CASCADE, verbose_name="ОО"
    )

    class Meta:
        verbose_name = "роль пользователя"
        verbose_name_plural = "роли пользователей"
        constraints = [
            # At most one node; a coordinator always has a school.
            models.CheckConstraint(
                name="membership_single_node",
                condition=(
                    models.Q(region__isnull=True, municipality__isnull=True)
                    | models.Q(region__isnull=True, school__isnull=True)
                    | models.Q(municipality__isnull=True, school__isnull=True)
                ),
            ),
            models.CheckConstraint(
                name="coordinator_has_school",
                condition=~models.Q(role=Role.COORDINATOR) | models.Q(school__isnull=False),
            ),
            models.CheckConstraint(
                name="staff_has_territory",
                condition=~models.Q(role=Role.STAFF)
                | models.Q(region__isnull=False)
                | models.Q(municipality__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.node or 'без привязки'})"

    @property
    def node(self) -> Region | Municipality | School | None:
        return self.school or self.municipality or self.region

    @property
    def is_region_wide(self) -> bool:
        return self.region_id is not None
