"""What the therapist and client learn and decide in the initial phase: the interpersonal
inventory, the interpersonal timeline, and the problem-area formulation with its goals.

Field lists, choices, rings, mood scale, cues, goals and strategies all come from the protocol
data (rapport.core.protocol); the records hold this client's entries."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.clinic.models.clients import ClinicalRecord


class InventoryEntry(ClinicalRecord):
    """One important person in the client's life (spec 1.4)."""

    course = models.ForeignKey("clinic.Course", on_delete=models.PROTECT, related_name="inventory")
    person_label = models.CharField(_("person"), max_length=120)
    closeness_ring = models.PositiveSmallIntegerField(_("closeness"), null=True, blank=True)
    # Every other relationship field of the protocol's inventory.yaml, by field id.
    values = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["course", "closeness_ring", "person_label", "id"]

    def __str__(self) -> str:
        return self.person_label


class TimelineEvent(ClinicalRecord):
    """A life event or period on the interpersonal timeline (spec 1.10)."""

    course = models.ForeignKey("clinic.Course", on_delete=models.PROTECT, related_name="timeline")
    start = models.DateField(_("date or start"))
    end = models.DateField(_("end of the period"), null=True, blank=True)
    event = models.CharField(_("what happened"), max_length=300)
    kind = models.CharField(_("kind of event"), max_length=40)
    people = models.ManyToManyField(InventoryEntry, blank=True, related_name="events")
    mood_rating = models.SmallIntegerField(_("mood at the time"), null=True, blank=True)
    problem_area_hint = models.CharField(_("problem-area hint"), max_length=40, blank=True)
    # Whose event it is (timeline.yaml `whose`): a partner's diagnosis is not the client's own role
    # transition. Rows from before this field are the client's own, as nothing else was recorded.
    whose = models.CharField(_("whose event"), max_length=20, default="client")
    whose_person = models.ForeignKey(
        InventoryEntry,
        verbose_name=_("the person it happened to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="own_events",
    )

    class Meta:
        ordering = ["course", "start", "id"]

    def __str__(self) -> str:
        return self.event


class Formulation(ClinicalRecord):
    """The problem-area formulation of a course: one per course, chosen by the therapist."""

    course = models.OneToOneField("clinic.Course", on_delete=models.PROTECT, related_name="formulation")
    onset = models.DateField(_("when this episode of depression began"), null=True, blank=True)
    cues = models.JSONField(default=dict, blank=True)  # problem area id -> cue ids ticked
    primary_area = models.CharField(_("primary problem area"), max_length=40, blank=True)
    secondary_area = models.CharField(_("secondary problem area"), max_length=40, blank=True)
    dispute_stage = models.CharField(_("stage of the role dispute"), max_length=20, blank=True)
    text = models.TextField(_("formulation"), blank=True)
    shared_on = models.DateField(_("shared with the client on"), null=True, blank=True)
    agreed_on = models.DateField(_("agreed by the client on"), null=True, blank=True)

    def __str__(self) -> str:
        return f"formulation of course {self.course_id}"


class Goal(ClinicalRecord):
    """A goal of the course with its strategies, started from the protocol's list and edited."""

    course = models.ForeignKey("clinic.Course", on_delete=models.PROTECT, related_name="goals")
    problem_area = models.CharField(max_length=40)
    text = models.TextField(_("goal"))
    strategies = models.TextField(_("strategies"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["course", "order", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class RelapsePreventionPlan(ClinicalRecord):
    """Written at termination (spec 1.9): sections from the protocol's relapse_prevention.yaml."""

    course = models.OneToOneField("clinic.Course", on_delete=models.PROTECT, related_name="relapse_plan")
    sections = models.JSONField(default=dict, blank=True)  # section id -> text
    # An ending id of relapse_prevention.yaml (improved, not improved, continuation): the
    # therapist's judgement, never set from the scores.
    ending = models.CharField(_("how the course is ending"), max_length=20, blank=True)
    next_step = models.TextField(_("what happens next"), blank=True)

    def __str__(self) -> str:
        return f"relapse-prevention plan of course {self.course_id}"
