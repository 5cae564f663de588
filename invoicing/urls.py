from django.urls import path

from . import views

app_name = "invoicing"

urlpatterns = [
    path("", views.invoices, name="invoices"),
    path("run/", views.invoicing_start, name="run"),
    path("<int:invoice_id>/", views.invoice_detail, name="invoice"),
    path("<int:invoice_id>/pdf/", views.invoice_pdf, name="invoice-pdf"),
]
