"""Access-matrix rows for the alerts routes (see tests/access_matrix.py): risk alerts, the
client's portal settings, the safety plan and the opening hours."""

from rapport.clinic.models import RiskAlert
from tests.access_matrix import (
    CLIENT_ROLES_FORBIDDEN,
    CLINICAL_READ,
    CLINICIAN_PAGE,
    CLINICIAN_POST,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    REDIRECT,
    Route,
    client_url,
    expect,
)


def an_alert(clinic) -> RiskAlert:
    """An open T2 alert on the client, made once per test with no audit row or job of its own
    (the audit-counting tests call the URL inside their count)."""
    if getattr(clinic, "risk_alert", None) is None:
        clinic.risk_alert = RiskAlert.objects.create(
            client=clinic.client, tier="T2", risk_level="moderate", reasons=["clinician_raised"]
        )
    return clinic.risk_alert


def alert_url(suffix=""):
    return lambda c: f"/alerts/{an_alert(c).pk}/{suffix}"


# Alerts are for the clinical staff who see the client: its clinicians and its team's supervisor.
# Administrators and clients are refused by role; everyone else meets a 404.
ALERT_POST = expect(
    NOT_FOUND,
    anonymous=LOGIN,
    clinician=REDIRECT,
    co_clinician=REDIRECT,
    supervisor=REDIRECT,
    administrator=FORBIDDEN,
    **CLIENT_ROLES_FORBIDDEN,
)

ROUTES = [
    Route(
        "alerts",
        "GET",
        lambda c: "/alerts/",
        # A list of one's own clients' alerts: everyone on the clinical staff has one, if empty.
        expect(OK, anonymous=LOGIN, administrator=FORBIDDEN, **CLIENT_ROLES_FORBIDDEN),
    ),
    Route("alert_detail", "GET", alert_url(), CLINICAL_READ, read_audited=True),
    Route(
        "alert_acknowledge",
        "POST",
        alert_url("acknowledge/"),
        ALERT_POST,
        data=lambda c: {"note": "Seen; calling the client this afternoon."},
    ),
    Route(
        "alert_resolve",
        "POST",
        alert_url("resolve/"),
        ALERT_POST,
        data=lambda c: {"action": "contacted", "note": "Spoke to the client; safe for now."},
    ),
    # Raising risk, the portal settings and the invitation are for the client's clinicians.
    Route("alert_raise", "GET", client_url("/clients/{pk}/alerts/new/"), CLINICIAN_PAGE, read_audited=True),
    Route("client_portal", "GET", client_url("/clients/{pk}/portal/"), CLINICIAN_PAGE, read_audited=True),
    Route(
        "client_invite",
        "POST",
        client_url("/clients/{pk}/portal/invite/"),
        # The matrix's client has an account already: the page answers with that, not a code.
        CLINICIAN_PAGE,
    ),
    Route(
        "client_check_ins",
        "POST",
        client_url("/clients/{pk}/portal/check-ins/"),
        CLINICIAN_POST,
        data=lambda c: {"instrument": "phq9", "cadence": "before_session", "active": "on"},
    ),
    Route(
        "client_message",
        "POST",
        client_url("/clients/{pk}/portal/message/"),
        CLINICIAN_POST,
        data=lambda c: {"body": "See you on Tuesday."},
    ),
    # The safety plan: read by the clinical staff who see the client, written by its clinicians
    # (tests/test_safety_plans.py checks the writes).
    Route("safety_plan", "GET", client_url("/clients/{pk}/safety-plan/"), CLINICAL_READ, read_audited=True),
    Route(
        "safety_plan_history",
        "GET",
        client_url("/clients/{pk}/safety-plan/history/"),
        CLINICAL_READ,
        read_audited=True,
    ),
    Route(
        "opening_hours",
        "GET",
        lambda c: "/administration/opening-hours/",
        expect(FORBIDDEN, anonymous=LOGIN, administrator=OK),
    ),
]
