from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "results"
    verbose_name = "Результаты ВПР"

    def ready(self) -> None:
        from vpr_portal import demo

        demo.register_step(order=20, module="results.demo")  # seed_demo runs steps by order
        from results.dashboard import results_panel
        from schools.roles import Role, has_role, is_department_staff
        from vpr_portal.selectors import register_dashboard_panel

        # One panel per user even with several roles: staff first, else coordinator.
        register_dashboard_panel(Role.STAFF, results_panel)
        register_dashboard_panel(
            Role.COORDINATOR,
            lambda user: None if is_department_staff(user) else results_panel(user),
        )
        register_dashboard_panel(
            Role.ADMINISTRATOR,
            lambda user: None if has_role(user, Role.STAFF) else results_panel(user),
        )

        from results.indicators.dashboard import register as register_indicator_panels

        register_indicator_panels()

        # Job recovery (sec-celery): an upload follows its job when the sweeper or the
        # delivery cap fails it; uploads no job will finish are failed by the sweeper.
        from results.services.uploads import fail_orphaned_uploads, follow_abandoned_job
        from vpr_portal.jobs import job_abandoned
        from vpr_portal.sweeper import register_sweep

        job_abandoned.connect(follow_abandoned_job, dispatch_uid="results-follow-abandoned-job")
        register_sweep(fail_orphaned_uploads)
