"""An organisation's settings for therapy online, kept by an administrator: the video service,
reminder lead times, quiet hours and the reply time the messaging note promises.

The page reads what was posted into `OnlineSettings`; `check_settings` holds the rules (worded as
Django's forms word them); `save` writes under compare-and-set on the row's version, so two
administrators editing at once cannot silently overwrite each other, and audits the change by
field name (never the values) in the same transaction."""

from dataclasses import dataclass
from datetime import time
from functools import partial

from django.conf import settings
from django.core import validators
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.audit import trail
from rapport.audit.models import Action
from rapport.common.checks import Problems
from rapport.common.errors import EditConflict
from rapport.core import messaging as messaging_rules
from rapport.scheduling import reminders
from rapport.scheduling.models import OrganisationScheduling, VideoKind, default_lead_hours

# A reminder more than two weeks ahead reminds nobody; three lead times are plenty.
MAX_LEAD_HOURS = 24 * 14
MAX_LEADS = 3
# The range messaging.yaml's own reply_within accepts (core.messaging.load_rules).
REPLY_RANGE = (1, 200)


@dataclass(frozen=True)
class OnlineSettings:
    video_base_url: str
    video_kind: str
    video_lobby: bool
    lead_hours: tuple[int, ...]
    quiet_from: time
    quiet_until: time
    reply_within_hours: int | None  # None: messaging.yaml's value


def row_of(organisation) -> OrganisationScheduling:
    """The organisation's row, or an unsaved one with the defaults (version 1 to start from)."""
    found = OrganisationScheduling.objects.filter(organisation=organisation).first()
    return found or OrganisationScheduling(organisation=organisation, lead_hours=default_lead_hours())


def reply_within(organisation) -> int:
    """The working hours the messaging note promises a reply within."""
    chosen = (
        OrganisationScheduling.objects.filter(organisation=organisation)
        .values_list("reply_within_hours", flat=True)
        .first()
    )
    return chosen or messaging_rules.rules().reply_within_working_hours


def _schemes() -> list[str]:
    # A video link sent to clients travels outside the clinic: only a development checkout may
    # point at a plain-http test server.
    return ["https", "http"] if settings.RAPPORT_ENV == "development" else ["https"]


def check_settings(given: OnlineSettings) -> OnlineSettings:
    problems = Problems()
    url = problems.text("video_base_url", given.video_base_url, limit=200)
    if url and "video_base_url" not in problems:
        try:
            validators.URLValidator(schemes=_schemes())(url)
        except ValidationError:
            problems.add("video_base_url", _("Enter a valid address starting with https://."))
        if "video_base_url" not in problems and ("?" in url or "#" in url):
            problems.add(
                "video_base_url",
                _("Give the service's address alone, without ? or #: the room name is added to it."),
            )
    elif "video_base_url" not in problems and given.video_kind == VideoKind.LINK:
        problems.add("video_base_url", _("Give the address of the video service."))
    problems.choice("video_kind", given.video_kind, VideoKind.values)
    leads = list(given.lead_hours)
    if not leads:
        problems.add("lead_hours", _("Give at least one lead time, such as 24."))
    elif len(leads) > MAX_LEADS:
        problems.add("lead_hours", _("Give at most %(n)s lead times.") % {"n": MAX_LEADS})
    elif any(not 1 <= lead <= MAX_LEAD_HOURS for lead in leads):
        problems.add(
            "lead_hours",
            _("Each lead time is a whole number of hours from 1 to %(most)s.") % {"most": MAX_LEAD_HOURS},
        )
    elif len(set(leads)) != len(leads):
        problems.add("lead_hours", _("Give each lead time once."))
    if given.quiet_from == given.quiet_until:
        problems.add(
            "quiet_until",
            _("Quiet hours must end at a different time from when they begin."),
        )
    problems.whole("reply_within_hours", given.reply_within_hours, *REPLY_RANGE)
    problems.raise_any()
    return OnlineSettings(
        video_base_url=url,
        video_kind=given.video_kind,
        video_lobby=given.video_lobby,
        lead_hours=tuple(sorted(leads, reverse=True)),
        quiet_from=given.quiet_from,
        quiet_until=given.quiet_until,
        reply_within_hours=given.reply_within_hours,
    )


def values_of(row: OrganisationScheduling) -> OnlineSettings:
    return OnlineSettings(
        video_base_url=row.video_base_url,
        video_kind=row.video_kind,
        video_lobby=row.video_lobby,
        lead_hours=tuple(row.lead_hours),
        quiet_from=row.quiet_from,
        quiet_until=row.quiet_until,
        reply_within_hours=row.reply_within_hours,
    )


def save(request, given: OnlineSettings, version: int) -> OrganisationScheduling:
    """Write the administrator's settings if the row is still at `version`, else EditConflict."""
    if not request.user.has_perm("accounts.manage_accounts"):
        raise PermissionDenied
    checked = check_settings(given)
    organisation = request.user.organisation
    values = {
        "video_base_url": checked.video_base_url,
        "video_kind": checked.video_kind,
        "video_lobby": checked.video_lobby,
        "lead_hours": list(checked.lead_hours),
        "quiet_from": checked.quiet_from,
        "quiet_until": checked.quiet_until,
        "reply_within_hours": checked.reply_within_hours,
    }
    with transaction.atomic():
        row, _created = OrganisationScheduling.objects.select_for_update().get_or_create(
            organisation=organisation
        )
        before = values_of(row)
        if row.version != version:
            raise EditConflict(row)
        changed = [name for name, value in values.items() if value != _plain(getattr(before, name))]
        OrganisationScheduling.objects.filter(pk=row.pk, version=version).update(
            **values, version=version + 1, updated_at=timezone.now()
        )
        trail.record(request, Action.UPDATE, obj=row, detail={"fields": changed})
        if {"lead_hours", "quiet_from", "quiet_until"} & set(changed):
            # Reminders already planned follow the new times; a job, since an organisation may
            # have thousands of coming appointments.
            transaction.on_commit(partial(reminders.replan_reminders.enqueue, organisation.pk))
    row.refresh_from_db()
    return row


def _plain(value):
    return list(value) if isinstance(value, tuple) else value
