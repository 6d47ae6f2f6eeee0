from django.contrib import admin

from vpr_portal.models import ImportBatch, Job, PupilDataAccess


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


# --- Audit (issue 11): read-only journals ---


class ReadOnlyAdminMixin:
    """Journals and pupils' rows: administrators read them, nobody edits them in admin."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "at",
        "kind",
        "channel",
        "user",
        "file_name",
        "succeeded",
        "created",
        "updated",
        "refused",
        "reference",
    )
    list_filter = ("kind", "channel", "succeeded")
    search_fields = ("file_name", "reference", "user__username")
    date_hierarchy = "at"


@admin.register(PupilDataAccess)
class PupilDataAccessAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "user_ref", "channel", "route", "row_count", "school_ids")
    list_filter = ("channel", "route")
    search_fields = ("route",)
    date_hierarchy = "at"
