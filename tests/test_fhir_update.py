"""PUT /fhir/R4/QuestionnaireResponse/{id}: the one update, a response withdrawn (status
entered-in-error) from the version read. If-Match is required and must be current; the body must
be the response as read; the withdrawn response leaves searches, $everything, the scores and the
programme's figures, is still read by id at its next version, and its risk alert stays open."""

import json
import threading

import pytest
from django.db import connection, connections, transaction
from django.test import Client as HttpClient

from rapport.audit.models import Action, AuditEvent
from rapport.clinic import measurement
from rapport.clinic.models import AlertStatus, Response, RiskAlert
from rapport.common.errors import EditConflict
from rapport.common.records import EnteredInError
from rapport.interop.fhir import withdraw
from rapport.programme import totals
from rapport.programme.models import ClinicianTotals, CourseSummary, MonthTotals
from tests.fhir_support import a_course, canonical_base, phq9_qr
from tests.personas import make_clinic
from tests.support import request_as
from tests.test_fhir_validation import valid

FHIR = "/fhir/R4/"
ALL_NOT_AT_ALL = dict.fromkeys(range(1, 10), "LA6568-5")
REASON = "Entered for the wrong client at the front desk."


def reason_extension(text: str = REASON) -> dict:
    return {"url": f"{canonical_base()}/StructureDefinition/entered-in-error-reason", "valueString": text}


def read(client, response_id):
    answer = client.get(f"{FHIR}QuestionnaireResponse/{response_id}")
    assert answer.status_code == 200, answer.content[:300]
    return answer


def withdrawal(resource: dict, reason: str | None = REASON) -> dict:
    body = {**resource, "status": "entered-in-error"}
    if reason is not None:
        body["extension"] = [reason_extension(reason)]
    return body


def put(client, response_id, body, if_match: str | None):
    headers = {} if if_match is None else {"HTTP_IF_MATCH": if_match}
    return client.put(
        f"{FHIR}QuestionnaireResponse/{response_id}",
        json.dumps(body),
        content_type="application/fhir+json",
        **headers,
    )


def unchanged(response: Response) -> None:
    response.refresh_from_db()
    assert response.version == 1 and response.entered_in_error_at is None
    assert not AuditEvent.objects.filter(action=Action.DELETE, object_type="Response").exists()


@pytest.fixture
def course(clinic):
    return a_course(clinic)


@pytest.fixture
def last(course):
    return Response.objects.filter(course=course).latest("answered_at")


def test_a_clinician_withdraws_a_response_and_reads_it_back_entered_in_error_at_the_next_version(
    clinic, as_user, last
):
    client = as_user(clinic.clinician)
    first = read(client, last.pk)
    assert first["ETag"] == 'W/"1"'
    answer = put(client, last.pk, withdrawal(first.json()), first["ETag"])
    assert answer.status_code == 200, answer.content[:500]
    assert answer["ETag"] == 'W/"2"'
    assert answer["Content-Location"].endswith(f"/QuestionnaireResponse/{last.pk}/_history/2")
    resource = answer.json()
    assert resource["status"] == "entered-in-error" and resource["meta"]["versionId"] == "2"
    valid(resource)
    again = read(client, last.pk)
    assert again["ETag"] == 'W/"2"' and again.json()["status"] == "entered-in-error"
    # The ETag read before the withdrawal no longer answers 304.
    assert (
        client.get(f"{FHIR}QuestionnaireResponse/{last.pk}", HTTP_IF_NONE_MATCH=first["ETag"]).status_code
        == 200
    )
    last.refresh_from_db()
    assert last.entered_in_error_at is not None and last.entered_in_error_reason == REASON
    assert last.entered_in_error_by == clinic.clinician
    row = AuditEvent.objects.get(action=Action.DELETE, object_type="Response")
    assert row.client == clinic.client and row.actor == clinic.clinician and row.object_id == str(last.pk)


def test_the_answers_may_be_sent_by_loinc_code_or_ours_and_in_any_order(clinic, as_user, last):
    client = as_user(clinic.clinician)
    first = read(client, last.pk)
    body = withdrawal(first.json())
    # As another system holds it: item texts and displays dropped, items reversed.
    body["item"] = [
        {"linkId": i["linkId"], "answer": [{"valueCoding": {"code": i["answer"][0]["valueCoding"]["code"]}}]}
        for i in reversed(body["item"])
    ]
    assert put(client, last.pk, body, first["ETag"]).status_code == 200


def test_the_client_themself_may_withdraw_a_response_as_they_may_send_one(clinic, as_user, last):
    client = as_user(clinic.client_user)
    first = read(client, last.pk)
    assert put(client, last.pk, withdrawal(first.json()), first["ETag"]).status_code == 200


def test_a_withdrawn_response_and_its_observations_leave_searches_everything_and_export(
    clinic, as_user, last
):
    client = as_user(clinic.clinician)
    first = read(client, last.pk)
    observation_ids = {
        e["resource"]["id"]
        for e in client.get(f"{FHIR}Observation?patient={clinic.client.pk}").json()["entry"]
        if e["resource"]["derivedFrom"][0]["reference"] == f"QuestionnaireResponse/{last.pk}"
    }
    assert observation_ids
    assert put(client, last.pk, withdrawal(first.json()), first["ETag"]).status_code == 200

    responses = client.get(f"{FHIR}QuestionnaireResponse?patient={clinic.client.pk}").json()
    assert responses["total"] == 2
    assert str(last.pk) not in {e["resource"]["id"] for e in responses["entry"]}
    observations = client.get(f"{FHIR}Observation?patient={clinic.client.pk}").json()
    assert not observation_ids & {e["resource"]["id"] for e in observations["entry"]}
    everything = client.get(f"{FHIR}Patient/{clinic.client.pk}/$everything").json()
    ids = {(e["resource"]["resourceType"], e["resource"]["id"]) for e in everything["entry"]}
    assert ("QuestionnaireResponse", str(last.pk)) not in ids
    assert not {("Observation", i) for i in observation_ids} & ids
    # Read by id, an Observation it yielded says entered-in-error too, at the response's version.
    one = client.get(f"{FHIR}Observation/{sorted(observation_ids)[0]}")
    assert one.status_code == 200
    assert one.json()["status"] == "entered-in-error" and one["ETag"] == 'W/"2"'
    valid(one.json())


def test_a_bulk_export_leaves_a_withdrawn_response_out(clinic, as_user, last, tmp_path):
    from rapport.interop.fhir import export

    client = as_user(clinic.clinician)
    first = read(client, last.pk)
    assert put(client, last.pk, withdrawal(first.json()), first["ETag"]).status_code == 200
    export.write_files(tmp_path, clinic.clinician, ["QuestionnaireResponse", "Observation"], False, None)
    lines = [json.loads(x) for t in ("QuestionnaireResponse", "Observation") for x in _lines(tmp_path, t)]
    assert lines and all(f"QuestionnaireResponse/{last.pk}" not in json.dumps(r) for r in lines)
    assert all(r["id"] != str(last.pk) for r in lines if r["resourceType"] == "QuestionnaireResponse")


def _lines(directory, resource_type):
    path = directory / f"{resource_type}.ndjson"
    return path.read_text().splitlines() if path.exists() else []


def test_without_if_match_the_answer_is_428_and_nothing_changes(clinic, as_user, last):
    client = as_user(clinic.clinician)
    body = withdrawal(read(client, last.pk).json())
    answer = put(client, last.pk, body, None)
    assert answer.status_code == 428
    assert answer.json()["resourceType"] == "OperationOutcome"
    assert "If-Match" in answer.json()["issue"][0]["diagnostics"]
    valid(answer.json())
    unchanged(last)


@pytest.mark.parametrize("tag", ['W/"2"', 'W/"0"', '"1"', "*", "W/1", "banana"])
def test_a_stale_or_unknown_if_match_is_412_and_nothing_changes(clinic, as_user, last, tag):
    client = as_user(clinic.clinician)
    body = withdrawal(read(client, last.pk).json())
    answer = put(client, last.pk, body, tag)
    assert answer.status_code == 412
    issue = answer.json()["issue"][0]
    assert issue["code"] == "conflict" and 'W/"1"' in issue["diagnostics"]
    valid(answer.json())
    unchanged(last)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda b: b["item"][2]["answer"][0]["valueCoding"].update(code="LA6571-9"), "item[item3]"),
        (lambda b: b["item"].pop(0), "item[item1]"),
        (lambda b: b.update(subject={"reference": "Patient/999999"}), "subject"),
        (lambda b: b.update(authored="2020-01-01T10:00:00+00:00"), "authored"),
        (lambda b: b.update(questionnaire=b["questionnaire"].replace("phq9", "gad7")), "questionnaire"),
        (lambda b: b.update(status="completed"), "status"),
        (lambda b: b.update(status="amended"), "status"),
        (lambda b: b.update(encounter={"reference": "Encounter/1"}), "encounter"),
        (lambda b: b["extension"].append({"url": "http://example.org/x", "valueString": "y"}), "extension"),
        (lambda b: b["item"][0].update(answer={"valueCoding": {}}), "item[item1]"),
        (lambda b: b["item"][0].update(linkId="item99"), "item[item99]"),
    ],
)
def test_any_other_change_is_422_naming_it_and_saying_a_correction_is_a_new_post(
    clinic, as_user, last, change, where
):
    client = as_user(clinic.clinician)
    first = read(client, last.pk)
    body = withdrawal(first.json())
    change(body)
    answer = put(client, last.pk, body, first["ETag"])
    assert answer.status_code == 422, answer.content[:300]
    issues = answer.json()["issue"]
    named = [i for i in issues if i.get("expression") == [where]]
    assert named, issues
    assert any("new QuestionnaireResponse (POST)" in i["diagnostics"] for i in named)
    valid(answer.json())
    unchanged(last)


@pytest.mark.parametrize("reason", [None, "", "oops"])
def test_a_withdrawal_without_a_reason_of_a_few_words_is_422(clinic, as_user, last, reason):
    client = as_user(clinic.clinician)
    first = read(client, last.pk)
    body = withdrawal(first.json(), reason)
    if reason == "":
        body["extension"] = [reason_extension("   ")]
    answer = put(client, last.pk, body, first["ETag"])
    assert answer.status_code == 422
    assert "entered-in-error-reason" in answer.json()["issue"][0]["expression"][0]
    unchanged(last)


def test_an_id_in_the_body_that_is_not_the_one_in_the_address_is_400(clinic, as_user, last):
    client = as_user(clinic.clinician)
    first = read(client, last.pk)
    body = withdrawal(first.json())
    body["id"] = str(last.pk + 1000)
    assert put(client, last.pk, body, first["ETag"]).status_code == 400
    unchanged(last)


def test_a_response_already_withdrawn_cannot_be_withdrawn_again(clinic, as_user, last):
    client = as_user(clinic.clinician)
    first = read(client, last.pk)
    assert put(client, last.pk, withdrawal(first.json()), first["ETag"]).status_code == 200
    current = read(client, last.pk)
    answer = put(client, last.pk, withdrawal(current.json()), current["ETag"])
    assert answer.status_code == 422
    assert "already entered-in-error" in answer.json()["issue"][0]["diagnostics"]
    assert AuditEvent.objects.filter(action=Action.DELETE, object_type="Response").count() == 1


@pytest.mark.parametrize("persona", ["other_clinician", "supervisor", "other_client_user", "administrator"])
def test_someone_who_may_not_record_for_the_client_gets_the_404_of_a_missing_response(
    clinic, as_user, last, persona
):
    body = withdrawal(read(as_user(clinic.clinician), last.pk).json())
    client = as_user(clinic.persona(persona))
    theirs = put(client, last.pk, body, 'W/"1"')
    missing = put(client, 999_999, {**body, "id": "999999"}, 'W/"1"')
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    assert AuditEvent.objects.filter(action=Action.DENIED, actor=clinic.persona(persona)).exists()
    unchanged(last)


def test_two_withdrawals_from_the_same_version_exactly_one_wins(clinic, last, monkeypatch):
    """Both requests pass the early version check; the second's write happens while the first is
    between that check and its own write. The version-conditioned UPDATE lets one through."""
    first_client, second_client = HttpClient(), HttpClient()
    first_client.force_login(clinic.clinician)
    second_client.force_login(clinic.co_clinician)
    body = withdrawal(read(first_client, last.pk).json())
    real = measurement.enter_response_in_error
    answers = {}

    def interleaved(*args, **kwargs):
        if not answers:
            answers["started"] = True  # the second request's own call goes straight through
            answers["second"] = put(second_client, last.pk, body, 'W/"1"')
        return real(*args, **kwargs)

    monkeypatch.setattr(measurement, "enter_response_in_error", interleaved)
    answers["first"] = put(first_client, last.pk, body, 'W/"1"')
    assert sorted([answers["first"].status_code, answers["second"].status_code]) == [200, 412]
    last.refresh_from_db()
    assert last.version == 2
    assert AuditEvent.objects.filter(action=Action.DELETE, object_type="Response").count() == 1


def test_the_service_marks_only_from_the_version_given(clinic, last):
    given = EnteredInError(REASON)
    with pytest.raises(EditConflict):
        measurement.enter_response_in_error(request_as(clinic.clinician), clinic.client.pk, last.pk, given, 2)
    marked = measurement.enter_response_in_error(
        request_as(clinic.clinician), clinic.client.pk, last.pk, given, 1
    )
    assert marked.version == 2 and marked.entered_in_error_at is not None
    with pytest.raises(EditConflict):
        measurement.enter_response_in_error(
            request_as(clinic.co_clinician), clinic.client.pk, last.pk, given, 1
        )


@pytest.mark.django_db(transaction=True)
def test_two_withdrawals_at_once_on_postgresql_exactly_one_wins(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes one write at a time; the interleaved test covers the UPDATE")
    clinic = make_clinic()
    a_course(clinic)
    response = Response.objects.filter(client=clinic.client).latest("answered_at")
    from rapport.interop.fhir import resources

    body = withdrawal(resources.questionnaire_response(response))
    both_checked = threading.Barrier(2, timeout=10)
    real = measurement.enter_response_in_error

    def after_the_check(*args, **kwargs):
        both_checked.wait()  # both have read version 1 before either writes
        return real(*args, **kwargs)

    monkeypatch.setattr(measurement, "enter_response_in_error", after_the_check)
    outcomes: list[str] = []

    def withdraw_as(user):
        try:
            with transaction.atomic():
                withdraw.withdraw(request_as(user), str(response.pk), body, 1)
            outcomes.append("won")
        except EditConflict:
            outcomes.append("conflict")
        except BaseException as error:
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=withdraw_as, args=(u,)) for u in (clinic.clinician, clinic.co_clinician)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["conflict", "won"]
    response.refresh_from_db()
    assert response.version == 2
    assert AuditEvent.objects.filter(action=Action.DELETE, object_type="Response").count() == 1


def test_a_risk_alert_raised_by_a_withdrawn_response_stays_open(clinic, as_user):
    client = as_user(clinic.clinician)
    risky = phq9_qr(clinic.client.pk, {**ALL_NOT_AT_ALL, 9: "LA6569-3"}, base=canonical_base())
    created = client.post(
        f"{FHIR}QuestionnaireResponse", json.dumps(risky), content_type="application/fhir+json"
    )
    assert created.status_code == 201
    alert = RiskAlert.objects.get(client=clinic.client)
    answer = put(client, created.json()["id"], withdrawal(created.json()), created["ETag"])
    assert answer.status_code == 200
    alert.refresh_from_db()
    assert alert.status != AlertStatus.CLOSED and alert.resolved_at is None
    flags = client.get(f"{FHIR}Flag?patient={clinic.client.pk}").json()
    assert [e["resource"]["id"] for e in flags["entry"]] == [str(alert.pk)]


def totals_now() -> list[list[tuple]]:
    """The running totals, without their row ids (a rebuild writes new rows)."""
    return [
        sorted(tuple(sorted((k, v) for k, v in row.items() if k != "id")) for row in model.objects.values())
        for model in (ClinicianTotals, MonthTotals)
    ]


def test_the_scores_outcomes_and_programme_figures_forget_a_withdrawn_response(clinic, as_user, course):
    worst = {f"item{n}": "nearly_every_day" for n in range(1, 9)} | {"item9": "not_at_all"}
    last = measurement.record_response(request_as(clinic.clinician), clinic.client.pk, "phq9", worst, 4)
    before = CourseSummary.objects.get(course=course)
    assert before.measured_sessions == 4 and before.phq9_last == 24
    shown_before = measurement.course_outcomes(request_as(clinic.clinician), clinic.client.pk)
    assert shown_before["phq9"]["latest"] == 24
    client = as_user(clinic.clinician)
    first = read(client, last.pk)
    assert put(client, last.pk, withdrawal(first.json()), first["ETag"]).status_code == 200

    after = CourseSummary.objects.get(course=course)
    assert after.measured_sessions == 3 and after.phq9_last == 12
    kept = totals_now()
    with transaction.atomic():
        totals.rebuild()
    assert kept == totals_now()
    assert [r.pk for r in measurement.list_responses(request_as(clinic.clinician), clinic.client.pk)] == [
        r.pk for r in Response.objects.filter(course=course).exclude(pk=last.pk).order_by("answered_at")
    ]
    shown_after = measurement.course_outcomes(request_as(clinic.clinician), clinic.client.pk)
    assert shown_after["phq9"]["latest"] == 12
    page = client.get(f"/clients/{clinic.client.pk}/")
    assert f"/responses/{last.pk}/" not in page.content.decode()


# The same withdrawal on the therapist's page (staff/questionnaires.py): one service for both.


def page_url(clinic, response) -> str:
    return f"/clients/{clinic.client.pk}/responses/{response.pk}/entered-in-error/"


def test_a_therapist_withdraws_a_response_on_its_page_and_fhir_reads_it_entered_in_error(
    clinic, as_user, last
):
    client = as_user(clinic.clinician)
    detail = client.get(f"/clients/{clinic.client.pk}/responses/{last.pk}/").content.decode()
    assert page_url(clinic, last) in detail
    form = client.get(page_url(clinic, last))
    assert form.status_code == 200 and 'name="version" value="1"' in form.content.decode()
    done = client.post(page_url(clinic, last), {"reason": REASON, "version": "1"})
    assert done.status_code == 302 and done["Location"] == f"/clients/{clinic.client.pk}/"
    last.refresh_from_db()
    assert last.entered_in_error_reason == REASON and last.version == 2
    resource = read(client, last.pk)
    assert resource.json()["status"] == "entered-in-error" and resource["ETag"] == 'W/"2"'
    assert client.get(f"/clients/{clinic.client.pk}/responses/{last.pk}/").status_code == 404


def test_the_page_refuses_a_missing_reason_and_a_stale_version_and_changes_nothing(clinic, as_user, last):
    client = as_user(clinic.clinician)
    refused = client.post(page_url(clinic, last), {"reason": "", "version": "1"})
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    stale = client.post(page_url(clinic, last), {"reason": REASON, "version": "7"}, follow=True)
    assert "already been marked as entered in error, or changed" in stale.content.decode()
    unchanged(last)


def test_a_supervisor_sees_the_answers_without_the_withdraw_link(clinic, as_user, last):
    page = as_user(clinic.supervisor).get(f"/clients/{clinic.client.pk}/responses/{last.pk}/")
    assert page.status_code == 200 and page_url(clinic, last) not in page.content.decode()


def test_a_browser_session_without_the_csrf_token_cannot_withdraw(clinic, last):
    browser = HttpClient(enforce_csrf_checks=True)
    browser.force_login(clinic.clinician)
    body = withdrawal(read(browser, last.pk).json())
    answer = put(browser, last.pk, body, 'W/"1"')
    assert answer.status_code == 403 and answer.json()["issue"][0]["code"] == "forbidden"
    unchanged(last)


def test_a_bearer_token_withdraws_as_its_owner(clinic, last, client):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("issue_token", clinic.co_clinician.email, stdout=out, stderr=StringIO())
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {out.getvalue().strip().split()[-1]}"}
    first = client.get(f"{FHIR}QuestionnaireResponse/{last.pk}", **bearer)
    answer = client.put(
        f"{FHIR}QuestionnaireResponse/{last.pk}",
        json.dumps(withdrawal(first.json())),
        content_type="application/fhir+json",
        HTTP_IF_MATCH=first["ETag"],
        **bearer,
    )
    assert answer.status_code == 200
    row = AuditEvent.objects.get(action=Action.DELETE, object_type="Response")
    assert row.actor == clinic.co_clinician
