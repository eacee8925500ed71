"""Case reviews: a supervisor records one (about a client, or a clinician's caseload) with the
actions agreed; the clinician reads it and sees its actions due on their caseload. Every read
and write is audited; edits are versioned, so two supervisors never overwrite each other.

The services take typed values (NewReview, ReviewText, ActionItem) and check them here
(check_review, check_review_text, check_action); the forms only read what a page posts."""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import cast

from django import forms
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.accounts.models import Role, User
from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic.models import Client, Notification
from rapport.common.checks import Problems
from rapport.common.errors import InvalidInput, invalid
from rapport.common.forms import DATE_INPUT
from rapport.common.records import deny, save_versioned
from rapport.core import workspace_rules
from rapport.supervision import scope
from rapport.supervision.models import AgreedAction, CaseReview

ACTION_ROWS = 3  # blank action rows on the new-review form; more are added on the review page


def _clients_in_view(user):
    return Client.objects.filter(
        organisation_id=user.organisation_id,
        team__in=scope.supervised_teams(user),
        entered_in_error_at__isnull=True,
    ).select_related("responsible_clinician")


def _clinicians_in_view(user):
    return User.objects.filter(
        organisation_id=user.organisation_id,
        role=Role.CLINICIAN,
        teams__in=scope.supervised_teams(user),
    ).distinct()


class ReviewForm(forms.Form):
    """Reads a new review from the page; what a review may say is check_review's to say."""

    held_on = forms.DateField(label=_("Date of the review"), widget=DATE_INPUT, required=False)
    client = forms.ModelChoiceField(
        label=_("Client"), queryset=Client.objects.none(), required=False, empty_label=_("— none —")
    )
    clinician = forms.ModelChoiceField(
        label=_("Or a clinician's whole caseload"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— none —"),
    )
    discussion = forms.CharField(
        label=_("Discussion"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = _clients_in_view(user)
        self.fields["client"].label_from_instance = lambda c: f"{c.display_name} · {c.responsible_clinician}"
        self.fields["clinician"].queryset = _clinicians_in_view(user)
        for i in range(1, ACTION_ROWS + 1):
            self.fields[f"action_{i}"] = forms.CharField(
                label=_("Agreed action %(n)s") % {"n": i}, max_length=500, required=False
            )
            self.fields[f"due_{i}"] = forms.DateField(
                label=_("Due by (action %(n)s)") % {"n": i}, required=False, widget=DATE_INPUT
            )


class ReviewEditForm(forms.Form):
    held_on = forms.DateField(label=_("Date of the review"), widget=DATE_INPUT, required=False)
    discussion = forms.CharField(
        label=_("Discussion"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )


class ActionForm(forms.Form):
    text = forms.CharField(label=_("Agreed action"), max_length=500, required=False)
    due_on = forms.DateField(label=_("Due by"), widget=DATE_INPUT, required=False)


@dataclass(frozen=True)
class ActionItem:
    """An action agreed at a review; a page's blank row is one with no text and no date."""

    text: str
    due_on: date | None


@dataclass(frozen=True)
class NewReview:
    """A case review as a supervisor gives it: about a client or a clinician's whole caseload
    (by id, exactly one of the two), with the actions agreed (numbered from 1 in refusals)."""

    held_on: date | None  # None: not given, which the check refuses with the rest
    client: int | None
    clinician: int | None
    discussion: str
    actions: list[ActionItem] = field(default_factory=list)


@dataclass(frozen=True)
class ReviewText:
    """What an edit of a review changes."""

    held_on: date | None
    discussion: str


@dataclass(frozen=True)
class Reviewed:
    review: NewReview
    client: Client | None
    clinician: User


# Refusals name the page's fields for the nested action keys ("actions.2.due_on" is "due_2").
REVIEW_FIELDS = {
    **{f"actions.{i}.text": f"action_{i}" for i in range(1, ACTION_ROWS + 1)},
    **{f"actions.{i}.due_on": f"due_{i}" for i in range(1, ACTION_ROWS + 1)},
}
NOT_A_CHOICE = forms.ModelChoiceField.default_error_messages["invalid_choice"]


def review_from(form: ReviewForm) -> NewReview:
    """The typed review a page's form read (every action row, blank ones too, so that a refusal
    keyed "actions.2..." lands on row 2), or InvalidInput with the form's own messages."""
    if not form.is_valid():
        raise invalid(form)
    data = form.cleaned_data
    return NewReview(
        held_on=data["held_on"],
        client=data["client"].pk if data["client"] else None,
        clinician=data["clinician"].pk if data["clinician"] else None,
        discussion=data["discussion"],
        actions=[ActionItem(data[f"action_{i}"], data[f"due_{i}"]) for i in range(1, ACTION_ROWS + 1)],
    )


def _check_action(problems: Problems, prefix: str, given: ActionItem) -> ActionItem:
    """The action trimmed; refused without text or without a due date (so a checked one has both)."""
    text = problems.text(f"{prefix}text", given.text, limit=500)
    if text and given.due_on is None:
        problems.add(f"{prefix}due_on", _("Give the action a due date."))
    if not text and f"{prefix}text" not in problems:
        problems.add(f"{prefix}text", _("Say what was agreed, or clear the date."))
    return replace(given, text=text)


def _held_on(problems: Problems, day: date | None) -> None:
    if day is None:
        problems.add("held_on", forms.Field.default_error_messages["required"])


def check_review(given: NewReview, user) -> Reviewed:
    """The review as it will be stored, with the client or clinician it is about (only from the
    supervisor's own teams), or InvalidInput keyed by its fields."""
    problems = Problems()
    _held_on(problems, given.held_on)
    discussion = problems.text("discussion", given.discussion, required=True)
    client = clinician = None
    if (given.client is None) == (given.clinician is None):
        problems.add("client", _("Choose either a client or a clinician."))
    elif given.client is not None:
        client = _clients_in_view(user).filter(pk=given.client).first()
        if client is None:
            problems.add("client", NOT_A_CHOICE)
        else:
            clinician = client.responsible_clinician
    else:
        clinician = _clinicians_in_view(user).filter(pk=given.clinician).first()
        if clinician is None:
            problems.add("clinician", NOT_A_CHOICE)
    actions = [
        _check_action(problems, f"actions.{n}.", item)
        for n, item in enumerate(given.actions, start=1)
        if item.text.strip() or item.due_on is not None
    ]
    problems.raise_any()
    return Reviewed(replace(given, discussion=discussion, actions=actions), client, cast(User, clinician))


def check_review_text(given: ReviewText) -> ReviewText:
    problems = Problems()
    _held_on(problems, given.held_on)
    discussion = problems.text("discussion", given.discussion, required=True)
    problems.raise_any()
    return replace(given, discussion=discussion)


def check_action(given: ActionItem) -> ActionItem:
    problems = Problems()
    if not given.text.strip() and given.due_on is None:
        problems.add("text", forms.Field.default_error_messages["required"])
        problems.raise_any()
    checked = _check_action(problems, "", given)
    problems.raise_any()
    return checked


def _tell(recipient, client, subject, body) -> None:
    Notification.objects.create(recipient=recipient, client=client, subject=subject, body=body)


def create(request, given: NewReview) -> CaseReview:
    user = request.user
    if not scope.sees_workspace(user):
        raise InvalidInput({"__all__": [str(_("Only a supervisor records a case review."))]})
    checked = check_review(given, user)
    client, clinician = checked.client, checked.clinician
    if client is not None:
        team = client.team
    else:
        team = scope.supervised_teams(user).filter(members=clinician).first()
    actions = checked.review.actions
    with transaction.atomic():
        review = CaseReview.objects.create(
            organisation_id=user.organisation_id,
            team=team,
            supervisor=user,
            clinician=clinician,
            client=client,
            held_on=cast(date, checked.review.held_on),
            discussion=checked.review.discussion,
        )
        AgreedAction.objects.bulk_create(
            AgreedAction(review=review, text=a.text, due_on=cast(date, a.due_on)) for a in actions
        )
        trail.record(request, Action.CREATE, client=client, obj=review, detail={"actions": len(actions)})
        _tell(
            clinician,
            client,
            str(_("A supervision case review was recorded")),
            str(
                _("%(supervisor)s recorded a case review with you; it is on your caseload page.")
                % {"supervisor": user}
            ),
        )
    return review


def visible(user):
    """The reviews this person may read: a supervisor's teams' reviews, a clinician's own."""
    base = CaseReview.objects.filter(organisation_id=user.organisation_id, entered_in_error_at__isnull=True)
    if scope.sees_workspace(user):
        return base.filter(team__in=scope.supervised_teams(user))
    if user.is_authenticated and user.role == Role.CLINICIAN:
        return base.filter(clinician=user)
    return base.none()


def get(request, pk: int, *, audit: bool = True) -> CaseReview:
    review = (
        visible(request.user)
        .select_related("client", "clinician", "supervisor", "team")
        .filter(pk=pk)
        .first()
    )
    if review is None:
        # The denial names the client the review is about, so that their own trail shows it.
        about = CaseReview.objects.filter(pk=pk).values_list("client_id", flat=True).first()
        deny(request, client_id=about, detail={"case_review": pk})
    if audit:
        trail.record(request, Action.READ, client=review.client_id, obj=review)
    return review


def for_change(request, pk: int) -> CaseReview:
    """Only the supervisors of the review's team change it; the clinician reads it."""
    review = get(request, pk, audit=False)
    if not scope.sees_workspace(request.user):
        deny(request, detail={"case_review": pk})
    return review


def update(request, pk: int, given: ReviewText, version: int) -> CaseReview:
    review = for_change(request, pk)
    checked = check_review_text(given)
    values = {"held_on": checked.held_on, "discussion": checked.discussion}
    with transaction.atomic():
        save_versioned(CaseReview, review.pk, version, **values)
        trail.record(
            request,
            Action.UPDATE,
            client=review.client_id,
            obj=review,
            detail={"fields": sorted(values)},
        )
    return review


def add_action(request, pk: int, given: ActionItem) -> AgreedAction:
    review = for_change(request, pk)
    checked = check_action(given)
    with transaction.atomic():
        action = AgreedAction.objects.create(
            review=review, text=checked.text, due_on=cast(date, checked.due_on)
        )
        trail.record(request, Action.CREATE, client=review.client_id, obj=action)
    return action


def set_done(request, action_id: int, done: bool, version: int) -> AgreedAction:
    """The supervisor, or the clinician the review is with, marks an action followed up (or not)."""
    action = AgreedAction.objects.filter(
        pk=action_id, review__in=visible(request.user), entered_in_error_at__isnull=True
    ).first()
    if action is None:
        deny(request, detail={"agreed_action": action_id})
    with transaction.atomic():
        save_versioned(AgreedAction, action.pk, version, done_on=timezone.localdate() if done else None)
        trail.record(
            request,
            Action.UPDATE,
            client=action.review.client_id,
            obj=action,
            detail={"fields": ["done_on"], "done": done},
        )
    return action


def actions_due(user, today=None) -> list[AgreedAction]:
    """A clinician's open actions due within the configured days (overdue ones first)."""
    if not (user.is_authenticated and user.role == Role.CLINICIAN):
        return []
    today = today or timezone.localdate()
    horizon = today + timedelta(days=workspace_rules.rules().action_due_within_days)
    return list(
        AgreedAction.objects.filter(
            Q(review__clinician=user),
            review__entered_in_error_at__isnull=True,
            entered_in_error_at__isnull=True,
            done_on__isnull=True,
            due_on__lte=horizon,
        )
        .select_related("review")
        .order_by("due_on", "id")
    )
