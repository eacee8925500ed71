from django.urls import include, path

from rapport.accounts import views as accounts
from rapport.api.routes import api
from rapport.web import course_views as course
from rapport.web import formulation_views as formulation
from rapport.web import views as web

urlpatterns = [
    path("", web.home, name="home"),
    path("healthz", web.healthz, name="healthz"),
    path("session/keep-alive/", web.keep_alive, name="keep_alive"),
    path("sign-in/", accounts.sign_in, name="login"),
    path("sign-out/", accounts.sign_out, name="logout"),
    path("password-reset/", accounts.password_reset, name="password_reset"),
    path("password-reset/sent/", accounts.password_reset_done, name="password_reset_done"),
    path("reset/<uidb64>/<token>/", accounts.password_reset_confirm, name="password_reset_confirm"),
    path("reset/done/", accounts.password_reset_complete, name="password_reset_complete"),
    path("two-factor/setup/", accounts.two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", accounts.two_factor_verify, name="two_factor_verify"),
    path("caseload/", web.caseload, name="caseload"),
    path("caseload/export.csv", web.caseload_export, name="caseload_export"),
    path("clients/new/", web.client_add, name="client_add"),
    path("clients/<int:pk>/", web.client_detail, name="client_detail"),
    path("clients/<int:pk>/print/", web.client_print, name="client_print"),
    path("clients/<int:pk>/edit/", web.client_edit, name="client_edit"),
    path("clients/<int:pk>/entered-in-error/", web.client_entered_in_error, name="client_entered_in_error"),
    path("clients/<int:pk>/questionnaires/<slug:instrument>/", web.questionnaire, name="questionnaire"),
    path("clients/<int:pk>/responses/<int:rid>/", web.response_detail, name="response_detail"),
    path("clients/<int:pk>/course/", course.course_detail, name="course_detail"),
    path("clients/<int:pk>/course/start/", course.course_start, name="course_start"),
    path("clients/<int:pk>/course/contract/", course.contract_edit, name="contract_edit"),
    path("clients/<int:pk>/course/summary/", course.course_summary, name="course_summary"),
    path("clients/<int:pk>/course/termination/", course.termination, name="termination"),
    path("clients/<int:pk>/course/maintenance/", course.maintenance_start, name="maintenance_start"),
    path("clients/<int:pk>/sessions/new/", course.session_add, name="session_add"),
    path("clients/<int:pk>/sessions/<int:sid>/", course.session_detail, name="session_detail"),
    path("clients/<int:pk>/formulation/", formulation.formulation, name="formulation"),
    path("clients/<int:pk>/formulation/goals/start/", formulation.goals_start, name="goals_start"),
    path("clients/<int:pk>/goals/<int:gid>/", formulation.goal_edit, name="goal_edit"),
    path("clients/<int:pk>/inventory/", include("rapport.web.inventory_urls")),
    path("clients/<int:pk>/timeline/", include("rapport.web.timeline_urls")),
    path("clients/<int:pk>/audit/", web.client_audit, name="client_audit"),
    path("emergency-access/", web.break_glass, name="break_glass"),
    path("notifications/<int:pk>/read/", web.notification_read, name="notification_read"),
    path("administration/", web.administration, name="administration"),
    path("administration/accounts/new/", web.account_add, name="account_add"),
    path(
        "administration/accounts/<int:user_id>/deactivate/", web.account_deactivate, name="account_deactivate"
    ),
    path("my/", include("rapport.web.portal_urls")),
    path("invitation/", include("rapport.web.invitation_urls")),
    path("", include("rapport.web.alert_urls")),
    path("api/v1/", api.urls),
]
