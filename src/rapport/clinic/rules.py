"""Who may do what: every view and API route asks these named predicates, never its own test.

Seeing a client is decided by `Client.objects.visible_to(user)` (lists, pages and exports share
it) and, for one client already read, by `may_see` beside it, the same rule decided on the row
(tests/test_access_check.py holds the two together); the predicates below add what a person may
*do* with a record they see.
"""

import rules

from rapport.accounts.models import Role


@rules.predicate
def is_clinician(user) -> bool:
    return user.is_authenticated and user.role == Role.CLINICIAN


@rules.predicate
def is_supervisor(user) -> bool:
    # A programme lead supervises like a supervisor, and visible_to gives them only the clients
    # of teams they are named supervisor of (none unless so named).
    return user.is_authenticated and user.role in (Role.SUPERVISOR, Role.PROGRAMME_LEAD)


@rules.predicate
def is_programme_lead(user) -> bool:
    return user.is_authenticated and user.role == Role.PROGRAMME_LEAD


# The programme's figures: clinicians (their own caseload), supervisors (their teams) and the
# programme lead (the whole organisation).
@rules.predicate
def sees_programme(user) -> bool:
    return user.is_authenticated and user.role in (Role.CLINICIAN, Role.SUPERVISOR, Role.PROGRAMME_LEAD)


@rules.predicate
def is_client_user(user) -> bool:
    return user.is_authenticated and user.role == Role.CLIENT


@rules.predicate
def is_administrator(user) -> bool:
    return user.is_authenticated and user.role == Role.ADMINISTRATOR


# Roles taken together: the people who work in the clinic, and those of them who see clients'
# records. Pages wear these (`@signed_in(rules.is_clinical_staff)`) and the API asks them too.
@rules.predicate
def is_clinical_staff(user) -> bool:
    return is_clinician(user) or is_supervisor(user)


@rules.predicate
def is_staff(user) -> bool:
    return is_clinical_staff(user) or is_administrator(user)


@rules.predicate
def is_supervisor_or_administrator(user) -> bool:
    return is_supervisor(user) or is_administrator(user)


@rules.predicate
def sees_workspace(user) -> bool:
    """The supervisor's workspace (supervision.scope decides of which teams). A programme lead sees
    it too (is_supervisor covers the role): its aggregate views across the organisation, and a
    client's name or record only for teams they are also named supervisor of."""
    return is_supervisor(user) and user.is_active


@rules.predicate
def keeps_case_reviews(user) -> bool:
    """Recording and changing case reviews: a supervisor; a programme lead only while they are
    also named supervisor of a team (a review discusses a client's clinical record)."""
    if not sees_workspace(user):
        return False
    return user.role != Role.PROGRAMME_LEAD or user.supervised_teams.exists()


@rules.predicate
def sees_severity_bands(user) -> bool:
    """Spec 5: a severity band is never shown to the client as if it were a diagnosis; their own
    account gets the answers and the total, and the band stays with the clinic."""
    return user.is_authenticated and user.role != Role.CLIENT


@rules.predicate
def sees_risk_triage(user) -> bool:
    """A client sees their answers, never the triage of them (the alert an answer raised)."""
    return user.is_authenticated and user.role != Role.CLIENT


SEEN_BY = "_rapport_seen_by"  # set on a Client fetched through visible_to(user), to that user's id


def found_through_visible_to(client, user) -> None:
    """Note on `client` that it came from `Client.objects.visible_to(user)` in this request, so
    that `sees_client` need not run the same query again to answer has_perm."""
    setattr(client, SEEN_BY, user.pk)


@rules.predicate
def sees_client(user, client) -> bool:
    from rapport.clinic.models.clients import may_see

    if client is None:
        return False
    if user.is_authenticated and getattr(client, SEEN_BY, None) == user.pk:
        return True
    return may_see(user, client)


@rules.predicate
def supervises_client_team(user, client) -> bool:
    return client is not None and client.team.supervisors.filter(pk=user.pk).exists()


@rules.predicate
def administers_client_organisation(user, client) -> bool:
    return client is not None and client.organisation_id == user.organisation_id


# Clinicians who see a record (own caseload, co-clinician, or under emergency access) may change
# it; supervisors read; clients see their own record through the portal.
rules.add_perm("clinic.view_client", sees_client)
rules.add_perm("clinic.change_client", is_clinician & sees_client)
rules.add_perm("clinic.add_client", is_clinician)
rules.add_perm("clinic.break_glass", is_clinician)
rules.add_perm(
    "audit.view_client_trail",
    (is_supervisor & supervises_client_team) | (is_administrator & administers_client_organisation),
)
rules.add_perm("clinic.view_severity", sees_severity_bands)
# A course of IPT (contract, sessions, inventory, timeline, formulation, goals) is read by the
# clinical staff who see the client; the client and administrators never read one.
rules.add_perm("clinic.view_course", is_clinical_staff)
rules.add_perm("supervision.view_workspace", sees_workspace)
rules.add_perm("accounts.view_accounts", is_administrator)
rules.add_perm("accounts.manage_accounts", is_administrator)
# Questionnaires: a clinician who sees the record, or the client for themselves, records one;
# whoever sees the record sees its scores. Risk alerts are for clinical staff.
rules.add_perm("clinic.record_response", (is_clinician | is_client_user) & sees_client)
rules.add_perm("clinic.view_responses", sees_client)
rules.add_perm("clinic.view_alerts", (is_clinician | is_supervisor) & sees_client)
# Alerts are acknowledged and resolved by the client's clinicians, or by a supervisor of the
# team (escalation reaches them when the clinicians do not answer).
rules.add_perm("clinic.manage_alerts", (is_clinician | is_supervisor) & sees_client)
# The portal: the client for their own record. A clinician who may change the record invites
# the client, schedules check-ins, writes messages and builds the safety plan with them.
rules.add_perm("clinic.use_portal", is_client_user & sees_client)
rules.add_perm("clinic.change_safety_plan", (is_clinician | is_client_user) & sees_client)
