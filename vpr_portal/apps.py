from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Cross-cutting models: background jobs that pages poll."""

    name = "vpr_portal"
    label = "portal"
    verbose_name = "Портал"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from vpr_portal.sqlite import install_unicode_like

        connection_created.connect(install_unicode_like, dispatch_uid="portal-unicode-like")
        # Login security: stamps the login time that the absolute session expiry reads.
        from vpr_portal import login_security  # noqa: F401
