"""Routes of the timeline pages, under /clients/<pk>/timeline/."""

from django.urls import path

from rapport.web import timeline_views as views

urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("new/", views.event_add, name="timeline_event_add"),
    path("<int:eid>/edit/", views.event_edit, name="timeline_event_edit"),
    path("<int:eid>/entered-in-error/", views.event_entered_in_error, name="timeline_event_entered_in_error"),
]
