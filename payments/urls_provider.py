from django.urls import path

from .views import provider

app_name = "payouts"

urlpatterns = [
    path("", provider.page, name="page"),
    path("start/", provider.start, name="start"),
    path("refresh/", provider.refresh, name="refresh"),
    path("return/", provider.back, name="return"),
]
