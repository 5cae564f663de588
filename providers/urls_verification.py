"""The commissioners' verification queue, mounted at /commissioners/verification/."""

from django.urls import path

from . import views

app_name = "verification"

urlpatterns = [
    path("", views.verification_queue, name="queue"),
    path("providers/<slug:slug>/", views.verification_provider, name="provider"),
    path("providers/<slug:slug>/decide/", views.verification_provider_decide, name="provider-decide"),
    path("providers/<slug:slug>/suspend/", views.verification_provider_suspend, name="provider-suspend"),
    path("providers/<slug:slug>/cqc-exemption/", views.verification_exemption, name="provider-exemption"),
    path("checks/<int:check_id>/decide/", views.verification_check_decide, name="check-decide"),
    path("changes/<int:change_id>/decide/", views.verification_change_decide, name="change-decide"),
]
