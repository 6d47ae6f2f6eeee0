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
    )
    list_filter = ("kind", "status")
    search_fields = ("title", "message")
    readonly_fields = ("created_at", "started_at", "finished_at", "attempts")
