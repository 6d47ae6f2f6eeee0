from django.urls import path

from results import views

app_name = "results"
urlpatterns = [
    path("catalog/", views.catalog, name="catalog"),
    path("catalog/<int:test_id>/", views.catalog_detail, name="catalog_detail"),
]
