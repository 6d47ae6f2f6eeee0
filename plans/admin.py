from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from plans.models import (
    DeadlineWindow,
    Evidence,
    Item,
    KnownParty,
    Plan,
    PlanImportDraft,
    ReminderLog,
    Responsible,
    SchoolReport,
    Section,
)


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    fields = ("position", "number", "title")


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):  # audit: «История» button (issue 11)
    list_display = ("title", "municipality", "period_start", "period_end", "status")
    list_filter = ("status", "municipality")
    search_fields = ("title", "basis", "order_reference")
    list_select_related = ("municipality",)
    raw_id_fields = ("copied_from", "created_by")
    inlines = [SectionInline]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "plan", "position")
    search_fields = ("title", "plan__title")
    raw_id_fields = ("plan",)


class WindowInline(admin.TabularInline):
    model = DeadlineWindow
    extra = 0


class ResponsibleInline(admin.TabularInline):
    model = Responsible
    extra = 0
    raw_id_fields = ("school", "user", "party")


@admin.register(Item)
class ItemAdmin(SimpleHistoryAdmin):  # audit: «История» button (issue 11)
    list_display = ("number", "text_short", "plan", "deadline_text", "deadline_kind", "status")
    list_filter = ("status", "deadline_kind", "plan__municipality")
    search_fields = ("text", "number", "deadline_text", "responsible_text")
    raw_id_fields = ("plan", "section", "parent")
    list_select_related = ("plan",)
    inlines = [WindowInline, ResponsibleInline]

    @admin.display(description="мероприятие")
    def text_short(self, obj: Item) -> str:
        return obj.text[:80]


@admin.register(DeadlineWindow)
class DeadlineWindowAdmin(admin.ModelAdmin):
    list_display = ("item", "start", "end", "from_schedule")
    raw_id_fields = ("item",)


@admin.register(KnownParty)
class KnownPartyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "role", "municipality")
    list_filter = ("kind", "role", "municipality")
    search_fields = ("name", "aliases")
    filter_horizontal = ("users",)


@admin.register(Responsible)
class ResponsibleAdmin(admin.ModelAdmin):
    list_display = ("text", "kind", "role", "school", "user", "item")
    list_filter = ("kind", "role")
    search_fields = ("text",)
    raw_id_fields = ("item", "school", "user", "party")


@admin.register(SchoolReport)
class SchoolReportAdmin(admin.ModelAdmin):
    list_display = ("item", "school", "status", "completed_on", "updated_at")
    list_filter = ("status",)
    raw_id_fields = ("item", "school", "reported_by")


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ("__str__", "item", "school", "created_at")
    raw_id_fields = ("item", "school", "added_by")


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ("item", "user", "kind", "window_end", "sent_on")
    list_filter = ("kind", "sent_on")
    raw_id_fields = ("item", "user")


@admin.register(PlanImportDraft)
class PlanImportDraftAdmin(admin.ModelAdmin):
    list_display = ("__str__", "municipality", "created_by", "created_at")
    raw_id_fields = ("created_by",)
