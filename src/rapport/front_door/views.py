"""The front door's pages: the self-referral form, its acknowledgement, and the waiting list's
private link. Public, without JavaScript; nothing on them depends on who the person is."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from rapport.common.access import public
from rapport.common.errors import InvalidInput
from rapport.common.forms import show_refusal
from rapport.core import crisis, instruments, learn
from rapport.front_door.forms import ReferralForm, item_field_name, refusal_names
from rapport.intake import referrals, watch

SENT_KEY = "front_door_sent"


@public
@require_http_methods(["GET", "POST"])
def referral_form(request):
    try:
        organisation = referrals.front_door_organisation()
    except InvalidInput:
        raise Http404("Referrals are not taken here") from None
    # Staff names are not listed to the public: the directory's "ask this provider" link names
    # one (?clinician=<id>), and only that one is offered.
    named = (request.POST if request.method == "POST" else request.GET).get(
        "preferred_clinician" if request.method == "POST" else "clinician", ""
    )
    clinicians = referrals.clinicians_to_choose(organisation).filter(
        pk=int(named) if named.isdigit() else None
    )
    status = 200
    crisis_now = None
    if request.method == "POST":
        form = ReferralForm(request.POST, clinicians=clinicians)
        form.is_valid()
        given = form.to_referral()  # what was read, even from a form refused on another field
        # The form's own refusals go to the service too, so that a refused form whose valid risk
        # answers carry risk is kept like any other (by the service's names for the fields).
        names = {page: service for service, page in refusal_names().items()}
        refused = {names.get(k, k): [str(m) for m in ms] for k, ms in form.errors.items()}
        try:
            sent = referrals.submit(
                request, given, honeypot=form.cleaned_data.get("website") or "", refused=refused
            )
        except InvalidInput as exc:
            show_refusal(
                form, InvalidInput({k: v for k, v in exc.errors.items() if k not in refused}), refusal_names()
            )
        except referrals.RateLimited:
            form.add_error(
                None,
                _(
                    "Too many referrals have been sent from here in the last hour. Nothing was kept: "
                    "please try again later. If you are in danger now, call your local emergency number."
                ),
            )
            status = 429
        else:
            # Only what the next page needs; the reference is not personal data, nor are the
            # names of the fields an incomplete referral lacks.
            request.session[SENT_KEY] = {
                "reference": sent.reference,
                "urgent": sent.urgent,
                "country": sent.crisis.country,
                "incomplete": sent.incomplete,
                "missing": [k for k in sent.refused if k != "__all__"],
            }
            return redirect("referral_sent")
        # Not sent: a risk answer among what was read still shows the crisis lines at once, and
        # says plainly that nobody was told.
        if referrals.risk_answered(given):
            crisis_now = crisis.for_country(given.country)
    else:
        form = ReferralForm(
            initial={
                "consent_wording_version": settings.RAPPORT_REFERRAL_CONSENT_VERSION,
                "preferred_clinician": named if named.isdigit() else "",
            },
            clinicians=clinicians,
        )
    context = {
        "form": form,
        "organisation": organisation,
        "reply_days": settings.RAPPORT_REFERRAL_REPLY_DAYS,
        "crisis": crisis_now,
        "rate_limited": status == 429,
        "tier": "T2",
        "open_now": True,
    }
    return render(request, "front_door/referral_form.html", context, status=status)


@public
@require_GET
def referral_sent(request):
    sent = request.session.get(SENT_KEY)
    if not sent:
        return redirect("referral_form")
    context = {
        "sent": sent,
        "missing": referrals.missing_labels(sent.get("missing", [])),
        "crisis": crisis.for_country(sent.get("country")),
        "tier": "T2" if sent.get("urgent") else "T1",
        "open_now": True,
        "reply_days": settings.RAPPORT_REFERRAL_REPLY_DAYS,
    }
    return render(request, "front_door/referral_sent.html", context)


@public
@require_GET
def waiting_link(request, secret: str):
    # The secret leaves the address bar (and the logs of anything after) before a page renders.
    request.session[watch.SESSION_KEY] = secret
    return redirect("waiting_place")


@public
@require_http_methods(["GET", "POST"])
def waiting_place(request):
    secret = request.session.get(watch.SESSION_KEY, "")
    referral = watch.find(secret)
    if referral is None:
        return render(request, "front_door/waiting_gone.html", status=404)
    errors = {}
    if request.method == "POST":
        step = request.POST.get("step")
        if step == "cancel":
            watch.cancel(request, secret)
            request.session.pop(watch.SESSION_KEY, None)
            return render(request, "front_door/waiting_cancelled.html")
        if step == "recheck":
            answers = {
                item.id: request.POST.get(item_field_name("phq9", item.id), "")
                for item in instruments.get("phq9").items
            }
            try:
                check = watch.recheck(request, secret, answers)
            except InvalidInput as exc:
                errors = exc.errors
            else:
                context = {
                    "check": check,
                    "crisis": crisis.for_country(str(referral.country)),
                    "tier": "T2",
                    "open_now": True,
                }
                return render(request, "front_door/waiting_checked.html", context)
    context = {
        "place": watch.place_of(referral),
        "phq9": instruments.get("phq9"),
        "errors": errors,
        "learn_pages": learn.pages(),
        "field_prefix": "phq9_",
    }
    return render(request, "front_door/waiting_place.html", context)


@public
@require_GET
def waiting_learn(request, slug: str):
    """The Learn pages, for someone on the waiting list (opened through their private link)."""
    if watch.find(request.session.get(watch.SESSION_KEY, "")) is None:
        raise Http404("No such page")
    try:
        page = learn.get(slug)
    except learn.UnknownPage:
        raise Http404("No such page") from None
    return render(request, "front_door/waiting_learn.html", {"page": page, "learn_pages": learn.pages()})
