"""Django admin is for administrators only (not for department staff)."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class PortalAdminSite(admin.AdminSite):
    site_header = "ВПР: объективность — администрирование"
    site_title = "Администрирование портала"
    index_title = "Справочники и пользователи"

    def has_permission(self, request) -> bool:
        from vpr_portal.roles import is_administrator

        user = request.user
        return bool(user.is_active and user.is_staff and is_administrator(user))


class PortalAdminConfig(AdminConfig):
    default_site = "vpr_portal.admin_site.PortalAdminSite"
