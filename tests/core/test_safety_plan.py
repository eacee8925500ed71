"""The safety plan (spec 3.3): the six sections in order, and what `clean()` accepts and refuses."""

import copy

import pytest
import yaml

from rapport.core import safety_plan
from rapport.core.datafiles import DefinitionError
from rapport.core.safety_plan import SAFETY_PLAN_TEMPLATE, InvalidPlan, clean, is_empty, load_template

SECTIONS = [
    "warning_signs",
    "internal_coping",
    "social_distraction",
    "people_to_ask_for_help",
    "professionals_and_agencies",
    "safe_environment",
]


def problems(data):
    with pytest.raises(InvalidPlan) as raised:
        clean(data)
    return raised.value.problems


def test_the_template_has_the_six_spec_sections_in_order():
    template = safety_plan.template()
    assert [section.id for section in template.sections] == SECTIONS
    assert [section.order for section in template.sections] == [1, 2, 3, 4, 5, 6]
    assert template is safety_plan.template()


def test_phone_numbers_belong_to_sections_4_and_5_and_hours_to_section_5():
    fields = {section.id: section.fields for section in safety_plan.template().sections}
    assert fields == {
        "warning_signs": ("text",),
        "internal_coping": ("text",),
        "social_distraction": ("text",),
        "people_to_ask_for_help": ("text", "phone"),
        "professionals_and_agencies": ("text", "phone", "available_hours"),
        "safe_environment": ("text",),
    }


def test_every_prompt_is_a_question_to_the_client():
    for section in safety_plan.template().sections:
        assert section.prompt.endswith("?"), section.id
        assert "you" in section.prompt.lower().split(), section.id
        assert section.title and section.hint


def test_the_structure_is_confirmed_but_our_wording_is_not():
    template = safety_plan.template()
    assert (template.structure_provenance.confidence, template.wording_provenance.confidence) == ("C", "U")
    assert any("no-suicide contract" in note for note in template.notes)
    assert any("reasons for living" in note for note in template.notes)


# clean()


def test_clean_strips_whitespace_drops_blank_items_and_returns_every_section_in_order():
    plan = clean(
        {
            "people_to_ask_for_help": [
                {"text": "  My sister Ana ", "phone": " 07700 900123 "},
                {"text": "", "phone": "   "},
            ],
            "warning_signs": [{"text": "I stop answering messages\n"}, {"text": None}],
        }
    )
    assert list(plan) == SECTIONS
    assert plan["warning_signs"] == [{"text": "I stop answering messages"}]
    assert plan["people_to_ask_for_help"] == [{"text": "My sister Ana", "phone": "07700 900123"}]
    assert plan["safe_environment"] == []


def test_each_item_keeps_exactly_its_sections_fields_with_blanks_as_empty_text():
    plan = clean({"professionals_and_agencies": [{"text": "My GP surgery"}]})
    assert plan["professionals_and_agencies"] == [
        {"text": "My GP surgery", "phone": "", "available_hours": ""}
    ]


def test_an_empty_plan_cleans_to_six_empty_sections():
    assert clean({}) == {section: [] for section in SECTIONS}


def test_an_unknown_section_is_refused():
    assert problems({"reasons_for_living": [{"text": "My dog"}]}) == [
        ("reasons_for_living", None, "This is not a section of the safety plan.")
    ]


def test_a_section_that_is_not_a_list_is_refused():
    assert problems({"warning_signs": "I stop sleeping"}) == [
        ("warning_signs", None, "This section must be a list of items.")
    ]


def test_an_item_that_is_not_a_mapping_is_refused():
    assert problems({"warning_signs": ["I stop sleeping"]}) == [
        ("warning_signs", 0, "Each item must have a text field.")
    ]


def test_text_over_500_characters_is_refused_and_500_is_allowed():
    assert clean({"internal_coping": [{"text": "a" * 500}]})["internal_coping"][0]["text"] == "a" * 500
    assert problems({"internal_coping": [{"text": "ok"}, {"text": "a" * 501}]}) == [
        ("internal_coping", 1, "The text is too long: at most 500 characters.")
    ]


@pytest.mark.parametrize("phone", ["+44 (0)7700 900-123", "999", "(555) 010-0100"])
def test_phone_numbers_may_hold_digits_spaces_plus_dash_and_brackets(phone):
    plan = clean({"people_to_ask_for_help": [{"text": "Sam", "phone": phone}]})
    assert plan["people_to_ask_for_help"][0]["phone"] == phone


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("call 07700", "A phone number may contain only digits, spaces, +, -, ( and )."),
        ("07700.900123", "A phone number may contain only digits, spaces, +, -, ( and )."),
        ("1" * 31, "The phone number is too long: at most 30 characters."),
        ("( - )", "The phone number has no digits."),
    ],
)
def test_bad_phone_numbers_are_refused(phone, message):
    assert problems({"people_to_ask_for_help": [{"text": "Sam", "phone": phone}]}) == [
        ("people_to_ask_for_help", 0, message)
    ]


def test_hours_over_100_characters_are_refused():
    item = {"text": "Crisis team", "phone": "0800 000", "available_hours": "x" * 101}
    assert problems({"professionals_and_agencies": [item]}) == [
        ("professionals_and_agencies", 0, "The hours are too long: at most 100 characters.")
    ]


def test_a_phone_or_hours_without_text_is_refused():
    data = {
        "people_to_ask_for_help": [{"text": " ", "phone": "07700 900123"}],
        "professionals_and_agencies": [{"available_hours": "9 to 5"}],
    }
    message = "Add some text to say who or what this phone number or these hours are for."
    assert problems(data) == [
        ("people_to_ask_for_help", 0, message),
        ("professionals_and_agencies", 0, message),
    ]


def test_a_phone_number_in_a_section_that_takes_none_is_refused():
    assert problems({"warning_signs": [{"text": "x", "phone": "123"}]}) == [
        ("warning_signs", 0, "This section does not take a phone number.")
    ]


def test_a_value_that_is_not_text_is_refused():
    assert problems({"internal_coping": [{"text": 42}]}) == [("internal_coping", 0, "The text must be text.")]


def test_more_than_20_items_in_a_section_are_refused_but_blank_rows_do_not_count():
    twenty = [{"text": f"thing {n}"} for n in range(20)]
    assert len(clean({"internal_coping": [*twenty, {"text": ""}, {"text": "  "}]})["internal_coping"]) == 20
    assert problems({"internal_coping": [*twenty, {"text": "one more"}]}) == [
        ("internal_coping", None, "A section can hold at most 20 items.")
    ]


def test_every_problem_is_reported_at_once_in_template_order_with_the_given_index():
    data = {
        "bogus": [],
        "safe_environment": [{"text": "a" * 501}],
        "warning_signs": [{"text": ""}, {"text": "fine"}, {"text": "b" * 501}],
    }
    found = problems(data)
    assert [(section, index) for section, index, _ in found] == [
        ("warning_signs", 2),
        ("safe_environment", 0),
        ("bogus", None),
    ]


def test_the_error_message_names_the_section_and_item():
    with pytest.raises(InvalidPlan, match=r"warning_signs\[0\]: The text is too long"):
        clean({"warning_signs": [{"text": "a" * 501}]})


def test_a_plan_that_is_not_a_mapping_is_a_programming_error():
    with pytest.raises(TypeError):
        clean([{"text": "x"}])


# is_empty()


def test_a_plan_with_nothing_written_is_empty():
    assert is_empty({}) is True
    assert is_empty(clean({})) is True
    assert is_empty({"warning_signs": [{"text": "  "}], "people_to_ask_for_help": [{"phone": ""}]}) is True


def test_a_plan_with_one_item_is_not_empty():
    assert is_empty({"safe_environment": [{"text": "Ask Jo to keep my tablets"}]}) is False
    assert is_empty(clean({"people_to_ask_for_help": [{"text": "Ana", "phone": "123"}]})) is False


# Malformed template files fail loudly.


def load_error(tmp_path, change):
    data = copy.deepcopy(yaml.safe_load(SAFETY_PLAN_TEMPLATE.read_text()))
    change(data)
    path = tmp_path / "safety_plan_template.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    with pytest.raises(DefinitionError) as raised:
        load_template(path)
    return str(raised.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["sections"][0].update(fields=["phone"]),
            "safety_plan_template.yaml: sections[0].fields: every section takes 'text'",
        ),
        (
            lambda d: d["sections"][3].update(fields=["text", "email"]),
            "safety_plan_template.yaml: sections[3].fields[1]: expected one of text, phone, available_hours",
        ),
        (
            lambda d: d["sections"][1].update(id="warning_signs"),
            "safety_plan_template.yaml: sections[1]: duplicate section id 'warning_signs'",
        ),
        (
            lambda d: d["sections"][2].update(question="?"),
            "safety_plan_template.yaml: sections[2]: unknown field(s) question",
        ),
        (
            lambda d: d["sections"][2].pop("prompt"),
            "safety_plan_template.yaml: sections[2]: missing required field 'prompt'",
        ),
        (
            lambda d: d["wording"].update(verified=True),
            "safety_plan_template.yaml: wording: verified is true but confidence is U",
        ),
    ],
)
def test_a_malformed_template_fails_naming_the_file_and_the_field(tmp_path, change, message):
    assert message in load_error(tmp_path, change)
