"""A person's notices, mounted at /account/notices/."""

from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [path("", views.notices, name="list")]
