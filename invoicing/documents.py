"""An invoice as a PDF (WeasyPrint), made from the same facts as its page: rendered once, stored privately."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from .models import Invoice


def invoice_html(invoice: Invoice) -> str:
    return render_to_string("invoicing/invoice_pdf.html", {
        "invoice": invoice, "lines": invoice.lines.all(), "council_name": settings.COUNCIL_NAME,
        "site_name": settings.SITE_NAME,
    })


def invoice_pdf_bytes(invoice: Invoice) -> bytes:
    from weasyprint import HTML  # heavy (Pango, fonts): loaded only where a PDF is made

    return HTML(string=invoice_html(invoice), base_url=str(settings.BASE_DIR)).write_pdf()
