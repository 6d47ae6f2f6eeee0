from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Планы мероприятий"

    def ready(self) -> None:
        from plans import selectors
        from vpr_portal.roles import Role
        from vpr_portal.selectors import register_dashboard_panel

        register_dashboard_panel(Role.STAFF, selectors.staff_dashboard_panel)
        register_dashboard_panel(Role.COORDINATOR, selectors.coordinator_dashboard_panel)
