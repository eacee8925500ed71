"""Case reviews: a supervisor records one (about a client, or a clinician's caseload) with the
actions agreed; the clinician reads it and sees its actions due on their caseload. Every read
and write is audited; edits are versioned, so two supervisors never overwrite each other."""

from datetime import date, timedelta

from django import forms
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.accounts.models import Role, User
from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic.models import Client, Notification
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
    held_on = forms.DateField(label=_("Date of the review"), widget=DATE_INPUT)
    client = forms.ModelChoiceField(
        label=_("Client"), queryset=Client.objects.none(), required=False, empty_label=_("— none —")
    )
    clinician = forms.ModelChoiceField(
        label=_("Or a clinician's whole caseload"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— none —"),
    )
    discussion = forms.CharField(label=_("Discussion"), widget=forms.Textarea(attrs={"rows": 6}))

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

    def clean(self):
        data = super().clean()
        if bool(data.get("client")) == bool(data.get("clinician")):
            self.add_error("client", _("Choose either a client or a clinician."))
        for i in range(1, ACTION_ROWS + 1):
            if data.get(f"action_{i}") and not data.get(f"due_{i}"):
                self.add_error(f"due_{i}", _("Give the action a due date."))
            if data.get(f"due_{i}") and not data.get(f"action_{i}"):
                self.add_error(f"action_{i}", _("Say what was agreed, or clear the date."))
        return data

    def actions(self) -> list[tuple[str, date]]:
        data = self.cleaned_data
        return [
            (data[f"action_{i}"], data[f"due_{i}"])
            for i in range(1, ACTION_ROWS + 1)
            if data.get(f"action_{i}")
        ]


class ReviewEditForm(forms.Form):
    held_on = forms.DateField(label=_("Date of the review"), widget=DATE_INPUT)
    discussion = forms.CharField(label=_("Discussion"), widget=forms.Textarea(attrs={"rows": 6}))


class ActionForm(forms.Form):
    text = forms.CharField(label=_("Agreed action"), max_length=500)
    due_on = forms.DateField(label=_("Due by"), widget=DATE_INPUT)


def _tell(recipient, client, subject, body) -> None:
    Notification.objects.create(recipient=recipient, client=client, subject=subject, body=body)


def create(request, data) -> CaseReview:
    user = request.user
    if not scope.sees_workspace(user):
        raise InvalidInput({"__all__": [str(_("Only a supervisor records a case review."))]})
    form = ReviewForm(data, user=user)
    if not form.is_valid():
        raise invalid(form)
    client = form.cleaned_data["client"]
    if client is not None:
        clinician, team = client.responsible_clinician, client.team
    else:
        clinician = form.cleaned_data["clinician"]
        team = scope.supervised_teams(user).filter(members=clinician).first()
    with transaction.atomic():
        review = CaseReview.objects.create(
            organisation_id=user.organisation_id,
            team=team,
            supervisor=user,
            clinician=clinician,
            client=client,
            held_on=form.cleaned_data["held_on"],
            discussion=form.cleaned_data["discussion"],
        )
        AgreedAction.objects.bulk_create(
            AgreedAction(review=review, text=text, due_on=due) for text, due in form.actions()
        )
        trail.record(
            request, Action.CREATE, client=client, obj=review, detail={"actions": len(form.actions())}
        )
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


def _for_change(request, pk: int) -> CaseReview:
    """Only the supervisors of the review's team change it; the clinician reads it."""
    review = get(request, pk, audit=False)
    if not scope.sees_workspace(request.user):
        deny(request, detail={"case_review": pk})
    return review


def update(request, pk: int, data, version: int) -> CaseReview:
    review = _for_change(request, pk)
    form = ReviewEditForm(data)
    if not form.is_valid():
        raise invalid(form)
    with transaction.atomic():
        save_versioned(CaseReview, review.pk, version, **form.cleaned_data)
        trail.record(
            request,
            Action.UPDATE,
            client=review.client_id,
            obj=review,
            detail={"fields": sorted(form.cleaned_data)},
        )
    return review


def add_action(request, pk: int, data) -> AgreedAction:
    review = _for_change(request, pk)
    form = ActionForm(data)
    if not form.is_valid():
        raise invalid(form)
    with transaction.atomic():
        action = AgreedAction.objects.create(review=review, **form.cleaned_data)
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
