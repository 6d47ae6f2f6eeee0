"""Writes to the territory registry."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import transaction

from schools import roles
from schools.models import LOGIN_PATTERN, Locality, Municipality, Region, School, SchoolType
from vpr_portal import audit
from vpr_portal.tabular import TableFileError, TableRow, read_table

REGISTRY_COLUMNS = [
    "Логин",
    "Наименование",
    "Краткое наименование",
    "Муниципалитет",
    "Тип",
    "Местность",
]
REGISTRY_REQUIRED = ["Логин", "Наименование", "Муниципалитет"]

# Words users write in the "Тип" column, matched case-insensitively.
_TYPE_WORDS = {
    "школа": SchoolType.SCHOOL,
    "сош": SchoolType.SCHOOL,
    "оош": SchoolType.SCHOOL,
    "лицей": SchoolType.LYCEUM,
    "гимназия": SchoolType.GYMNASIUM,
    "центр образования": SchoolType.EDUCATION_CENTRE,
    "школа-интернат": SchoolType.BOARDING,
    "интернат": SchoolType.BOARDING,
    "начальная школа": SchoolType.PRIMARY,
    "нош": SchoolType.PRIMARY,
    "вечерняя школа": SchoolType.EVENING,
    "вечерняя (сменная) школа": SchoolType.EVENING,
    "другое": SchoolType.OTHER,
}
_LOCALITY_WORDS = {
    "город": Locality.CITY,
    "городская": Locality.CITY,
    "городская местность": Locality.CITY,
    "село": Locality.VILLAGE,
    "сельская": Locality.VILLAGE,
    "сельская местность": Locality.VILLAGE,
}


class RegistryImportError(Exception):
    """The registry file was refused; nothing was saved."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class RegistryImportReport:
    created: int = 0
    updated: int = 0
    municipalities_created: list[str] = field(default_factory=list)


def default_region() -> Region:
    """The installation's region: the only one there is, or one named in settings."""
    regions = list(Region.objects.all()[:2])
    if len(regions) == 1:
        return regions[0]
    name = getattr(settings, "PORTAL_REGION_NAME", "Регион")
    region, _ = Region.objects.get_or_create(name=name)
    return region


def _parse_row(row: TableRow) -> tuple[dict, list[str]]:
    errors: list[str] = []
    v = row.values
    login = v.get("Логин", "").strip().lower()
    full_name = v.get("Наименование", "").strip()
    municipality = v.get("Муниципалитет", "").strip()
    type_text = v.get("Тип", "").strip()
    locality_text = v.get("Местность", "").strip()
    where = f"Строка {row.number}"
    if not login:
        errors.append(f"{where}, столбец «Логин»: логин не указан.")
    elif not re.match(LOGIN_PATTERN, login):
        errors.append(
            f"{where}, столбец «Логин»: «{login}» — логин должен иметь вид edu и шесть цифр."
        )
    if not full_name:
        errors.append(f"{where}, столбец «Наименование»: наименование не указано.")
    if not municipality:
        errors.append(f"{where}, столбец «Муниципалитет»: муниципалитет не указан.")
    school_type = SchoolType.SCHOOL
    if type_text:
        school_type = _TYPE_WORDS.get(type_text.lower())
        if school_type is None:
            allowed = ", ".join(sorted(set(SchoolType.labels)))
            errors.append(
                f"{where}, столбец «Тип»: неизвестный тип «{type_text}». Допустимо: {allowed}."
            )
    locality = ""
    if locality_text:
        locality = _LOCALITY_WORDS.get(locality_text.lower())
        if locality is None:
            errors.append(
                f"{where}, столбец «Местность»: «{locality_text}» — укажите «город» или «село»."
            )
    fields = {
        "login": login,
        "full_name": full_name,
        "short_name": v.get("Краткое наименование", "").strip(),
        "municipality": municipality,
        "school_type": school_type,
        "locality": locality or "",
    }
    return fields, errors


@dataclass(frozen=True)
class RegistryScope:
    """What an importing user may touch: None for the CLI and administrators (everything)."""

    municipality_ids: frozenset[int] | None
    may_create_municipalities: bool
    region: Region | None


def registry_scope(user: Any | None) -> RegistryScope:
    """The registry import's reach for ``user`` (None: the CLI, an administrator's tool).

    Administrators and region-wide staff change any school of the region and create
    municipalities; municipal staff create and change schools of their own
    municipalities only, and never create a municipality.
    """
    if user is None or roles.is_administrator(user):
        return RegistryScope(municipality_ids=None, may_create_municipalities=True, region=None)
    staff = [m for m in roles.memberships(user) if m.role == roles.Role.STAFF]
    region_wide = [m for m in staff if m.is_region_wide]
    if region_wide:
        region = region_wide[0].region
        ids = frozenset(Municipality.objects.filter(region=region).values_list("pk", flat=True))
        return RegistryScope(municipality_ids=ids, may_create_municipalities=True, region=region)
    municipal = [m for m in staff if m.municipality_id]
    region = municipal[0].municipality.region if municipal else None
    ids = frozenset(m.municipality_id for m in municipal)
    return RegistryScope(municipality_ids=ids, may_create_municipalities=False, region=region)


def _scope_errors(
    *,
    rows: list[TableRow],
    parsed: list[dict],
    scope: RegistryScope,
    municipalities: dict[str, Municipality],
    existing: dict[str, School],
) -> list[str]:
    """Per-row Russian messages for rows reaching outside the importing user's scope."""
    if scope.municipality_ids is None:
        return []
    errors: list[str] = []
    for row, fields in zip(rows, parsed, strict=True):
        where = f"Строка {row.number}"
        name = fields["municipality"]
        municipality = municipalities.get(name)
        if municipality is None:
            if not scope.may_create_municipalities:
                errors.append(
                    f"{where}, столбец «Муниципалитет»: муниципалитета «{name}» нет в реестре, "
                    "а создавать муниципалитеты могут только специалисты региона и "
                    "администраторы."
                )
        elif municipality.pk not in scope.municipality_ids:
            errors.append(
                f"{where}, столбец «Муниципалитет»: «{name}» — не ваш муниципалитет; "
                "загружайте ОО только своего муниципалитета."
            )
        school = existing.get(fields["login"])
        if school is not None and school.municipality_id not in scope.municipality_ids:
            errors.append(
                f"{where}, столбец «Логин»: ОО с логином {fields['login']} относится к другому "
                "муниципалитету — изменить её может только специалист этого муниципалитета, "
                "региона или администратор."
            )
    return errors


@audit.records_import(audit.ImportKind.REGISTRY)
def import_school_registry(
    *,
    source: BinaryIO | Path | str,
    filename: str,
    user: Any | None,
    region: Region | None = None,
) -> RegistryImportReport:
    """Create or update schools from a CSV/XLSX registry, all rows or none.

    Re-import updates schools by login. ``user`` is the importing user (None for the
    CLI, an administrator's tool): municipal staff create and change only schools of
    their own municipalities; only administrators and region-wide staff create
    municipalities (on first sight). Raises RegistryImportError with per-row Russian
    messages; nothing is saved then.
    """
    scope = registry_scope(user)
    if scope.municipality_ids is not None and not scope.municipality_ids and scope.region is None:
        raise RegistryImportError(["У вас нет муниципалитета, в который можно загрузить ОО."])
    try:
        rows = read_table(
            source, filename=filename, required=REGISTRY_REQUIRED, known=REGISTRY_COLUMNS
        )
    except TableFileError as exc:
        raise RegistryImportError([exc.message_ru]) from exc
    if not rows:
        raise RegistryImportError(["В файле нет ни одной строки с данными."])

    parsed: list[dict] = []
    errors: list[str] = []
    first_seen: dict[str, int] = {}
    for row in rows:
        fields, row_errors = _parse_row(row)
        login = fields["login"]
        if login and login in first_seen:
            row_errors.append(
                f"Строка {row.number}, столбец «Логин»: логин {login} уже встречался "
                f"в строке {first_seen[login]}."
            )
        first_seen.setdefault(login, row.number)
        errors.extend(row_errors)
        parsed.append(fields)
    if errors:
        raise RegistryImportError(errors)

    report = RegistryImportReport()
    with transaction.atomic():
        region = scope.region or region or default_region()
        municipalities = {m.name: m for m in Municipality.objects.filter(region=region)}
        existing = {
            s.login: s
            for s in School.objects.select_for_update().filter(
                login__in=[p["login"] for p in parsed]
            )
        }
        errors = _scope_errors(
            rows=rows,
            parsed=parsed,
            scope=scope,
            municipalities=municipalities,
            existing=existing,
        )
        if errors:
            raise RegistryImportError(errors)
        for fields in parsed:
            name = fields.pop("municipality")
            if name not in municipalities:
                municipalities[name] = Municipality.objects.create(region=region, name=name)
                report.municipalities_created.append(name)
            school = existing.get(fields["login"])
            if school is None:
                School.objects.create(municipality=municipalities[name], **fields)
                report.created += 1
            else:
                for key, value in fields.items():
                    setattr(school, key, value)
                school.municipality = municipalities[name]
                school.save()
                report.updated += 1
    return report
