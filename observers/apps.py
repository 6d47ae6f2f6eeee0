from django.apps import AppConfig


class ObserversConfig(AppConfig):
    name = "observers"
    verbose_name = "Общественные наблюдатели"

    def ready(self) -> None:
        from vpr_portal import demo

        demo.register_step(order=30, module="observers.demo")  # seed_demo runs steps by order
        from observers import selectors
        from schools.roles import Role
        from vpr_portal.selectors import register_dashboard_panel

        register_dashboard_panel(Role.OBSERVER, selectors.observer_panel)
        register_dashboard_panel(Role.STAFF, selectors.staff_panel)
        register_dashboard_panel(Role.COORDINATOR, selectors.coordinator_panel)
