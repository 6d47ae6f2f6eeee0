"""One DRF router; each app registers its viewsets in its api.py."""

from rest_framework.routers import DefaultRouter

from observers import api as observers_api
from plans import api as plans_api
from results import api as results_api
from schools import api as schools_api

router = DefaultRouter()
schools_api.register(router)
results_api.register(router)
plans_api.register(router)
observers_api.register(router)

urlpatterns = router.urls
