"""Access-matrix rows for supervision (the workspace, case reviews) and running the service
(teams, sites, transfers, a caseload's hand-over). A supervisor reaches their own teams'
workspace and reviews only; administrators run the service and read no review."""

from datetime import date

from rapport.supervision.models import AgreedAction, CaseReview, Site
from tests.access_matrix import (
    CLIENT_ROLES_FORBIDDEN,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    REDIRECT,
    Route,
    expect,
)


def a_review(clinic) -> CaseReview:
    """A team A review of the client with one open action, made once per test without audit rows."""
    if getattr(clinic, "case_review", None) is None:
        clinic.case_review = CaseReview.objects.create(
            organisation=clinic.org,
            team=clinic.team_a,
            supervisor=clinic.supervisor,
            clinician=clinic.clinician,
            client=clinic.client,
            held_on=date(2026, 3, 2),
            discussion="Slow start; agreed to focus the role dispute.",
        )
        clinic.agreed_action = AgreedAction.objects.create(
            review=clinic.case_review, text="Complete the inventory", due_on=date(2026, 3, 9)
        )
    return clinic.case_review


def a_site(clinic) -> Site:
    if getattr(clinic, "site", None) is None:
        clinic.site = Site.objects.create(organisation=clinic.org, name="North clinic")
    return clinic.site


SUPERVISORS_ONLY = expect(FORBIDDEN, anonymous=LOGIN, supervisor=OK, other_supervisor=OK)
ADMIN_ONLY = expect(FORBIDDEN, anonymous=LOGIN, administrator=OK)

ROUTES = [
    # The programme lead sees the workspace's counts and figures across the organisation, and
    # records no review unless also named supervisor of a team (the persona is not).
    Route("supervision_home", "GET", lambda c: "/supervision/", {**SUPERVISORS_ONLY, "programme_lead": OK}),
    Route("review_add", "GET", lambda c: "/supervision/reviews/new/", SUPERVISORS_ONLY),
    Route(
        "review_detail",
        "GET",
        lambda c: f"/supervision/reviews/{a_review(c).pk}/",
        # The team's supervisor and the clinician it is with; another team's supervisor and every
        # other clinician meet a 404.
        expect(
            NOT_FOUND,
            anonymous=LOGIN,
            supervisor=OK,
            clinician=OK,
            administrator=FORBIDDEN,
            **CLIENT_ROLES_FORBIDDEN,
        ),
        read_audited=True,
    ),
    Route(
        "review_action_add",
        "POST",
        lambda c: f"/supervision/reviews/{a_review(c).pk}/actions/",
        expect(FORBIDDEN, anonymous=LOGIN, supervisor=REDIRECT, other_supervisor=NOT_FOUND),
        data=lambda c: {"text": "Phone the GP", "due_on": "2026-03-20"},
    ),
    Route(
        "action_done",
        "POST",
        lambda c: f"/supervision/actions/{(a_review(c), c.agreed_action)[1].pk}/done/",
        expect(
            NOT_FOUND,
            anonymous=LOGIN,
            supervisor=REDIRECT,
            clinician=REDIRECT,
            administrator=FORBIDDEN,
            **CLIENT_ROLES_FORBIDDEN,
        ),
        data=lambda c: {"done": "1", "version": "1"},
    ),
    Route("teams", "GET", lambda c: "/administration/teams/", ADMIN_ONLY),
    Route("team_edit", "GET", lambda c: f"/administration/teams/{c.team_a.pk}/", ADMIN_ONLY),
    Route("site_edit", "GET", lambda c: f"/administration/sites/{a_site(c).pk}/", ADMIN_ONLY),
    Route("client_transfer", "GET", lambda c: f"/administration/clients/{c.client.pk}/transfer/", ADMIN_ONLY),
    Route(
        "account_handover",
        "GET",
        lambda c: f"/administration/accounts/{c.other_clinician.pk}/hand-over/",
        ADMIN_ONLY,
    ),
]
