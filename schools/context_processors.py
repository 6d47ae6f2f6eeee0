from django.http import HttpRequest

from schools import roles


def user_roles(request: HttpRequest) -> dict:
    """The user's roles for the menus of every page."""
    user = getattr(request, "user", None)
    held = roles.roles_of(user) if user is not None else set()
    return {
        "user_roles": held,
        "is_staff_user": bool(held & {roles.Role.STAFF, roles.Role.ADMINISTRATOR}),
        "is_coordinator": roles.Role.COORDINATOR in held,
        "is_observer": roles.Role.OBSERVER in held,
        "is_expert": roles.Role.EXPERT in held,
        "is_administrator": roles.Role.ADMINISTRATOR in held,
    }
