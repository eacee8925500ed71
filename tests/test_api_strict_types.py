"""Strict types on every API request body (issue #17): nothing is converted silently. A number sent
as a string, true or false for a number, a number for a date or for text: each is refused with a
422 naming the field, and worded as the page's form words it where a page has the same field.
Dates still come as ISO strings, JSON having no date type."""

from datetime import date

import pytest
from pydantic import BaseModel, ValidationError

from rapport.api.routes import api
from rapport.api.schemas import StrictIn, form_message
from rapport.clinic.models import Client, Course
from tests.test_api import NEW
from tests.test_api_course import contract, path, put


def _bodies() -> dict[str, type[BaseModel]]:
    """Every request body schema, by the name the OpenAPI document gives it."""
    found, todo = {}, list(StrictIn.__subclasses__())
    while todo:
        cls = todo.pop()
        if cls.model_config.get("strict"):  # not an answer that reuses a body's fields
            found[cls.__name__] = cls
        todo.extend(cls.__subclasses__())
    return found


BODIES = _bodies()


def _accepts(prop: dict) -> set[str]:
    """The JSON types a property's schema admits ("date" for a string holding a date)."""
    kinds: set[str] = set()
    for option in prop.get("anyOf", [prop]):
        kind = option.get("type")
        if kind == "string" and option.get("format") == "date":
            kinds.add("date")
        elif kind:
            kinds.add(kind)
        elif "enum" in option or "const" in option:
            kinds.add("string")
    return kinds


def _wrong_values(prop: dict) -> list:
    """Values of the wrong JSON type that lax parsing would once have converted."""
    kinds = _accepts(prop)
    wrong = []
    if "integer" in kinds and "string" not in kinds:
        wrong += ["12", False, True, 12.0]
    if "date" in kinds:
        wrong += [0, 1700000000, "1700000000", True]
    if "string" in kinds and "integer" not in kinds:
        wrong += [5, 1.5]
    if "boolean" in kinds and "string" not in kinds:
        wrong += ["true", 1]
    for option in prop.get("anyOf", [prop]):
        if option.get("type") == "array":
            wrong += [[bad] for bad in _wrong_values(option["items"])[:2]]
        values = option.get("additionalProperties")
        if option.get("type") == "object" and isinstance(values, dict) and values:
            wrong += [{"x": bad} for bad in _wrong_values(values)[:2]]
    return wrong


CASES = [
    pytest.param(name, field, bad, id=f"{name}.{field}={bad!r}")
    for name, cls in sorted(BODIES.items())
    for field, prop in cls.model_json_schema()["properties"].items()
    for bad in _wrong_values(prop)
]


def test_every_request_body_of_the_api_is_a_strict_schema(db, client):
    schema = api.get_openapi_schema()
    named = set()
    for item in schema["paths"].values():
        for operation in item.values():
            content = operation.get("requestBody", {}).get("content", {})
            for media in content.values():
                named.add(media["schema"]["$ref"].rsplit("/", 1)[-1])
    assert named, "no request body found: the walk is broken"
    assert named <= set(BODIES), f"not strict: {named - set(BODIES)}"


def test_the_walk_covers_each_kind_of_field():
    fields = {case.values[:2] for case in CASES}
    for expected in [
        ("ClientIn", "date_of_birth"),
        ("ContractUpdate", "version"),
        ("ContractUpdate", "planned_sessions"),
        ("EventUpdate", "people"),
        ("SessionUpdate", "goal_ratings"),
        ("ResponseIn", "session_number"),
        ("EntryUpdate", "closeness_ring"),
    ]:
        assert expected in fields


@pytest.mark.parametrize(("name", "field", "bad"), CASES)
def test_a_value_of_the_wrong_type_is_refused_not_converted(name, field, bad):
    with pytest.raises(ValidationError) as caught:
        BODIES[name].model_validate({field: bad})
    mine = [e for e in caught.value.errors() if e["loc"][:1] == (field,)]
    assert mine, caught.value.errors()
    assert all(e["type"] != "missing" for e in mine)


def test_dates_are_still_read_from_iso_strings():
    body = BODIES["NewSessionIn"].model_validate({"date": "2026-03-02"})
    assert body.date == date(2026, 3, 2)
    with pytest.raises(ValidationError):
        BODIES["NewSessionIn"].model_validate({"date": "2026-02-30"})


@pytest.mark.parametrize(
    ("error", "message"),
    [
        ({"type": "int_type", "input": "12"}, "Enter a whole number."),
        ({"type": "date_parsing", "input": "12"}, "Enter a valid date."),
        ({"type": "date_type", "input": 0}, "Enter a valid date."),
    ],
)
def test_the_refusals_are_worded_as_the_forms_word_them(error, message):
    assert form_message(error) == message


# The three examples, end to end


def test_a_date_of_birth_of_0_is_not_1970(clinic, as_user):
    before = Client.objects.count()
    response = as_user(clinic.clinician).post(
        "/api/v1/clients", {**NEW, "date_of_birth": 0}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"date_of_birth": ["Enter a valid date."]}
    assert Client.objects.count() == before


@pytest.fixture
def course(clinic):
    return Course.objects.create(client=clinic.client, started_on="2026-01-05", status="active")


def test_a_version_of_false_is_not_0(clinic, course, as_user):
    api_client = as_user(clinic.clinician)
    response = put(api_client, path(clinic, "course"), contract(course, version=False))
    assert response.status_code == 422, response.content
    assert list(response.json()["errors"]) == ["version"]
    course.refresh_from_db()
    assert course.version == 1


def test_a_number_sent_as_a_string_is_refused(clinic, course, as_user):
    api_client = as_user(clinic.clinician)
    response = put(api_client, path(clinic, "course"), contract(course, planned_sessions="12"))
    assert response.status_code == 422, response.content
    assert response.json()["errors"] == {"planned_sessions": ["Enter a whole number."]}
    course.refresh_from_db()
    assert course.planned_sessions == 16
