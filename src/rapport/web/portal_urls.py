"""The client portal, under /my/."""

from django.urls import path

from rapport.web import portal_views as views

urlpatterns = [
    path("", views.my_home, name="my_home"),
    path("help/", views.my_help, name="my_help"),
    path("check-ins/", views.my_check_ins, name="my_check_ins"),
    # Before the instrument's own pages, so that "result" is never read as a questionnaire.
    path("check-ins/result/<int:rid>/", views.my_check_in_result, name="my_check_in_result"),
    path("check-ins/<slug:instrument>/", views.my_check_in, name="my_check_in"),
    path("check-ins/<slug:instrument>/review/", views.my_check_in_review, name="my_check_in_review"),
    path(
        "check-ins/<slug:instrument>/<int:number>/",
        views.my_check_in_question,
        name="my_check_in_question",
    ),
    path("since-we-last-met/", views.my_preparation, name="my_preparation"),
    path("plan/", views.my_plan, name="my_plan"),
    path("tasks/<int:sid>/", views.my_task, name="my_task"),
    path("learn/", views.my_learn, name="my_learn"),
    path("learn/<slug:slug>/", views.my_learn_page, name="my_learn_page"),
    path("safety-plan/", views.my_safety_plan, name="my_safety_plan"),
    path("safety-plan/edit/", views.my_safety_plan_edit, name="my_safety_plan_edit"),
    path("safety-plan/history/", views.my_safety_plan_history, name="my_safety_plan_history"),
]
