"""Login protection: lockouts (django-axes) for every way in, and session expiry.

Every password check goes through `django.contrib.auth.authenticate(request=...)` with the
plain `HttpRequest`, so axes (`AxesStandaloneBackend` first in AUTHENTICATION_BACKENDS and
its signal handlers) counts failures by username + IP and refuses a locked pair, whether
the password came from the login form, the admin login, HTTP Basic or the token endpoint.
API tokens are not passwords, but a wrong token is counted too (as the pseudo-username
`api-token` from that IP), so guessing tokens is locked out the same way.
"""

from __future__ import annotations

import time

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, logout, user_logged_in, user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, status
from rest_framework.authentication import BasicAuthentication, TokenAuthentication
from rest_framework.authtoken.serializers import AuthTokenSerializer

LOCKOUT_MESSAGE = (
    "Слишком много неудачных попыток входа. Вход для этого имени пользователя с вашего "
    "адреса временно заблокирован на {minutes} мин. Попробуйте позже или обратитесь "
    "к администратору портала."
)
TOKEN_PSEUDO_USERNAME = "api-token"  # noqa: S105 — a username axes counts, not a secret


def lockout_minutes() -> int:
    cool_off = settings.AXES_COOLOFF_TIME
    return int(cool_off.total_seconds() // 60) if cool_off else 0


def lockout_message() -> str:
    return LOCKOUT_MESSAGE.format(minutes=lockout_minutes())


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "json" in request.headers.get("Accept", "")


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: a Russian page for people, a Russian JSON detail for scripts."""
    code = settings.AXES_HTTP_RESPONSE_CODE
    if _is_api(request):
        response = JsonResponse({"detail": lockout_message()}, status=code)
        response["Retry-After"] = str(lockout_minutes() * 60)
        return response
    return render(
        request,
        "registration/lockout.html",
        {"lockout_message": lockout_message(), "minutes": lockout_minutes()},
        status=code,
    )


class PortalAxesBackend(AxesStandaloneBackend):
    """axes' lockout check for every request-bound login (form, admin, Basic, token).

    Code that authenticates without a request (Django's test client `login()`, a shell) is
    not a brute-force surface and is not counted; every HTTP path passes its request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the client's address as the trusted proxies saw it.

    Behind PORTAL_TRUSTED_PROXY_COUNT reverse proxies (the TLS proxy in front of gunicorn)
    REMOTE_ADDR is the proxy's: the client is the address that many hops from the right of
    X-Forwarded-For (entries further left are the client's own claim and are not trusted).
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.PORTAL_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    return hops[-proxies] if len(hops) >= proxies else remote


class LockedOut(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self) -> None:
        super().__init__(detail=lockout_message())


def _plain(request) -> HttpRequest:
    """DRF's Request wraps the HttpRequest; axes must mark the one the middleware sees."""
    return getattr(request, "_request", request)


class AxesBasicAuthentication(BasicAuthentication):
    """HTTP Basic whose password check is counted and refused by axes."""

    def authenticate_credentials(self, userid, password, request=None):
        http_request = _plain(request)
        user = authenticate(request=http_request, username=userid, password=password)
        if user is None:
            if getattr(http_request, "axes_locked_out", False):
                raise LockedOut()
            raise exceptions.AuthenticationFailed("Неверное имя пользователя или пароль.")
        if not user.is_active:
            raise exceptions.AuthenticationFailed("Пользователь отключён.")
        return (user, None)


class AxesTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`; wrong keys count as failures of `api-token` from the IP."""

    def authenticate(self, request):
        header = self.keyword.lower().encode()
        from rest_framework.authentication import get_authorization_header

        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != header:
            return None
        http_request = _plain(request)
        credentials = {"username": TOKEN_PSEUDO_USERNAME}
        if settings.AXES_ENABLED and AxesProxyHandler.is_locked(http_request, credentials):
            http_request.axes_locked_out = True
            raise LockedOut()
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            user_login_failed.send(sender=__name__, credentials=credentials, request=http_request)
            if getattr(http_request, "axes_locked_out", False):
                raise LockedOut() from None
            raise exceptions.AuthenticationFailed("Неверный или отозванный токен.") from None


class PortalAuthTokenSerializer(AuthTokenSerializer):
    """The token endpoint's password check, with the plain request for axes."""

    def validate(self, attrs):
        request = _plain(self.context.get("request"))
        user = authenticate(
            request=request, username=attrs.get("username"), password=attrs.get("password")
        )
        if user is None:
            if getattr(request, "axes_locked_out", False):
                raise LockedOut()
            raise exceptions.ValidationError(
                {"non_field_errors": ["Неверное имя пользователя или пароль."]},
                code="authorization",
            )
        attrs["user"] = user
        return attrs


# --- Session expiry ----------------------------------------------------------------------

SESSION_LOGIN_AT = "portal_login_at"
SESSION_SEEN_AT = "portal_seen_at"
# The idle clock is written at most this often (polling pages must not write every second).
SEEN_WRITE_EVERY_SECONDS = 60


@receiver(user_logged_in)
def _stamp_login_time(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SESSION_LOGIN_AT] = now
        request.session[SESSION_SEEN_AT] = now


class SessionExpiryMiddleware:
    """Logs out a session idle for PORTAL_SESSION_IDLE_MINUTES or older than
    PORTAL_SESSION_ABSOLUTE_HOURS since its login, whatever the activity."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            expired = self._expired(request)
            if expired:
                logout(request)
                if _is_api(request):
                    return JsonResponse({"detail": expired}, status=401)
                messages.info(request, expired)
                response = redirect_to_login(request.get_full_path())
                if getattr(request, "htmx", False):
                    # htmx would swap the login page into a fragment: send the whole page.
                    hx = HttpResponse(status=204)
                    hx["HX-Redirect"] = response["Location"]
                    return hx
                return response
        return self.get_response(request)

    @staticmethod
    def _expired(request: HttpRequest) -> str | None:
        session = request.session
        now = int(time.time())
        login_at = session.get(SESSION_LOGIN_AT)
        seen_at = session.get(SESSION_SEEN_AT)
        if login_at is None or seen_at is None:
            # A session from before this middleware (or force_login): start its clocks now.
            session[SESSION_LOGIN_AT] = login_at or now
            session[SESSION_SEEN_AT] = now
            return None
        if now - login_at > settings.PORTAL_SESSION_ABSOLUTE_HOURS * 3600:
            hours = settings.PORTAL_SESSION_ABSOLUTE_HOURS
            return f"Сеанс завершён: с момента входа прошло больше {hours} ч. Войдите снова."
        if now - seen_at > settings.PORTAL_SESSION_IDLE_MINUTES * 60:
            minutes = settings.PORTAL_SESSION_IDLE_MINUTES
            return f"Сеанс завершён после {minutes} мин бездействия. Войдите снова."
        if now - seen_at >= SEEN_WRITE_EVERY_SECONDS:
            session[SESSION_SEEN_AT] = now
        return None


# --- OpenAPI: the schema names the two ways scripts authenticate ---------------------------


class AxesBasicScheme(OpenApiAuthenticationExtension):
    target_class = "vpr_portal.login_security.AxesBasicAuthentication"
    name = "basicAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "basic"}


class AxesTokenScheme(OpenApiAuthenticationExtension):
    target_class = "vpr_portal.login_security.AxesTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "«Token <ключ>»; ключ выдаёт POST /api/auth/token/ или администратор.",
        }
