from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vpr_portal.roles import staff_required


@staff_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/coming_soon.html", {"title": "Планы мероприятий"})
