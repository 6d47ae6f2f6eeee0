from django.urls import path

from results.indicators import views

# Included by results/urls.py: the names live in the "results" namespace.
urlpatterns = [
    path("", views.dashboard, name="indicators"),
    path("recompute/", views.recompute, name="indicators_recompute"),
    path("schools/<int:school_id>/", views.school_card, name="indicators_card"),
    path("official-list/", views.official_list_page, name="indicators_official_list"),
    path("official-list.xlsx", views.official_list_xlsx, name="indicators_official_xlsx"),
]
