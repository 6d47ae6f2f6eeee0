"""Cross-cutting reads: jobs a user may see, the dashboard's figures."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from vpr_portal import roles
from vpr_portal.models import Job


def jobs_for_user(user: Any) -> QuerySet[Job]:
    if roles.is_administrator(user):
        return Job.objects.all()
    return Job.objects.filter(created_by=user)


# Apps register dashboard panels here: (role, callable(user) -> dict | None).
DASHBOARD_PANELS: list[tuple[str, Any]] = []


def register_dashboard_panel(role: str, builder: Any) -> None:
    DASHBOARD_PANELS.append((role, builder))


def dashboard_for(user: Any) -> dict:
    user_roles = roles.roles_of(user)
    schools = roles.visible_schools(user)
    context: dict[str, Any] = {
        "role_labels": roles.role_labels(user_roles),
        "school_count": schools.count() if roles.is_department_staff(user) else None,
        "municipalities": list(roles.visible_municipalities(user)[:20])
        if roles.is_department_staff(user)
        else [],
        "own_schools": list(roles.coordinated_schools(user).select_related("municipality")),
        "recent_jobs": list(jobs_for_user(user).exclude(kind="ping")[:5]),
        "panels": [],
    }
    for role, builder in DASHBOARD_PANELS:
        if role in user_roles:
            panel = builder(user)
            if panel:
                context["panels"].append(panel)
    return context
