from django.apps import AppConfig


class ObserversConfig(AppConfig):
    name = "observers"
    verbose_name = "Общественные наблюдатели"

    def ready(self) -> None:
        from observers import selectors
        from vpr_portal.roles import Role
        from vpr_portal.selectors import register_dashboard_panel

        register_dashboard_panel(Role.OBSERVER, selectors.observer_panel)
        register_dashboard_panel(Role.STAFF, selectors.staff_panel)
        register_dashboard_panel(Role.COORDINATOR, selectors.coordinator_panel)
