"""One row per course: how it counts in the programme's figures, kept in step with the record.

Why a summary rather than aggregating the raw record: every outcome flag needs the first and the
last score of two measures and the rules of core/outcomes.py, which SQL would have to duplicate.
The row is rewritten (rapport.programme.summaries) in the same transaction as each change to the
course, its sessions, its responses, its inventory, formulation or relapse-prevention plan, so the
figures are sums over indexed columns: the query count never grows with the number of clients.
"""

from django.db import models


class CourseSummary(models.Model):
    course = models.OneToOneField(
        "clinic.Course", primary_key=True, on_delete=models.CASCADE, related_name="programme_summary"
    )
    # Copied from the course and its client (and rewritten when either changes), so that figures
    # over a whole organisation read this one table: a join per row was the slow part.
    organisation_id = models.BigIntegerField()
    team_id = models.BigIntegerField()
    clinician_id = models.BigIntegerField()  # the client's responsible clinician
    variant = models.CharField(max_length=32)
    format = models.CharField(max_length=12)
    live = models.BooleanField(default=True)  # neither the course nor the client entered in error
    referred_on = models.DateField()  # the course record's start date [U]
    ended_on = models.DateField(null=True)
    first_session_on = models.DateField(null=True)
    days_to_first_session = models.IntegerField(null=True)
    problem_area = models.CharField(max_length=40, blank=True)
    sessions_attended = models.PositiveSmallIntegerField(default=0)
    started = models.BooleanField(default=False)
    finished = models.BooleanField(default=False)
    dropped_out = models.BooleanField(default=False)
    paired = models.BooleanField(default=False)
    # Spec 2.9 outcome flags; null where the definition does not apply.
    response = models.BooleanField(null=True)
    remission = models.BooleanField(null=True)
    reliable_improvement = models.BooleanField(null=True)
    reliable_deterioration = models.BooleanField(null=True)
    recovery = models.BooleanField(null=True)
    reliable_recovery = models.BooleanField(null=True)
    # First and last scores, for the de-identified extract.
    phq9_first = models.PositiveSmallIntegerField(null=True)
    phq9_last = models.PositiveSmallIntegerField(null=True)
    gad7_first = models.PositiveSmallIntegerField(null=True)
    gad7_last = models.PositiveSmallIntegerField(null=True)
    # Fidelity (core/fidelity.py): each indicator met, not met or null (does not apply).
    baseline_measure = models.BooleanField(null=True)
    measure_each_session = models.BooleanField(null=True)
    measured_sessions = models.PositiveSmallIntegerField(default=0)
    inventory_initial_phase = models.BooleanField(null=True)
    formulation_by_session = models.BooleanField(null=True)
    contract_in_range = models.BooleanField(null=True)
    termination_phase_held = models.BooleanField(null=True)
    relapse_prevention_plan = models.BooleanField(null=True)
    mid_course_review = models.BooleanField(null=True)
    tasks_reviewed = models.BooleanField(null=True)
    tasks_due = models.PositiveSmallIntegerField(default=0)
    tasks_reviewed_count = models.PositiveSmallIntegerField(default=0)
    # The supervisor's workspace (rapport.programme.progress): what it counts per open course.
    # Flags that depend on the day are not stored: the workspace compares planned_end_on with today
    # in SQL, and applies the "no measure for N sessions" threshold (workspace_rules.yaml) to
    # `unmeasured` there too, so that neither goes stale between two changes of the record.
    open = models.BooleanField(default=True)  # the course has not ended
    planned_end_on = models.DateField(null=True)
    reached = models.PositiveSmallIntegerField(default=0)  # highest attended session number
    phase = models.CharField(max_length=32, default="not_started")  # protocol phase id
    not_on_track = models.BooleanField(default=False)
    deteriorating = models.BooleanField(default=False)  # not on track by a reliable rise
    review_session = models.PositiveSmallIntegerField(null=True)  # the mid-course review's session
    review_done = models.BooleanField(default=False)
    unmeasured = models.PositiveSmallIntegerField(default=0)  # attended since the latest measure

    class Meta:
        indexes = [
            models.Index(fields=["organisation_id", "live", "referred_on"], name="summary_organisation"),
            models.Index(fields=["team_id", "live"], name="summary_team"),
            models.Index(fields=["clinician_id", "live"], name="summary_clinician"),
            # The programme page's filter choices: read from the index alone, not the rows.
            models.Index(
                fields=["organisation_id", "live", "variant", "problem_area"], name="summary_choices"
            ),
            # The workspace reads only open courses, and counts its flags from this index alone
            # (no visit to the wide rows): 40 ms instead of 770 ms for a whole organisation's
            # 50,000 open courses on SQLite.
            models.Index(
                fields=[
                    "organisation_id",
                    "team_id",
                    "clinician_id",
                    "phase",
                    "not_on_track",
                    "deteriorating",
                    "review_session",
                    "review_done",
                    "reached",
                    "planned_end_on",
                    "unmeasured",
                ],
                condition=models.Q(live=True, open=True),
                name="summary_open_progress",
            ),
        ]

    def __str__(self) -> str:
        return f"programme summary of course {self.course_id}"


class Totals(models.Model):
    """Sums over the live CourseSummary rows of one group, kept in step by the same write that
    rewrites a summary (rapport.programme.totals): the organisation-wide figures read a few
    thousand of these rows instead of every course's row. Every column is a plain sum, so that
    the sum of two groups' rows is the figure of both."""

    organisation_id = models.BigIntegerField()
    referrals = models.IntegerField(default=0)
    started = models.IntegerField(default=0)
    finished = models.IntegerField(default=0)
    dropped_out = models.IntegerField(default=0)
    paired = models.IntegerField(default=0)
    sessions_finished = models.IntegerField(default=0)  # sessions attended, over finished courses
    days_started = models.IntegerField(default=0)  # days from referral to first session, over started
    days_counted = models.IntegerField(default=0)  # started courses with a first session
    # Outcome rates: courses meeting each definition (_n), and those it applies to (_of).
    response_n = models.IntegerField(default=0)
    response_of = models.IntegerField(default=0)
    remission_n = models.IntegerField(default=0)
    remission_of = models.IntegerField(default=0)
    reliable_improvement_n = models.IntegerField(default=0)
    reliable_improvement_of = models.IntegerField(default=0)
    reliable_deterioration_n = models.IntegerField(default=0)
    reliable_deterioration_of = models.IntegerField(default=0)
    recovery_n = models.IntegerField(default=0)
    recovery_of = models.IntegerField(default=0)
    reliable_recovery_n = models.IntegerField(default=0)
    reliable_recovery_of = models.IntegerField(default=0)
    # Fidelity indicators, the same way; the two shares count sessions (measured_, tasks_).
    baseline_measure_n = models.IntegerField(default=0)
    baseline_measure_of = models.IntegerField(default=0)
    measure_each_session_n = models.IntegerField(default=0)
    measure_each_session_of = models.IntegerField(default=0)
    inventory_initial_phase_n = models.IntegerField(default=0)
    inventory_initial_phase_of = models.IntegerField(default=0)
    formulation_by_session_n = models.IntegerField(default=0)
    formulation_by_session_of = models.IntegerField(default=0)
    contract_in_range_n = models.IntegerField(default=0)
    contract_in_range_of = models.IntegerField(default=0)
    termination_phase_held_n = models.IntegerField(default=0)
    termination_phase_held_of = models.IntegerField(default=0)
    relapse_prevention_plan_n = models.IntegerField(default=0)
    relapse_prevention_plan_of = models.IntegerField(default=0)
    mid_course_review_n = models.IntegerField(default=0)
    mid_course_review_of = models.IntegerField(default=0)
    tasks_reviewed_n = models.IntegerField(default=0)
    tasks_reviewed_of = models.IntegerField(default=0)
    measured_n = models.IntegerField(default=0)
    measured_of = models.IntegerField(default=0)
    tasks_n = models.IntegerField(default=0)
    tasks_of = models.IntegerField(default=0)

    class Meta:
        abstract = True


class ClinicianTotals(Totals):
    """Per team and responsible clinician: the organisation's outcomes, fidelity and the
    per-clinician rows of the programme page and the workspace."""

    team_id = models.BigIntegerField()
    clinician_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation_id", "team_id", "clinician_id"], name="clinician_totals_key"
            )
        ]

    def __str__(self) -> str:
        return f"totals of clinician {self.clinician_id} in team {self.team_id}"


class MonthTotals(Totals):
    """Per month of ending (ended courses only): the organisation's monthly trend."""

    month = models.DateField()  # the first day of the month the courses ended in

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation_id", "month"], name="month_totals_key")]

    def __str__(self) -> str:
        return f"totals of courses ended in {self.month:%Y-%m}"
