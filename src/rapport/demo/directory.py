"""The demo's directory: every demo clinician has a published profile, most with credentials
checked by the administrator, Grace Tan's self-declared, and Jonas Berg offering sessions online
in Spanish (the browser test's "help me choose" finds him); the lay counsellor of the demo's
groups offers free places in Group IPT. Every number is invented."""

from datetime import date
from typing import Any

from django.utils import timezone

from rapport.accounts.models import User
from rapport.directory.models import Credential, CredentialKind, DirectorySettings, ProviderProfile

# email: (profile fields, [(kind, body, number, country, level, completed on, cases, verified by)])
PROFILES: dict[str, tuple[dict[str, Any], list[tuple]]] = {
    "therapist@demo.rapport": (
        {
            "profession": "Clinical psychologist",
            "languages": ["en", "fr"],
            "formats": ["individual", "couple", "online", "in_person"],
            "problem_areas": ["grief", "role_dispute"],
            "place": "Leeds",
            "fee_from": 70,
            "fee_to": 90,
            "sliding_scale": True,
            "statement": "I have offered IPT for depression for ten years, in English and French. "
            "We will look together at what has changed in your relationships and your life.",
            "show_outcomes": True,
        },
        [
            (
                "licence",
                "Health and Care Professions Council",
                "DEMO-PYL-0001",
                "GB",
                "",
                None,
                None,
                "register",
            ),
            (
                "training",
                "IPT UK",
                "",
                "GB",
                "IPT practitioner and supervisor",
                date(2016, 9, 1),
                8,
                "certificate",
            ),
        ],
    ),
    "ravi.menon@demo.rapport": (
        {
            "profession": "IPT therapist",
            "languages": ["en", "hi"],
            "formats": ["individual", "group", "in_person"],
            "problem_areas": ["role_transition"],
            "place": "Leeds, Headingley",
            "fee_from": 55,
            "fee_to": 55,
            "free_places": True,
            "statement": "Group and individual IPT in Headingley. A few free places each term.",
        },
        [
            (
                "training",
                "IPT Institute",
                "",
                "US",
                "Level B: IPT Certified Therapist",
                date(2021, 3, 1),
                2,
                "body",
            )
        ],
    ),
    "grace.tan@demo.rapport": (
        {
            "profession": "Lay counsellor",
            "languages": ["en", "zh-hans"],
            "formats": ["group", "online"],
            "problem_areas": ["interpersonal_deficits", "role_transition"],
            "place": "",
            "fee_from": 0,
            "fee_to": 20,
            "sliding_scale": True,
            "statement": "I run Group IPT online, supervised by the clinic's IPT supervisor.",
        },
        # Self-declared: nobody at the clinic has checked it yet.
        [("training", "Group IPT training (WHO manual)", "", "", "Facilitator", date(2023, 5, 1), 3, None)],
    ),
    "jonas.berg@demo.rapport": (
        {
            "profession": "Mental health nurse",
            "languages": ["es", "sv", "en"],
            "formats": ["individual", "adolescents", "online"],
            "problem_areas": ["grief", "role_transition"],
            "place": "",
            "fee_from": 40,
            "fee_to": 60,
            "sliding_scale": True,
            "statement": "Ofrezco IPT en español, en línea. I also see young people aged 12 to 18 (IPT-A).",
        },
        [
            ("licence", "Nursing and Midwifery Council", "DEMO-NMC-0004", "GB", "", None, None, "register"),
            ("training", "IPT UK", "", "GB", "IPT practitioner; IPT-A", date(2019, 11, 1), 4, "certificate"),
        ],
    ),
    "counsellor@demo.rapport": (
        {
            "profession": "Lay counsellor",
            "languages": ["en"],
            "formats": ["group", "in_person"],
            "problem_areas": ["grief", "role_dispute", "role_transition"],
            "place": "Leeds, Chapeltown",
            "fee_from": 0,
            "fee_to": 0,
            "free_places": True,
            "statement": "I run Group IPT in the community centre, with weekly supervision from the clinic.",
        },
        [
            ("training", "WHO Group IPT training", "", "GB", "Facilitator", date(2025, 2, 1), 2, "body"),
        ],
    ),
}


def load(people: dict, organisation) -> None:
    admin = people["admin@demo.rapport"]
    now = timezone.now()
    for email, (fields, credentials) in PROFILES.items():
        # The lay counsellor is made with the demo's groups, after the people of the clinic.
        user = people.get(email) or User.objects.get(email=email)
        profile = ProviderProfile.objects.create(
            clinician=user,
            organisation=organisation,
            display_name=user.full_name,
            published_at=now,
            published_by=admin,
            **fields,
        )
        for kind, body, number, country, level, completed, cases, method in credentials:
            Credential.objects.create(
                profile=profile,
                kind=CredentialKind(kind),
                issuing_body=body,
                number=number,
                country=country,
                level=level,
                completed_on=completed,
                supervised_cases=cases,
                verified_at=now if method else None,
                verified_by=admin if method else None,
                verification_method=method or "",
            )
    DirectorySettings.objects.create(organisation=organisation, show_outcomes=True)
