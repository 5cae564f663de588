"""payments' part in invoicing's actions, through a Wagtail hook (so invoicing names nothing above it)."""

from wagtail import hooks

from invoicing.services import INVOICE_PAID_HOOK

from .services import transfer_for_paid_invoice


@hooks.register(INVOICE_PAID_HOOK)
def transfer_for_paid_invoice_hook(*, invoice) -> None:
    """Every paid invoice owes its provider a transfer, made in the payment's own transaction."""
    transfer_for_paid_invoice(invoice=invoice)
