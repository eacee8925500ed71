"""The directory's matching (core/directory.py): needs filter, fits weigh and explain, outcomes
never rank, and a person's words point at problem areas as the data says."""

from dataclasses import replace

import pytest

from rapport.core import directory
from rapport.core.datafiles import DefinitionError
from rapport.core.directory import Provider, Reason, Wishes, areas_in, meets, rank, shows_outcomes

SPANISH_ONLINE = Provider(id=1, languages=("es", "en"), formats=frozenset({"individual", "online"}))
ENGLISH_LEEDS = Provider(
    id=2, languages=("en",), formats=frozenset({"individual", "in_person"}), place="Leeds", fee_from=60
)
TEEN_BOTH = Provider(
    id=3,
    languages=("en",),
    formats=frozenset({"individual", "adolescents", "online", "in_person"}),
    place="Leeds city centre",
    sliding_scale=True,
)


def ids(fits):
    return [f.provider.id for f in fits]


def test_a_language_need_leaves_out_those_who_do_not_speak_it():
    assert ids(rank([SPANISH_ONLINE, ENGLISH_LEEDS, TEEN_BOTH], Wishes(language="es"))) == [1]


def test_online_leaves_out_in_person_only_providers():
    assert set(ids(rank([SPANISH_ONLINE, ENGLISH_LEEDS, TEEN_BOTH], Wishes(meeting="online")))) == {1, 3}


def test_in_person_near_a_place_matches_the_city_or_area_either_way_round():
    found = rank([SPANISH_ONLINE, ENGLISH_LEEDS, TEEN_BOTH], Wishes(meeting="in_person", place="leeds"))
    assert set(ids(found)) == {2, 3}
    assert not meets(ENGLISH_LEEDS, Wishes(meeting="in_person", place="York"))


def test_a_place_with_either_way_of_meeting_keeps_online_providers_too():
    found = rank([SPANISH_ONLINE, ENGLISH_LEEDS], Wishes(place="York"))
    assert ids(found) == [1]


def test_adolescents_and_couples_are_needs():
    assert ids(rank([SPANISH_ONLINE, ENGLISH_LEEDS, TEEN_BOTH], Wishes(adolescents=True))) == [3]
    assert rank([SPANISH_ONLINE, ENGLISH_LEEDS, TEEN_BOTH], Wishes(kind="couple")) == []


def test_a_fee_limit_keeps_those_within_it_and_those_with_a_sliding_scale_or_free_places():
    free = Provider(id=4, languages=("en",), formats=frozenset({"online"}), fee_from=90, free_places=True)
    unstated = Provider(id=5, languages=("en",), formats=frozenset({"online"}))
    found = rank([ENGLISH_LEEDS, TEEN_BOTH, free, unstated], Wishes(fee_max=50))
    assert set(ids(found)) == {3, 4}
    assert set(ids(rank([ENGLISH_LEEDS], Wishes(fee_max=60)))) == {2}


def test_verified_credentials_and_experience_of_the_area_rank_first_and_say_why():
    plain = Provider(id=10, languages=("en",), formats=frozenset({"online"}))
    verified = replace(plain, id=11, verified_training=True, verified_licence=True)
    grief = replace(plain, id=12, problem_areas=frozenset({"grief"}))
    found = rank([plain, verified, grief], Wishes(problem_areas=frozenset({"grief"})))
    assert ids(found) == [11, 12, 10]
    assert Reason("verified_training") in found[0].reasons
    assert Reason("problem_area", "grief") in found[1].reasons
    assert found[2].score == 0


def test_equal_fits_go_by_the_soonest_appointment_then_by_id():
    a = Provider(id=20, formats=frozenset({"online"}), days_to_next=None)
    b = Provider(id=21, formats=frozenset({"online"}), days_to_next=30)
    c = Provider(id=22, formats=frozenset({"online"}), days_to_next=20)
    assert ids(rank([a, b, c], Wishes())) == [22, 21, 20]


def test_an_appointment_soon_weighs_and_says_so():
    soon = Provider(id=30, formats=frozenset({"online"}), days_to_next=3)
    found = rank([soon], Wishes())
    assert found[0].score == directory.directory_rules().weights["soon"]
    assert Reason("soon", "3") in found[0].reasons


def test_a_provider_has_no_outcome_to_rank_by():
    # Issue 15: never a ranking by outcome. Nothing about outcomes may reach matching.
    names = set(Provider.__dataclass_fields__)
    assert not {n for n in names if "outcome" in n or "response" in n or "recovery" in n}


def test_the_needs_met_are_given_as_reasons():
    found = rank([SPANISH_ONLINE], Wishes(language="es", meeting="online"))
    assert found[0].reasons[:2] == (Reason("language", "es"), Reason("online"))


@pytest.mark.parametrize(
    ("text", "areas"),
    [
        ("My mother died in the spring", {"grief"}),
        ("we argue all the time, me and my partner", {"role_dispute"}),
        ("I lost my job and feel lonely", {"role_transition", "interpersonal_deficits"}),
        ("I feel low", set()),
        ("everything grows", set()),  # "row" is not a word in the list, and parts of words never match
        ("DIED", {"grief"}),
    ],
)
def test_plain_words_point_at_problem_areas(text, areas):
    assert set(areas_in(text)) == areas


def test_outcomes_show_only_from_the_minimum_number_of_courses():
    minimum = directory.directory_rules().minimum_courses
    assert minimum == 20
    assert not shows_outcomes(minimum - 1, minimum - 1)
    assert not shows_outcomes(minimum + 5, minimum - 1)  # finished enough, too few with paired scores
    assert shows_outcomes(minimum, minimum)


def test_the_rules_file_refuses_an_unknown_problem_area(tmp_path):
    text = directory.DIRECTORY_RULES.read_text().replace("    grief:\n", "    sorrow:\n", 1)
    path = tmp_path / "directory.yaml"
    path.write_text(text)
    with pytest.raises(DefinitionError, match="sorrow"):
        directory.load_directory_rules(path)


def test_the_rules_file_refuses_a_threshold_below_one(tmp_path):
    text = directory.DIRECTORY_RULES.read_text().replace("minimum_courses: 20", "minimum_courses: 0")
    path = tmp_path / "directory.yaml"
    path.write_text(text)
    with pytest.raises(DefinitionError, match="minimum_courses"):
        directory.load_directory_rules(path)
