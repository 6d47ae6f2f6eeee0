from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = "Территории и ОО"

    def ready(self) -> None:
        # The ground floor (vpr_portal) imports no app: it is told about roles, the
        # dashboard's figures and the demo from here.
        from schools import demo, roles, selectors
        from vpr_portal import access
        from vpr_portal import demo as portal_demo
        from vpr_portal.selectors import register_dashboard_context

        access.install(roles_of=roles.roles_of)
        register_dashboard_context(selectors.dashboard_figures)
        portal_demo.register_step(order=10, module="schools.demo", has_data=demo.has_data)
