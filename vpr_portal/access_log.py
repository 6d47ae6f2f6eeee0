"""Denials logged: one line per refused request, to the ``vpr_portal.access`` logger.

A refusal is a 401, 403 or 404 answered by a known route (a scoped getter's 404, a
role check's 404, DRF's 401/403), or a redirect of an anonymous user to a login page.
The line names the user by id, the route by name, the method, the status and the time
(UTC); never a name, a path with its ids, or a query string (it may carry pupils' codes).
Unknown addresses (no route) are not refusals and are not logged here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils import timezone

logger = logging.getLogger("vpr_portal.access")

DENIAL_STATUSES = frozenset({401, 403, 404})


def login_prefixes() -> tuple[str, ...]:
    return (resolve_url(settings.LOGIN_URL), resolve_url("admin:login"))


def is_denial(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code in DENIAL_STATUSES:
        return True
    if response.status_code == 302:
        target = response.get("Location", "")
        login = target.startswith(login_prefixes())
        match = request.resolver_match
        return login and match is not None and match.url_name not in ("login", "logout")
    return False


def log_denial(request: HttpRequest, response: HttpResponse) -> None:
    match = request.resolver_match
    user = getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else "anonymous"
    logger.warning(
        "access denied: user=%s route=%s method=%s status=%s at=%s",
        user_id,
        match.view_name,
        request.method,
        response.status_code,
        timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        extra={
            "access_user": user_id,
            "access_route": match.view_name,
            "access_method": request.method,
            "access_status": response.status_code,
        },
    )


class AccessDenialLogMiddleware:
    """Innermost middleware: sees the view's answer, 404s from Http404 included."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "resolver_match", None) is not None and is_denial(request, response):
            log_denial(request, response)
        return response
