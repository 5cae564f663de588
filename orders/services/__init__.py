"""Writes for budgets, orders and visits: keyword-only functions named <thing>_<verb>, one transaction each.

Locks are always taken in the same order: the Budget row first, then the Order, then its Visits
(docs/adr/0002-budget-locking.md). Callers read `orders.services.<name>`; the functions live by concern:

- `budgets`: the ledger (set up, reserve, release, spend, adjust, top up) and the affordability check;
- `placement`: quoting and placing an order, with every placement rule;
- `lifecycle`: accept, decline, propose a change, accept it, cancel, complete;
- `visits`: record, confirm, dispute, settle, automatic confirmation, blocks of hours, unrecorded visits;
- `household`: households, and bookings shared by two people of one, split between their budgets;
- `talk`: messages, reviews and concerns;
- `reminders`: visits tomorrow or waiting for confirmation, unanswered orders, low budgets, budgets running out
  early, review requests, statements;
- `_common`: who is acting and on which side, the order and visit locks, and the one way a status changes.
"""

from ._common import AUTO_CONFIRM_HOURS, NOTICE_HOURS, UNRECORDED_RELEASE_DAYS, order_lock, visit_lock
from .budgets import (
    budget_adjust,
    budget_create,
    budget_lock,
    budget_refund,
    budget_release,
    budget_reserve,
    budget_spend,
    budget_top_up,
)
from .household import (
    SharedQuote,
    household_record,
    shared_booking_accept,
    shared_booking_cancel,
    shared_booking_decline,
    shared_booking_place,
    shared_booking_quote,
    shared_visit_confirm,
    shared_visit_record,
)
from .lifecycle import order_accept, order_accept_proposal, order_cancel, order_decline, order_propose_change
from .placement import Quote, order_place, order_quote
from .reminders import (
    budget_statements_send,
    budgets_low_remind,
    budgets_running_out_remind,
    orders_unanswered_remind,
    reviews_request,
    visits_awaiting_confirmation_remind,
    visits_tomorrow_remind,
)
from .talk import (
    concern_close,
    concern_raise,
    concern_take,
    order_message_post,
    review_hide,
    review_reply,
    review_write,
)
from .visits import (
    blocks_close_expired,
    visit_auto_confirm,
    visit_confirm,
    visit_dispute,
    visit_record_block,
    visit_record_delivery,
    visit_resolve_dispute,
    visits_auto_confirm_due,
    visits_release_unrecorded,
)

__all__ = [
    "AUTO_CONFIRM_HOURS",
    "NOTICE_HOURS",
    "UNRECORDED_RELEASE_DAYS",
    "Quote",
    "SharedQuote",
    "blocks_close_expired",
    "budget_adjust",
    "budget_create",
    "budget_lock",
    "budget_refund",
    "budget_release",
    "budget_reserve",
    "budget_spend",
    "budget_statements_send",
    "budget_top_up",
    "budgets_low_remind",
    "budgets_running_out_remind",
    "concern_close",
    "concern_raise",
    "concern_take",
    "household_record",
    "order_accept",
    "order_accept_proposal",
    "order_cancel",
    "order_decline",
    "order_lock",
    "order_message_post",
    "order_place",
    "order_propose_change",
    "order_quote",
    "orders_unanswered_remind",
    "review_hide",
    "review_reply",
    "review_write",
    "reviews_request",
    "shared_booking_accept",
    "shared_booking_cancel",
    "shared_booking_decline",
    "shared_booking_place",
    "shared_booking_quote",
    "shared_visit_confirm",
    "shared_visit_record",
    "visit_auto_confirm",
    "visit_confirm",
    "visit_dispute",
    "visit_lock",
    "visit_record_block",
    "visit_record_delivery",
    "visit_resolve_dispute",
    "visits_auto_confirm_due",
    "visits_awaiting_confirmation_remind",
    "visits_release_unrecorded",
    "visits_tomorrow_remind",
]
