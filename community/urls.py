from django.urls import path

from .views import credits, people, plan, posts

app_name = "community"

urlpatterns = [
    path("caseload/", people.caseload, name="caseload"),
    path("caseload/add/", people.person_add, name="person-add"),
    path("people/<int:person_id>/", people.person_page, name="person"),
    path("people/<int:person_id>/what-matters/", people.what_matters_edit, name="what-matters"),
    path("people/<int:person_id>/introduce/", people.introduce, name="introduce"),
    path("people/<int:person_id>/join/", people.join, name="join"),
    path("people/<int:person_id>/activities/<int:participation_id>/leave/", people.leave, name="leave"),
    path("people/<int:person_id>/plan/", plan.plan, name="plan"),
    path("people/<int:person_id>/plan/purchases/new/", plan.purchase_add, name="purchase-add"),
    path("people/<int:person_id>/plan/settings/", plan.plan_settings, name="plan-settings"),
    path("people/<int:person_id>/plan/agree/", plan.plan_agree, name="plan-agree"),
    path("introductions/<int:introduction_id>/answer/", people.introduction_answer, name="introduction-answer"),
    path("activities/<int:service_id>/join/", people.join_choose_person, name="join-choose"),
    path("groups/<slug:slug>/calendar.ics", plan.group_calendar, name="group-calendar"),
    path("credits/", credits.my_credits, name="credits"),
    path("credits/claim/", credits.claim, name="credits-claim"),
    path("credits/spend/", credits.spend, name="credits-spend"),
    path("credits/contributions/<int:contribution_id>/answer/", credits.answer, name="contribution-answer"),
    path("credits/council/", credits.council, name="credits-council"),
    path("credits/council/<int:provider_id>/redeem/", credits.redeem, name="credits-redeem"),
    path("help/", posts.board, name="board"),
    path("help/new/", posts.post_new, name="post-new"),
    path("help/moderation/", posts.moderation, name="moderation"),
    path("help/<int:post_id>/", posts.post_page, name="post"),
    path("help/<int:post_id>/<slug:action>/", posts.post_act, name="post-act"),
]
