"""The commissioner's home page: /commissioners/."""

from django.shortcuts import render

from providers.permissions import require_commissioner

from .selectors import home_counts


def home(request):
    require_commissioner(request.user)
    return render(request, "commissioning/home.html", {"counts": home_counts()})
