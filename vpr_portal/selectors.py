"""Cross-cutting reads: jobs a user may see, the dashboard's figures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from vpr_portal import access
from vpr_portal.models import Job


def jobs_for_user(user: Any) -> QuerySet[Job]:
    if access.is_administrator(user):
        return Job.objects.all()
    return Job.objects.filter(created_by=user)


# Apps register dashboard panels here: (role, callable(user) -> dict | None).
DASHBOARD_PANELS: list[tuple[str, Any]] = []

# Apps register the dashboard's own figures here: callable(user) -> dict merged into the page.
DASHBOARD_CONTEXT: list[Callable[[Any], dict]] = []


def register_dashboard_panel(role: str, builder: Any) -> None:
    DASHBOARD_PANELS.append((role, builder))


def register_dashboard_context(builder: Callable[[Any], dict]) -> None:
    if builder not in DASHBOARD_CONTEXT:
        DASHBOARD_CONTEXT.append(builder)


def dashboard_for(user: Any) -> dict:
    context: dict[str, Any] = {}
    for builder in DASHBOARD_CONTEXT:
        context.update(builder(user))
    context["recent_jobs"] = list(jobs_for_user(user).exclude(kind="ping")[:5])
    context["panels"] = []
    user_roles = access.roles_of(user)
    for role, builder in DASHBOARD_PANELS:
        if role in user_roles:
            panel = builder(user)
            if panel:
                context["panels"].append(panel)
    return context
