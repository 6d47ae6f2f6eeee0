"""Settings for the VPR objectivity portal.

One module for every environment: everything that differs between a developer's
machine, CI and production comes from environment variables (see README).
"""

from pathlib import Path

import dj_database_url
import dj_email_url
from celery.schedules import crontab
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
    "django_htmx",
    "template_partials",
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
    # --- sec-access: denials logged to "vpr_portal.access" (keep innermost, last) ---
    "vpr_portal.access_log.AccessDenialLogMiddleware",
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

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
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
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
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
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Filled by the apps (see vpr_portal/celery.py): nightly recomputes, reminders.
CELERY_BEAT_SCHEDULE: dict = {}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
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
}

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
