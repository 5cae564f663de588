from django.urls import path

from . import views

app_name = "outbox"

urlpatterns = [
    path("", views.background, name="background"),
    path("emails/<int:email_id>/retry/", views.email_retry, name="email-retry"),
]
