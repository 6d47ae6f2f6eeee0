from django.urls import path

from observers import views

app_name = "observers"
urlpatterns = [
    path("", views.index, name="index"),
]
