from django.contrib import admin

from results.models import Test, TestTask


class TestTaskInline(admin.TabularInline):
    model = TestTask
    extra = 0
    ordering = ("position",)


@admin.register(Test)
class TestAdmin(admin.ModelAdmin):
    list_display = ("__str__", "year", "session", "subject", "grade", "max_score", "cut_3", "cut_4", "cut_5")
    list_filter = ("year", "session", "subject", "grade")
    search_fields = ("subject",)
    inlines = [TestTaskInline]
