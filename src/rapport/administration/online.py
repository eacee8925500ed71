"""The organisation's settings for therapy online: video service, reminders, quiet hours and the
messaging note's reply time (scheduling.online_settings holds the rules and the versioned save)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from rapport.clinic import rules
from rapport.common.access import signed_in
from rapport.common.errors import EditConflict, InvalidInput
from rapport.common.forms import posted_version, show_refusal
from rapport.core import hours
from rapport.core import messaging as messaging_rules
from rapport.scheduling import online_settings
from rapport.scheduling.models import VideoKind

TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class OnlineSettingsForm(forms.Form):
    video_kind = forms.ChoiceField(label=gettext_lazy("Video service"), choices=VideoKind.choices)
    video_base_url = forms.CharField(
        label=gettext_lazy("Video service address"),
        max_length=200,
        required=False,
        help_text=gettext_lazy(
            "Such as https://meet.example.org/. Each online session adds an unguessable room name "
            "that names no one. Empty: the address this installation was set up with."
        ),
    )
    video_lobby = forms.BooleanField(
        label=gettext_lazy("Clients wait in a lobby until the clinician lets them in (Jitsi)"),
        required=False,
    )
    lead_hours = forms.CharField(
        label=gettext_lazy("Reminder lead times (hours before the session)"),
        max_length=40,
        help_text=gettext_lazy("One to three whole numbers separated by commas, such as 24, 2."),
    )
    quiet_from = forms.TimeField(label=gettext_lazy("Quiet hours from"), widget=TIME_INPUT)
    quiet_until = forms.TimeField(
        label=gettext_lazy("Quiet hours until"),
        widget=TIME_INPUT,
        help_text=gettext_lazy(
            "No reminder is sent in quiet hours (in the client's time zone); one due then is sent "
            "just before they begin."
        ),
    )
    reply_within_hours = forms.IntegerField(
        label=gettext_lazy("Messages are read within (working hours)"),
        required=False,
        help_text=gettext_lazy("Shown to clients under their messages. Empty: the default of %(n)s."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default = messaging_rules.rules().reply_within_working_hours
        field = self.fields["reply_within_hours"]
        field.help_text = str(field.help_text) % {"n": default}

    def clean_lead_hours(self) -> list[int]:
        text = self.cleaned_data["lead_hours"]
        try:
            return [int(part) for part in text.replace(" ", "").split(",") if part]
        except ValueError:
            raise forms.ValidationError(
                _("Write whole numbers of hours separated by commas, such as 24, 2.")
            ) from None


def _initial(values: online_settings.OnlineSettings) -> dict:
    return {
        "video_kind": values.video_kind,
        "video_base_url": values.video_base_url,
        "video_lobby": values.video_lobby,
        "lead_hours": ", ".join(str(h) for h in values.lead_hours),
        "quiet_from": values.quiet_from,
        "quiet_until": values.quiet_until,
        "reply_within_hours": values.reply_within_hours,
    }


def _typed(form: OnlineSettingsForm) -> online_settings.OnlineSettings:
    data = form.cleaned_data
    return online_settings.OnlineSettings(
        video_base_url=data["video_base_url"],
        video_kind=data["video_kind"],
        video_lobby=data["video_lobby"],
        lead_hours=tuple(data["lead_hours"]),
        quiet_from=data["quiet_from"],
        quiet_until=data["quiet_until"],
        reply_within_hours=data["reply_within_hours"],
    )


@signed_in(rules.is_administrator)
@require_http_methods(["GET", "POST"])
def online_settings_page(request):
    org = request.user.organisation
    row = online_settings.row_of(org)
    form = OnlineSettingsForm(initial=_initial(online_settings.values_of(row)))
    version, conflict = row.version, None
    if request.method == "POST":
        form = OnlineSettingsForm(request.POST)
        version = posted_version(request)
        if form.is_valid():
            try:
                online_settings.save(request, _typed(form), version)
            except InvalidInput as exc:
                show_refusal(form, exc)
            except EditConflict as exc:
                # What the administrator typed stays on the form; saving again replaces what the
                # other person saved, knowingly.
                conflict, version = online_settings.values_of(exc.current), exc.current.version
            else:
                messages.success(request, _("The settings for therapy online were saved."))
                return redirect("online_settings")
    sections = [
        (_("Video sessions"), ["video_kind", "video_base_url", "video_lobby"]),
        (_("Reminders"), ["lead_hours", "quiet_from", "quiet_until"]),
        (_("Messages"), ["reply_within_hours"]),
    ]
    context = {
        "org": org,
        "form": form,
        "sections": [(title, [form[name] for name in names]) for title, names in sections],
        "version": version,
        "conflict": conflict,
        "default_video": settings.RAPPORT_VIDEO_BASE_URL,
        "opening_hours": hours.describe(org.opening_hours),
    }
    return render(request, "administration/online_settings.html", context)
