from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Планы мероприятий"

    def ready(self) -> None:
        from vpr_portal import demo

        demo.register_step(order=40, module="plans.demo")  # seed_demo runs steps by order
        from plans import selectors
        from schools.roles import Role
        from vpr_portal.selectors import register_dashboard_panel

        register_dashboard_panel(Role.STAFF, selectors.staff_dashboard_panel)
        register_dashboard_panel(Role.COORDINATOR, selectors.coordinator_dashboard_panel)
