"""Access-matrix rows for the front door and the intake team. The referral form and the waiting
list's pages are public and answer everyone alike (no session, no place: 404 or back to the form);
the inbox is for the intake team alone (the co-clinician persona, whom an administrator chose),
and every other signed-in person is refused before any referral is looked up."""

from datetime import date

from tests.access_matrix import FORBIDDEN, LOGIN, NOT_FOUND, OK, REDIRECT, UNAUTHORISED, Route, _all, expect

INTAKE_ONLY = expect(FORBIDDEN, anonymous=LOGIN, co_clinician=OK)


def a_referral(clinic):
    from rapport.intake.models import Referral

    found = getattr(clinic, "referral", None)
    if found is None:
        found = clinic.referral = Referral.objects.create(
            organisation=clinic.org,
            reference="RMATRIX1",
            full_name="Matrix Person",
            date_of_birth=date(1990, 2, 2),
            country="GB",
            concern="Low mood",
            consent_contact=True,
            consent_data=True,
            consent_wording_version="1",
            contact_by=["email"],
            email="matrix@example.org",
        )
    return found


ROUTES = [
    Route("referral_form", "GET", lambda c: "/refer/", _all(OK)),
    Route("referral_sent", "GET", lambda c: "/refer/sent/", _all(REDIRECT)),
    Route("waiting_link", "GET", lambda c: "/waiting/not-a-real-secret/", _all(REDIRECT)),
    Route("waiting_place", "GET", lambda c: "/waiting/", _all(NOT_FOUND)),
    Route("waiting_learn", "GET", lambda c: "/waiting/learn/depression/", _all(NOT_FOUND)),
    Route("intake_inbox", "GET", lambda c: "/intake/", INTAKE_ONLY),
    Route("intake_referral", "GET", lambda c: f"/intake/referrals/{a_referral(c).pk}/", INTAKE_ONLY),
    Route(
        "intake_referral",
        "POST",
        lambda c: f"/intake/referrals/{a_referral(c).pk}/",
        expect(FORBIDDEN, anonymous=LOGIN, co_clinician=REDIRECT),
        data=lambda c: {"step": "decline", "note": "Outside our area.", "version": 1},
    ),
]


def a_referral_body(clinic):
    return {
        "full_name": "Api Person",
        "date_of_birth": "1990-01-01",
        "country": "GB",
        "contact_by": ["email"],
        "email": "api@example.org",
        "concern": "Low mood since the winter.",
        "consent_contact": True,
        "consent_data": True,
        "consent_wording_version": "1",
    }


ROUTES += [
    # Public: anyone, signed in or not, may ask for help.
    Route(
        "API POST /api/v1/referrals",
        "POST",
        lambda c: "/api/v1/referrals",
        _all(201),
        data=a_referral_body,
        json=True,
    ),
    Route(
        "API GET /api/v1/referrals",
        "GET",
        lambda c: "/api/v1/referrals",
        expect(FORBIDDEN, anonymous=UNAUTHORISED, co_clinician=OK),
    ),
]

ADMIN_ONLY = expect(FORBIDDEN, anonymous=LOGIN, administrator=OK)

ROUTES += [
    Route("intake_team", "GET", lambda c: "/administration/intake/", ADMIN_ONLY),
    Route(
        "intake_team",
        "POST",
        lambda c: "/administration/intake/",
        expect(FORBIDDEN, anonymous=LOGIN, administrator=REDIRECT),
        data=lambda c: {"chosen": [c.co_clinician.pk]},
    ),
]
