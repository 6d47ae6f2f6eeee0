"""One DRF router; each app registers its viewsets in its api.py."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from observers import api as observers_api
from plans import api as plans_api
from results import api as results_api
from schools import api as schools_api
from vpr_portal import api_auth

router = DefaultRouter()
schools_api.register(router)
results_api.register(router)
plans_api.register(router)
observers_api.register(router)

urlpatterns = [
    # --- Login security (issue 11): a token for scripts, from a username and password ---
    path("auth/token/", api_auth.ObtainTokenView.as_view(), name="api-token"),
    # --- end login security ---
    *router.urls,
]
