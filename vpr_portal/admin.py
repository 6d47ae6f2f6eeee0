from django.contrib import admin

from vpr_portal.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "kind",
        "status",
        "progress",
        "created_by",
        "created_at",
        "finished_at",
        "attempts",
    )
    list_filter = ("kind", "status")
    search_fields = ("title", "message")
    readonly_fields = (
        "created_at",
        "started_at",
        "finished_at",
        "attempts",
        # Recovery (vpr_portal/sweeper.py): who runs it, its last sign of life, its task.
        "worker",
        "heartbeat_at",
        "task_name",
        "task_args",
    )
