"""The demo clinic that `make demo` loads: the people it promises, courses in every phase, and
measured courses showing every kind of progress.

These tests only read it, so it is loaded once for the module inside a transaction that is rolled
back afterwards; each test runs in a savepoint within it (pytest-django's `db`).
"""

import os

import pytest
from django.core.management import call_command
from django.db import transaction

from rapport.accounts.models import Role, Team, User
from rapport.clinic.models import Client


@pytest.fixture(scope="module")
def demo_clinic(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        yield
        transaction.set_rollback(True)


def test_the_demo_clinic_has_the_promised_people(demo_clinic, db):
    assert Team.objects.count() == 2
    roles = {r: User.objects.filter(role=r).count() for r in Role}
    assert roles[Role.CLINICIAN] == 5 and roles[Role.SUPERVISOR] == 1 and roles[Role.ADMINISTRATOR] == 1
    assert Client.objects.count() >= 12 and Client.objects.filter(user__isnull=False).count() >= 2
    for email in ("therapist", "supervisor", "admin", "client"):
        assert User.objects.get(email=f"{email}@demo.rapport").check_password("rapport-demo")
    assert Client.objects.get(user__email="client@demo.rapport").responsible_clinician.email == (
        "therapist@demo.rapport"
    )


def test_the_demo_clinic_has_measured_courses_with_every_kind_of_progress(demo_clinic, db):
    from rapport.clinic.measurement import summarise
    from rapport.clinic.models import Course, RiskAlert

    by_name = {c.client.full_name: summarise(c) for c in Course.objects.select_related("client")}
    assert by_name["Priya Raman"]["phq9"]["not_on_track"] is True
    assert by_name["Margaret O'Connell"]["phq9"]["remission"] is True
    assert by_name["Sofia Marquez"]["phq9"]["reliable_deterioration"] is True
    assert by_name["Jordan Ellis"]["phq9"]["reliable_improvement"] is True
    assert set(RiskAlert.objects.values_list("tier", flat=True)) == {"T1", "T2"}


def test_the_demo_clinic_has_courses_in_every_phase(demo_clinic, db):
    from rapport.clinic import courses
    from rapport.clinic.models import Course

    phases, statuses = set(), set()
    for course in Course.objects.all():
        statuses.add(course.status)
        overview = courses.course_overview(course)
        if overview["position"]:
            phases.add(overview["position"].phase)
    assert {"initial", "middle", "termination", "maintenance"} <= phases
    assert {"referred", "assessment", "active", "maintenance", "ended"} <= statuses


def test_the_demo_client_has_a_message_thread_with_one_reply_unread(demo_clinic, db):
    from rapport.messaging import threads
    from rapport.messaging.models import Message

    jo = User.objects.get(email="client@demo.rapport")
    thread = list(Message.objects.filter(client__user=jo).order_by("id"))
    # The clinic's one-way notice first (the home page's "From your clinic"), then the conversation.
    assert [(m.kind, m.from_client) for m in thread] == [
        ("notice", False),
        ("message", True),
        ("message", False),
        ("message", True),
        ("message", False),
    ]
    assert threads.unread_count(jo) == 1
    assert threads.unread_count(User.objects.get(email="therapist@demo.rapport")) == 0


def test_the_demo_clinic_gives_every_programme_chart_something_real(demo_clinic, db):
    from rapport.programme import figures
    from rapport.programme.scope import visible_courses

    lead = User.objects.get(email="lead@demo.rapport")
    assert lead.role == Role.PROGRAMME_LEAD and lead.check_password("rapport-demo")
    courses = visible_courses(lead)
    found = figures.outcomes(courses)
    assert found.finished >= 10 and found.dropped_out >= 2 and found.recovery.n >= 3
    by_clinician = figures.outcomes_by_clinician(courses)
    # The lay counsellor's group courses are all still running (issue 13's demo groups).
    finished = [values.finished for _, _, values in by_clinician]
    assert len(by_clinician) == 5 and sum(f >= 2 for f in finished) == 4
    assert len(figures.monthly(courses)) >= 4


def test_the_demo_clinic_has_a_lay_counsellor_with_a_running_and_a_forming_group(demo_clinic, db):
    from rapport.clinic.models import RiskAlert, Session
    from rapport.groups.models import Group

    counsellor = User.objects.get(email="counsellor@demo.rapport")
    assert counsellor.check_password("rapport-demo") and counsellor.clinician_title == "Lay counsellor"
    running = Group.objects.get(facilitator=counsellor, status="running")
    assert running.memberships.count() == 8
    assert sorted(running.sessions.values_list("number", flat=True)) == [1, 2, 3, 4]
    assert Group.objects.get(facilitator=counsellor, status="forming").memberships.count() == 3
    # Each member's course holds the four sessions, attended or missed, as any course does.
    member = running.memberships.first()
    assert Session.objects.filter(course=member.course).count() == 4
    # The one item 9 answer raised an alert that the team's supervisor was told of at once.
    alert = RiskAlert.objects.get(source_record__type="MemberRecord")
    assert alert.deliveries.filter(recipient__email="supervisor@demo.rapport").exists()


def test_every_demo_clinician_has_a_published_profile_some_checked_one_self_declared(demo_clinic, db):
    from rapport.directory import public
    from rapport.directory.models import Credential

    clinicians = set(User.objects.filter(role=Role.CLINICIAN).values_list("pk", flat=True))
    assert {p.clinician_id for p in public.public_profiles()} == clinicians
    verified = Credential.objects.filter(verified_at__isnull=False).values("profile").distinct().count()
    declared = {c.profile.clinician.full_name for c in Credential.objects.filter(verified_at__isnull=True)}
    assert verified >= 2
    assert declared == {"Grace Tan"}
    spanish = public.search(public.parse_search({"language": "es", "meeting": "online"}))
    assert [listing.profile.display_name for listing in spanish] == ["Jonas Berg"]


def test_three_referrals_wait_in_the_demo_inbox_one_urgent_and_told_to_intake(demo_clinic, db):
    from rapport.clinic.models import Notification
    from rapport.intake.models import Referral

    waiting = Referral.objects.filter(status="new")
    assert waiting.count() == 3
    urgent = waiting.get(urgent=True)
    assert urgent.alert is not None and urgent.alert.status == "open"
    assert Notification.objects.filter(alert=urgent.alert, recipient__email="therapist@demo.rapport").exists()
    professional = waiting.get(referred_by="professional")
    assert professional.referrer_name and not professional.urgent
