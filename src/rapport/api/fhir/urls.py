"""/fhir/R4/: one route per resource type and interaction, from the tables the
CapabilityStatement is built from."""

from django.urls import path

from rapport.api.fhir import views
from rapport.api.fhir.capability import READ_TYPES, SEARCH_TYPES_BY_RESOURCE

urlpatterns = [
    path("metadata", views.metadata, name="fhir_metadata"),
    path("Patient/<str:resource_id>/$everything", views.everything, name="fhir_everything"),
    path("$export", views.export_kick_off, name="fhir_export"),
    path("$export-status/<str:export_id>", views.export_status, name="fhir_export_status"),
    path(
        "$export-file/<str:export_id>/<str:resource_type>.ndjson", views.export_file, name="fhir_export_file"
    ),
]
urlpatterns += [
    path(f"{name}", views.search_view(name), name=f"fhir_search_{name}") for name in SEARCH_TYPES_BY_RESOURCE
]
urlpatterns += [
    path(f"{name}/<str:resource_id>", views.read_view(name), name=f"fhir_read_{name}") for name in READ_TYPES
]
