"""Roles and the one place that decides what a user may see.

A user's rights come from memberships: a role tied to a node of the territory
tree (region → municipality → school). Views never filter by hand; they call
the scoped helpers here (or app selectors built on them), so an id typed into
a URL cannot reach another school's data: such lookups raise 404.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.http import Http404, HttpRequest

from schools.models import Membership, Municipality, Region, Role, School


def memberships(user: Any) -> list[Membership]:
    """The user's memberships, loaded once per user object (i.e. per request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_portal_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user).select_related(
                "region", "municipality__region", "school__municipality__region"
            )
        )
        user._portal_memberships = cached
    return cached


def roles_of(user: Any) -> set[str]:
    roles = {m.role for m in memberships(user)}
    if getattr(user, "is_superuser", False):
        roles.add(Role.ADMINISTRATOR)
    return roles


def has_role(user: Any, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def is_administrator(user: Any) -> bool:
    return has_role(user, Role.ADMINISTRATOR)


def is_department_staff(user: Any) -> bool:
    """Department staff see whole municipalities; administrators see everything."""
    return has_role(user, Role.STAFF, Role.ADMINISTRATOR)


def sees_everything(user: Any) -> bool:
    if is_administrator(user):
        return True
    return any(m.role == Role.STAFF and m.is_region_wide for m in memberships(user))


def visible_municipalities(user: Any) -> models.QuerySet[Municipality]:
    if sees_everything(user):
        return Municipality.objects.all()
    region_ids, municipality_ids = set(), set()
    for m in memberships(user):
        if m.role not in (Role.STAFF, Role.EXPERT, Role.OBSERVER):
            continue
        if m.region_id:
            region_ids.add(m.region_id)
        if m.municipality_id:
            municipality_ids.add(m.municipality_id)
    return Municipality.objects.filter(
        models.Q(region_id__in=region_ids) | models.Q(pk__in=municipality_ids)
    )


def staff_municipalities(user: Any) -> models.QuerySet[Municipality]:
    """Municipalities the user runs as department staff (plans, observers' planning).

    Narrower than visible_municipalities, which also counts observer and expert
    memberships: those people work in a municipality, they don't manage it.
    """
    if sees_everything(user):
        return Municipality.objects.all()
    region_ids, municipality_ids = set(), set()
    for m in memberships(user):
        if m.role != Role.STAFF:
            continue
        if m.region_id:
            region_ids.add(m.region_id)
        if m.municipality_id:
            municipality_ids.add(m.municipality_id)
    return Municipality.objects.filter(
        models.Q(region_id__in=region_ids) | models.Q(pk__in=municipality_ids)
    )


def visible_schools(user: Any) -> models.QuerySet[School]:
    """Schools whose data the user may read: staff their territory, coordinators their school."""
    if sees_everything(user):
        return School.objects.all()
    staff_regions, staff_municipalities, own_schools = set(), set(), set()
    for m in memberships(user):
        if m.role == Role.STAFF:
            if m.region_id:
                staff_regions.add(m.region_id)
            if m.municipality_id:
                staff_municipalities.add(m.municipality_id)
        elif m.role == Role.COORDINATOR and m.school_id:
            own_schools.add(m.school_id)
    return School.objects.filter(
        models.Q(municipality__region_id__in=staff_regions)
        | models.Q(municipality_id__in=staff_municipalities)
        | models.Q(pk__in=own_schools)
    )


def coordinated_schools(user: Any) -> models.QuerySet[School]:
    ids = [m.school_id for m in memberships(user) if m.role == Role.COORDINATOR and m.school_id]
    return School.objects.filter(pk__in=ids)


def get_school_for_user(user: Any, *, pk: int | None = None, login: str | None = None) -> School:
    """The school, if the user may see it; 404 otherwise (never 403, to hide existence)."""
    lookup = {"pk": pk} if pk is not None else {"login": login}
    try:
        return visible_schools(user).select_related("municipality__region").get(**lookup)
    except Exception as exc:  # DoesNotExist, or a malformed id
        raise Http404("Образовательная организация не найдена") from exc


def home_region(user: Any) -> Region | None:
    for m in memberships(user):
        if m.region_id:
            return m.region
        if m.municipality_id:
            return m.municipality.region
        if m.school_id:
            return m.school.municipality.region
    return None


def role_required(*roles: str) -> Callable:
    """View decorator: a logged-in user with one of the roles, else login or 404.

    404 rather than 403 keeps the existence of pages for other roles private.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise Http404("Страница не найдена")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = role_required(Role.STAFF, Role.ADMINISTRATOR)


def role_labels(roles: Iterable[str]) -> list[str]:
    return [Role(r).label for r in sorted(roles)]
