"""Risk alerts, the client's portal settings and the safety plan, for clinical staff."""

from django.urls import path

from rapport.web import alert_views as views

urlpatterns = [
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<int:aid>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:aid>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:aid>/resolve/", views.alert_resolve, name="alert_resolve"),
    path("clients/<int:pk>/alerts/new/", views.alert_raise, name="alert_raise"),
    path("clients/<int:pk>/portal/", views.client_portal, name="client_portal"),
    path("clients/<int:pk>/portal/invite/", views.client_invite, name="client_invite"),
    path("clients/<int:pk>/portal/check-ins/", views.client_check_ins, name="client_check_ins"),
    path("clients/<int:pk>/portal/message/", views.client_message, name="client_message"),
    path("clients/<int:pk>/safety-plan/", views.safety_plan, name="safety_plan"),
    path("clients/<int:pk>/safety-plan/history/", views.safety_plan_history, name="safety_plan_history"),
    path("administration/opening-hours/", views.opening_hours, name="opening_hours"),
]
