"""The FHIR R4 API at /fhir/R4/: metadata that matches the routes, reads with ETags, searches as
searchset Bundles, $everything, import scored by code, and the bulk export."""

import json

import pytest

from rapport.audit.models import Action, AuditEvent
from rapport.clinic.models import Notification, Response, RiskAlert
from tests.fhir_support import a_course, canonical_base, phq9_qr
from tests.support import run_worker

FHIR = "/fhir/R4/"
ALL_NOT_AT_ALL = dict.fromkeys(range(1, 10), "LA6568-5")


def get(client, path, **headers):
    return client.get(FHIR + path, **headers)


def post(client, path, body, **headers):
    return client.post(FHIR + path, json.dumps(body), content_type="application/fhir+json", **headers)


def test_metadata_lists_exactly_what_is_routed(client):
    statement = get(client, "metadata").json()
    assert statement["resourceType"] == "CapabilityStatement" and statement["fhirVersion"] == "4.0.1"
    declared = set()
    for resource in statement["rest"][0]["resource"]:
        for interaction in resource["interaction"]:
            declared.add((resource["type"], interaction["code"]))
    names = set(_fhir_route_names())
    routed = {(n.removeprefix("fhir_read_"), "read") for n in names if n.startswith("fhir_read_")}
    routed |= {(n.removeprefix("fhir_search_"), "search-type") for n in names if n.startswith("fhir_search_")}
    routed.add(("QuestionnaireResponse", "create"))
    # An update is routed where a PUT to a resource's address is not refused as a method (405).
    for resource_type in [n.removeprefix("fhir_read_") for n in names if n.startswith("fhir_read_")]:
        put = client.put(f"{FHIR}{resource_type}/1", "{}", content_type="application/fhir+json")
        if put.status_code != 405:
            routed.add((resource_type, "update"))
    assert ("QuestionnaireResponse", "update") in routed
    assert declared == routed
    updated = next(r for r in statement["rest"][0]["resource"] if r["type"] == "QuestionnaireResponse")
    assert updated["versioning"] == "versioned-update"
    assert updated["updateCreate"] is False and updated["conditionalUpdate"] is False
    assert "entered-in-error" in updated["documentation"]


def _fhir_route_names():
    from rapport.api.fhir import urls

    return [p.name for p in urls.urlpatterns]


def test_walking_the_capability_statement_every_interaction_answers(clinic, as_user):
    from tests.access_matrix import BY_NAME  # the matrix first: its rows import one another
    from tests.matrix.groups import a_group

    assert "fhir_read_Group" in BY_NAME
    a_course(clinic)
    client = as_user(clinic.clinician)
    risky = phq9_qr(clinic.client.pk, {**ALL_NOT_AT_ALL, 9: "LA6569-3"}, base=canonical_base())
    assert post(client, "QuestionnaireResponse", risky).status_code == 201
    statement = get(client, "metadata").json()
    examples = {
        "Patient": clinic.client.pk,
        "Questionnaire": "phq9",
        "Practitioner": clinic.clinician.pk,
        "Organization": clinic.org.pk,
        "Group": a_group(clinic).pk,
    }
    for resource in statement["rest"][0]["resource"]:
        name = resource["type"]
        codes = {i["code"] for i in resource["interaction"]}
        if "search-type" in codes:
            found = get(client, name)
            assert found.status_code == 200, (name, found.content[:200])
            bundle = found.json()
            assert bundle["type"] == "searchset"
            for param in resource.get("searchParam", []):
                assert param["name"] in (
                    "_id",
                    "url",
                    "patient",
                    "questionnaire",
                    "authored",
                    "code",
                    "date",
                    "status",
                )
            if bundle["entry"]:
                examples.setdefault(name, bundle["entry"][0]["resource"]["id"])
        if "read" in codes:
            assert name in examples, name
            one = get(client, f"{name}/{examples[name]}")
            assert one.status_code == 200, (name, one.content[:200])
            assert one["Content-Type"].startswith("application/fhir+json")
            assert one.json()["resourceType"] == name
        if "update" in codes:
            # The one update there is: the resource read, withdrawn from the version read.
            body = {
                **one.json(),
                "status": "entered-in-error",
                "extension": [
                    {
                        "url": f"{canonical_base()}/StructureDefinition/entered-in-error-reason",
                        "valueString": "Sent for the wrong client.",
                    }
                ],
            }
            changed = client.put(
                f"{FHIR}{name}/{examples[name]}",
                json.dumps(body),
                content_type="application/fhir+json",
                HTTP_IF_MATCH=one["ETag"],
            )
            assert changed.status_code == 200, (name, changed.content[:300])
            assert changed.json()["status"] == "entered-in-error"


def test_a_read_carries_the_version_as_etag_and_if_none_match_gives_304(clinic, as_user):
    client = as_user(clinic.clinician)
    first = get(client, f"Patient/{clinic.client.pk}")
    assert first.status_code == 200 and first["ETag"] == f'W/"{clinic.client.version}"'
    assert first.json()["name"][0]["text"] == clinic.client.full_name
    again = get(client, f"Patient/{clinic.client.pk}", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    clinic.client.version += 1
    clinic.client.save()
    assert get(client, f"Patient/{clinic.client.pk}", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


@pytest.mark.parametrize(
    "path", ["Patient/{pk}", "QuestionnaireResponse?patient={pk}", "Patient/{pk}/$everything"]
)
def test_a_client_you_may_not_see_is_a_404_like_a_missing_one(clinic, as_user, path):
    client = as_user(clinic.other_clinician)
    theirs = get(client, path.format(pk=clinic.client.pk))
    missing = get(client, path.format(pk=999_999))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    assert theirs.json()["resourceType"] == "OperationOutcome"
    assert AuditEvent.objects.filter(action=Action.DENIED, client=clinic.client).exists()


def test_without_credentials_the_answer_is_401_operation_outcome(client, clinic):
    answer = get(client, f"Patient/{clinic.client.pk}")
    assert answer.status_code == 401 and answer.json()["issue"][0]["code"] == "login"
    assert answer["WWW-Authenticate"].startswith("Bearer")


def test_a_bearer_token_reads_as_the_json_api_does(client, clinic):
    from rapport.accounts.models import ApiToken

    token = ApiToken.issue(clinic.clinician, "fhir") if hasattr(ApiToken, "issue") else None
    if token is None:
        from io import StringIO

        from django.core.management import call_command

        out = StringIO()
        call_command("issue_token", clinic.clinician.email, stdout=out, stderr=StringIO())
        token = out.getvalue().strip().split()[-1]
    answer = get(client, f"Patient/{clinic.client.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 200
    row = AuditEvent.objects.filter(action=Action.READ, client=clinic.client).latest("pk")
    assert row.actor_id == clinic.clinician.pk


def test_search_questionnaire_responses_by_patient_questionnaire_and_authored(clinic, as_user):
    a_course(clinic, responses=5)
    client = as_user(clinic.clinician)
    url = f"{canonical_base()}/Questionnaire/phq9"
    everything = get(client, f"QuestionnaireResponse?patient={clinic.client.pk}&questionnaire={url}").json()
    assert everything["total"] == 5
    latest = Response.objects.order_by("-answered_at").first()
    day = latest.answered_at.date().isoformat()
    recent = get(client, f"QuestionnaireResponse?patient={clinic.client.pk}&authored=ge{day}").json()
    assert recent["total"] == 1 and recent["entry"][0]["resource"]["id"] == str(latest.pk)
    older = get(client, f"QuestionnaireResponse?patient={clinic.client.pk}&authored=le{day}").json()
    assert older["total"] == 5
    paged = get(client, f"QuestionnaireResponse?patient={clinic.client.pk}&_count=2").json()
    assert len(paged["entry"]) == 2 and paged["total"] == 5
    relations = {link["relation"]: link["url"] for link in paged["link"]}
    assert "next" in relations and "previous" not in relations
    second = client.get(relations["next"]).json()
    assert {link["relation"] for link in second["link"]} >= {"next", "previous"}
    ids = [e["resource"]["id"] for e in paged["entry"] + second["entry"]]
    assert len(set(ids)) == 4


def test_an_unknown_search_parameter_is_a_400(clinic, as_user):
    answer = get(as_user(clinic.clinician), "Patient?name=Cai")
    assert answer.status_code == 400 and answer.json()["issue"][0]["expression"] == ["name"]


def test_observations_by_code_with_bands_for_staff_and_none_for_the_client(clinic, as_user):
    a_course(clinic, responses=2)
    staff = get(
        as_user(clinic.clinician), f"Observation?patient={clinic.client.pk}&code=http://loinc.org|44261-6"
    )
    found = staff.json()
    assert found["total"] == 2
    assert all(e["resource"]["interpretation"] for e in found["entry"])
    own = get(as_user(clinic.client_user), f"Observation?patient={clinic.client.pk}&code=44261-6").json()
    assert own["total"] == 2 and all("interpretation" not in e["resource"] for e in own["entry"])
    assert get(as_user(clinic.client_user), "Flag").status_code == 403


def test_everything_holds_the_course_and_writes_one_audit_row(clinic, as_user):
    a_course(clinic, sessions=3, responses=2)
    client = as_user(clinic.clinician)
    before = AuditEvent.objects.count()
    bundle = get(client, f"Patient/{clinic.client.pk}/$everything").json()
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("Encounter") == 3 and kinds.count("QuestionnaireResponse") == 2
    assert {"Patient", "EpisodeOfCare", "CarePlan", "Goal", "Observation", "Practitioner"} <= set(kinds)
    assert AuditEvent.objects.count() == before + 1
    care_plan = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "CarePlan")
    assert len(care_plan["activity"]) == 3
    encounter = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Encounter")
    assert "note" not in json.dumps(encounter)


# Import


def test_an_imported_response_with_a_positive_item_9_opens_an_alert_and_tells_the_clinician(clinic, as_user):
    client = as_user(clinic.co_clinician)
    body = phq9_qr(clinic.client.pk, {**ALL_NOT_AT_ALL, 9: "LA6570-1"}, base=canonical_base())
    answer = post(client, "QuestionnaireResponse", body)
    assert answer.status_code == 201, answer.content
    stored = Response.objects.get(client=clinic.client)
    assert stored.total == 2 and stored.risk_flags == ["item9"]
    assert answer["Location"].endswith(f"/QuestionnaireResponse/{stored.pk}/_history/1")
    alert = RiskAlert.objects.get(client=clinic.client)
    assert alert.response_id == stored.pk
    assert Notification.objects.filter(alert=alert, recipient=clinic.clinician).exists()


def test_answers_are_matched_by_code_never_by_the_displayed_text(clinic, as_user):
    body = phq9_qr(clinic.client.pk, dict.fromkeys(range(1, 10), "LA6571-9"), base=canonical_base())
    for item in body["item"]:
        item["answer"][0]["valueCoding"]["display"] = "Not at all"  # the text says 0, the code says 3
    assert post(as_user(clinic.clinician), "QuestionnaireResponse", body).status_code == 201
    assert Response.objects.get().total == 27


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda b: b["item"][2]["answer"][0]["valueCoding"].update(code="LA9999-9"), "item3"),
        (lambda b: b["item"][0].update(linkId="item99"), "item[item99]"),
        (lambda b: b.update(questionnaire=b["questionnaire"].replace("|1.0", "|0.9")), "questionnaire"),
        (
            lambda b: b.update(questionnaire="http://elsewhere.example/Questionnaire/phq9|1.0"),
            "questionnaire",
        ),
        (lambda b: b.pop("questionnaire"), "questionnaire"),
    ],
    ids=["unknown-code", "unknown-item", "wrong-version", "not-ours", "no-questionnaire"],
)
def test_a_wrong_response_is_refused_naming_the_item_and_nothing_is_stored(clinic, as_user, change, where):
    body = phq9_qr(clinic.client.pk, ALL_NOT_AT_ALL, base=canonical_base())
    change(body)
    answer = post(as_user(clinic.clinician), "QuestionnaireResponse", body)
    assert answer.status_code == 422, answer.content
    outcome = answer.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert where in json.dumps(outcome)
    assert not Response.objects.exists()


def test_an_answer_to_a_skipped_cssrs_item_is_refused_naming_it(clinic, as_user):
    yes, no = "LA33-6", "LA32-8"
    body = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{canonical_base()}/Questionnaire/cssrs-screen|1.0",
        "status": "completed",
        "subject": {"reference": f"Patient/{clinic.client.pk}"},
        "item": [
            {"linkId": link, "answer": [{"valueCoding": {"system": "http://loinc.org", "code": code}}]}
            for link, code in [("q1", no), ("q2", no), ("q3", yes), ("q6", no)]
        ],
    }
    answer = post(as_user(clinic.clinician), "QuestionnaireResponse", body)
    assert answer.status_code == 422
    assert "q3" in json.dumps(answer.json())
    assert not Response.objects.exists()


def test_an_import_for_a_client_you_may_not_see_is_a_404(clinic, as_user):
    body = phq9_qr(clinic.client.pk, ALL_NOT_AT_ALL, base=canonical_base())
    assert post(as_user(clinic.other_clinician), "QuestionnaireResponse", body).status_code == 404
    assert not Response.objects.exists()


def test_if_match_on_create_is_refused(clinic, as_user):
    body = phq9_qr(clinic.client.pk, ALL_NOT_AT_ALL, base=canonical_base())
    answer = post(as_user(clinic.clinician), "QuestionnaireResponse", body, HTTP_IF_MATCH='W/"1"')
    assert answer.status_code == 412 and not Response.objects.exists()


# Bulk export


@pytest.fixture
def export_dir(tmp_path, settings):
    settings.RAPPORT_FHIR_EXPORT_DIR = tmp_path
    return tmp_path


def kick_off(client, parameters=()):
    body = {"resourceType": "Parameters", "parameter": list(parameters)}
    return post(client, "$export", body)


def lines(client, manifest, resource_type):
    url = next(o["url"] for o in manifest["output"] if o["type"] == resource_type)
    answer = client.get(url)
    assert answer.status_code == 200
    return [json.loads(line) for line in b"".join(answer.streaming_content).decode().splitlines()]


def test_a_bulk_export_writes_ndjson_of_what_the_caller_sees(clinic, as_user, export_dir):
    a_course(clinic, responses=2)
    client = as_user(clinic.clinician)
    started = kick_off(client)
    assert started.status_code == 202
    status_url = started["Content-Location"]
    assert client.get(status_url).status_code == 202
    run_worker()
    manifest = client.get(status_url).json()
    patients = lines(client, manifest, "Patient")
    assert [p["id"] for p in patients] == [str(clinic.client.pk)]
    assert len(lines(client, manifest, "QuestionnaireResponse")) == 2
    assert AuditEvent.objects.filter(action=Action.EXPORT, client=clinic.client).exists()
    # Someone else cannot follow the status URL or fetch the files.
    other = as_user(clinic.co_clinician)
    assert other.get(status_url).status_code == 404


def test_a_deidentified_export_has_stable_pseudonyms_and_no_names_or_birth_dates(clinic, as_user, export_dir):
    a_course(clinic, responses=1)
    client = as_user(clinic.clinician)

    def export(key):
        params = [
            {"name": "deidentify", "valueBoolean": True},
            {"name": "pseudonymKey", "valueString": key},
            {"name": "_type", "valueString": "Patient,QuestionnaireResponse,Goal,CarePlan"},
        ]
        status_url = kick_off(client, params)["Content-Location"]
        run_worker()
        return client.get(status_url).json()

    first, again, other = export("study-one"), export("study-one"), export("study-two")
    patient = lines(client, first, "Patient")[0]
    assert "name" not in patient and patient["birthDate"] == "1990"
    assert patient["id"] != str(clinic.client.pk)
    assert lines(client, again, "Patient")[0]["id"] == patient["id"]
    assert lines(client, other, "Patient")[0]["id"] != patient["id"]
    response = lines(client, first, "QuestionnaireResponse")[0]
    assert response["subject"]["reference"] == f"Patient/{patient['id']}"
    everything = json.dumps(
        [lines(client, first, t) for t in ("Patient", "QuestionnaireResponse", "Goal", "CarePlan")]
    )
    for secret in (clinic.client.full_name, "Cai", "1990-05-17", "mother", "Call a friend"):
        assert secret not in everything


def test_export_parameters_are_checked(clinic, as_user, export_dir):
    client = as_user(clinic.clinician)
    refused = kick_off(client, [{"name": "deidentify", "valueBoolean": True}])
    assert refused.status_code == 422 and "pseudonymKey" in json.dumps(refused.json())
    assert kick_off(client, [{"name": "_type", "valueString": "Secret"}]).status_code == 422
    assert kick_off(as_user(clinic.client_user)).status_code == 403
    assert not list(export_dir.iterdir())


def test_a_refused_import_still_judges_its_positive_risk_item_as_the_json_api_does(clinic, as_user):
    body = phq9_qr(clinic.client.pk, {**ALL_NOT_AT_ALL, 3: "LA0000-0", 9: "LA6571-9"}, base=canonical_base())
    answer = post(as_user(clinic.clinician), "QuestionnaireResponse", body)
    assert answer.status_code == 422 and "item3" in json.dumps(answer.json())
    assert not Response.objects.exists()
    alert = RiskAlert.objects.get(client=clinic.client)
    assert "refused_submission" in alert.reasons


def test_a_browser_session_must_pass_the_csrf_check_to_write(clinic):
    from django.test import Client as Browser

    browser = Browser(enforce_csrf_checks=True)
    browser.force_login(clinic.clinician)
    body = phq9_qr(clinic.client.pk, ALL_NOT_AT_ALL, base=canonical_base())
    answer = post(browser, "QuestionnaireResponse", body)
    assert answer.status_code == 403 and answer.json()["resourceType"] == "OperationOutcome"
    assert not Response.objects.exists()
    assert get(browser, f"Patient/{clinic.client.pk}").status_code == 200


def _all_observations_in_memory(user, wanted_code: str | None) -> list[str]:
    """What the search found before it paged in the database: every observation built, then cut."""
    from rapport.clinic import rules
    from rapport.clinic.models import Client
    from rapport.interop.fhir import resources

    found = []
    responses = Response.objects.filter(
        client__in=Client.objects.visible_to(user), entered_in_error_at__isnull=True
    ).order_by("pk")
    for response in responses:
        for observation in resources.observations(response, sees_bands=rules.sees_severity_bands(user)):
            if wanted_code is None or any(c["code"] == wanted_code for c in observation["code"]["coding"]):
                found.append(observation["id"])
    return found


@pytest.mark.parametrize("code", [None, "44261-6", "http://loinc.org|44260-8", "70274-6"])
def test_observation_search_pages_give_what_building_them_all_gave(clinic, as_user, code):
    from rapport.clinic import measurement
    from tests.support import request_as

    a_course(clinic, responses=5)
    request = request_as(clinic.clinician)
    positive = {f"item{n}": "several_days" for n in range(1, 10)}  # item 9 positive: a risk observation
    for _ in range(2):
        measurement.record_response(request, clinic.client.pk, "phq9", positive)
    gad7 = {f"item{n}": "several_days" for n in range(1, 8)}
    measurement.record_response(request, clinic.client.pk, "gad7", gad7)
    expected = _all_observations_in_memory(clinic.clinician, code and code.rpartition("|")[2])
    assert expected
    browser = as_user(clinic.clinician)
    query = "Observation?_count=2" + (f"&code={code}" if code else "")
    seen, pages, url = [], 0, FHIR + query
    while url:
        page = browser.get(url.removeprefix("http://testserver")).json()
        assert page["total"] == len(expected)
        links = {link["relation"]: link["url"] for link in page["link"]}
        assert ("previous" in links) == (pages > 0)
        seen += [e["resource"]["id"] for e in page.get("entry", [])]
        url, pages = links.get("next"), pages + 1
    assert seen == expected
    assert pages == max(1, -(-len(expected) // 2))
    # A page beyond the end is empty but still counts them all.
    beyond = get(browser, f"{query}&_offset={len(expected) + 4}").json()
    assert beyond["total"] == len(expected) and not beyond.get("entry")
