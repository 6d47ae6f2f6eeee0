from django.conf import settings
from django.http import HttpRequest

import vpr_portal


def portal(request: HttpRequest) -> dict:
    """The portal's own values; the user's roles come from schools.context_processors."""
    return {
        "portal_version": vpr_portal.__version__,
        "portal_debug": settings.DEBUG,
        "job_poll_seconds": settings.PORTAL_JOB_POLL_SECONDS,
    }
