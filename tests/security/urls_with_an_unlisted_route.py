"""The project's URLconf plus one route the access matrix does not list (for its self-test)."""

from django.http import HttpResponse
from django.urls import path

from vpr_portal.urls import handler404  # noqa: F401
from vpr_portal.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *project_urlpatterns,
    path("secret/<int:school_id>/", lambda request, school_id: HttpResponse(), name="unlisted"),
]
