"""What the portal's own pages ask about a user, answered by the app that owns roles.

`vpr_portal` is the ground floor: it imports no app. Roles and scoping live in
`schools.roles`, which installs its answers here in `SchoolsConfig.ready()`. Until then
(or in a project without that app) only a superuser counts as an administrator and a
user has no other role.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: The role value an administrator holds (schools.models.Role.ADMINISTRATOR).
ADMINISTRATOR = "admin"


def _superuser_roles(user: Any) -> set[str]:
    return {ADMINISTRATOR} if getattr(user, "is_superuser", False) else set()


_roles_of: Callable[[Any], set[str]] = _superuser_roles


def install(*, roles_of: Callable[[Any], set[str]]) -> None:
    """Called once at startup by the app that owns memberships."""
    global _roles_of
    _roles_of = roles_of


def roles_of(user: Any) -> set[str]:
    """The role values the user holds (strings, e.g. ``"staff"``)."""
    if user is None:
        return set()
    return _roles_of(user)


def is_administrator(user: Any) -> bool:
    return ADMINISTRATOR in roles_of(user)
