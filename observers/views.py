from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vpr_portal.roles import role_required
from vpr_portal.roles import Role


@role_required(Role.STAFF, Role.ADMINISTRATOR, Role.OBSERVER)
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/coming_soon.html", {"title": "Общественные наблюдатели"})
