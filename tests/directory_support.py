"""Directory profiles for tests: a published profile for a persona, with credentials."""

from datetime import date

from django.utils import timezone

from rapport.clinic.models import Course
from rapport.directory.models import Credential, CredentialKind, ProviderProfile
from rapport.programme.models import CourseSummary


def make_profile(user, *, published=True, verified=False, **values) -> ProviderProfile:
    fields = {
        "display_name": user.full_name,
        "profession": "Clinical psychologist",
        "languages": ["en"],
        "formats": ["individual", "online"],
        "place": "Leeds",
        "fee_from": 60,
        "fee_to": 80,
        **values,
    }
    profile = ProviderProfile.objects.create(clinician=user, organisation=user.organisation, **fields)
    if published:
        ProviderProfile.objects.filter(pk=profile.pk).update(published_at=timezone.now())
    Credential.objects.create(
        profile=profile,
        kind=CredentialKind.TRAINING,
        issuing_body="IPT UK",
        level="Practitioner",
        completed_on=date(2020, 6, 1),
        supervised_cases=4,
        **({"verified_at": timezone.now(), "verification_method": "certificate"} if verified else {}),
    )
    profile.refresh_from_db()
    return profile


def published_profile(clinic) -> ProviderProfile:
    """The responsible clinician's published profile, made once per clinic (access matrix)."""
    found = ProviderProfile.objects.filter(clinician=clinic.clinician).first()
    return found or make_profile(clinic.clinician)


def unpublished_profile(clinic) -> ProviderProfile:
    found = ProviderProfile.objects.filter(clinician=clinic.other_clinician).first()
    return found or make_profile(clinic.other_clinician, published=False)


def own_credential(clinic) -> Credential:
    return published_profile(clinic).credentials.first()


def finished_courses(clinic, clinician, finished: int, responded: int, recovered: int, *, counted=None):
    """`finished` finished courses of `clinician` in the programme's summaries: the first
    `responded` with response and `recovered` with recovery; only `counted` have paired scores."""
    counted = finished if counted is None else counted
    for number in range(finished):
        course = Course.objects.create(client=clinic.client)
        CourseSummary.objects.update_or_create(
            course=course,
            defaults={
                "organisation_id": clinic.org.pk,
                "team_id": clinic.team_a.pk,
                "clinician_id": clinician.pk,
                "variant": "ipt_standard",
                "format": "individual",
                "referred_on": date(2025, 1, 1),
                "started": True,
                "finished": True,
                "response": (number < responded) if number < counted else None,
                "recovery": (number < recovered) if number < counted else None,
            },
        )
