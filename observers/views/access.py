"""Who may open the observers' pages (beyond ``staff_required``)."""

from schools.roles import Role, role_required

observer_required = role_required(Role.OBSERVER)
schedule_roles_required = role_required(Role.STAFF, Role.ADMINISTRATOR, Role.COORDINATOR)
