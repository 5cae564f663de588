"""A provider's own invoices, mounted at /provider/<slug>/invoices/."""

from django.urls import path

from . import views

app_name = "provider-invoices"

urlpatterns = [
    path("", views.provider_invoices, name="list"),
    path("<int:invoice_id>/", views.provider_invoice, name="invoice"),
    path("<int:invoice_id>/pdf/", views.provider_invoice_pdf, name="invoice-pdf"),
]
