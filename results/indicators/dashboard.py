"""Landing-page panels: staff open the dashboard, coordinators their school's card."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from results.models import SchoolYearIndicator
from schools import roles
from vpr_portal.selectors import register_dashboard_panel


def staff_panel(user: Any) -> dict | None:
    latest = (
        SchoolYearIndicator.objects.filter(school__in=roles.visible_schools(user))
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    text = "Признаки ещё не рассчитаны."
    if latest:
        rows = SchoolYearIndicator.objects.filter(
            year=latest, school__in=roles.visible_schools(user)
        )
        text = (
            f"{latest}: ОО с признаками — {rows.filter(n_flagged__gt=0).count()} из {rows.count()}."
        )
    return {
        "title": "Признаки необъективности",
        "text": text,
        "links": [
            {"url": reverse("results:indicators"), "label": "Школы и признаки"},
            {"url": reverse("results:indicators_official_list"), "label": "Официальный перечень"},
        ],
    }


def coordinator_panel(user: Any) -> dict | None:
    if roles.is_department_staff(user):
        return None
    schools = list(roles.coordinated_schools(user)[:3])
    if not schools:
        return None
    return {
        "title": "Объективность результатов",
        "text": "Признаки, которые стоит проверить, с пояснениями и графиками.",
        "links": [
            {
                "url": reverse("results:indicators_card", args=[s.pk]),
                "label": f"Карточка: {s.display_name}",
            }
            for s in schools
        ],
    }


def register() -> None:
    register_dashboard_panel(roles.Role.STAFF, staff_panel)
    register_dashboard_panel(
        roles.Role.ADMINISTRATOR,
        lambda user: None if roles.has_role(user, roles.Role.STAFF) else staff_panel(user),
    )
    register_dashboard_panel(roles.Role.COORDINATOR, coordinator_panel)
