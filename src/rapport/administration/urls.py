"""The administrator's pages."""

from django.urls import path

from rapport.administration import hours, views

urlpatterns = [
    path("administration/", views.administration, name="administration"),
    path("administration/accounts/new/", views.account_add, name="account_add"),
    path(
        "administration/accounts/<int:user_id>/deactivate/",
        views.account_deactivate,
        name="account_deactivate",
    ),
    path("administration/opening-hours/", hours.opening_hours, name="opening_hours"),
]
