"""The pages of clinical staff (clinicians and supervisors)."""

from django.urls import include, path

from rapport.staff import (
    alerts,
    appointments,
    caseload,
    clients,
    course,
    formulation,
    inventory,
    messages,
    notifications,
    portal_settings,
    questionnaires,
    safety_plan,
    supervision,
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
    path("messages/", messages.client_thread, name="client_thread"),
    path("messages/<int:mid>/withdraw/", messages.client_thread_withdraw, name="client_thread_withdraw"),
    path("safety-plan/", safety_plan.safety_plan, name="safety_plan"),
    path("appointments/", appointments.appointments, name="appointments"),
    path("appointments/<int:aid>/", appointments.appointment_edit, name="appointment_edit"),
    path("consents/<int:cid>/withdraw/", appointments.consent_withdraw, name="consent_withdraw"),
    path("safety-plan/history/", safety_plan.safety_plan_history, name="safety_plan_history"),
]

urlpatterns = [
    path("caseload/", caseload.caseload, name="caseload"),
    path("caseload/export.csv", caseload.caseload_export, name="caseload_export"),
    path("clients/new/", clients.client_add, name="client_add"),
    path("clients/<int:pk>/", include(client_urls)),
    path("emergency-access/", clients.break_glass, name="break_glass"),
    path("my-schedule/", appointments.my_schedule, name="my_schedule"),
    path("notifications/<int:pk>/read/", notifications.notification_read, name="notification_read"),
    path("supervision/", supervision.supervision_home, name="supervision_home"),
    path("supervision/reviews/new/", supervision.review_add, name="review_add"),
    path("supervision/reviews/<int:pk>/", supervision.review_detail, name="review_detail"),
    path("supervision/reviews/<int:pk>/actions/", supervision.review_action_add, name="review_action_add"),
    path("supervision/actions/<int:aid>/done/", supervision.action_done, name="action_done"),
    path("alerts/", alerts.alert_list, name="alerts"),
    path("messages/", messages.messages_inbox, name="messages_inbox"),
    path("messages/digest/", messages.digest_choice, name="digest_choice"),
    path("alerts/<int:aid>/", alerts.alert_detail, name="alert_detail"),
    path("alerts/<int:aid>/acknowledge/", alerts.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:aid>/resolve/", alerts.alert_resolve, name="alert_resolve"),
]
