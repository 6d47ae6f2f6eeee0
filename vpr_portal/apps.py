from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Cross-cutting models: background jobs that pages poll."""

    name = "vpr_portal"
    label = "portal"
    verbose_name = "Портал"
