"""The pages of clinical staff (clinicians and supervisors)."""

from django.urls import include, path

from rapport.staff import (
    alerts,
    caseload,
    clients,
    course,
    formulation,
    inventory,
    notifications,
    portal_settings,
    programme,
    questionnaires,
    safety_plan,
    timeline,
)

inventory_urls = [
    path("", inventory.inventory, name="inventory"),
    path("circle/", inventory.inventory_circle, name="inventory_circle"),
    path("notes/", inventory.notes_edit, name="inventory_notes"),
    path("people/new/", inventory.entry_add, name="inventory_entry_add"),
    path("people/<int:eid>/", inventory.entry_edit, name="inventory_entry_edit"),
    path(
        "people/<int:eid>/entered-in-error/",
        inventory.entry_entered_in_error,
        name="inventory_entry_entered_in_error",
    ),
]

timeline_urls = [
    path("", timeline.timeline, name="timeline"),
    path("new/", timeline.event_add, name="timeline_event_add"),
    path("<int:eid>/edit/", timeline.event_edit, name="timeline_event_edit"),
    path(
        "<int:eid>/entered-in-error/",
        timeline.event_entered_in_error,
        name="timeline_event_entered_in_error",
    ),
]

client_urls = [
    path("", clients.client_detail, name="client_detail"),
    path("print/", clients.client_print, name="client_print"),
    path("edit/", clients.client_edit, name="client_edit"),
    path("entered-in-error/", clients.client_entered_in_error, name="client_entered_in_error"),
    path("audit/", clients.client_audit, name="client_audit"),
    path("questionnaires/<slug:instrument>/", questionnaires.questionnaire, name="questionnaire"),
    path("responses/<int:rid>/", questionnaires.response_detail, name="response_detail"),
    path("course/", course.course_detail, name="course_detail"),
    path("course/start/", course.course_start, name="course_start"),
    path("course/contract/", course.contract_edit, name="contract_edit"),
    path("course/summary/", course.course_summary, name="course_summary"),
    path("course/termination/", course.termination, name="termination"),
    path("course/maintenance/", course.maintenance_start, name="maintenance_start"),
    path("sessions/new/", course.session_add, name="session_add"),
    path("sessions/<int:sid>/", course.session_detail, name="session_detail"),
    path("formulation/", formulation.formulation, name="formulation"),
    path("formulation/goals/start/", formulation.goals_start, name="goals_start"),
    path("goals/<int:gid>/", formulation.goal_edit, name="goal_edit"),
    path("inventory/", include(inventory_urls)),
    path("timeline/", include(timeline_urls)),
    path("alerts/new/", alerts.alert_raise, name="alert_raise"),
    path("portal/", portal_settings.client_portal, name="client_portal"),
    path("portal/invite/", portal_settings.client_invite, name="client_invite"),
    path("portal/check-ins/", portal_settings.client_check_ins, name="client_check_ins"),
    path("portal/message/", portal_settings.client_message, name="client_message"),
    path("safety-plan/", safety_plan.safety_plan, name="safety_plan"),
    path("safety-plan/history/", safety_plan.safety_plan_history, name="safety_plan_history"),
]

urlpatterns = [
    path("caseload/", caseload.caseload, name="caseload"),
    path("caseload/export.csv", caseload.caseload_export, name="caseload_export"),
    path("clients/new/", clients.client_add, name="client_add"),
    path("clients/<int:pk>/", include(client_urls)),
    path("emergency-access/", clients.break_glass, name="break_glass"),
    path("notifications/<int:pk>/read/", notifications.notification_read, name="notification_read"),
    path("alerts/", alerts.alert_list, name="alerts"),
    path("programme/", programme.programme, name="programme"),
    path("programme/courses/", programme.programme_courses, name="programme_courses"),
    path("programme/export.csv", programme.programme_export, name="programme_export"),
    path("programme/extract/", programme.programme_extract, name="programme_extract"),
    path("alerts/<int:aid>/", alerts.alert_detail, name="alert_detail"),
    path("alerts/<int:aid>/acknowledge/", alerts.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:aid>/resolve/", alerts.alert_resolve, name="alert_resolve"),
]
