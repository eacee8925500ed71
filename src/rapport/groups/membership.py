"""Members of a group: joining and leaving (dated, with a reason), and the pre-group session.

A member is a client with their own record. Joining gives them a course of IPT of the group's
variant (their current course when it is already one, or an open course not yet begun, turned
into one), so that their scores, sessions and outcomes are a course like any other; and it makes
the group's facilitators co-clinicians of the client, so that a lay counsellor may record the
member's scores and is told of their alerts like any clinician of the client. Leaving takes that
back (access.py), unless something other than this group justifies it."""

from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic.client_records import get_client_for
from rapport.clinic.measurement import current_course
from rapport.clinic.models import Course, CourseFormat, CourseStatus
from rapport.common.checks import Problems
from rapport.common.errors import EditConflict, InvalidInput
from rapport.common.records import deny, save_versioned
from rapport.core import groups as group_rules
from rapport.groups import access
from rapport.groups.models import Group, GroupStatus, Membership, PreGroupSession
from rapport.groups.scope import get_group

REASON_LIMIT = 2000
# [U] How far a joining or leaving date may sit from today: catches typing slips (year 1, 9999).
DATE_SPAN = timedelta(days=2 * 366)


@dataclass(frozen=True)
class NewMember:
    client_id: int
    joined_on: date
    reason: str


@dataclass(frozen=True)
class Leaving:
    left_on: date
    reason: str


@dataclass(frozen=True)
class PreGroupValues:
    date: date
    step_notes: dict[str, str]
    accepted: bool
    note: str


def current_members(group: Group):
    return (
        Membership.objects.filter(group=group, entered_in_error_at__isnull=True, left_on__isnull=True)
        .select_related("client")
        .order_by("joined_on", "id")
    )


def members_on(group: Group, day: date):
    """Who was a member on `day`: joined by then and not yet left."""
    return (
        Membership.objects.filter(group=group, entered_in_error_at__isnull=True, joined_on__lte=day)
        .exclude(left_on__lte=day)
        .select_related("client", "course")
        .order_by("joined_on", "id")
    )


def _day(problems: Problems, key: str, day: date) -> None:
    if abs(day - timezone.localdate()) > DATE_SPAN:
        problems.add(key, _("Give a date within two years of today."))


def check_new_member(group: Group, given: NewMember) -> NewMember:
    problems = Problems()
    reason = problems.text("reason", given.reason, limit=REASON_LIMIT)
    _day(problems, "joined_on", given.joined_on)
    if group.status == GroupStatus.ENDED:
        problems.add("client_id", _("This group has ended: nobody can join it."))
    limit = group_rules.composition(group.variant).max_members
    if current_members(group).count() >= limit:
        problems.add("client_id", _("This group is full (%(n)s members at most).") % {"n": limit})
    if Membership.objects.filter(
        group=group, client_id=given.client_id, entered_in_error_at__isnull=True
    ).exists():
        problems.add("client_id", _("This client is already a member of the group."))
    problems.raise_any()
    return replace(given, reason=reason)


def _group_course(request, client, group: Group, joined_on: date) -> Course:
    """The member's course of the group's variant (see the module's docstring)."""
    course = current_course(client)
    if course is not None and course.status != CourseStatus.ENDED:
        in_group = Membership.objects.filter(
            course=course, left_on__isnull=True, entered_in_error_at__isnull=True
        ).exists()
        if in_group:
            raise InvalidInput({"client_id": [_("This client is already in another group.")]})
        if course.variant != group.variant:
            if course.sessions.exists():
                raise InvalidInput(
                    {"client_id": [_("This client is in another course of IPT; end it before they join.")]}
                )
            values = {
                "variant": group.variant,
                "format": CourseFormat.GROUP,
                "planned_sessions": group.planned_sessions,
            }
            save_versioned(Course, course.pk, course.version, **values)
            trail.record(request, Action.UPDATE, client=client, obj=course, detail={"fields": sorted(values)})
            course.refresh_from_db()
        return course
    course = Course.objects.create(
        client=client,
        variant=group.variant,
        format=CourseFormat.GROUP,
        planned_sessions=group.planned_sessions,
        status=CourseStatus.ASSESSMENT,
        started_on=joined_on,
    )
    trail.record(request, Action.CREATE, client=client, obj=course)
    return course


def add_member(request, group_id: int, given: NewMember) -> Membership:
    group = get_group(request, group_id, change=True)
    # The one adding must be able to change the client's record (their own or a co-clinician's).
    client = get_client_for(request, given.client_id, "clinic.change_client", audit=False)
    checked = check_new_member(group, given)
    with transaction.atomic():
        # The group's row, locked and read afresh: a facilitator replaced meanwhile is not shared.
        group = (
            Group.objects.select_for_update(of=("self",))
            .select_related("facilitator", "co_facilitator")
            .get(pk=group.pk)
        )
        course = _group_course(request, client, group, checked.joined_on)
        membership = Membership.objects.create(
            group=group, client=client, course=course, joined_on=checked.joined_on, join_reason=checked.reason
        )
        trail.record(request, Action.CREATE, client=client, obj=membership)
        access.share_members_with_facilitators(request, group)
    return membership


def get_membership(request, group_id: int, membership_id: int, *, change: bool = False):
    group = get_group(request, group_id, change=change)
    membership = (
        Membership.objects.select_related("client", "course")
        .filter(pk=membership_id, group=group, entered_in_error_at__isnull=True)
        .first()
    )
    if membership is None:
        deny(request, detail={"object_type": "Membership", "id": membership_id})
    return group, membership


def remove_member(request, group_id: int, membership_id: int, given: Leaving, version: int) -> Membership:
    """A member leaves on a date, with a reason; their record and course stay."""
    _group, membership = get_membership(request, group_id, membership_id, change=True)
    problems = Problems()
    reason = problems.text("reason", given.reason, limit=REASON_LIMIT, required=True)
    _day(problems, "left_on", given.left_on)
    if given.left_on < membership.joined_on:
        problems.add("left_on", _("A member cannot leave before they joined."))
    if membership.left_on is not None:
        problems.add("left_on", _("This member has left the group already."))
    problems.raise_any()
    with transaction.atomic():
        # Locked so that a facilitator taking over meanwhile is not given the leaving member.
        Group.objects.select_for_update().get(pk=membership.group_id)
        save_versioned(Membership, membership.pk, version, left_on=given.left_on, leave_reason=reason)
        trail.record(request, Action.UPDATE, client=membership.client, obj=membership, detail={"left": True})
        access.member_left(request, membership)
    return Membership.objects.get(pk=membership.pk)


def check_pre_group(group: Group, given: PreGroupValues) -> PreGroupValues:
    problems = Problems()
    agenda = group_rules.pre_group_agenda(group.variant)
    steps = {s.id for s in agenda.steps} if agenda else set()
    notes = {}
    for step, text in given.step_notes.items():
        if step not in steps:
            problems.add(f"step_notes.{step}", _("Not a step of this session's agenda."))
        elif text := problems.text(f"step_notes.{step}", text):
            notes[step] = text
    note = problems.text("note", given.note)
    _day(problems, "date", given.date)
    problems.raise_any()
    return replace(given, step_notes=notes, note=note)


def save_pre_group(
    request, group_id: int, membership_id: int, given: PreGroupValues, version: int | None
) -> PreGroupSession:
    """Record (version None) or change the member's pre-group session."""
    group, membership = get_membership(request, group_id, membership_id, change=True)
    checked = check_pre_group(group, given)
    values = {
        "date": checked.date,
        "step_notes": checked.step_notes,
        "accepted": checked.accepted,
        "note": checked.note,
    }
    existing = PreGroupSession.objects.filter(membership=membership).first()
    with transaction.atomic():
        if existing is None:
            record = PreGroupSession.objects.create(membership=membership, **values)
            trail.record(request, Action.CREATE, client=membership.client, obj=record)
            return record
        if version is None:
            raise EditConflict(existing)  # recorded by someone else since this page was drawn
        save_versioned(PreGroupSession, existing.pk, version, **values)
        trail.record(request, Action.UPDATE, client=membership.client, obj=existing)
    return PreGroupSession.objects.get(pk=existing.pk)
