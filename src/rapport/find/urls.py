"""The public directory's pages: anyone may read them, signed in or not."""

from django.urls import path

from rapport.find import views

urlpatterns = [
    path("providers/", views.providers, name="providers"),
    path("providers/choose/", views.choose, name="providers_choose"),
    path("providers/<int:profile_id>/", views.provider_detail, name="provider_detail"),
]
