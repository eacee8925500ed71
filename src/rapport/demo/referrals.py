"""The demo clinic's front door: one clinician does intake, and three invented referrals wait in
the inbox, one of them urgent (a positive PHQ-9 item 9). They go through the same service as the
public form, so the urgent one raised its alert to the intake team like a real one."""

from datetime import date
from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser

from rapport.intake import referrals
from rapport.intake.models import IntakeWorker

INTAKE = "therapist@demo.rapport"

# Invented people: full name, date of birth, country, concern, PHQ-9 item scores (item 9 last),
# GAD-7 item scores, referred by.
REFERRALS = [
    (
        "Imogen Ashby",
        date(1994, 8, 19),
        "GB",
        "Since my mum died in the spring I cannot get going. I stopped seeing friends and I sleep badly.",
        [2, 2, 1, 2, 1, 1, 1, 0, 0],
        [1, 1, 1, 0, 0, 1, 1],
        "self",
    ),
    (
        "Kwame Boateng",
        date(1979, 1, 30),
        "GB",
        "Retired in June after 30 years at the depot. Arguments at home, low most days.",
        [2, 1, 2, 2, 1, 1, 1, 1, 0],
        [1, 1, 2, 1, 1, 1, 0],
        "professional",
    ),
    (
        "Lena Fischer",
        date(2001, 11, 2),
        "IE",
        "Moved here for work and know nobody. Everything feels pointless lately.",
        [3, 3, 2, 2, 2, 1, 2, 1, 2],
        [2, 2, 2, 1, 1, 2, 1],
        "self",
    ),
]

FREQUENCY = ["not_at_all", "several_days", "more_than_half_the_days", "nearly_every_day"]


def load(people) -> list[str]:
    """Choose the intake worker and submit the three referrals; the references, in order."""
    IntakeWorker.objects.create(user=people[INTAKE], chosen_by=people["admin@demo.rapport"])
    request = SimpleNamespace(
        user=AnonymousUser(), META={"REMOTE_ADDR": "192.0.2.10"}, resolver_match=None, id=None
    )
    made = []
    for name, born, country, concern, phq9, gad7, by in REFERRALS:
        professional = by == "professional"
        sent = referrals.submit(
            request,
            referrals.NewReferral(
                full_name=name,
                date_of_birth=born,
                country=country,
                concern=concern,
                consent_contact=True,
                consent_data=True,
                consent_wording_version="1",
                email=f"{name.split()[0].lower()}@example.org",
                contact_by=("email",),
                referred_by=by,
                referrer_name="Dr Priya Natarajan" if professional else "",
                referrer_role="GP" if professional else "",
                referrer_organisation="Larkfield Health Centre (invented)" if professional else "",
                referrer_email="reception@larkfield-health.example" if professional else "",
                phq9={f"item{n}": FREQUENCY[s] for n, s in enumerate(phq9, start=1)},
                gad7={f"item{n}": FREQUENCY[s] for n, s in enumerate(gad7, start=1)},
            ),
        )
        made.append(sent.reference)
    return made
