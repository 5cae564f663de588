from django.urls import path

from . import views

app_name = "providers"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-up/", views.sign_up, name="sign-up"),
    path("checks/<int:check_id>/file/", views.check_file, name="check-file"),
    path("<slug:slug>/", views.dashboard, name="dashboard"),
    path("<slug:slug>/sign-up/<slug:step>/", views.onboarding, name="onboarding"),
    path("<slug:slug>/submit/", views.submit, name="submit"),
    path("<slug:slug>/checks/new/", views.check_upload, name="check-upload"),
    path("<slug:slug>/services/new/", views.service_create, name="service-create"),
    path("<slug:slug>/services/<int:service_id>/", views.service_edit, name="service-edit"),
    path(
        "<slug:slug>/services/<int:service_id>/availability/", views.service_availability, name="service-availability"
    ),
    path(
        "<slug:slug>/services/<int:service_id>/availability/<int:slot_id>/remove/",
        views.availability_remove,
        name="availability-remove",
    ),
    path(
        "<slug:slug>/services/<int:service_id>/exceptions/<int:exception_id>/remove/",
        views.exception_remove,
        name="exception-remove",
    ),
    path("<slug:slug>/members/", views.members, name="members"),
    path("<slug:slug>/members/<int:membership_id>/remove/", views.member_remove, name="member-remove"),
]
