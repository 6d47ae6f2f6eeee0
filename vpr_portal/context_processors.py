from django.conf import settings
from django.http import HttpRequest

import vpr_portal
from vpr_portal import roles


def portal(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    user_roles = roles.roles_of(user) if user is not None else set()
    return {
        "portal_version": vpr_portal.__version__,
        "portal_debug": settings.DEBUG,
        "user_roles": user_roles,
        "is_staff_user": bool(user_roles & {roles.Role.STAFF, roles.Role.ADMINISTRATOR}),
        "is_coordinator": roles.Role.COORDINATOR in user_roles,
        "is_observer": roles.Role.OBSERVER in user_roles,
        "is_expert": roles.Role.EXPERT in user_roles,
        "is_administrator": roles.Role.ADMINISTRATOR in user_roles,
        "job_poll_seconds": settings.PORTAL_JOB_POLL_SECONDS,
    }
