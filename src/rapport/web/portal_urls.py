"""The client portal, under /my/."""

from django.urls import path

from rapport.web import views

urlpatterns = [
    path("", views.my_home, name="my_home"),
]
