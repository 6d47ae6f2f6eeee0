from django.contrib import admin

from results.models import PupilResult, ResultSlot, ResultVersion, Test, TestTask, Upload


class TestTaskInline(admin.TabularInline):
    model = TestTask
    extra = 0
    ordering = ("position",)


@admin.register(Test)
class TestAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "year",
        "session",
        "subject",
        "grade",
        "max_score",
        "cut_3",
        "cut_4",
        "cut_5",
    )
    list_filter = ("year", "session", "subject", "grade")
    search_fields = ("subject",)
    inlines = [TestTaskInline]


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    list_display = (
        "original_filename",
        "status",
        "test",
        "school",
        "municipality",
        "rows_total",
        "rows_applied",
        "rows_rejected",
        "source",
        "created_by",
        "created_at",
    )
    list_filter = ("status", "source", "test__year", "municipality")
    search_fields = ("original_filename", "sha256", "school__login", "school__short_name")
    list_select_related = ("test", "school", "municipality", "created_by")
    raw_id_fields = ("test", "school", "municipality", "job", "created_by")
    readonly_fields = ("sha256", "size", "created_at", "started_at", "finished_at", "summary")


@admin.register(ResultVersion)
class ResultVersionAdmin(admin.ModelAdmin):
    list_display = ("school", "test", "number", "rows", "upload", "created_at", "replaced_at")
    list_filter = ("test__year", "test")
    search_fields = ("school__login", "school__short_name")
    list_select_related = ("school", "test", "upload")
    raw_id_fields = ("school", "test", "upload", "replaced_by")


@admin.register(ResultSlot)
class ResultSlotAdmin(admin.ModelAdmin):
    list_display = ("school", "test", "current")
    list_filter = ("test__year", "test")
    search_fields = ("school__login", "school__short_name")
    list_select_related = ("school", "test", "current")
    raw_id_fields = ("school", "test", "current")


@admin.register(PupilResult)
class PupilResultAdmin(admin.ModelAdmin):
    """Read-only: rows change only through uploads, which keep the history."""

    list_display = (
        "participant_code",
        "school",
        "test",
        "class_label",
        "primary_score",
        "mark",
        "journal_mark",
        "mark_matches_scale",
    )
    list_filter = ("test", "mark", "mark_matches_scale")
    search_fields = ("participant_code", "school__login")
    list_select_related = ("school", "test")
    show_full_result_count = False  # counting millions of rows on every page is slow

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
