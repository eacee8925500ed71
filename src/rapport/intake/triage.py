"""What the intake team does with a referral: read it, acknowledge an urgent one, and decide
(accept and assign a clinician, place on the waiting list, signpost elsewhere with a letter, or
decline with a reason). Every step is a compare-and-set on the referral's version with its audit
row; a referral someone may not see answers 404 exactly like a missing one.

Accepting makes the person a client: the record, a course in "referred" and the screening's
PHQ-9 and GAD-7 as that course's first (baseline) responses, dated when the person answered them.
An open alert of the referral becomes the client's alert, so that from then on the client's
clinician and team are the ones told and escalation goes on without a gap."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from rapport.accounts.models import Role, Team, User
from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic import invitations
from rapport.clinic.models import (
    AlertStatus,
    Client,
    ClientStatus,
    Course,
    CourseStatus,
    Notification,
    Respondent,
    Response,
    RiskAlert,
)
from rapport.common.checks import Problems
from rapport.common.errors import EditConflict, InvalidInput
from rapport.common.records import deny, save_versioned
from rapport.core import scoring
from rapport.intake import team, watch
from rapport.intake.models import OPEN_STATUSES, Referral, Status

NOTE_LIMIT = 10000


@dataclass(frozen=True)
class Accept:
    clinician: int | None
    version: int
    invite: bool = False  # e-mail the portal invitation to the address the person gave


@dataclass(frozen=True)
class PlaceOnList:
    clinician: int | None  # a clinician's list, or
    team: int | None  # a team's list
    version: int


@dataclass(frozen=True)
class Completion:
    """What the intake team adds to an incomplete referral, once they have spoken to the person."""

    date_of_birth: date | None
    country: str
    concern: str
    email: str
    phone: str
    consent_confirmed: bool  # the person agreed, when asked, to be contacted and to the data's use
    version: int


@dataclass(frozen=True)
class Decision:
    """Signposting (the letter) or declining (the reason)."""

    note: str
    version: int


def _may(request) -> None:
    if not team.does_intake(request.user):
        deny(request, detail={"permission": "intake.triage"})


def inbox(request, *, show: str = "open") -> list[Referral]:
    """The organisation's referrals, urgent first then the longest waiting; audited as a list."""
    _may(request)
    found = Referral.objects.filter(
        organisation_id=request.user.organisation_id, entered_in_error_at__isnull=True
    ).select_related("alert", "preferred_clinician")
    if show == "open":
        found = found.filter(status__in=OPEN_STATUSES)
    referrals = list(found.order_by("-urgent", "submitted_at", "id")[:500])
    trail.record(request, Action.LIST, object_type="Referral", detail={"count": len(referrals), "show": show})
    return referrals


def get_referral(request, pk: int, *, audit: bool = True) -> Referral:
    _may(request)
    referral = (
        Referral.objects.filter(
            pk=pk, organisation_id=request.user.organisation_id, entered_in_error_at__isnull=True
        )
        .select_related(
            "alert", "preferred_clinician", "assigned_clinician", "client", "waiting_for", "waiting_team"
        )
        .first()
    )
    if referral is None:
        deny(request, detail={"referral": pk})
    if audit:
        trail.record(request, Action.READ, obj=referral)
    return referral


def possible_duplicates(referral: Referral) -> dict:
    """Clients and other open referrals of the organisation with the same name (ignoring case
    and spaces at the ends) and date of birth: flagged, never merged by the software."""
    same = Q(full_name__iexact=referral.full_name.strip(), date_of_birth=referral.date_of_birth)
    return {
        "clients": list(
            Client.objects.filter(
                same, organisation_id=referral.organisation_id, entered_in_error_at__isnull=True
            )
            .exclude(pk=referral.client_id or 0)
            .values_list("pk", flat=True)
        ),
        "referrals": list(
            Referral.objects.filter(
                same, organisation_id=referral.organisation_id, entered_in_error_at__isnull=True
            )
            .exclude(pk=referral.pk)
            .values_list("reference", flat=True)
        ),
    }


def duplicate_flags(referrals: list[Referral]) -> set[int]:
    """The ids of the referrals in this list that have a possible duplicate (two queries)."""
    if not referrals:
        return set()
    organisation_id = referrals[0].organisation_id
    keys = {(r.full_name.strip().lower(), r.date_of_birth) for r in referrals}
    births = {dob for _name, dob in keys}
    clients = {
        (name.strip().lower(), dob)
        for name, dob in Client.objects.filter(
            organisation_id=organisation_id, date_of_birth__in=births, entered_in_error_at__isnull=True
        ).values_list("full_name", "date_of_birth")
    }
    others: dict[tuple, int] = {}
    for name, dob in Referral.objects.filter(
        organisation_id=organisation_id, date_of_birth__in=births, entered_in_error_at__isnull=True
    ).values_list("full_name", "date_of_birth"):
        key = (name.strip().lower(), dob)
        others[key] = others.get(key, 0) + 1
    flagged = set()
    for r in referrals:
        key = (r.full_name.strip().lower(), r.date_of_birth)
        if (key in clients and r.client_id is None) or others.get(key, 0) > 1:
            flagged.add(r.pk)
    return flagged


def _open(request, pk: int, version: int) -> Referral:
    referral = get_referral(request, pk, audit=False)
    if referral.status not in OPEN_STATUSES:
        raise InvalidInput({"__all__": [_("This referral has already been decided.")]})
    if referral.version != version:
        raise EditConflict(referral)
    return referral


def _clinician(request, pk: int | None, problems: Problems, key: str = "clinician") -> User | None:
    if pk is None:
        return None
    found = User.objects.filter(
        pk=pk, organisation_id=request.user.organisation_id, role=Role.CLINICIAN, is_active=True
    ).first()
    if found is None:
        problems.add(key, _("Select a valid choice."))
    return found


def clinicians(request):
    return User.objects.filter(
        organisation_id=request.user.organisation_id, role=Role.CLINICIAN, is_active=True
    ).order_by("full_name")


def teams(request):
    return Team.objects.filter(organisation_id=request.user.organisation_id).order_by("name")


def acknowledge(request, pk: int, note: str) -> Referral:
    """Someone in intake has seen the urgent referral: its alert's escalation stops."""
    referral = get_referral(request, pk, audit=False)
    problems = Problems()
    note = problems.text(
        "note",
        note,
        limit=5000,
        required=True,
        required_message=_("Write what you saw and what you will do."),
    )
    problems.raise_any()
    if referral.alert is None:
        raise InvalidInput({"__all__": [_("This referral has no alert to acknowledge.")]})
    with transaction.atomic():
        changed = RiskAlert.objects.filter(pk=referral.alert.pk, status=AlertStatus.OPEN).update(
            status=AlertStatus.ACKNOWLEDGED,
            acknowledged_at=timezone.now(),
            acknowledged_by=request.user,
            acknowledgement_note=note,
            escalate_at=None,
            version=referral.alert.version + 1,
        )
        if changed != 1:
            raise InvalidInput({"__all__": [_("Someone else has already acknowledged this alert.")]})
        trail.record(
            request, Action.UPDATE, obj=referral.alert, detail={"step": "acknowledged", "referral": pk}
        )
    return get_referral(request, pk, audit=False)


def complete(request, pk: int, given: Completion) -> Referral:
    """Fill in what an incomplete referral lacked (kept only for its risk answer, rapport.intake
    .referrals): the date of birth and country always, the consent when the form lacked it; then
    it is a referral like any other."""
    referral = _open(request, pk, given.version)
    if not referral.incomplete:
        raise InvalidInput({"__all__": [_("This referral is complete already.")]})
    problems = Problems()
    required = _("This field is required.")
    if given.date_of_birth is None:
        problems.add("date_of_birth", required)
    elif not date(1900, 1, 1) <= given.date_of_birth <= timezone.localdate():
        problems.add("date_of_birth", _("Enter a date of birth in the past."))
    country = given.country.strip().upper()
    if country not in countries:
        problems.add("country", _("Choose the country the person lives in."))
    concern = problems.text("concern", given.concern, limit=5000) or referral.concern
    email = problems.text("email", given.email, limit=254) or referral.email
    if email:
        try:
            validators.validate_email(email)
        except ValidationError as exc:
            for message in exc.messages:
                problems.add("email", message)
    phone = problems.text("phone", given.phone, limit=40) or referral.phone
    if not (referral.consent_contact and referral.consent_data) and not given.consent_confirmed:
        problems.add(
            "consent_confirmed", _("Ask the person whether we may contact them and keep what they told us.")
        )
    problems.raise_any()
    with transaction.atomic():
        save_versioned(
            Referral,
            referral.pk,
            given.version,
            date_of_birth=given.date_of_birth,
            country=country,
            concern=concern,
            email=email,
            phone=phone,
            consent_contact=True,
            consent_data=True,
            incomplete=False,
            missing=[],
        )
        trail.record(
            request,
            Action.UPDATE,
            obj=referral,
            detail={"step": "completed", "was_missing": referral.missing},
        )
    return get_referral(request, pk, audit=False)


def accept(request, pk: int, given: Accept) -> Client:
    """The person becomes a client of the chosen clinician, with a course in "referred" whose
    baseline is the referral's screening."""
    referral = _open(request, pk, given.version)
    born = referral.date_of_birth
    if referral.incomplete or born is None:
        raise InvalidInput(
            {"__all__": [_("Complete the referral first: it lacks what the person could not give.")]}
        )
    problems = Problems()
    if given.clinician is None:
        problems.add("clinician", _("This field is required."))
    clinician = _clinician(request, given.clinician, problems)
    problems.raise_any()
    if clinician is None:  # refused above; this tells the type checker
        raise InvalidInput(problems.errors)
    home_team = clinician.teams.order_by("pk").first() or referral.waiting_team
    if home_team is None:
        raise InvalidInput({"clinician": [_("This clinician belongs to no team: add them to one first.")]})
    now = timezone.now()
    with transaction.atomic():
        client = Client.objects.create(
            organisation_id=referral.organisation_id,
            team=home_team,
            responsible_clinician=clinician,
            full_name=referral.full_name,
            date_of_birth=born,
            country=referral.country,
            language=referral.language,
            time_zone=referral.organisation.time_zone,
            status=ClientStatus.REFERRED,
        )
        trail.record(request, Action.CREATE, client=client, obj=client, detail={"referral": referral.pk})
        course = Course.objects.create(client=client, status=CourseStatus.REFERRED)
        trail.record(request, Action.CREATE, client=client, obj=course)
        for instrument_id in ("phq9", "gad7"):
            answers = getattr(referral, f"{instrument_id}_answers")
            if not answers:
                continue
            result = scoring.score(instrument_id, answers)
            response = Response.objects.create(
                client=client,
                course=course,
                instrument=result.instrument,
                instrument_version=result.version,
                answered_by=request.user,
                respondent=Respondent.CLIENT,
                answered_at=referral.submitted_at,
                answers=answers,
                complete=result.complete,
                total=result.total,
                band=result.band or "",
                risk_flags=list(result.risk_flags),
                unanswered_risk_items=list(result.unanswered_risk_items),
                risk_level=result.risk_level,
            )
            trail.record(request, Action.CREATE, client=client, obj=response, detail={"from": "referral"})
        if referral.alert_id is not None:
            # The referral's alert, still unresolved, is the new client's from now on.
            moved = (
                RiskAlert.objects.filter(pk=referral.alert_id, client__isnull=True)
                .exclude(status=AlertStatus.CLOSED)
                .update(client=client)
            )
            if moved:
                trail.record(
                    request, Action.UPDATE, client=client, obj=referral.alert, detail={"step": "to_client"}
                )
                Notification.objects.create(
                    recipient=clinician,
                    client=client,
                    alert_id=referral.alert_id,
                    subject=_("An urgent referral is now your client"),
                    body=_("The screening held a risk answer. Open the alert and the record."),
                )
        save_versioned(
            Referral,
            referral.pk,
            given.version,
            status=Status.ACCEPTED,
            assigned_clinician=clinician,
            client=client,
            decided_by=request.user,
            decided_at=now,
            left_list_at=now if referral.status == Status.WAITING else None,
        )
        trail.record(request, Action.UPDATE, obj=referral, detail={"step": "accepted", "client": client.pk})
        if given.invite:
            if not (referral.email and "email" in referral.contact_by):
                raise InvalidInput({"invite": [_("The person gave no e-mail address to be contacted on.")]})
            # In the acceptance's transaction: an invitation refused (the address already has an
            # account) or not sent undoes the acceptance too, and the refusal says why; accepting
            # again without the invitation works, and the clinician can invite later.
            invitations.issue(request, client, referral.email)
    return client


def place_on_list(request, pk: int, given: PlaceOnList) -> tuple[Referral, str]:
    """On a clinician's or a team's waiting list. Returns the referral and the private link's
    secret (shown once; only its digest is kept)."""
    referral = _open(request, pk, given.version)
    if referral.status == Status.WAITING:
        raise InvalidInput({"__all__": [_("This referral is already on a waiting list.")]})
    problems = Problems()
    clinician = _clinician(request, given.clinician, problems)
    chosen_team = None
    if given.team is not None:
        chosen_team = teams(request).filter(pk=given.team).first()
        if chosen_team is None:
            problems.add("team", _("Select a valid choice."))
    if clinician is None and chosen_team is None and not problems.errors:
        problems.add("clinician", _("Choose a clinician or a team."))
    if clinician is not None and chosen_team is not None:
        problems.add("team", _("Choose a clinician or a team, not both."))
    problems.raise_any()
    secret = watch.new_link_secret()
    now = timezone.now()
    with transaction.atomic():
        save_versioned(
            Referral,
            referral.pk,
            given.version,
            status=Status.WAITING,
            waiting_since=now,
            waiting_for=clinician,
            waiting_team=chosen_team,
            priority=1 if referral.urgent else 0,
            link_digest=watch.link_digest(secret),
            next_recheck_at=now + timedelta(weeks=settings.RAPPORT_WAITING_RECHECK_WEEKS),
            decided_by=request.user,
            decided_at=now,
        )
        trail.record(request, Action.UPDATE, obj=referral, detail={"step": "waiting"})
        watch.queue_recheck(referral.pk, now + timedelta(weeks=settings.RAPPORT_WAITING_RECHECK_WEEKS))
        if referral.email and "email" in referral.contact_by:
            address = referral.email
            transaction.on_commit(lambda: watch.send_link(address, secret, first=True), robust=True)
    return get_referral(request, pk, audit=False), secret


def _decide(request, pk: int, given: Decision, status: Status, required_message: str) -> Referral:
    referral = _open(request, pk, given.version)
    problems = Problems()
    note = problems.text(
        "note", given.note, limit=NOTE_LIMIT, required=True, required_message=required_message
    )
    problems.raise_any()
    now = timezone.now()
    with transaction.atomic():
        save_versioned(
            Referral,
            referral.pk,
            given.version,
            status=status,
            decision_note=note,
            decided_by=request.user,
            decided_at=now,
            left_list_at=now if referral.status == Status.WAITING else None,
        )
        trail.record(request, Action.UPDATE, obj=referral, detail={"step": status.value})
    return get_referral(request, pk, audit=False)


def signpost(request, pk: int, given: Decision) -> Referral:
    return _decide(request, pk, given, Status.SIGNPOSTED, _("Write the letter: where to go and why."))


def decline(request, pk: int, given: Decision) -> Referral:
    return _decide(request, pk, given, Status.DECLINED, _("Give the reason for declining."))
