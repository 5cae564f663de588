from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("people/<int:person_id>/budgets/", views.budgets_for_person, name="budgets"),
    path("people/<int:person_id>/orders/", views.orders_for_person, name="person-orders"),
    path("budgets/<int:budget_id>/", views.budget_statement, name="budget"),
    path("budgets/<int:budget_id>/adjust/", views.budget_adjust, name="budget-adjust"),
    path("new/<int:service_id>/", views.order_new, name="new"),
    path("new/<int:service_id>/for/<int:person_id>/check/", views.order_check, name="check"),
    path("new/<int:service_id>/for/<int:person_id>/<slug:step>/", views.order_question, name="question"),
    path("provider/", views.provider_dashboard, name="provider-dashboard"),
    path("<int:order_id>/", views.order_detail, name="order"),
    path("<int:order_id>/accept/", views.order_accept, name="accept"),
    path("<int:order_id>/decline/", views.order_decline, name="decline"),
    path("<int:order_id>/propose/", views.order_propose, name="propose"),
    path("<int:order_id>/accept-change/", views.order_accept_proposal, name="accept-proposal"),
    path("<int:order_id>/cancel/", views.order_cancel, name="cancel"),
    path("visits/<int:visit_id>/record/", views.visit_record, name="visit-record"),
    path("visits/<int:visit_id>/confirm/", views.visit_confirm, name="visit-confirm"),
    path("visits/<int:visit_id>/dispute/", views.visit_dispute, name="visit-dispute"),
    path("visits/<int:visit_id>/settle/", views.visit_resolve, name="visit-resolve"),
]

urlpatterns += [
    path("<int:order_id>/messages/", views.order_message, name="message"),
    path("<int:order_id>/review/", views.review_write, name="review"),
    path("reviews/<int:review_id>/reply/", views.review_reply, name="review-reply"),
    path("reviews/<int:review_id>/hide/", views.review_hide, name="review-hide"),
    path("concerns/", views.concern_queue, name="concerns"),
    path("concerns/<int:concern_id>/", views.concern_detail, name="concern"),
    path("concerns/new/<int:provider_id>/", views.concern_raise, name="concern-raise"),
]
urlpatterns += [path("<int:order_id>/record-time/", views.block_record, name="block-record")]
