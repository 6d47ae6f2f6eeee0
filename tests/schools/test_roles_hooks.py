"""schools.roles answers what the ground floor (vpr_portal.access) asks about a user."""

import pytest
from django.contrib.auth.models import AnonymousUser

from schools import roles
from schools.roles import Role
from vpr_portal import access, demo, selectors

pytestmark = pytest.mark.django_db


def test_the_portal_asks_schools_for_a_users_roles(staff_user, coordinator):
    assert access.roles_of(staff_user) == roles.roles_of(staff_user) == {Role.STAFF}
    assert access.roles_of(coordinator) == {Role.COORDINATOR}
    assert access.roles_of(AnonymousUser()) == set()


def test_the_portals_administrator_is_the_administrator_role(django_user_model):
    assert access.ADMINISTRATOR == Role.ADMINISTRATOR
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    assert access.is_administrator(admin) and roles.is_administrator(admin)


def test_the_dashboard_gets_its_figures_from_schools(staff_user):
    context = selectors.dashboard_for(staff_user)
    assert context["role_labels"] == [Role.STAFF.label]
    assert context["school_count"] == roles.visible_schools(staff_user).count()


def test_the_demo_runs_every_apps_step_schools_first():
    modules = [step.module for step in demo.steps()]
    assert modules == ["schools.demo", "results.demo", "observers.demo", "plans.demo"]
