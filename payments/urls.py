from django.urls import path

from .views import person, webhooks

app_name = "payments"

urlpatterns = [
    path("webhooks/stripe/", webhooks.platform, name="webhook"),
    path("webhooks/stripe-connect/", webhooks.connect, name="webhook-connect"),
    path("invoices/", person.invoices, name="invoices"),
    path("invoices/<int:invoice_id>/pay/", person.pay, name="pay"),
    path("invoices/<int:invoice_id>/paid/", person.paid, name="paid"),
]
