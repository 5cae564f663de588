from django.urls import path

from market.urls import urlpatterns as market_urlpatterns

from .views import baseline

urlpatterns = [path("bench/baseline/", baseline, name="bench-baseline"), *market_urlpatterns]
