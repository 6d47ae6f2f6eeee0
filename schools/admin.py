from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from schools.models import Membership, Municipality, Region, School


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name",)


@admin.register(Municipality)
class MunicipalityAdmin(SimpleHistoryAdmin):  # audit: «История» button (issue 11)
    list_display = ("name", "region")
    list_filter = ("region",)
    search_fields = ("name",)


@admin.register(School)
class SchoolAdmin(SimpleHistoryAdmin):  # audit: «История» button (issue 11)
    list_display = ("login", "display_name", "municipality", "school_type", "locality", "is_active")
    list_filter = ("municipality", "school_type", "locality", "is_active")
    search_fields = ("login", "full_name", "short_name", "director")
    list_select_related = ("municipality",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "region", "municipality", "school")
    list_filter = ("role",)
    search_fields = ("user__username", "school__login", "school__short_name")
    autocomplete_fields = ("school", "municipality", "region")
    list_select_related = ("user", "region", "municipality", "school")
