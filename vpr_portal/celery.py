"""The Celery application.

Configuration lives in Django settings under the CELERY_ prefix, so the web
process, the worker and beat read one source of truth.
"""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vpr_portal.settings")

app = Celery("vpr_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def sweep_when_a_worker_starts(sender, **kwargs) -> None:
    """A (re)started worker looks for jobs its predecessor lost, without waiting for beat."""
    sender.app.send_task("portal.sweep_stuck_jobs")
