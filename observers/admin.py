from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from observers.models import (
    Act,
    ActPhoto,
    Assignment,
    AssignmentRefusal,
    Observer,
    ObserverTie,
    ScheduledSession,
    ViolationType,
)


class ObserverTieInline(admin.TabularInline):
    model = ObserverTie
    extra = 0
    autocomplete_fields = ("school",)


@admin.register(Observer)
class ObserverAdmin(admin.ModelAdmin):
    list_display = ("full_name", "municipality", "status", "accredited_until", "email", "user")
    list_filter = ("status", "municipality")
    search_fields = (
        "last_name",
        "first_name",
        "middle_name",
        "email",
        "phone",
        "certificate_number",
    )
    list_select_related = ("municipality", "user")
    raw_id_fields = ("user",)
    inlines = [ObserverTieInline]


@admin.register(ObserverTie)
class ObserverTieAdmin(admin.ModelAdmin):
    list_display = ("observer", "school", "kind")
    list_filter = ("kind",)
    search_fields = ("observer__last_name", "school__login", "school__short_name")
    autocomplete_fields = ("observer", "school")


@admin.register(ScheduledSession)
class ScheduledSessionAdmin(admin.ModelAdmin):
    list_display = ("date", "start_time", "end_time", "school", "test", "class_label")
    list_filter = ("date", "test__year", "school__municipality")
    search_fields = ("school__login", "school__short_name", "class_label", "test__subject")
    list_select_related = ("school", "test")
    autocomplete_fields = ("school",)
    raw_id_fields = ("entered_by",)
    date_hierarchy = "date"


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):  # audit: «История» button (issue 11)
    # Rules are enforced by the service used in the pages; admin is for repairs.
    list_display = (
        "date",
        "start_time",
        "observer",
        "session",
        "stage",
        "status",
        "notified_at",
        "reminded_at",
    )
    list_filter = ("status", "stage", "date")
    search_fields = ("observer__last_name", "session__school__short_name", "session__school__login")
    list_select_related = ("observer", "session__school", "session__test")
    raw_id_fields = ("observer", "session", "assigned_by")
    date_hierarchy = "date"


@admin.register(AssignmentRefusal)
class AssignmentRefusalAdmin(admin.ModelAdmin):
    list_display = ("created_at", "observer", "session", "stage", "reason")
    list_filter = ("stage",)
    search_fields = ("observer__last_name", "reason")
    list_select_related = ("observer", "session__school", "session__test")
    raw_id_fields = ("observer", "session", "attempted_by")

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # a log: read, don't rewrite


@admin.register(ViolationType)
class ViolationTypeAdmin(admin.ModelAdmin):
    list_display = ("position", "title", "stage_hint", "is_active", "code")
    list_display_links = ("title",)
    list_editable = ("position", "is_active")
    list_filter = ("is_active", "stage_hint")
    search_fields = ("title", "code")


class ActPhotoInline(admin.TabularInline):
    model = ActPhoto
    extra = 0
    readonly_fields = ("original_name", "width", "height", "uploaded_at")


@admin.register(Act)
class ActAdmin(SimpleHistoryAdmin):  # audit: «История» button (issue 11)
    list_display = ("pk", "assignment", "status", "no_violations", "submitted_at", "reviewed_at")
    list_filter = ("status", "no_violations")
    search_fields = (
        "assignment__observer__last_name",
        "assignment__session__school__short_name",
        "comments",
    )
    list_select_related = (
        "assignment__observer",
        "assignment__session__school",
        "assignment__session__test",
    )
    raw_id_fields = ("assignment", "reviewed_by")
    filter_horizontal = ("violations",)
    inlines = [ActPhotoInline]


@admin.register(ActPhoto)
class ActPhotoAdmin(admin.ModelAdmin):
    list_display = ("original_name", "act", "width", "height", "uploaded_at")
    raw_id_fields = ("act",)
