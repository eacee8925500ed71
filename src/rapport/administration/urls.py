"""The administrator's pages."""

from django.urls import path

from rapport.administration import directory, hours, intake, online, retention, service, views

urlpatterns = [
    path("administration/", views.administration, name="administration"),
    path("administration/accounts/new/", views.account_add, name="account_add"),
    path(
        "administration/accounts/<int:user_id>/deactivate/",
        views.account_deactivate,
        name="account_deactivate",
    ),
    path(
        "administration/accounts/<int:user_id>/hand-over/",
        service.account_handover,
        name="account_handover",
    ),
    path("administration/teams/", service.teams, name="teams"),
    path("administration/teams/<int:team_id>/", service.team_edit, name="team_edit"),
    path("administration/sites/<int:site_id>/", service.site_edit, name="site_edit"),
    path("administration/clients/<int:client_id>/transfer/", service.client_transfer, name="client_transfer"),
    path("administration/opening-hours/", hours.opening_hours, name="opening_hours"),
    path("administration/online/", online.online_settings_page, name="online_settings"),
    path("administration/clients/<int:client_id>/close/", retention.client_close, name="client_close"),
    path("administration/retention/", retention.retention_settings, name="retention"),
    path("administration/directory/", directory.directory_admin, name="directory_admin"),
    path(
        "administration/directory/<int:profile_id>/",
        directory.directory_admin_profile,
        name="directory_admin_profile",
    ),
    path("administration/intake/", intake.intake_team, name="intake_team"),
]
