from django.urls import path

from . import views

app_name = "quality"

urlpatterns = [
    path("", views.flags, name="flags"),
    path("<int:flag_id>/decide/", views.flag_decide, name="flag-decide"),
]
