from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rapport.accounts.models import Role
from rapport.common.access import has_confirmed_device

_NAV = {
    Role.CLINICIAN: [
        ("caseload", _("Caseload")),
        ("messages_inbox", _("Messages")),
        ("alerts", _("Alerts")),
        ("my_schedule", _("My schedule")),
        ("groups", _("Groups")),
        ("client_add", _("Add a client")),
        ("break_glass", _("Emergency access")),
        ("programme", _("Outcomes")),
        ("directory_profile", _("Directory profile")),
    ],
    Role.SUPERVISOR: [
        ("supervision_home", _("Workspace")),
        ("caseload", _("Team clients")),
        ("groups", _("Groups")),
        ("messages_inbox", _("Messages")),
        ("alerts", _("Alerts")),
        ("programme", _("Outcomes")),
        ("directory_profile", _("Directory profile")),
    ],
    # The lead lands on the outcomes, and reaches the workspace's counts across every team here.
    Role.PROGRAMME_LEAD: [("programme", _("Programme outcomes")), ("supervision_home", _("Workspace"))],
    Role.ADMINISTRATOR: [
        ("administration", _("Administration")),
        ("teams", _("Teams and sites")),
        ("directory_admin", _("Directory")),
    ],
    Role.CLIENT: [
        ("my_home", _("Home")),
        ("my_check_ins", _("Check-ins")),
        ("portal_appointments", _("Appointments")),
        ("my_messages", _("Messages")),
        ("my_plan", _("My plan")),
        ("my_learn", _("Learn")),
    ],
}


# Whether the signed-in person does intake, as rapport.intake put it in the session at sign-in.
INTAKE_SESSION_KEY = "does_intake"


def navigation(request):
    """The menu for the signed-in person's role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    from rapport.accounts.middleware import idle_limit

    has_device = has_confirmed_device(user)
    current = request.resolver_match.url_name if request.resolver_match else None
    items = list(_NAV.get(user.role, []))
    if request.session.get(INTAKE_SESSION_KEY):
        # Set at sign-in by rapport.intake (this layer cannot ask it), so the menu costs no query.
        items.insert(min(3, len(items)), ("intake_inbox", _("Referrals")))
    return {
        "nav": [(reverse(name), label, name == current) for name, label in items],
        "idle_seconds": idle_limit(user),
        # Staff see the offer in the header; for clients it is optional and sits on their home page.
        "offer_two_factor": user.is_staff_role and not has_device,
        "offer_client_two_factor": not user.is_staff_role and not has_device,
    }
