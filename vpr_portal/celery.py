"""The Celery application.

Configuration lives in Django settings under the CELERY_ prefix, so the web
process, the worker and beat read one source of truth.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vpr_portal.settings")

app = Celery("vpr_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
