from django.urls import path

from .views import budgets, household, order_pages, ordering, talk, visits

app_name = "orders"

urlpatterns = [
    path("people/<int:person_id>/budgets/", budgets.budgets_for_person, name="budgets"),
    path("people/<int:person_id>/orders/", order_pages.orders_for_person, name="person-orders"),
    path("budgets/<int:budget_id>/", budgets.budget_statement, name="budget"),
    path("budgets/<int:budget_id>/adjust/", budgets.budget_adjust, name="budget-adjust"),
    path("new/<int:service_id>/", ordering.order_new, name="new"),
    path("new/<int:service_id>/for/<int:person_id>/check/", ordering.order_check, name="check"),
    path("new/<int:service_id>/for/<int:person_id>/share/", household.share_question, name="share"),
    path("new/<int:service_id>/for/<int:person_id>/share/check/", household.share_check, name="share-check"),
    path("new/<int:service_id>/for/<int:person_id>/<slug:step>/", ordering.order_question, name="question"),
    path("provider/", order_pages.provider_dashboard, name="provider-dashboard"),
    path("<int:order_id>/", order_pages.order_detail, name="order"),
    path("<int:order_id>/accept/", order_pages.order_accept, name="accept"),
    path("<int:order_id>/decline/", order_pages.order_decline, name="decline"),
    path("<int:order_id>/propose/", order_pages.order_propose, name="propose"),
    path("<int:order_id>/accept-change/", order_pages.order_accept_proposal, name="accept-proposal"),
    path("<int:order_id>/cancel/", order_pages.order_cancel, name="cancel"),
    path("<int:order_id>/record-time/", visits.block_record, name="block-record"),
    path("visits/<int:visit_id>/record/", visits.visit_record, name="visit-record"),
    path("visits/<int:visit_id>/confirm/", visits.visit_confirm, name="visit-confirm"),
    path("visits/<int:visit_id>/dispute/", visits.visit_dispute, name="visit-dispute"),
    path("visits/<int:visit_id>/settle/", visits.visit_resolve, name="visit-resolve"),
    path("<int:order_id>/messages/", talk.order_message, name="message"),
    path("<int:order_id>/review/", talk.review_write, name="review"),
    path("reviews/<int:review_id>/reply/", talk.review_reply, name="review-reply"),
    path("reviews/<int:review_id>/hide/", talk.review_hide, name="review-hide"),
    path("concerns/", talk.concern_queue, name="concerns"),
    path("concerns/<int:concern_id>/", talk.concern_detail, name="concern"),
    path("concerns/new/<int:provider_id>/", talk.concern_raise, name="concern-raise"),
    path("shared/<int:booking_id>/", household.shared_booking, name="shared"),
    path("shared/<int:booking_id>/accept/", household.shared_accept, name="shared-accept"),
    path("shared/<int:booking_id>/decline/", household.shared_decline, name="shared-decline"),
    path("shared/<int:booking_id>/cancel/", household.shared_cancel, name="shared-cancel"),
    path("shared/<int:booking_id>/visits/<int:visit_id>/record/", household.shared_visit_record,
         name="shared-visit-record"),
    path("shared/<int:booking_id>/visits/<int:visit_id>/confirm/", household.shared_visit_confirm,
         name="shared-visit-confirm"),
]
