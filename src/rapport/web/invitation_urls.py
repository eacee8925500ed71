"""Accepting an invitation to the client portal (public: the secret is the credential)."""

from django.urls import path

from rapport.web import portal_views as views

urlpatterns = [
    path("", views.invitation_code, name="invitation_code"),
    # Before the link, so that "accept" is never read as a code.
    path("accept/", views.invitation_accept, name="invitation_accept"),
    path("<str:code>/", views.invitation_link, name="invitation_link"),
]
