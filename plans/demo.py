"""Demo plans (seed_demo): the five real plans from ../shared/seeds, imported as users would.

The latest plan is approved and half executed, so every page has something to show:
done on time and late, overdue items, school reports; the older ones are archived.
"""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from plans.models import (
    Item,
    ItemStatus,
    KnownParty,
    PartyKind,
    PartyRole,
    Plan,
    PlanStatus,
)
from plans.services.documents import read_plan_document
from plans.services.errors import PlanImportError
from plans.services.execution import report_for_school, responsible_school_ids
from plans.services.importing import import_plan
from schools.models import Municipality
from schools.roles import coordinated_schools


def seeds_dir() -> Path:
    return Path(settings.BASE_DIR).parent / "shared" / "seeds"


# Seed file prefix → (owner: "city" or "district", status).
SEED_PLANS = {
    "000": ("city", PlanStatus.ARCHIVED),
    "001": ("district", PlanStatus.ARCHIVED),
    "002": ("city", PlanStatus.APPROVED),
    "003": ("city", PlanStatus.APPROVED),
    "004": ("district", PlanStatus.ARCHIVED),
}


def _known_parties(city: Municipality) -> None:
    staff = get_user_model().objects.filter(username="staff").first()
    parties = [
        (
            "Отдел образования",
            "Управление образования\nУО\nОтдел образования Администрации",
            PartyRole.DEPARTMENT,
        ),
        (
            "Информационно-методический центр",
            "ИМЦ\nОЦПРМСО\nЦРО\nметодический отдел",
            PartyRole.METHODICAL_CENTRE,
        ),
    ]
    for name, aliases, role in parties:
        party, _ = KnownParty.objects.get_or_create(
            municipality=city,
            name=name,
            defaults={"aliases": aliases, "kind": PartyKind.ORGANISATION, "role": role},
        )
        if staff is not None:
            party.users.add(staff)


def _execute(plan: Plan, rng: random.Random, coordinator: Any) -> int:
    """Mark some measures done (on time or late), some in progress; a school reports."""
    done = 0
    for item in Item.objects.filter(plan=plan, children__isnull=True).prefetch_related(
        "windows", "responsibles"
    ):
        last = item.last_day()
        roll = rng.random()
        if last is None or roll < 0.25:
            continue
        if roll < 0.75:
            item.status = ItemStatus.DONE
            item.completed_on = last - timedelta(days=rng.randint(0, 10))
            if rng.random() < 0.2:
                item.completed_on = last + timedelta(days=rng.randint(3, 20))
            item.report_text = rng.choice(
                [
                    "Проведено, протокол совещания размещён на сайте.",
                    "Приказ издан, доведён до ОО.",
                    "Информация размещена на официальном сайте управления образования.",
                    "Проведено заседание, присутствовали руководители ОО.",
                ]
            )
            done += 1
        else:
            item.status = ItemStatus.IN_PROGRESS
        item.save(update_fields=["status", "completed_on", "report_text"])
    if coordinator is not None:
        school = coordinated_schools(coordinator).first()
        candidates = [
            item
            for item in Item.objects.filter(plan=plan, status=ItemStatus.PLANNED)
            if school and school.pk in responsible_school_ids(item)
        ]
        for item in candidates[:2]:
            report_for_school(
                item=item,
                school=school,
                user=coordinator,
                status=ItemStatus.DONE,
                report_text="Проведено в ОО, приказ директора размещён на сайте школы.",
                evidence_url="https://example.org/school/vpr/prikaz.pdf",
                evidence_title="Приказ директора о проведении ВПР",
                completed_on=item.last_day(),
            )
    return done


def seed(*, rng: random.Random, context: dict, stdout: Any = None) -> str:
    folder = seeds_dir()
    if not folder.is_dir():
        return f"примеры планов не найдены ({folder}) — планы не загружены"
    schools = context.get("schools") or {}
    municipalities = {}
    if schools:
        first = next(iter(schools.values()))
        city = first.municipality
        district = (
            Municipality.objects.filter(region=city.region).exclude(pk=city.pk).first() or city
        )
        municipalities = {"city": city, "district": district}
    else:
        any_municipality = Municipality.objects.first()
        if any_municipality is None:
            return "нет муниципалитетов — планы не загружены"
        municipalities = {"city": any_municipality, "district": any_municipality}
    _known_parties(municipalities["city"])
    coordinator = get_user_model().objects.filter(username="coordinator").first()
    loaded, skipped = [], []
    for path in sorted(folder.glob("*.txt")):
        owner, status = SEED_PLANS.get(path.name[:3], ("city", PlanStatus.DRAFT))
        municipality = municipalities[owner]
        if Plan.objects.filter(municipality=municipality, source_name=path.name).exists():
            continue  # seed_demo may run again on the same database
        try:
            read = read_plan_document(source=path.read_bytes(), filename=path.name)
            with transaction.atomic():
                plan = import_plan(
                    data=read.data,
                    municipality=municipality,
                    source_name=path.name,
                    source_format=read.source_format,
                    status=status,
                )
                if status == PlanStatus.APPROVED:
                    _execute(plan, rng, coordinator)
                elif status == PlanStatus.ARCHIVED:
                    Item.objects.filter(plan=plan).update(status=ItemStatus.DONE)
                    for item in Item.objects.filter(plan=plan).prefetch_related("windows"):
                        item.completed_on = item.last_day() or plan.period_end
                        item.save(update_fields=["completed_on"])
        except PlanImportError as exc:
            skipped.append(f"{path.name}: {exc.message_ru}")
            continue
        loaded.append(plan)
    summary = f"планов загружено: {len(loaded)}"
    if skipped:
        summary += "; пропущены: " + "; ".join(skipped)
    return summary
