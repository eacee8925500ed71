"""Risk alerts, the client's portal settings and the safety plan, for clinical staff."""

urlpatterns = []
