"""Routes of the inventory pages, under /clients/<pk>/inventory/."""

from django.urls import path

from rapport.web import inventory_views as views

urlpatterns: list = [
    path("", views.inventory, name="inventory"),
    path("circle/", views.inventory_circle, name="inventory_circle"),
    path("notes/", views.notes_edit, name="inventory_notes"),
    path("people/new/", views.entry_add, name="inventory_entry_add"),
    path("people/<int:eid>/", views.entry_edit, name="inventory_entry_edit"),
    path(
        "people/<int:eid>/entered-in-error/",
        views.entry_entered_in_error,
        name="inventory_entry_entered_in_error",
    ),
]
