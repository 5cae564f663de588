"""Pages for budgets, orders and visits, by area. Thin: they parse forms, read through `orders.selectors`, call a
service, and show the result; no view queries the database itself.

Who may see what: the holder's side through `person_access` (scopes view/order/confirm_visits), members
of the order's provider for their own orders. Anyone else gets a 404, so records are not revealed.
"""
