from django.urls import path

from .views import finance

app_name = "payments-finance"

urlpatterns = [
    path("", finance.overview, name="overview"),
    path("card/<int:payment_id>/refund/", finance.refund, name="refund"),
    path("transfers/<int:transfer_id>/retry/", finance.transfer_retry, name="transfer-retry"),
    path("events/", finance.events, name="events"),
    path("events/<int:event_id>/replay/", finance.event_replay, name="event-replay"),
    path("reconciliation/", finance.reconciliation, name="reconciliation"),
]
