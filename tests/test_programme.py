"""Programme outcomes against a hand count (tests/programme_fixture.py), the slices, the
visibility of every figure, the exports and the fidelity summary of a course."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rapport.audit.models import Action, AuditEvent
from rapport.clinic.models import Client
from rapport.common.errors import InvalidInput
from rapport.programme import exports, figures
from rapport.programme.scope import Slice, parse_slice, visible_courses
from tests import programme_fixture
from tests.support import request_as


@pytest.fixture
def courses(clinic):
    return programme_fixture.build(clinic)


def _check(found, expected):
    for key, value in expected.items():
        got = getattr(found, key)
        if isinstance(value, tuple):
            assert (got.n, got.of) == value, key
        else:
            assert got == value, key


def test_team_a_matches_the_hand_count(clinic, courses):
    for user in (clinic.clinician, clinic.supervisor):
        _check(figures.outcomes(visible_courses(user)), programme_fixture.TEAM_A)


def test_the_programme_lead_sees_the_whole_organisation(clinic, courses):
    _check(figures.outcomes(visible_courses(clinic.programme_lead)), programme_fixture.ORGANISATION)


def test_rates_carry_wilson_intervals(clinic, courses):
    found = figures.outcomes(visible_courses(clinic.supervisor))
    assert found.response.rate == pytest.approx(8 / 14, abs=1e-4)
    low, high = found.response.ci95
    assert low < 8 / 14 < high


@pytest.mark.parametrize(
    "user, filters",
    [
        ("supervisor", {"team": "team_b"}),
        ("supervisor", {"clinician": "other_clinician"}),
        ("other_clinician", {"team": "team_a"}),
        ("client_user", {}),
        ("administrator", {}),
    ],
)
def test_no_filter_reaches_courses_the_viewer_may_not_see(clinic, courses, user, filters):
    values = {key: str(getattr(clinic, value).pk) for key, value in filters.items()}
    chosen = parse_slice(values)
    found = figures.outcomes(chosen.apply(visible_courses(getattr(clinic, user))))
    if user == "other_clinician":
        assert found.referrals == 0
    elif user in ("client_user",):
        # A client's own courses only, never figures through the pages or the API (403/404).
        assert found.referrals <= programme_fixture.TEAM_A["referrals"]
    else:
        assert found.referrals == 0


def test_a_client_never_has_figures_of_others(clinic, courses):
    found = figures.outcomes(visible_courses(clinic.other_client_user))
    assert found.referrals == 6  # their own six courses: the pages and API refuse clients anyway


def test_slices_narrow(clinic, courses):
    lead = visible_courses(clinic.programme_lead)
    team_b = figures.outcomes(Slice(team=clinic.team_b.pk).apply(lead))
    assert (team_b.referrals, team_b.recovery.n, team_b.recovery.of) == (6, 6, 6)
    early = Slice(referred_to=programme_fixture.START + programme_fixture.timedelta(days=7 * 3)).apply(lead)
    assert figures.outcomes(early).referrals == 3
    assert figures.outcomes(Slice(variant="none").apply(lead)).referrals == 0


def test_bad_slices_are_refused_by_field():
    with pytest.raises(InvalidInput) as refused:
        parse_slice({"team": "x", "referred_from": "2026-13-01", "variant": "a b"})
    assert set(refused.value.errors) == {"team", "referred_from", "variant"}
    with pytest.raises(InvalidInput) as refused:
        parse_slice({"referred_from": "2026-02-01", "referred_to": "2026-01-01"})
    assert set(refused.value.errors) == {"referred_to"}


def test_grouped_figures_by_clinician_and_month(clinic, courses):
    grouped = figures.outcomes_by_clinician(visible_courses(clinic.programme_lead))
    assert [(pk, f.finished) for pk, _, f in grouped] == [
        (clinic.clinician.pk, 17),
        (clinic.other_clinician.pk, 6),
    ]
    months = figures.monthly(visible_courses(clinic.supervisor))
    assert sum(f.finished for _, f in months) == 17
    fidelity = figures.fidelity_by_clinician(visible_courses(clinic.programme_lead))
    assert [f.courses for _, _, f in fidelity] == [23, 6]


def test_query_count_does_not_grow_with_courses(clinic, courses):
    with CaptureQueriesContext(connection) as queries:
        figures.outcomes(visible_courses(clinic.programme_lead))
        figures.fidelity(visible_courses(clinic.programme_lead))
        figures.outcomes_by_clinician(visible_courses(clinic.programme_lead))
    assert len(queries) == 4  # the clinicians' names are one more query, however many


def test_a_summary_follows_each_change(clinic, courses):
    course = courses[6]  # finished with no scores
    assert course.programme_summary.paired is False
    for instrument, total, hour in (("phq9", 20, 1), ("phq9", 4, 2), ("gad7", 12, 1), ("gad7", 3, 2)):
        course.responses.create(
            client=clinic.client,
            session_number=2,
            instrument=instrument,
            instrument_version="1",
            answered_by=clinic.clinician,
            respondent="clinician",
            answered_at=programme_fixture.datetime(2026, 3, 1, hour, tzinfo=programme_fixture.UTC),
            answers={},
            complete=True,
            total=total,
        )
    course.refresh_from_db()
    summary = course.programme_summary
    assert (summary.paired, summary.recovery, summary.phq9_first, summary.phq9_last) == (True, True, 20, 4)


def test_outcome_csv_suppresses_small_counts_and_is_audited(clinic, courses):
    request = request_as(clinic.supervisor)
    rows = exports.outcome_rows(request, Slice())
    table = {row[0]: row for row in rows[1:]}
    assert table["referrals"][1] == "23"
    assert table["dropped_out"][1] == "<5"
    assert table["reliable_deterioration"][1:4] == ["<5", "14", ""]
    assert AuditEvent.objects.filter(action=Action.EXPORT, actor=clinic.supervisor).count() == 1


def test_extract_is_deidentified_stable_per_key_and_audited(clinic, courses):
    request = request_as(clinic.programme_lead)
    rows = exports.extract_rows(request, Slice(), "a long enough key")
    again = exports.extract_rows(request, Slice(), "a long enough key")
    other = exports.extract_rows(request, Slice(), "another long key")
    assert rows == again
    assert {r[0] for r in rows[1:]}.isdisjoint({r[0] for r in other[1:]})
    assert len(rows) == 30  # header and 29 live courses
    text = "\n".join(",".join(r) for r in rows)
    for client in Client.objects.all():
        assert client.full_name not in text and str(client.date_of_birth) not in text
    assert "2026-" not in text  # no exact date
    assert rows[0][:2] == ["course", "age_band"] and {r[1] for r in rows[1:]} <= {"35-44", "25-34"}
    exported = AuditEvent.objects.filter(action=Action.EXPORT, actor=clinic.programme_lead)
    assert set(exported.values_list("client_id", flat=True)) == {clinic.client.pk, clinic.other_client.pk}
    with pytest.raises(InvalidInput):
        exports.extract_rows(request, Slice(), "short")


def test_outcome_pages_show_the_figures_and_the_courses_behind_them(clinic, courses, as_user):
    page = as_user(clinic.supervisor).get("/programme/", {"rate": "response"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "figure=recovery" in body
    listed = as_user(clinic.supervisor).get("/programme/courses/", {"figure": "recovery"})
    # Each listed course links to that course itself (not the client's current one).
    assert listed.status_code == 200
    assert len(re.findall(r'href="/clients/\d+/courses/\d+/"', listed.content.decode())) >= 5
    # A filter on a team the supervisor does not supervise lists nothing.
    other = as_user(clinic.supervisor).get(
        "/programme/courses/", {"figure": "referrals", "team": clinic.team_b.pk}
    )
    assert "Bea Elsewhere" not in other.content.decode()
    lead = as_user(clinic.programme_lead).get("/programme/")
    assert lead.status_code == 200 and "figure=" not in lead.content.decode()
    lead_list = as_user(clinic.programme_lead).get("/programme/courses/", {"figure": "referrals"})
    assert "Cai" not in lead_list.content.decode()


def test_the_programme_lead_reads_no_clinical_record(clinic, courses, as_user):
    lead = as_user(clinic.programme_lead)
    assert lead.get(f"/clients/{clinic.client.pk}/").status_code == 404
    assert lead.get(f"/clients/{clinic.client.pk}/course/").status_code in (403, 404)
    clinic.team_a.supervisors.add(clinic.programme_lead)
    assert lead.get(f"/clients/{clinic.client.pk}/").status_code == 200


def test_the_extract_page_takes_a_posted_key(clinic, courses, as_user):
    user = as_user(clinic.supervisor)
    assert user.get("/programme/extract/").status_code == 200
    refused = user.post("/programme/extract/", {"key": "short"})
    assert refused.status_code == 200 and "at least 12 characters" in refused.content.decode()
    done = user.post(f"/programme/extract/?team={clinic.team_a.pk}", {"key": "a long enough key"})
    assert done.status_code == 200 and done["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(done.content.decode())))
    assert len(rows) == 24


def test_the_api_answers_the_issue_shape_over_the_callers_courses(clinic, courses, as_user):
    answer = as_user(clinic.supervisor).get("/api/v1/programme/outcomes").json()
    assert (answer["courses"], answer["finished"], answer["dropped_out"], answer["paired"]) == (23, 17, 2, 14)
    assert answer["response"]["n"] == 8 and answer["response"]["of"] == 14
    assert answer["response"]["ci95"][0] < answer["response"]["rate"] < answer["response"]["ci95"][1]
    # Another team's id narrows to nothing: it never widens the caller's courses.
    other = as_user(clinic.supervisor).get("/api/v1/programme/outcomes", {"team": clinic.team_b.pk}).json()
    assert other["courses"] == 0
    mine = as_user(clinic.other_clinician).get("/api/v1/programme/outcomes").json()
    assert mine["courses"] == 6
    assert as_user(clinic.client_user).get("/api/v1/programme/outcomes").status_code == 404
    bad = as_user(clinic.supervisor).get("/api/v1/programme/outcomes", {"referred_from": "soon"})
    assert bad.status_code == 422
    fidelity = as_user(clinic.programme_lead).get("/api/v1/programme/fidelity").json()
    assert fidelity["courses"] == 29
    assert set(fidelity["indicators"]["measure_each_session"]) == {"n", "of", "rate"}


def test_the_course_page_shows_its_fidelity_checklist(clinic, courses, as_user):
    from rapport.programme.checklist import course_checklist

    items = {item.id: item for item in course_checklist(courses[24])}
    assert items["baseline_measure"].met is True
    assert (
        items["measure_each_session"].met is False
        and items["measure_each_session"].detail == "2 of 6 sessions"
    )
    assert items["termination_phase_held"].met is False  # six sessions of sixteen: no termination phase
    assert items["relapse_prevention_plan"].met is False
    assert items["contract_in_range"].met is True
    assert items["tasks_reviewed"].met is None  # no task was set
    page = as_user(clinic.clinician).get(f"/clients/{clinic.client.pk}/course/")
    assert "Fidelity to the protocol" in page.content.decode()


def test_a_versioned_session_update_moves_the_summary(clinic):
    from datetime import date

    from rapport.clinic import courses as course_service
    from rapport.clinic.measurement import current_course

    request = request_as(clinic.clinician)
    course = current_course(clinic.client, create=True)
    session = course_service.add_session(request, clinic.client.pk, date(2026, 2, 2))
    assert course.programme_summary.sessions_attended == 0
    note = course_service.SessionNote(
        date=date(2026, 2, 2),
        status="attended",
        phase_override="",
        phase_override_reason="",
        tasks_done=[],
        techniques=[],
        step_notes={},
        problem_area_progress=None,
        between_session_task="",
        task_review="",
        goal_ratings={},
        note="",
    )
    course_service.update_session(request, clinic.client.pk, session.pk, note, session.version)
    course.programme_summary.refresh_from_db()
    assert (course.programme_summary.sessions_attended, course.programme_summary.started) == (1, True)


def test_moving_a_client_to_another_team_moves_their_courses_figures(clinic, courses):
    client = clinic.client
    client.team = clinic.team_b
    client.responsible_clinician = clinic.other_clinician
    client.save()
    assert figures.outcomes(visible_courses(clinic.supervisor)).referrals == 0
    assert figures.outcomes(visible_courses(clinic.other_supervisor)).referrals == 29
    team_b = figures.outcomes(Slice(team=clinic.team_b.pk).apply(visible_courses(clinic.programme_lead)))
    assert team_b.referrals == 29
