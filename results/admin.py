from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from results.models import (
    OfficialListEntry,
    OfficialListImport,
    PupilResult,
    ResultSlot,
    ResultVersion,
    Test,
    TestTask,
    Upload,
)
from vpr_portal import audit
from vpr_portal.admin import ReadOnlyAdminMixin


class TestTaskInline(admin.TabularInline):
    model = TestTask
    extra = 0
    ordering = ("position",)


@admin.register(Test)
class TestAdmin(SimpleHistoryAdmin):  # audit: «История» button (issue 11)
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
class PupilResultAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:  # audit: pupils' rows shown (issue 11)
            shown = list(changelist.result_list)
            audit.log_pupil_access(
                user=request.user,
                route="admin:results_pupilresult_changelist",
                school_ids=[row.school_id for row in shown],
                row_count=len(shown),
                channel="admin",
            )
        return response


# --- Audit (issue 11): official lists with their history ---


class OfficialListEntryInline(admin.TabularInline):
    model = OfficialListEntry
    extra = 0
    fields = ("year", "login", "school", "marker_count", "markers")
    readonly_fields = fields
    can_delete = False


@admin.register(OfficialListImport)
class OfficialListImportAdmin(SimpleHistoryAdmin):
    list_display = ("original_filename", "year", "rows", "created_by", "created_at")
    list_filter = ("year",)
    readonly_fields = ("created_at",)
    inlines = [OfficialListEntryInline]


@admin.register(OfficialListEntry)
class OfficialListEntryAdmin(SimpleHistoryAdmin):
    list_display = ("login", "year", "school", "marker_count", "list_import")
    list_filter = ("year",)
    search_fields = ("login", "school_name")
    raw_id_fields = ("school", "list_import")
