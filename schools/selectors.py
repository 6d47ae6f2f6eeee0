"""Scoped reads of the territory registry."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from schools import roles
from schools.models import School
from schools.roles import get_school_for_user, visible_municipalities, visible_schools

SCHOOL_ORDERINGS = {
    "name": ("short_name", "full_name"),
    "-name": ("-short_name", "-full_name"),
    "login": ("login",),
    "-login": ("-login",),
    "municipality": ("municipality__name", "short_name"),
    "-municipality": ("-municipality__name", "short_name"),
    "type": ("school_type", "short_name"),
    "-type": ("-school_type", "short_name"),
}


def schools_for_user(
    user: Any,
    *,
    search: str = "",
    municipality_id: int | None = None,
    school_type: str = "",
    locality: str = "",
    active: bool | None = None,
    ordering: str = "name",
) -> QuerySet[School]:
    schools = visible_schools(user).select_related("municipality")
    if search:
        schools = schools.filter(
            Q(login__icontains=search)
            | Q(full_name__icontains=search)
            | Q(short_name__icontains=search)
            | Q(director__icontains=search)
        )
    if municipality_id:
        schools = schools.filter(municipality_id=municipality_id)
    if school_type:
        schools = schools.filter(school_type=school_type)
    if locality:
        schools = schools.filter(locality=locality)
    if active is not None:
        schools = schools.filter(is_active=active)
    return schools.order_by(*SCHOOL_ORDERINGS.get(ordering, SCHOOL_ORDERINGS["name"]))


__all__ = ["get_school_for_user", "schools_for_user", "visible_municipalities"]


def dashboard_figures(user: Any) -> dict:
    """The landing page's own figures: the user's roles, territory and schools."""
    is_staff = roles.is_department_staff(user)
    return {
        "role_labels": roles.role_labels(roles.roles_of(user)),
        "school_count": visible_schools(user).count() if is_staff else None,
        "municipalities": list(visible_municipalities(user)[:20]) if is_staff else [],
        "own_schools": list(roles.coordinated_schools(user).select_related("municipality")),
    }
