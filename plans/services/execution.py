"""Execution of a plan: item statuses, school reports and evidence."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from plans.models import Evidence, Item, ItemStatus, SchoolReport
from plans.services.errors import PlanError
from schools.models import School

EVIDENCE_EXTENSIONS = {
    ".pdf",
    ".doc",
    ".docx",
    ".odt",
    ".rtf",
    ".xls",
    ".xlsx",
    ".ods",
    ".jpg",
    ".jpeg",
    ".png",
    ".txt",
    ".zip",
}
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024


def _check_completion_date(completed_on: date | None, today: date) -> None:
    if completed_on is not None and completed_on > today:
        raise PlanError("Дата выполнения не может быть позже сегодняшней.")


@transaction.atomic
def set_item_status(
    *,
    item: Item,
    status: str,
    completed_on: date | None = None,
    report_text: str | None = None,
    today: date | None = None,
) -> Item:
    """Set an item's status; a done item gets a completion date (today unless given)."""
    today = today or timezone.localdate()
    if status not in ItemStatus.values:
        raise PlanError("Неизвестный статус мероприятия.")
    _check_completion_date(completed_on, today)
    item.status = status
    if status == ItemStatus.DONE:
        item.completed_on = completed_on or item.completed_on or today
    else:
        # A completion date on an item that isn't done would count it as done on time.
        item.completed_on = None
    if report_text is not None:
        item.report_text = report_text.strip()
    item.save(update_fields=["status", "completed_on", "report_text", "updated_at"])
    return item


def responsible_school_ids(item: Item) -> set[int]:
    """Schools that answer for the item: named ones, or all of the municipality's."""
    responsibles = list(item.responsibles.all())
    ids = {r.school_id for r in responsibles if r.school_id}
    if any(r.covers_all_schools for r in responsibles):
        ids |= set(
            School.objects.filter(
                municipality_id=item.plan.municipality_id, is_active=True
            ).values_list("pk", flat=True)
        )
    return ids


def _check_evidence(file: UploadedFile | None, url: str) -> None:
    if file is not None:
        if Path(file.name or "").suffix.lower() not in EVIDENCE_EXTENSIONS:
            allowed = ", ".join(sorted(EVIDENCE_EXTENSIONS))
            raise PlanError(f"Файл этого типа не принимается. Допустимо: {allowed}.")
        if file.size and file.size > EVIDENCE_MAX_BYTES:
            raise PlanError("Файл больше 20 МБ: загрузите его на сайт и добавьте ссылку.")
    if url and not url.lower().startswith(("http://", "https://")):
        raise PlanError("Ссылка должна начинаться с http:// или https://.")


@transaction.atomic
def add_evidence(
    *,
    item: Item,
    user: Any,
    file: UploadedFile | None = None,
    url: str = "",
    title: str = "",
    school: School | None = None,
) -> Evidence:
    """Attach a file (order, minutes) or a link as proof that the item was done."""
    url = url.strip()
    if file is None and not url:
        raise PlanError("Приложите файл или укажите ссылку.")
    _check_evidence(file, url)
    evidence = Evidence(item=item, school=school, title=title.strip()[:300], url=url)
    evidence.added_by = user if getattr(user, "is_authenticated", False) else None
    if file is not None:
        evidence.file.save(Path(file.name).name, file, save=False)
    evidence.save()
    return evidence


def delete_evidence(*, evidence: Evidence) -> None:
    if evidence.file:
        evidence.file.delete(save=False)
    evidence.delete()


@transaction.atomic
def report_for_school(
    *,
    item: Item,
    school: School,
    user: Any,
    status: str,
    report_text: str,
    completed_on: date | None = None,
    evidence_file: UploadedFile | None = None,
    evidence_url: str = "",
    evidence_title: str = "",
    today: date | None = None,
) -> SchoolReport:
    """A school coordinator's report on an item their school answers for.

    Each school reports its own part. The item itself moves to "in progress" with the
    first report, and to "done" once every responsible school has reported it done —
    only when schools are its sole responsible parties; otherwise staff close it.
    """
    today = today or timezone.localdate()
    if school.pk not in responsible_school_ids(item):
        raise PlanError("Ваша ОО не указана среди ответственных за это мероприятие.")
    if status not in (ItemStatus.DONE, ItemStatus.IN_PROGRESS):
        raise PlanError("Отметьте мероприятие как выполненное или выполняемое.")
    if not report_text.strip():
        raise PlanError("Кратко опишите, что сделано.")
    _check_completion_date(completed_on, today)
    _check_evidence(evidence_file, evidence_url.strip())
    report, _ = SchoolReport.objects.update_or_create(
        item=item,
        school=school,
        defaults={
            "status": status,
            "completed_on": (completed_on or today) if status == ItemStatus.DONE else None,
            "report_text": report_text.strip(),
            "reported_by": user,
        },
    )
    if evidence_file is not None or evidence_url.strip():
        add_evidence(
            item=item,
            user=user,
            file=evidence_file,
            url=evidence_url,
            title=evidence_title,
            school=school,
        )
    roll_up_school_reports(item=item)
    return report


def roll_up_school_reports(*, item: Item) -> None:
    if not item.is_open:
        return
    reports = list(SchoolReport.objects.filter(item=item))
    if not reports:
        return
    responsibles = list(item.responsibles.all())
    only_schools = all(r.school_id or r.covers_all_schools for r in responsibles)
    done = {r.school_id for r in reports if r.status == ItemStatus.DONE}
    schools = responsible_school_ids(item)
    if only_schools and schools and schools <= done:
        item.status = ItemStatus.DONE
        item.completed_on = max(r.completed_on for r in reports if r.completed_on)
    else:
        item.status = ItemStatus.IN_PROGRESS
    item.save(update_fields=["status", "completed_on", "updated_at"])
