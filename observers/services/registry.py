"""The observers' registry: records, accreditation life cycle, declared ties, accounts."""

from __future__ import annotations

import datetime
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from observers.models import Observer, ObserverStatus, ObserverTie, TieKind
from observers.services import ImportRefused, ObserversError
from schools.models import Membership, Municipality, School
from schools.roles import Role
from vpr_portal import audit
from vpr_portal.tabular import TableFileError, TableRow, read_table

OBSERVER_FIELDS = (
    "last_name",
    "first_name",
    "middle_name",
    "phone",
    "email",
    "employer",
    "notes",
)


@transaction.atomic
def save_observer(
    *, municipality: Municipality, data: dict[str, Any], observer: Observer | None = None
) -> Observer:
    """Create or update an observer's personal data (not the accreditation status)."""
    observer = observer or Observer(municipality=municipality)
    observer.municipality = municipality
    for name in OBSERVER_FIELDS:
        if name in data:
            setattr(observer, name, (data[name] or "").strip())
    observer.full_clean(exclude=["user"])
    observer.save()
    return observer


# --- life cycle: application → training completed → accredited until → suspended ---------


def record_training(
    *, observer: Observer, completed_on: datetime.date, certificate_number: str
) -> Observer:
    """Training done and a certificate issued: the observer may now be accredited."""
    if observer.status == ObserverStatus.SUSPENDED:
        raise ObserversError("Аккредитация приостановлена: сначала возобновите её.")
    if not certificate_number.strip():
        raise ObserversError("Укажите номер удостоверения о прохождении обучения.")
    observer.training_completed_on = completed_on
    observer.certificate_number = certificate_number.strip()
    if observer.status == ObserverStatus.APPLICATION:
        observer.status = ObserverStatus.TRAINED
    observer.save(
        update_fields=["training_completed_on", "certificate_number", "status", "updated_at"]
    )
    return observer


def accredit(
    *, observer: Observer, until: datetime.date, today: datetime.date | None = None
) -> Observer:
    """Accredit (or extend) an observer who has completed training."""
    today = today or timezone.localdate()
    if not observer.training_completed_on or not observer.certificate_number:
        raise ObserversError(
            "Аккредитовать можно только после обучения: укажите дату обучения и номер удостоверения."
        )
    if until < today:
        raise ObserversError("Дата окончания аккредитации уже прошла.")
    observer.status = ObserverStatus.ACCREDITED
    observer.accredited_until = until
    observer.suspension_reason = ""
    observer.save(update_fields=["status", "accredited_until", "suspension_reason", "updated_at"])
    return observer


def suspend(*, observer: Observer, reason: str) -> Observer:
    """Suspend an accreditation; existing assignments stay, new ones are refused."""
    if not reason.strip():
        raise ObserversError("Укажите причину приостановки аккредитации.")
    observer.status = ObserverStatus.SUSPENDED
    observer.suspension_reason = reason.strip()
    observer.save(update_fields=["status", "suspension_reason", "updated_at"])
    return observer


def reinstate(*, observer: Observer) -> Observer:
    """Lift a suspension: back to accredited if the term is still running, else trained."""
    if observer.status != ObserverStatus.SUSPENDED:
        raise ObserversError("Аккредитация не приостановлена.")
    today = timezone.localdate()
    if observer.accredited_until and observer.accredited_until >= today:
        observer.status = ObserverStatus.ACCREDITED
    elif observer.training_completed_on:
        observer.status = ObserverStatus.TRAINED
    else:
        observer.status = ObserverStatus.APPLICATION
    observer.suspension_reason = ""
    observer.save(update_fields=["status", "suspension_reason", "updated_at"])
    return observer


# --- declared ties -------------------------------------------------------------------------


def declare_tie(*, observer: Observer, school: School, kind: str, note: str = "") -> ObserverTie:
    tie, _ = ObserverTie.objects.update_or_create(
        observer=observer, school=school, kind=TieKind(kind), defaults={"note": note.strip()}
    )
    return tie


def remove_tie(*, tie: ObserverTie) -> None:
    tie.delete()


# --- user account ---------------------------------------------------------------------------


@dataclass
class AccountCreated:
    username: str
    password: str


def _free_username(base: str) -> str:
    User = get_user_model()
    base = re.sub(r"[^\w.@+-]", "", base)[:140] or "observer"
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


@transaction.atomic
def create_account(*, observer: Observer) -> AccountCreated:
    """Give the observer a login with the observer role in their municipality.

    The one-time password is shown to the staff member (not e-mailed: mail is not a
    safe channel for passwords); the observer changes it after the first login.
    """
    if observer.user_id:
        raise ObserversError(f"У наблюдателя уже есть учётная запись «{observer.user.username}».")
    User = get_user_model()
    username = _free_username(observer.email.split("@")[0] if observer.email else "observer")
    password = secrets.token_urlsafe(9)
    user = User.objects.create_user(
        username=username,
        password=password,
        email=observer.email,
        first_name=observer.first_name,
        last_name=observer.last_name,
    )
    Membership.objects.create(user=user, role=Role.OBSERVER, municipality=observer.municipality)
    observer.user = user
    observer.save(update_fields=["user", "updated_at"])
    return AccountCreated(username=username, password=password)


def link_account(*, observer: Observer, user: Any) -> Observer:
    """Tie an existing account (e.g. a demo user) to the observer record."""
    if not Membership.objects.filter(user=user, role=Role.OBSERVER).exists():
        Membership.objects.create(user=user, role=Role.OBSERVER, municipality=observer.municipality)
    observer.user = user
    observer.save(update_fields=["user", "updated_at"])
    return observer


# --- import from CSV / XLSX ------------------------------------------------------------------

IMPORT_COLUMNS = [
    "Фамилия",
    "Имя",
    "Отчество",
    "Муниципалитет",
    "Телефон",
    "Эл. почта",
    "Место работы",
    "ОО работы",
    "ОО родственников",
    "Дата обучения",
    "Номер удостоверения",
    "Аккредитован до",
]
IMPORT_REQUIRED = ["Фамилия", "Имя", "Муниципалитет"]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LOGIN = re.compile(r"edu\d{6}", re.IGNORECASE)


def parse_day(text: str) -> datetime.date | None:
    """«14.04.2026», «2026-04-14», «2026-04-14 00:00:00» (a date cell read from Excel)."""
    text = text.strip()
    for pattern in ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


@dataclass
class ObserverImportReport:
    created: int = 0
    updated: int = 0


def _parse_observer_row(
    row: TableRow, *, municipalities: dict[str, Municipality], schools: dict[str, School]
) -> tuple[dict, list[str]]:
    v = row.values
    where = f"Строка {row.number}"
    errors: list[str] = []
    parsed: dict[str, Any] = {
        "last_name": v.get("Фамилия", "").strip(),
        "first_name": v.get("Имя", "").strip(),
        "middle_name": v.get("Отчество", "").strip(),
        "phone": v.get("Телефон", "").strip(),
        "email": v.get("Эл. почта", "").strip().lower(),
        "employer": v.get("Место работы", "").strip(),
        "certificate_number": v.get("Номер удостоверения", "").strip(),
    }
    for column, key in (("Фамилия", "last_name"), ("Имя", "first_name")):
        if not parsed[key]:
            errors.append(f"{where}, столбец «{column}»: не заполнено.")
    muni_name = v.get("Муниципалитет", "").strip()
    municipality = municipalities.get(muni_name.lower())
    if municipality is None:
        errors.append(
            f"{where}, столбец «Муниципалитет»: «{muni_name}» — такого муниципалитета нет "
            "в вашей территории."
        )
    parsed["municipality"] = municipality
    if parsed["email"] and not _EMAIL.match(parsed["email"]):
        errors.append(f"{where}, столбец «Эл. почта»: «{parsed['email']}» — не похоже на адрес.")
    for column, key in (
        ("Дата обучения", "training_completed_on"),
        ("Аккредитован до", "accredited_until"),
    ):
        text = v.get(column, "").strip()
        parsed[key] = None
        if text:
            parsed[key] = parse_day(text)
            if parsed[key] is None:
                errors.append(f"{where}, столбец «{column}»: «{text}» — дата в виде ДД.ММ.ГГГГ.")
    if parsed["accredited_until"] and not (
        parsed["training_completed_on"] and parsed["certificate_number"]
    ):
        errors.append(f"{where}: аккредитация без даты обучения и номера удостоверения невозможна.")
    ties: list[tuple[School, str]] = []
    for column, kind in (("ОО работы", TieKind.WORKS), ("ОО родственников", TieKind.RELATIVE)):
        text = v.get(column, "")
        logins = [m.lower() for m in _LOGIN.findall(text)]
        leftover = _LOGIN.sub("", text).strip(" ,;")
        if leftover:
            errors.append(
                f"{where}, столбец «{column}»: укажите логины ОО (edu и шесть цифр) через запятую."
            )
        for login in logins:
            school = schools.get(login)
            if school is None:
                errors.append(
                    f"{where}, столбец «{column}»: ОО {login} нет в реестре вашей территории."
                )
            else:
                ties.append((school, kind))
    parsed["ties"] = ties
    return parsed, errors


@audit.records_import(audit.ImportKind.OBSERVERS)
def import_observers(
    *,
    source: BinaryIO | Path | str,
    filename: str,
    municipalities: list[Municipality],
    schools: list[School],
) -> ObserverImportReport:
    """Create or update observers from CSV/XLSX, all rows or none.

    Rows are matched to existing observers by e-mail, else by full name within the
    municipality. Only the staff member's own municipalities and schools are accepted.
    «ОО родственников» declares schools where a child or relative studies.
    """
    try:
        rows = read_table(source, filename=filename, required=IMPORT_REQUIRED, known=IMPORT_COLUMNS)
    except TableFileError as exc:
        raise ImportRefused([exc.message_ru]) from exc
    if not rows:
        raise ImportRefused(["В файле нет ни одной строки с данными."])
    by_name = {m.name.lower(): m for m in municipalities}
    by_login = {s.login.lower(): s for s in schools}
    parsed_rows, errors = [], []
    for row in rows:
        parsed, row_errors = _parse_observer_row(row, municipalities=by_name, schools=by_login)
        parsed_rows.append(parsed)
        errors.extend(row_errors)
    if errors:
        raise ImportRefused(errors)

    report = ObserverImportReport()
    today = timezone.localdate()
    with transaction.atomic():
        for parsed in parsed_rows:
            municipality = parsed["municipality"]
            existing = None
            if parsed["email"]:
                existing = Observer.objects.filter(email__iexact=parsed["email"]).first()
            if existing is None:
                existing = Observer.objects.filter(
                    municipality=municipality,
                    last_name__iexact=parsed["last_name"],
                    first_name__iexact=parsed["first_name"],
                    middle_name__iexact=parsed["middle_name"],
                ).first()
            observer = save_observer(municipality=municipality, data=parsed, observer=existing)
            report.created += existing is None
            report.updated += existing is not None
            if parsed["training_completed_on"] and parsed["certificate_number"]:
                record_training(
                    observer=observer,
                    completed_on=parsed["training_completed_on"],
                    certificate_number=parsed["certificate_number"],
                )
            if parsed["accredited_until"] and parsed["accredited_until"] >= today:
                accredit(observer=observer, until=parsed["accredited_until"], today=today)
            elif parsed["accredited_until"]:
                # An expired term is history worth keeping: the status stays «trained».
                observer.accredited_until = parsed["accredited_until"]
                observer.save(update_fields=["accredited_until", "updated_at"])
            for school, kind in parsed["ties"]:
                declare_tie(observer=observer, school=school, kind=kind)
    return report
