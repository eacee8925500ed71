"""Group IPT (WHO format, issue 13): a group, its members, each member's individual pre-group
session, the group sessions and, inside each, one record per member.

A member is a client with their own record and their own course of IPT (variant
`group_ipt_who`), so that scores, alerts, outcomes and the programme's figures treat a group
member like any other client: a member's PHQ-9 is a normal clinic Response of that course, and
each group session is mirrored as a Session of each member's course (attended or missed).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.clinic.models import ClinicalRecord, MoodChange


class GroupStatus(models.TextChoices):
    FORMING = "forming", _("Forming")
    RUNNING = "running", _("Running")
    ENDED = "ended", _("Ended")


class Weekday(models.TextChoices):
    MON = "mon", _("Monday")
    TUE = "tue", _("Tuesday")
    WED = "wed", _("Wednesday")
    THU = "thu", _("Thursday")
    FRI = "fri", _("Friday")
    SAT = "sat", _("Saturday")
    SUN = "sun", _("Sunday")


class Group(ClinicalRecord):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    variant = models.CharField(_("variant"), max_length=32, default="group_ipt_who")
    planned_sessions = models.PositiveSmallIntegerField(_("group sessions"), default=8)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="facilitated_groups"
    )
    co_facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="co_facilitated_groups",
    )
    # The team whose supervisors supervise the group: they see it and are told of its risk.
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="groups")
    # [U] Nothing in the accounts marks a lay counsellor (the clinician's title is free text), so
    # the group says it: a lay-facilitated group's risk reaches the team's supervisors at once.
    lay_facilitated = models.BooleanField(_("facilitated by lay counsellors"), default=True)
    meeting_place = models.CharField(_("meeting place"), max_length=200, blank=True)
    meeting_day = models.CharField(_("meeting day"), max_length=3, choices=Weekday.choices, blank=True)
    meeting_time = models.TimeField(_("meeting time"), null=True, blank=True)
    planned_start = models.DateField(_("planned start"))
    status = models.CharField(_("status"), max_length=10, choices=GroupStatus.choices, default="forming")

    class Meta:
        ordering = ["planned_start", "name", "id"]
        indexes = [
            models.Index(fields=["facilitator"], name="group_facilitator"),
            models.Index(fields=["team"], name="group_team"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(ClinicalRecord):
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="memberships")
    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="group_memberships")
    # The member's own course of IPT (variant group_ipt_who) that their scores and sessions join.
    course = models.ForeignKey("clinic.Course", on_delete=models.PROTECT, related_name="+")
    joined_on = models.DateField(_("joined on"))
    join_reason = models.TextField(_("why they joined"), blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    leave_reason = models.TextField(_("why they left"), blank=True)

    class Meta:
        ordering = ["group", "joined_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "client"],
                condition=Q(entered_in_error_at__isnull=True),
                name="group_member_once",
            )
        ]

    def __str__(self) -> str:
        return f"member {self.pk} of group {self.group_id}"

    @property
    def is_current(self) -> bool:
        return self.left_on is None


class PreGroupSession(ClinicalRecord):
    """The individual session before the group starts (spec 1.11). Its PHQ-9, problem area,
    timeline and key relationships are recorded with the course tools on the member's course;
    this record keeps the date, the agenda's notes and whether the person accepted the invitation."""

    membership = models.OneToOneField(Membership, on_delete=models.PROTECT, related_name="pre_group")
    date = models.DateField(_("date"))
    step_notes = models.JSONField(default=dict, blank=True)  # agenda step id -> note
    accepted = models.BooleanField(_("accepted the invitation to the group"), default=True)
    note = models.TextField(_("note"), blank=True)

    def __str__(self) -> str:
        return f"pre-group session of member {self.membership_id}"


class GroupSession(ClinicalRecord):
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="sessions")
    number = models.PositiveSmallIntegerField(_("session number"))
    date = models.DateField(_("date"))
    notes = models.TextField(_("group notes"), blank=True)
    # A session recorded on paper and entered later: the day the sheet was filled in.
    paper_filled_on = models.DateField(_("paper sheet filled in on"), null=True, blank=True)
    # When the session was captured (on a device, perhaps offline); the server's time otherwise.
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The page's own idempotency: a form carries a key made when it was drawn, so a second post of
    # the same form finds the first session instead of making another (the API uses the header).
    submission_key = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["group", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "number"],
                condition=Q(entered_in_error_at__isnull=True),
                name="group_session_number_once",
            ),
            models.UniqueConstraint(
                fields=["group", "submission_key"],
                condition=~Q(submission_key=""),
                name="group_session_submission_once",
            ),
        ]

    def __str__(self) -> str:
        return f"session {self.number} of group {self.group_id}"


class MemberRecord(ClinicalRecord):
    session = models.ForeignKey(GroupSession, on_delete=models.PROTECT, related_name="records")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="records")
    attended = models.BooleanField(_("attended"))
    # The PHQ-9 as a normal clinic Response of the member's course (scored, alerting, in outcomes).
    response = models.ForeignKey(
        "clinic.Response", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mood_change = models.SmallIntegerField(
        _("mood since last week"), choices=MoodChange.choices, null=True, blank=True
    )
    mood_events = models.ManyToManyField("clinic.TimelineEvent", blank=True, related_name="+")
    mood_note = models.TextField(_("what the change in mood is linked to"), blank=True)
    task_set = models.TextField(_("this week's interpersonal task"), blank=True)
    task_reviewed = models.TextField(_("how last week's task went"), blank=True)
    note = models.TextField(_("note"), blank=True)
    needs_follow_up = models.BooleanField(_("needs individual follow-up"), default=False)
    needs_follow_up_for_risk = models.BooleanField(_("needs follow-up for risk"), default=False)
    # The member's course session this record is mirrored to (attendance in the programme's figures).
    course_session = models.ForeignKey(
        "clinic.Session", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["session", "membership"]
        constraints = [models.UniqueConstraint(fields=["session", "membership"], name="member_record_once")]

    def __str__(self) -> str:
        return f"record of member {self.membership_id} at group session {self.session_id}"


class GroupAccess(models.Model):
    """A co-clinician link that a group made: its facilitator or co-facilitator added to a
    member's clinicians when the member joined or the facilitator took over. The link ends with
    the reason for it (the facilitator replaced, the member gone), and only then; a link the
    person had before the group has no row here, so the group never takes it away."""

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "client", "user"], name="group_access_once"),
        ]
        # Whether another group still justifies a link: looked up by client and person.
        indexes = [models.Index(fields=["client", "user"], name="group_access_client_user")]

    def __str__(self) -> str:
        return f"access of user {self.user_id} to client {self.client_id} through group {self.group_id}"
