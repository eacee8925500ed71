"""The public front door: referral and the waiting list's private link."""

from django.urls import path

from rapport.front_door import views

urlpatterns = [
    path("refer/", views.referral_form, name="referral_form"),
    path("refer/sent/", views.referral_sent, name="referral_sent"),
    path("waiting/", views.waiting_place, name="waiting_place"),
    path("waiting/learn/<slug:slug>/", views.waiting_learn, name="waiting_learn"),
    path("waiting/<str:secret>/", views.waiting_link, name="waiting_link"),
]
