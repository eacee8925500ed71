"""The client's pages (/my/) and accepting an invitation to them (/invitation/)."""

from django.urls import include, path

from rapport.portal import (
    appointments,
    check_ins,
    group,
    home,
    invitation,
    learn,
    messages,
    my_data,
    plan,
    preparation,
    safety_plan,
)

my_urls = [
    path("", home.my_home, name="my_home"),
    path("help/", home.my_help, name="my_help"),
    path("check-ins/", check_ins.my_check_ins, name="my_check_ins"),
    # Before the instrument's own pages, so that "result" is never read as a questionnaire.
    path("check-ins/result/<int:rid>/", check_ins.my_check_in_result, name="my_check_in_result"),
    path("check-ins/<slug:instrument>/", check_ins.my_check_in, name="my_check_in"),
    path("check-ins/<slug:instrument>/review/", check_ins.my_check_in_review, name="my_check_in_review"),
    path(
        "check-ins/<slug:instrument>/<int:number>/",
        check_ins.my_check_in_question,
        name="my_check_in_question",
    ),
    path("since-we-last-met/", preparation.my_preparation, name="my_preparation"),
    path("plan/", plan.my_plan, name="my_plan"),
    path("group/", group.my_group, name="my_group"),
    path("data/", my_data.my_data, name="my_data"),
    path("data/my-rapport-data.json", my_data.my_data_json, name="my_data_json"),
    path("tasks/<int:sid>/", plan.my_task, name="my_task"),
    path("learn/", learn.my_learn, name="my_learn"),
    path("learn/<slug:slug>/", learn.my_learn_page, name="my_learn_page"),
    path("messages/", messages.my_messages, name="my_messages"),
    path("messages/consent/", messages.my_messages_consent, name="my_messages_consent"),
    path("messages/<int:mid>/withdraw/", messages.my_message_withdraw, name="my_message_withdraw"),
    path("safety-plan/", safety_plan.my_safety_plan, name="my_safety_plan"),
    path("appointments/", appointments.my_appointments, name="portal_appointments"),
    path(
        "appointments/<int:aid>/confirm/",
        appointments.my_appointment_confirm,
        name="portal_appointment_confirm",
    ),
    path(
        "appointments/<int:aid>/cancel/", appointments.my_appointment_cancel, name="portal_appointment_cancel"
    ),
    path(
        "appointments/<int:aid>/reschedule/",
        appointments.my_appointment_reschedule,
        name="portal_appointment_reschedule",
    ),
    path("reminders/", appointments.my_reminders, name="portal_reminders"),
    path("calendar/", appointments.my_calendar_feed, name="portal_calendar_feed"),
    path("safety-plan/edit/", safety_plan.my_safety_plan_edit, name="my_safety_plan_edit"),
    path("safety-plan/history/", safety_plan.my_safety_plan_history, name="my_safety_plan_history"),
]

# Public: the code or the link is the credential.
invitation_urls = [
    path("", invitation.invitation_code, name="invitation_code"),
    # Before the link, so that "accept" is never read as a code.
    path("accept/", invitation.invitation_accept, name="invitation_accept"),
    path("<str:code>/", invitation.invitation_link, name="invitation_link"),
]

urlpatterns = [
    path("my/", include(my_urls)),
    # Public: the token is the credential (only its digest is stored).
    path("check-in-link/<str:token>/", appointments.check_in_link, name="check_in_link"),
    path("calendar/<str:token>.ics", appointments.calendar_feed, name="calendar_feed"),
    path("invitation/", include(invitation_urls)),
]
