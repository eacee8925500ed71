"""The group pages' forms: they only read what a page posts into the services' typed values;
what the values may be is the services' to say (check_group, check_session, ...).

The session-capture form is deliberately plain HTML (one field name per value, a `m<membership
id>-` prefix per member) so that the offline capture can fill and send it, or send the same
values to the API."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from rapport.accounts.models import Role, Team, User
from rapport.clinic.models import Client, MoodChange
from rapport.common.errors import invalid
from rapport.common.forms import DATE_INPUT
from rapport.core import instruments
from rapport.groups import capture, formation, membership
from rapport.groups.models import Group, GroupStatus, Weekday

TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    facilitator = forms.ModelChoiceField(label=_("Facilitator"), queryset=User.objects.none())
    co_facilitator = forms.ModelChoiceField(
        label=_("Co-facilitator (optional)"), queryset=User.objects.none(), required=False
    )
    team = forms.ModelChoiceField(label=_("Supervising team"), queryset=Team.objects.none())
    lay_facilitated = forms.BooleanField(
        label=_("Facilitated by lay counsellors"),
        required=False,
        initial=True,
        help_text=_("The team's supervisors are then told of any risk in the group at once."),
    )
    meeting_place = forms.CharField(label=_("Meeting place"), max_length=200, required=False)
    meeting_day = forms.ChoiceField(
        label=_("Meeting day"), choices=[("", "—"), *Weekday.choices], required=False
    )
    meeting_time = forms.TimeField(label=_("Meeting time"), required=False, widget=TIME_INPUT)
    planned_start = forms.DateField(label=_("Planned start"), widget=DATE_INPUT)
    status = forms.ChoiceField(label=_("Status"), choices=GroupStatus.choices, initial=GroupStatus.FORMING)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        clinicians = User.objects.filter(
            organisation_id=user.organisation_id, role=Role.CLINICIAN, is_active=True
        )
        self.fields["facilitator"].queryset = clinicians
        self.fields["co_facilitator"].queryset = clinicians
        self.fields["team"].queryset = Team.objects.filter(organisation_id=user.organisation_id)

    @classmethod
    def of(cls, user, group: Group):
        return cls(
            user,
            initial={
                "name": group.name,
                "facilitator": group.facilitator_id,
                "co_facilitator": group.co_facilitator_id,
                "team": group.team_id,
                "lay_facilitated": group.lay_facilitated,
                "meeting_place": group.meeting_place,
                "meeting_day": group.meeting_day,
                "meeting_time": group.meeting_time,
                "planned_start": group.planned_start,
                "status": group.status,
            },
        )

    def values(self, variant: str = "group_ipt_who") -> formation.GroupValues:
        if not self.is_valid():
            raise invalid(self)
        data = self.cleaned_data
        return formation.GroupValues(
            name=data["name"],
            variant=variant,
            facilitator_id=data["facilitator"].pk,
            co_facilitator_id=data["co_facilitator"].pk if data["co_facilitator"] else None,
            team_id=data["team"].pk,
            lay_facilitated=data["lay_facilitated"],
            meeting_place=data["meeting_place"],
            meeting_day=data["meeting_day"],
            meeting_time=data["meeting_time"],
            planned_start=data["planned_start"],
            status=data["status"],
        )


# The service's names for the page's fields, so that a refusal lands on the right field.
GROUP_NAMES = {"facilitator_id": "facilitator", "co_facilitator_id": "co_facilitator", "team_id": "team"}


class MemberForm(forms.Form):
    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.none())
    joined_on = forms.DateField(label=_("Joins on"), widget=DATE_INPUT)
    reason = forms.CharField(
        label=_("Why they join"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, clients, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients

    def values(self) -> membership.NewMember:
        if not self.is_valid():
            raise invalid(self)
        data = self.cleaned_data
        return membership.NewMember(
            client_id=data["client"].pk, joined_on=data["joined_on"], reason=data["reason"]
        )


class LeavingForm(forms.Form):
    left_on = forms.DateField(label=_("Left on"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("Why they left"), widget=forms.Textarea(attrs={"rows": 2}))

    def values(self) -> membership.Leaving:
        if not self.is_valid():
            raise invalid(self)
        return membership.Leaving(**self.cleaned_data)


class PreGroupForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    accepted = forms.BooleanField(
        label=_("Accepted the invitation to the group"), required=False, initial=True
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, steps, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.steps = steps
        for step in steps:
            self.fields[f"step_{step.id}"] = forms.CharField(
                label=step.name,
                help_text=step.description,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        # The agenda in its order, then whether the person accepted, then a note.
        self.order_fields(["date", *(f"step_{s.id}" for s in steps), "accepted", "note"])

    def values(self) -> membership.PreGroupValues:
        if not self.is_valid():
            raise invalid(self)
        data = self.cleaned_data
        return membership.PreGroupValues(
            date=data["date"],
            accepted=data["accepted"],
            note=data["note"],
            step_notes={s.id: data[f"step_{s.id}"] for s in self.steps},
        )


class SessionForm(forms.Form):
    number = forms.IntegerField(label=_("Session number"), min_value=1, max_value=100)
    date = forms.DateField(label=_("Date held"), widget=DATE_INPUT)
    paper_filled_on = forms.DateField(
        label=_("Paper sheet filled in on (only when entering a paper sheet)"),
        required=False,
        widget=DATE_INPUT,
    )
    notes = forms.CharField(label=_("Group notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    submission_key = forms.CharField(required=False, widget=forms.HiddenInput, max_length=100)

    @staticmethod
    def new_key() -> str:
        return uuid.uuid4().hex


def _phq9_choices(item) -> list:
    return [("", "—"), *((o.code, f"{o.score} · {o.label}") for o in item.options)]


class MemberRecordForm(forms.Form):
    """One member's part of the session-capture form (prefix "m<membership id>")."""

    attended = forms.BooleanField(label=_("Attended"), required=False)
    mood_change = forms.TypedChoiceField(
        label=_("Mood since last week"),
        choices=[("", "—"), *MoodChange.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    mood_events = forms.TypedMultipleChoiceField(
        label=_("Linked to events on their timeline"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    mood_note = forms.CharField(label=_("What the change is linked to"), required=False)
    task_reviewed = forms.CharField(label=_("How last week's task went"), required=False)
    task_set = forms.CharField(label=_("This week's interpersonal task"), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    needs_follow_up = forms.BooleanField(label=_("Needs individual follow-up"), required=False)
    needs_follow_up_for_risk = forms.BooleanField(label=_("Needs follow-up for risk"), required=False)

    def __init__(self, member, events, *args, **kwargs):
        super().__init__(*args, prefix=f"m{member.pk}", **kwargs)
        self.member = member
        self.fields["mood_events"].choices = [(e.pk, str(e)) for e in events]
        for item in instruments.get(capture.MEASURE).items:
            self.fields[item.id] = forms.ChoiceField(
                label=f"{item.number}. {item.text}", choices=_phq9_choices(item), required=False
            )

    @property
    def phq9_fields(self):
        return [self[item.id] for item in instruments.get(capture.MEASURE).items]

    @property
    def other_fields(self):
        """Mood, tasks and note: what the screen shows after the PHQ-9."""
        return [
            self[name]
            for name in ("mood_change", "mood_events", "mood_note", "task_reviewed", "task_set", "note")
        ]

    @property
    def risk_fields(self):
        return [item.id for item in instruments.get(capture.MEASURE).risk_items]

    def readable_answers(self) -> dict[str, str]:
        """The PHQ-9 answers this member's part could read, whatever else in it was refused
        (call after is_valid): an answer refused itself is left out."""
        data = getattr(self, "cleaned_data", {})
        return {
            item.id: data[item.id] for item in instruments.get(capture.MEASURE).items if data.get(item.id)
        }

    def entry(self) -> capture.MemberEntry:
        data = self.cleaned_data
        answers = {
            item.id: data[item.id] for item in instruments.get(capture.MEASURE).items if data.get(item.id)
        }
        return capture.MemberEntry(
            membership_id=self.member.pk,
            attended=data["attended"],
            phq9=answers or None,
            mood_change=data["mood_change"],
            mood_event_ids=list(data["mood_events"]),
            mood_note=data["mood_note"],
            task_set=data["task_set"],
            task_reviewed=data["task_reviewed"],
            note=data["note"],
            needs_follow_up=data["needs_follow_up"],
            needs_follow_up_for_risk=data["needs_follow_up_for_risk"],
        )

    @classmethod
    def initial_of(cls, record) -> dict:
        data = {
            "attended": record.attended,
            "mood_change": record.mood_change,
            "mood_events": [e.pk for e in record.mood_events.all()],
            "mood_note": record.mood_note,
            "task_reviewed": record.task_reviewed,
            "task_set": record.task_set,
            "note": record.note,
            "needs_follow_up": record.needs_follow_up,
            "needs_follow_up_for_risk": record.needs_follow_up_for_risk,
        }
        if record.response is not None:
            data.update(record.response.answers)
        return data
