"""Django admin is for administrators only (not for department staff)."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

from vpr_portal import access


class PortalAdminSite(admin.AdminSite):
    site_header = "ВПР: объективность — администрирование"
    site_title = "Администрирование портала"
    index_title = "Справочники и пользователи"

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and access.is_administrator(user))


class PortalAdminConfig(AdminConfig):
    default_site = "vpr_portal.admin_site.PortalAdminSite"
