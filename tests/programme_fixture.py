"""Thirty courses built to hit every edge of the outcome definitions, with their hand count.

Team A (the personas' client) holds courses 1 to 24, course 21 entered in error; team B (the
other client) holds six courses that all recover, so a figure that leaks team B shows it.
Each case: (number, status, ending reason, attended sessions, PHQ-9 scores, GAD-7 scores).
"""

from datetime import UTC, date, datetime, timedelta

from rapport.clinic.models import Course, Response, Session
from rapport.programme.summaries import deferred

CASES_A = [
    (1, "referred", "", 0, [], []),
    (2, "referred", "", 0, [], []),
    (3, "active", "", 3, [15, 12, 10], [10, 9]),
    (4, "ended", "dropped_out", 1, [18], []),  # a drop-out after one session
    (5, "ended", "dropped_out", 0, [], []),  # never started: not counted as a drop-out
    (6, "ended", "completed", 2, [], []),  # finished with no paired scores
    (7, "ended", "completed", 3, [14], [9]),  # one score only
    (8, "ended", "completed", 8, [20, 8], [12, 5]),
    (9, "ended", "completed", 6, [16, 4], [10, 3]),
    (10, "ended", "completed", 6, [12, 14], [6, 12]),  # reliable deterioration (GAD-7)
    (11, "ended", "completed", 6, [18, 10], [5, 10]),  # improves on PHQ-9, deteriorates on GAD-7
    (12, "ended", "completed", 6, [7, 3], [5, 2]),  # not a case at the start
    (13, "ended", "completed", 6, [0, 2], [3, 3]),  # baseline 0: no response
    (14, "ended", "completed", 6, [10, 5], [8, 8]),  # exactly 50 %; GAD-7 stays at caseness
    (15, "ended", "completed", 6, [12, 6], [9, 5]),  # falls of exactly 6 and 4
    (16, "ended", "completed", 6, [15, 5], [10]),  # PHQ-9 paired, GAD-7 not
    (17, "ended", "completed", 2, [11, 11], [8, 7]),  # exactly two sessions
    (18, "ended", "referred_on", 5, [22, 9], [15, 6]),
    (19, "ended", "dropped_out", 4, [17, 15], [11, 12]),  # finished and dropped out
    (20, "maintenance", "", 4, [10, 4], [9, 4]),
    (21, "ended", "completed", 6, [20, 2], [15, 2]),  # entered in error: counts nowhere
    (22, "ended", "completed", 6, [19, 17], [14, 13]),
    (23, "ended", "completed", 6, [9, 9], [9, 9]),  # a case on GAD-7 only
    (24, "ended", "completed", 6, [13, 3], [7, 2]),
]
CASES_B = [(n, "ended", "completed", 6, [20, 4], [15, 3]) for n in range(25, 31)]

# The hand count for team A (what its clinician and supervisor see).
TEAM_A = {
    "referrals": 23,
    "started": 20,
    "finished": 17,
    "dropped_out": 2,
    "paired": 14,
    "data_completeness": (14, 17),
    "response": (8, 14),
    "remission": (4, 15),
    "reliable_improvement": (5, 14),
    "reliable_deterioration": (2, 14),
    "recovery": (5, 12),
    "reliable_recovery": (5, 12),
    "mean_sessions_attended": 5.3,  # 90 sessions over 17 finished courses
    "mean_days_to_first_session": 7.0,
}
# Team A and team B together (the programme lead).
ORGANISATION = {
    "referrals": 29,
    "started": 26,
    "finished": 23,
    "dropped_out": 2,
    "paired": 20,
    "response": (14, 20),
    "remission": (10, 21),
    "reliable_improvement": (11, 20),
    "reliable_deterioration": (2, 20),
    "recovery": (11, 18),
    "reliable_recovery": (11, 18),
}

START = date(2026, 1, 5)


def build(clinic) -> dict[int, Course]:
    with deferred():
        return _build(clinic)


def _build(clinic) -> dict[int, Course]:
    courses = {}
    for cases, client, clinician in (
        (CASES_A, clinic.client, clinic.clinician),
        (CASES_B, clinic.other_client, clinic.other_clinician),
    ):
        for number, status, reason, attended, phq9, gad7 in cases:
            started = START + timedelta(days=7 * number)
            course = Course.objects.create(
                client=client,
                status=status,
                ending_reason=reason,
                started_on=started,
                ended_on=started + timedelta(days=7 * (attended + 1)) if status == "ended" else None,
                planned_sessions=16,
            )
            for session in range(1, attended + 1):
                Session.objects.create(
                    course=course,
                    number=session,
                    date=started + timedelta(days=7 * session),
                    status="attended",
                )
            for instrument, scores in (("phq9", phq9), ("gad7", gad7)):
                for i, total in enumerate(scores):
                    at_session = 1 if i == 0 else max(attended, 1)
                    Response.objects.create(
                        client=client,
                        course=course,
                        session_number=at_session,
                        instrument=instrument,
                        instrument_version="1",
                        answered_by=clinician,
                        respondent="clinician",
                        answered_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=7 * number, hours=i),
                        answers={},
                        complete=True,
                        total=total,
                    )
            if number == 21:
                course.entered_in_error_at = datetime(2026, 6, 1, tzinfo=UTC)
                course.save()
            courses[number] = course
    return courses
