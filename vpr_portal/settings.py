"""Settings for the VPR objectivity portal.

One module for every environment: everything that differs between a developer's
machine, CI and production comes from environment variables (see README).
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
import dj_email_url
from celery.schedules import crontab
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from csp.constants import UNSAFE_INLINE as CSP_UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from vpr_portal.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # Only ever used with DEBUG on, on a developer's own machine.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "vpr_portal.admin_site.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # offline Swagger UI: municipal networks are closed
    "django_htmx",
    "template_partials",
    "axes",  # lockout after failed logins (form, admin, API)
    "rest_framework.authtoken",
    "csp",
    "simple_history",  # who changed plans, schools, catalog, assignments, acts and when
    "vpr_portal.apps.PortalConfig",
    "schools",
    "results",
    "plans",
    "observers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "vpr_portal.login_security.SessionExpiryMiddleware",
    "csp.middleware.CSPMiddleware",
    # Refused requests (401/403/404, login redirects) logged to "vpr_portal.access".
    "vpr_portal.access_log.AccessDenialLogMiddleware",
    # Axes last: it turns a lockout raised anywhere above into the Russian 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "vpr_portal.urls"
WSGI_APPLICATION = "vpr_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vpr_portal.context_processors.portal",
                "schools.context_processors.user_roles",
            ],
        },
    }
]

# Databases: chosen only through DATABASE_URL (tests and scripts included).
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the Celery worker write to the same file: WAL and
    # IMMEDIATE transactions turn "database is locked" errors into short waits.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Login security: lockout, passwords, session expiry ---
# Validators apply when a password is set (forms, changepassword), never at login: the
# demo users' documented password still logs in.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes: after AXES_FAILURE_LIMIT failures of one username from one IP, that pair is
# refused (even with the right password) for AXES_COOLOFF_MINUTES, or until an
# administrator deletes the lockout in admin («Попытки доступа») or runs axes_reset.
AUTHENTICATION_BACKENDS = [
    "vpr_portal.login_security.PortalAxesBackend",  # axes.backends.AxesStandaloneBackend
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "vpr_portal.login_security.lockout_response"
# Behind a reverse proxy set this to the number of proxies that append X-Forwarded-For
# (1 for the TLS proxy of the README), or every client shares the proxy's address.
PORTAL_TRUSTED_PROXY_COUNT = env_int("PORTAL_TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "vpr_portal.login_security.client_ip"
# Failed passwords are never stored; only the username, IP, path and time.
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2", "old_password"]
# Sessions: logged out after PORTAL_SESSION_IDLE_MINUTES without a request, and
# PORTAL_SESSION_ABSOLUTE_HOURS after the login whatever the activity
# (vpr_portal.login_security.SessionExpiryMiddleware); the cookie lives no longer.
PORTAL_SESSION_IDLE_MINUTES = env_int("PORTAL_SESSION_IDLE_MINUTES", 60)
PORTAL_SESSION_ABSOLUTE_HOURS = env_int("PORTAL_SESSION_ABSOLUTE_HOURS", 12)
SESSION_COOKIE_AGE = PORTAL_SESSION_ABSOLUTE_HOURS * 3600
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every start otherwise
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# Production serves hashed, compressed files collected by collectstatic; development
# and tests serve straight from static/ (no collectstatic step needed).
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = DEBUG

# Email: EMAIL_URL such as smtp://user:password@host:587/?tls=True, console:// or memory://
# (memory:// is Django's locmem backend, used by the tests).
_email = dj_email_url.parse(env_str("EMAIL_URL", "console://"))
if "EMAIL_BACKEND" not in _email:
    raise ImproperlyConfigured("EMAIL_URL: use smtp://, smtps://, console://, file:// or memory://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"]
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "vpr-portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery. With no broker URL the portal runs on an embedded filesystem broker:
# a real worker process, no external service (make run).
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_BROKER_DIR = VAR_DIR / "broker"
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "filesystem://"
    for _sub in ("queue", "processed", "control"):
        (CELERY_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        # Exchange bindings; kombu's default is ./control in the working directory.
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 600)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 660)
# --- Job recovery: visibility timeout, delivery cap, sweeper ---
# Redis redelivers an unacknowledged message after the visibility timeout: it must exceed
# every task's hard time limit, or a long task would run twice at once (asserted in
# tests/foundation/test_job_recovery.py).
CELERY_BROKER_VISIBILITY_TIMEOUT = env_int(
    "CELERY_BROKER_VISIBILITY_TIMEOUT", max(3600, 2 * CELERY_TASK_TIME_LIMIT)
)
if CELERY_BROKER_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "CELERY_BROKER_VISIBILITY_TIMEOUT must exceed CELERY_TASK_TIME_LIMIT "
        f"({CELERY_BROKER_VISIBILITY_TIMEOUT} <= {CELERY_TASK_TIME_LIMIT})"
    )
if not CELERY_BROKER_URL.startswith("filesystem"):
    CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = CELERY_BROKER_VISIBILITY_TIMEOUT
# A job is started at most this many times (a file that kills its worker ends failed).
PORTAL_JOB_MAX_ATTEMPTS = env_int("PORTAL_JOB_MAX_ATTEMPTS", 3)
# A running job silent beyond its task's hard time limit plus this is run by no one.
PORTAL_JOB_STALE_GRACE_SECONDS = env_int("PORTAL_JOB_STALE_GRACE_SECONDS", 60)
# A job still queued after this long (its message lost) is sent again.
PORTAL_JOB_QUEUED_RESEND_SECONDS = env_int("PORTAL_JOB_QUEUED_RESEND_SECONDS", 1800)
PORTAL_JOB_SWEEP_SECONDS = env_int("PORTAL_JOB_SWEEP_SECONDS", 300)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Filled by the apps (see vpr_portal/celery.py): nightly recomputes, reminders.
CELERY_BEAT_SCHEDULE: dict = {}
# Job recovery: re-queue or fail jobs lost with their worker.
CELERY_BEAT_SCHEDULE["portal-sweep-stuck-jobs"] = {
    "task": "portal.sweep_stuck_jobs",
    "schedule": float(PORTAL_JOB_SWEEP_SECONDS),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # Basic and token checks counted and locked by axes.
        "vpr_portal.login_security.AxesBasicAuthentication",
        "vpr_portal.login_security.AxesTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ВПР: объективность — API",
    "DESCRIPTION": "API портала объективности ВПР. Доступ ограничен ролью пользователя.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI at /api/docs/ from drf-spectacular-sidecar
    # (no CDN); the schema and the docs need a login like the rest of the API.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "vpr_portal.api_schema.document_errors_and_times",
    ],
}

# --- Content-Security-Policy (django-csp 4) ---
# No inline script anywhere (templates move behaviour to static/js; htmx's eval and its
# injected indicator styles are off in base.html). Inline *styles* stay allowed: templates
# use style attributes for computed widths and PDFs' print styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF, CSP_UNSAFE_INLINE],
        "img-src": [CSP_SELF, "data:"],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
        "form-action": [CSP_SELF],
    }
}
# The other headers, in every mode (production adds HSTS and secure cookies below).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Portal-specific knobs (later issues add theirs here and in admin).
PORTAL_SHOW_DEMO_USERS = env_bool("PORTAL_SHOW_DEMO_USERS", DEBUG)
PORTAL_HEALTH_WORKER_TIMEOUT = env_float("PORTAL_HEALTH_WORKER_TIMEOUT", 10.0)
PORTAL_JOB_POLL_SECONDS = env_int("PORTAL_JOB_POLL_SECONDS", 1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # PDF rendering logs every step at INFO; keep worker logs readable.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

if not DEBUG:
    # Production hardening: the portal holds children's results (152-ФЗ).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    SESSION_COOKIE_HTTPONLY = True
PORTAL_REGION_NAME = env_str("PORTAL_REGION_NAME", "Регион")
# The portal's public address for links in e-mails, e.g. https://vpr.example.ru (none when empty).
PORTAL_URL = env_str("PORTAL_URL", "")

# --- Observers ---

# Phone photos attached to a visit act: larger files are refused with a message.
OBSERVERS_PHOTO_MAX_BYTES = env_int("OBSERVERS_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
OBSERVERS_PHOTOS_PER_ACT = env_int("OBSERVERS_PHOTOS_PER_ACT", 10)
OBSERVERS_PORTAL_URL = PORTAL_URL
# The day-before reminder: hourly during the day; each assignment is reminded once.
CELERY_BEAT_SCHEDULE["observers-day-before"] = {
    "task": "observers.send_day_before_reminders",
    "schedule": crontab(minute=0, hour="9-20"),
}

# --- Plans of measures: reminder e-mails to the parties responsible for items ---
PLANS_REMINDER_DAYS_BEFORE = env_int("PLANS_REMINDER_DAYS_BEFORE", 7)
PLANS_OVERDUE_REMINDER_EVERY_DAYS = env_int("PLANS_OVERDUE_REMINDER_EVERY_DAYS", 7)
PLANS_PORTAL_URL = PORTAL_URL
CELERY_BEAT_SCHEDULE["plans-reminders"] = {
    "task": "plans.send_reminders",
    # Daily, before the working day; the job itself never sends a reminder twice a day.
    "schedule": crontab(hour=7, minute=30),
}
# Import previews left unsaved are deleted after this many days (daily, at night).
PLANS_IMPORT_DRAFT_DAYS = env_int("PLANS_IMPORT_DRAFT_DAYS", 30)
CELERY_BEAT_SCHEDULE["plans-import-drafts"] = {
    "task": "plans.delete_stale_import_drafts",
    "schedule": crontab(hour=3, minute=0),
}

# --- Results ---
# Larger result files go through `manage.py import_results` (no browser upload limit).
PORTAL_RESULTS_MAX_UPLOAD_MB = env_int("PORTAL_RESULTS_MAX_UPLOAD_MB", 200)

# --- Hostile uploads: limits of the guarded zip reader (guarded_archive.py) ---
# Checked from the zip's central directory before any parser runs (xlsx, docx, ods), and the
# bytes really inflated are capped while reading. A 1,000,000-row F1 sheet is ≈ 610 MB of XML
# at a ratio ≈ 7; Excel's own files stay below a ratio of 30.
UPLOADS_ZIP_MAX_ENTRIES = env_int("UPLOADS_ZIP_MAX_ENTRIES", 1000)
UPLOADS_ZIP_MAX_UNCOMPRESSED_MB = env_int("UPLOADS_ZIP_MAX_UNCOMPRESSED_MB", 2048)
UPLOADS_ZIP_MAX_RATIO = env_int("UPLOADS_ZIP_MAX_RATIO", 100)
# Parts read whole into memory (shared strings, workbook.xml, document.xml).
UPLOADS_ZIP_MAX_PART_MB = env_int("UPLOADS_ZIP_MAX_PART_MB", 256)
# calamine and openpyxl hold a whole sheet in memory (≈ 2.4× its XML): the files the
# streaming scanner leaves to them may inflate to at most this much.
UPLOADS_ZIP_FALLBACK_MAX_UNCOMPRESSED_MB = env_int("UPLOADS_ZIP_FALLBACK_MAX_UNCOMPRESSED_MB", 256)
# Small tables read whole (registry of schools, observers, schedule, official list).
UPLOADS_ZIP_TABLE_MAX_UNCOMPRESSED_MB = env_int("UPLOADS_ZIP_TABLE_MAX_UNCOMPRESSED_MB", 64)
# Plan documents (.docx, .xlsx): the upload size and the inflated size.
PLANS_IMPORT_MAX_UPLOAD_MB = env_int("PLANS_IMPORT_MAX_UPLOAD_MB", 20)
PLANS_IMPORT_MAX_UNCOMPRESSED_MB = env_int("PLANS_IMPORT_MAX_UNCOMPRESSED_MB", 50)

# --- Objectivity indicators ---
# Defaults of the admin-editable levels (results.IndicatorSettings) until the row is saved.
INDICATORS_DEFAULTS = {
    "fdr_level": env_float("INDICATORS_FDR_LEVEL", 0.05),
    "min_pupils": env_int("INDICATORS_MIN_PUPILS", 20),
}
# After an upload only the changed schools are evaluated, against the region's references
# frozen at the last full pass, while the pupils so re-evaluated since then stay within this
# share of the test's pupils; beyond it (and every night) the whole test is evaluated again.
INDICATORS_INCREMENTAL_MAX_SHARE = env_float("INDICATORS_INCREMENTAL_MAX_SHARE", 0.02)
# The worker must know the indicators' tasks before the first upload sends one.
CELERY_IMPORTS = ("results.indicators.tasks",)
CELERY_BEAT_SCHEDULE["indicators-nightly"] = {
    "task": "results.indicators.recompute_nightly",
    # After midnight: every year with results; unchanged tests are reused by their hash.
    "schedule": crontab(hour=2, minute=15),
}

# --- Retention of pupil-level data (docs/security.md) ---
# Pupils' rows, packs and result files of tests this many years old are deleted monthly
# (`manage.py purge_pupil_rows [--dry-run]`); aggregates and signs are kept.
PORTAL_PUPIL_ROWS_RETENTION_YEARS = env_int("PORTAL_PUPIL_ROWS_RETENTION_YEARS", 5)
CELERY_BEAT_SCHEDULE["results-purge-pupil-rows"] = {
    "task": "results.purge_pupil_rows",
    "schedule": crontab(day_of_month=1, hour=4, minute=0),
}
