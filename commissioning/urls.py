from django.urls import path

from . import views

app_name = "commissioning"

urlpatterns = [path("", views.home, name="home")]
