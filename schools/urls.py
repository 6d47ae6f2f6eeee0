from django.urls import path

from schools import views

app_name = "schools"
urlpatterns = [
    path("", views.school_list, name="list"),
    path("import/", views.registry_import, name="import"),
    path("<int:school_id>/", views.school_detail, name="detail"),
]
