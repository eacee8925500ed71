"""A referral arrives: checked, scored, limited, stored, and acknowledged, in one service that the
public form and `POST /api/v1/referrals` both call.

The screening is scored by the core's own rules (core/instruments): every question may be skipped,
and a skipped item means no total for that questionnaire (the instruments' `missing: no_total`,
the spec's safe default, [U]) while a risk item that is answered is always judged. A positive risk
answer marks the referral urgent and raises an alert in the same transaction, up the same chain a
client's alert goes (clinic.alert_chain, with the intake team first: rapport.intake.team); the
page shows the crisis lines for the person's country at once.

No risk signal is lost to an error path (hazard log HAZ-285): a form refused for another reason
whose valid risk answers carry risk is kept, with only its valid part, as an incomplete urgent
referral with the same alert, when the person can be reached (`reachable`); and an urgent
referral over the ordinary rate limit is still taken within a separate, bounded urgent cap.

Nothing here looks at who is already a client: the answer, the page and the e-mail are the same
for everyone, so the form cannot be used to find out whether someone is a client. Duplicates are
flagged only inside the intake inbox (rapport.intake.triage)."""

import logging
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import global_settings, settings
from django.core import validators
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from rapport.accounts.models import Organisation, Role, User
from rapport.audit import trail
from rapport.audit.middleware import client_ip
from rapport.audit.models import Action
from rapport.clinic import alert_chain
from rapport.clinic.models import AlertSource
from rapport.common.checks import Problems
from rapport.common.errors import InvalidInput
from rapport.core import crisis, instruments, scoring, triage
from rapport.intake.models import Referral, ReferredBy, Stamp

log = logging.getLogger(__name__)

SCREENING = ("phq9", "gad7")
CONTACT_WAYS = ("email", "phone", "text")
# The formats a person may ask for, as the directory names them [U: the directory's list may grow].
FORMATS = ("", "individual", "group", "couple", "adolescent", "online", "in_person")
LANGUAGES = tuple(code for code, _name in global_settings.LANGUAGES)
TEXT_LIMIT = 5000
# Reference letters people can read out on the phone: Crockford base32 without I, L, O, U.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


# How the person and the intake team read what an incomplete referral lacks.
FIELD_LABELS = {
    "full_name": gettext_lazy("full name"),
    "date_of_birth": gettext_lazy("date of birth"),
    "country": gettext_lazy("country"),
    "concern": gettext_lazy("what is troubling you"),
    "email": gettext_lazy("e-mail address"),
    "phone": gettext_lazy("phone number"),
    "contact_by": gettext_lazy("how we may contact you"),
    "consent_contact": gettext_lazy("agreement to be contacted"),
    "consent_data": gettext_lazy("agreement to keep what you told us"),
    "consent_wording_version": gettext_lazy("the consent wording"),
    "language": gettext_lazy("language"),
    "format": gettext_lazy("how to meet"),
    "preferred_clinician": gettext_lazy("preferred clinician"),
    "referred_by": gettext_lazy("who is filling in the form"),
    "referrer_name": gettext_lazy("the referrer's name"),
    "referrer_role": gettext_lazy("the referrer's role"),
    "referrer_organisation": gettext_lazy("the referrer's practice or service"),
    "referrer_email": gettext_lazy("the referrer's e-mail address"),
    "referrer_phone": gettext_lazy("the referrer's phone number"),
}


def missing_labels(keys) -> list[str]:
    """Refused field names ("date_of_birth", "phq9.item3") as words, in the order given."""
    labels: list[str] = []
    for key in keys:
        instrument_id, _dot, item_id = key.partition(".")
        if item_id and instrument_id in SCREENING:
            definition = instruments.get(instrument_id)
            item = definition.items_by_id.get(item_id)
            label = (
                _("%(form)s question %(n)s") % {"form": definition.short_title, "n": item.number}
                if item is not None
                else definition.short_title
            )
        else:
            label = str(FIELD_LABELS.get(key, key.replace("_", " ")))
        if label not in labels:
            labels.append(label)
    return labels


class RateLimited(Exception):
    """Too many referrals from this address, or from everyone, within the window: nothing stored."""


@dataclass(frozen=True)
class NewReferral:
    full_name: str
    date_of_birth: date | None
    country: str
    concern: str
    consent_contact: bool
    consent_data: bool
    consent_wording_version: str
    email: str = ""
    phone: str = ""
    contact_by: tuple[str, ...] = ()
    may_leave_message: bool = False
    language: str = "en"
    format: str = ""
    preferred_clinician: int | None = None
    referred_by: str = ReferredBy.SELF
    referrer_name: str = ""
    referrer_role: str = ""
    referrer_organisation: str = ""
    referrer_email: str = ""
    referrer_phone: str = ""
    phq9: dict[str, str] = field(default_factory=dict)
    gad7: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Submitted:
    """What the person is told: the same shape whoever they are."""

    reference: str
    urgent: bool
    crisis: crisis.CrisisResources
    reply_within_days: int
    # A refused form kept because its valid answers carried risk: what was refused, by field.
    refused: dict[str, list[str]] = field(default_factory=dict)

    @property
    def incomplete(self) -> bool:
        return bool(self.refused)


def _email(problems: Problems, key: str, value: str) -> str:
    value = problems.text(key, value, limit=254)
    if value:
        try:
            validators.validate_email(value)
        except ValidationError as exc:
            for message in exc.messages:
                problems.add(key, message)
    return value


def _answers(problems: Problems, instrument_id: str, given: dict) -> dict[str, str]:
    """Only the answered items (a blank is a skip), each an option the item has."""
    definition = instruments.get(instrument_id)
    items = {item.id: item for item in definition.items}
    answers: dict[str, str] = {}
    for item_id, code in given.items():
        if code in (None, ""):
            continue
        if item_id not in items or not isinstance(code, str) or code not in items[item_id].options_by_code:
            problems.add(f"{instrument_id}.{item_id}", _("Select a valid choice."))
            continue
        answers[item_id] = code
    return answers


def check_referral(given: NewReferral, organisation: Organisation, today: date) -> NewReferral:
    """The referral as it will be kept (texts trimmed, skipped answers dropped), or InvalidInput
    keyed by the field names, worded as the forms word them."""
    problems = Problems()
    required = _("This field is required.")
    full_name = problems.text("full_name", given.full_name, limit=200, required=True)
    if given.date_of_birth is None:
        problems.add("date_of_birth", required)
    elif not date(1900, 1, 1) <= given.date_of_birth <= today:
        problems.add("date_of_birth", _("Enter a date of birth in the past."))
    country = (given.country or "").strip().upper()
    if country not in countries:
        problems.add("country", _("Choose the country you live in."))
    concern = problems.text(
        "concern",
        given.concern,
        limit=TEXT_LIMIT,
        required=True,
        required_message=_("Tell us in a few words what is troubling you."),
    )
    email = _email(problems, "email", given.email)
    phone = problems.text("phone", given.phone, limit=40)
    for way in given.contact_by:
        problems.choice("contact_by", way, CONTACT_WAYS)
    if not given.contact_by:
        problems.add("contact_by", _("Choose at least one way we may contact you."))
    if "email" in given.contact_by and not email and "email" not in problems:
        problems.add("email", _("Give an e-mail address, or choose another way to be contacted."))
    if {"phone", "text"} & set(given.contact_by) and not phone and "phone" not in problems:
        problems.add("phone", _("Give a phone number, or choose another way to be contacted."))
    if not given.consent_contact:
        problems.add("consent_contact", _("We can only help if we may contact you."))
    if not given.consent_data:
        problems.add("consent_data", _("We need your agreement to keep what you tell us."))
    if given.consent_wording_version != settings.RAPPORT_REFERRAL_CONSENT_VERSION:
        problems.add("consent_wording_version", _("The consent wording has changed: read it again."))
    problems.choice("language", given.language, LANGUAGES)
    problems.choice("format", given.format, FORMATS)
    problems.choice("referred_by", given.referred_by, ReferredBy.values)
    if (
        given.preferred_clinician is not None
        and not _clinicians(organisation).filter(pk=given.preferred_clinician).exists()
    ):
        problems.add("preferred_clinician", _("Select a valid choice."))
    referrer = {}
    for key, limit in (("referrer_name", 200), ("referrer_role", 200), ("referrer_organisation", 200)):
        referrer[key] = problems.text(key, getattr(given, key), limit=limit)
    referrer["referrer_email"] = _email(problems, "referrer_email", given.referrer_email)
    referrer["referrer_phone"] = problems.text("referrer_phone", given.referrer_phone, limit=40)
    if given.referred_by == ReferredBy.PROFESSIONAL:
        if not referrer["referrer_name"] and "referrer_name" not in problems:
            problems.add("referrer_name", _("Give your name as the person referring."))
        if (
            not (referrer["referrer_email"] or referrer["referrer_phone"])
            and "referrer_email" not in problems
        ):
            problems.add("referrer_email", _("Give an e-mail address or a phone number we can reach you on."))
    phq9 = _answers(problems, "phq9", given.phq9)
    gad7 = _answers(problems, "gad7", given.gad7)
    problems.raise_any()
    return NewReferral(
        full_name=full_name,
        date_of_birth=given.date_of_birth,
        country=country,
        concern=concern,
        consent_contact=True,
        consent_data=True,
        consent_wording_version=given.consent_wording_version,
        email=email,
        phone=phone,
        contact_by=tuple(w for w in CONTACT_WAYS if w in given.contact_by),
        may_leave_message=given.may_leave_message,
        language=given.language,
        format=given.format,
        preferred_clinician=given.preferred_clinician,
        referred_by=given.referred_by,
        phq9=phq9,
        gad7=gad7,
        **referrer,
    )


def _clinicians(organisation: Organisation):
    return User.objects.filter(organisation=organisation, role=Role.CLINICIAN, is_active=True)


def clinicians_to_choose(organisation: Organisation):
    """Whom a person may name as their preferred provider."""
    return _clinicians(organisation).order_by("full_name")


def front_door_organisation() -> Organisation:
    """The organisation public referrals go to (RAPPORT_REFERRAL_ORGANISATION, else the first)."""
    chosen = settings.RAPPORT_REFERRAL_ORGANISATION
    found = (
        Organisation.objects.filter(pk=chosen).first()
        if chosen
        else Organisation.objects.order_by("pk").first()
    )
    if found is None:
        raise InvalidInput({"__all__": [_("Referrals cannot be taken here yet.")]})
    return found


def new_reference() -> str:
    return "R" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(7))


def _caller_key(request) -> str:
    # The address only as a keyed digest: the limit needs to compare, never to read it back.
    return "ip:" + salted_hmac("rapport.intake.rate", client_ip(request) or "unknown").hexdigest()[:40]


def _take_a_place(request, now, *, urgent: bool = False) -> None:
    """Count this submission against the limits, or raise RateLimited. Runs inside the
    referral's transaction, so a refused or failed submission leaves no stamp, and an accepted
    one is counted exactly when its referral is kept.

    A referral with a risk answer (`urgent`) over the ordinary limits is still taken while its
    address has fewer than RAPPORT_URGENT_REFERRALS_PER_IP urgent stamps in the window and the
    service fewer than RAPPORT_URGENT_REFERRALS_GLOBAL: a risk answer is not lost to a limit
    meant for robots, and the front door still cannot flood the inbox with urgent ones."""
    if connection.vendor == "postgresql":
        # One submission at a time counts and stamps, so the limit holds under concurrency.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(7215)")
    # Stamps older than the window count for nothing. On SQLite this write also takes the
    # database's write lock first, which serialises the count below in the same way.
    Stamp.objects.filter(at__lt=now - _window()).delete()
    since = now - _window()
    key = _caller_key(request)
    mine = Stamp.objects.filter(key=key, at__gte=since)
    everyone = Stamp.objects.filter(at__gte=since)
    within = (
        mine.count() < settings.RAPPORT_REFERRALS_PER_IP
        and everyone.count() < settings.RAPPORT_REFERRALS_GLOBAL
    )
    if not within and not (
        urgent
        and mine.filter(urgent=True).count() < settings.RAPPORT_URGENT_REFERRALS_PER_IP
        and everyone.filter(urgent=True).count() < settings.RAPPORT_URGENT_REFERRALS_GLOBAL
    ):
        raise RateLimited
    if not within:
        log.warning("urgent referral taken over the ordinary rate limit")
    Stamp.objects.create(key=key, at=now, urgent=urgent)


def _window() -> timedelta:
    return timedelta(seconds=settings.RAPPORT_REFERRAL_WINDOW_SECONDS)


def risk_answered(given: NewReferral) -> bool:
    """Whether the valid risk answers alone carry risk, whatever else is wrong with the referral:
    a refused form still shows the crisis lines at once, and is kept when the person can be
    reached (`submit`)."""
    return any(
        alert_chain.risk_in_valid_answers(instruments.get(i), getattr(given, i)) is not None
        for i in SCREENING
    )


def _scored(instrument_id: str, answers: dict[str, str]) -> scoring.Result:
    try:
        return scoring.score(instrument_id, answers)
    except scoring.InvalidAnswers as exc:  # an answer the branching does not ask: named, as the form says
        raise InvalidInput(
            {f"{instrument_id}.{item}": [_("Select a valid choice.")] for item in exc.items}
        ) from None


def _merged(*refusals: dict[str, list[str]]) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for refusal in refusals:
        for key, messages in refusal.items():
            merged.setdefault(key, []).extend(str(m) for m in messages if str(m) not in merged.get(key, []))
    return merged


def submit(
    request, given: NewReferral, *, honeypot: str = "", refused: dict[str, list[str]] | None = None
) -> Submitted:
    """Take a referral. A filled honeypot gets the same answer as a real referral and stores
    nothing; over the rate limit raises RateLimited; bad input raises InvalidInput. `refused`:
    what the page's own form already refused (by the service's names), refused here too.

    Bad input whose valid risk answers carry risk, from someone we can reach (`reachable`), is
    not refused outright: the valid part is kept as an incomplete urgent referral with its alert
    (`Submitted.refused` says what was left out); without a way to reach the person nothing can
    be kept, and InvalidInput is raised as for any refusal."""
    organisation = front_door_organisation()
    now = timezone.now()
    if honeypot.strip():
        log.info("referral honeypot filled; nothing stored")
        return Submitted(
            new_reference(), False, crisis.for_country(given.country), settings.RAPPORT_REFERRAL_REPLY_DAYS
        )
    errors = _merged(refused or {})
    try:
        checked = check_referral(given, organisation, timezone.localdate())
        results = {
            instrument_id: _scored(instrument_id, getattr(checked, instrument_id))
            for instrument_id in SCREENING
        }
    except InvalidInput as exc:
        errors = _merged(exc.errors, errors)
    if errors:
        return _keep_refused(request, given, errors, organisation, now)
    referral = _store(request, organisation, checked, results, now)
    return Submitted(
        referral.reference,
        referral.urgent,
        crisis.for_country(checked.country),
        settings.RAPPORT_REFERRAL_REPLY_DAYS,
    )


def _store(
    request,
    organisation: Organisation,
    checked: NewReferral,
    results: dict[str, scoring.Result],
    now,
    *,
    missing: dict[str, list[str]] | None = None,
) -> Referral:
    """Stamp, keep, audit and (for a risk answer) alert, in one transaction."""
    risky = [result for result in results.values() if alert_chain.carries_risk(result)]
    with transaction.atomic():
        _take_a_place(request, now, urgent=bool(risky))
        referral = Referral.objects.create(
            organisation=organisation,
            reference=_unused_reference(),
            submitted_at=now,
            referred_by=checked.referred_by,
            referrer_name=checked.referrer_name,
            referrer_role=checked.referrer_role,
            referrer_organisation=checked.referrer_organisation,
            referrer_email=checked.referrer_email,
            referrer_phone=checked.referrer_phone,
            full_name=checked.full_name,
            date_of_birth=checked.date_of_birth,
            email=checked.email,
            phone=checked.phone,
            contact_by=list(checked.contact_by),
            may_leave_message=checked.may_leave_message,
            country=checked.country,
            language=checked.language,
            format=checked.format,
            preferred_clinician_id=checked.preferred_clinician,
            concern=checked.concern,
            consent_contact=checked.consent_contact,
            consent_data=checked.consent_data,
            consent_wording_version=checked.consent_wording_version,
            phq9_answers=checked.phq9,
            gad7_answers=checked.gad7,
            phq9_total=results["phq9"].total,
            phq9_band=results["phq9"].band or "",
            gad7_total=results["gad7"].total,
            gad7_band=results["gad7"].band or "",
            risk_flags=[f"{r.instrument}.{item}" for r in results.values() for item in r.risk_flags],
            urgent=bool(risky),
            incomplete=bool(missing),
            missing=sorted(missing or {}),
        )
        trail.record(
            request,
            Action.CREATE,
            obj=referral,
            detail={"urgent": referral.urgent, **({"incomplete": sorted(missing)} if missing else {})},
        )
        if risky:
            raise_referral_alert(request, referral, risky, why="incomplete_referral" if missing else "")
        address = checked.referrer_email if checked.referred_by == ReferredBy.PROFESSIONAL else checked.email
        if address and (checked.referred_by == ReferredBy.PROFESSIONAL or "email" in checked.contact_by):
            reference = referral.reference
            transaction.on_commit(lambda: send_acknowledgement(address, reference))
    return referral


def valid_part(given: NewReferral, errors: dict[str, list[str]]) -> NewReferral:
    """What a refused referral holds that is valid: every refused field blank (or its default),
    every refused or unknown answer left out, texts trimmed. Nothing invalid is ever kept."""

    def ok(key: str, value, default=""):
        return default if key in errors else value

    screening = {}
    for instrument_id in SCREENING:
        kept = {
            item: code
            for item, code in getattr(given, instrument_id).items()
            if f"{instrument_id}.{item}" not in errors
        }
        screening[instrument_id] = _answers(Problems(), instrument_id, kept)  # drops any still invalid
    referred_by = ok("referred_by", given.referred_by, ReferredBy.SELF)
    return NewReferral(
        full_name=ok("full_name", given.full_name.strip()),
        date_of_birth=ok("date_of_birth", given.date_of_birth, None),
        country=ok("country", (given.country or "").strip().upper()),
        concern=ok("concern", given.concern.strip()),
        consent_contact=given.consent_contact,
        consent_data=given.consent_data,
        consent_wording_version=ok("consent_wording_version", given.consent_wording_version.strip()),
        email=ok("email", given.email.strip()),
        phone=ok("phone", given.phone.strip()),
        contact_by=tuple(way for way in CONTACT_WAYS if way in given.contact_by),
        may_leave_message=given.may_leave_message,
        language=ok("language", given.language, "en"),
        format=ok("format", given.format),
        preferred_clinician=ok("preferred_clinician", given.preferred_clinician, None),
        referred_by=referred_by,
        referrer_name=ok("referrer_name", given.referrer_name.strip()),
        referrer_role=ok("referrer_role", given.referrer_role.strip()),
        referrer_organisation=ok("referrer_organisation", given.referrer_organisation.strip()),
        referrer_email=ok("referrer_email", given.referrer_email.strip()),
        referrer_phone=ok("referrer_phone", given.referrer_phone.strip()),
        phq9=screening["phq9"],
        gad7=screening["gad7"],
    )


def _dialable(phone: str) -> bool:
    # [U] A number someone could ring or text: at least six digits, whatever else is written.
    return sum(ch.isdigit() for ch in phone) >= 6


def reachable(kept: NewReferral) -> bool:
    """[U] Enough to reach the person about a risk answer: a name, and a valid e-mail address or
    a phone number (whichever ways were ticked), or the referring professional's."""
    if not kept.full_name:
        return False
    if kept.email or _dialable(kept.phone):
        return True
    return kept.referred_by == ReferredBy.PROFESSIONAL and bool(
        kept.referrer_email or _dialable(kept.referrer_phone)
    )


def _keep_refused(request, given: NewReferral, errors, organisation: Organisation, now) -> Submitted:
    """A refused referral: kept, incomplete and urgent, when its valid risk answers carry risk
    and the person can be reached; otherwise InvalidInput (nothing kept, nobody told)."""
    kept = valid_part(given, errors)
    if not (risk_answered(given) and reachable(kept)):
        raise InvalidInput(errors)
    results = {}
    for instrument_id in SCREENING:
        try:
            results[instrument_id] = scoring.score(instrument_id, getattr(kept, instrument_id))
        except scoring.InvalidAnswers:
            # Only the risk items, as risk_answered judged them: the signal is never dropped.
            definition = instruments.get(instrument_id)
            answers = getattr(kept, instrument_id)
            results[instrument_id] = scoring.score(
                definition, {i.id: answers[i.id] for i in definition.risk_items if i.id in answers}
            )
    if not any(alert_chain.carries_risk(result) for result in results.values()):
        raise InvalidInput(errors)
    referral = _store(request, organisation, kept, results, now, missing=errors)
    return Submitted(
        referral.reference,
        True,
        crisis.for_country(kept.country),
        settings.RAPPORT_REFERRAL_REPLY_DAYS,
        refused=errors,
    )


def _unused_reference() -> str:
    for _attempt in range(10):
        reference = new_reference()
        if not Referral.objects.filter(reference=reference).exists():
            return reference
    raise RuntimeError("no unused referral reference after 10 tries")  # 32^7: never in practice


def raise_referral_alert(
    request, referral: Referral, results: list[scoring.Result], *, why: str = ""
) -> None:
    """The alert for a referral's risk answers, told to the intake team first. Inside the
    caller's transaction: the referral and its alert are kept together or not at all."""
    rules = triage.triage_rules()
    level = rules.highest(alert_chain.level_of(result) for result in results)
    reasons = [
        *([why] if why else []),
        *(rule for result in results for rule in result.fired_rules),
        *(f"item:{item}" for result in results for item in result.risk_flags),
    ]
    # A person who is nobody's client yet has no session at which a T1 answer would be reviewed:
    # a referral's alert is at least RAPPORT_REFERRAL_MIN_TIER (T2, same-day contact) [U: the
    # reference's design note asks for same-day review; no primary source sets a standard].
    tier = rules.higher_tier(rules.tier_for(level), settings.RAPPORT_REFERRAL_MIN_TIER)
    alert = alert_chain.raise_alert(
        request,
        None,
        tier=tier,
        risk_level=level,
        source=AlertSource.REFERRAL,
        reasons=reasons,
        source_record={"type": "Referral", "id": referral.pk},
    )
    Referral.objects.filter(pk=referral.pk).update(alert=alert, urgent=True)
    referral.alert = alert
    referral.urgent = True


def send_acknowledgement(address: str, reference: str) -> None:
    """What happens next and when; the reference alone, nothing that names or describes anyone.
    A mail server that is down costs the e-mail, never the referral (already kept)."""
    try:
        send_mail(
            _("We have received your referral"),
            _(
                "Thank you. We have received a referral (reference %(reference)s).\n\n"
                "What happens next: someone from our intake team reads every referral and will "
                "contact the person referred, in the way they chose, within %(days)s working days. "
                "If they are placed on a waiting list, they will get a private link to see their "
                "place.\n\nWe are not a crisis service. If anyone is in danger now, call your local "
                "emergency number."
            )
            % {"reference": reference, "days": settings.RAPPORT_REFERRAL_REPLY_DAYS},
            None,
            [address],
        )
    except Exception as exc:  # any failure of the mail path
        log.warning("referral acknowledgement not sent: %s", type(exc).__name__)
