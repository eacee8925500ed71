"""Decision support points at candidate problem areas, explains each one, and never chooses."""

import dataclasses
from datetime import date

import pytest

from rapport.core.protocol import (
    Evidence,
    Facts,
    InvalidFacts,
    InventoryEntry,
    LifeChange,
    Question,
    Review,
    SetAside,
    Suggestion,
    TimelineEvent,
    review,
    suggest_problem_areas,
)

ONSET = date(2024, 5, 15)


def areas(facts, **kwargs):
    return [s.problem_area for s in suggest_problem_areas(facts, **kwargs)]


def death(when, end=None, ref="death", people=("Mother",)):
    return TimelineEvent(ref=ref, kind="death", label="Mother died", start=when, end=end, people=people)


def person(ref, ring, status="ongoing", expectations=None, relationship="friend"):
    return InventoryEntry(
        ref=ref,
        label=ref.title(),
        relationship_type=relationship,
        closeness_ring=ring,
        current_status=status,
        expectations_reciprocity=expectations,
    )


ISOLATED = (person("neighbour", 3), person("cousin", 2, relationship="other_family"))


# Grief: a death on the timeline near the onset


def test_a_death_near_the_onset_suggests_grief_explained_by_the_timeline_entry():
    (suggestion,) = suggest_problem_areas(Facts(onset=ONSET, timeline=(death(date(2024, 3, 2)),)))
    assert suggestion.problem_area == "grief"
    assert suggestion.rules == ("death_near_onset",)
    assert suggestion.summary == "A death near the onset of the depression can point to grief."
    (evidence,) = suggestion.evidence
    assert (evidence.source, evidence.ref, evidence.label, evidence.check_timing) == (
        "timeline", "death", "Mother died", False,
    )  # fmt: skip
    assert evidence.reason == (
        "A death (Mother), 2024-03-02, 2 months before the onset on 2024-05-15 "
        "(window: 12 months before to 3 months after the onset)"
    )


@pytest.mark.parametrize(
    ("when", "suggested"),
    [
        (date(2023, 5, 15), True),  # exactly 12 months before
        (date(2023, 5, 14), False),  # a day more
        (date(2024, 8, 15), True),  # 3 months after: onset dates are approximate
        (date(2024, 8, 16), False),
    ],
)
def test_the_grief_window_edges(when, suggested):
    assert areas(Facts(onset=ONSET, timeline=(death(when),))) == (["grief"] if suggested else [])


def test_a_period_that_spans_the_onset_counts():
    (suggestion,) = suggest_problem_areas(
        Facts(onset=ONSET, timeline=(death(date(2022, 1, 1), end=date(2024, 6, 1)),))
    )
    assert "spanning the onset" in suggestion.evidence[0].reason


def test_an_undated_death_is_still_suggested_with_a_prompt_to_check_the_timing():
    (suggestion,) = suggest_problem_areas(Facts(onset=ONSET, timeline=(death(None),)))
    (evidence,) = suggestion.evidence
    assert evidence.check_timing is True
    assert (
        evidence.reason
        == "A death (Mother); no date is recorded for it: check whether it happened near the onset"
    )


def test_without_an_onset_date_a_death_is_suggested_with_a_prompt_to_check_the_timing():
    (suggestion,) = suggest_problem_areas(Facts(onset=None, timeline=(death(date(2010, 1, 1)),)))
    assert suggestion.problem_area == "grief"
    assert suggestion.evidence[0].check_timing is True
    assert "the onset date is not recorded" in suggestion.evidence[0].reason


# Role dispute: non-reciprocal expectations in an inventory entry


def test_non_reciprocal_expectations_suggest_a_role_dispute_explained_by_each_entry():
    facts = Facts(
        onset=ONSET,
        inventory=(
            person("partner", 1, "strained", "non_reciprocal", relationship="partner"),
            person("sister", 1, expectations="reciprocal", relationship="sibling"),
            person("boss", 3, expectations="non_reciprocal", relationship="colleague_or_boss"),
        ),
    )
    (suggestion,) = suggest_problem_areas(facts)
    assert suggestion.problem_area == "role_dispute"
    # The partner is evidence twice: for the expectations, and for the strained relationship.
    assert [(e.source, e.ref) for e in suggestion.evidence] == [
        ("inventory", "partner"),
        ("inventory", "boss"),
        ("inventory", "partner"),
    ]
    assert suggestion.evidence[0].reason == "expectations recorded as: Non-reciprocal (they conflict)"
    assert suggestion.evidence[2].reason == "relationship recorded as: Strained (partner, ring 1)"


@pytest.mark.parametrize("expectations", ["reciprocal", "unsure", "not_assessed", None])
def test_other_expectations_suggest_no_dispute(expectations):
    facts = Facts(onset=ONSET, inventory=(person("a", 1, expectations=expectations), person("b", 1)))
    assert areas(facts) == []


# Role transition: a recent life change


def test_a_recorded_life_change_near_the_onset_suggests_a_role_transition():
    change = LifeChange(ref="move", kind="move_or_migration", label="Moved for work", start=date(2024, 1, 10))
    (suggestion,) = suggest_problem_areas(Facts(onset=ONSET, life_changes=(change,)))
    assert suggestion.problem_area == "role_transition"
    (evidence,) = suggestion.evidence
    assert (evidence.source, evidence.ref) == ("life_change", "move")
    assert evidence.reason.startswith(
        "A move or migration, 2024-01-10, 4 months before the onset on 2024-05-15"
    )


def test_a_life_change_on_the_timeline_also_suggests_a_role_transition():
    event = TimelineEvent(ref="redundancy", kind="job_loss", label="Made redundant", start=date(2024, 4, 1))
    assert areas(Facts(onset=ONSET, timeline=(event,))) == ["role_transition"]


def test_a_life_change_long_before_the_onset_suggests_nothing():
    change = LifeChange(ref="wedding", kind="marriage", label="Got married", start=date(2019, 6, 1))
    assert areas(Facts(onset=ONSET, life_changes=(change,))) == []


def test_a_death_is_grief_never_a_role_transition_and_a_conflict_event_is_a_dispute():
    conflict = TimelineEvent(ref="row", kind="conflict", label="Row with brother", start=date(2024, 4, 1))
    assert areas(Facts(onset=ONSET, timeline=(death(date(2024, 4, 1)), conflict))) == [
        "grief",
        "role_dispute",
    ]


# Interpersonal deficits: few close ties, only when nothing else applies


def test_few_close_ties_suggest_interpersonal_deficits_explained_by_the_inventory():
    (suggestion,) = suggest_problem_areas(Facts(onset=ONSET, inventory=ISOLATED))
    assert suggestion.problem_area == "interpersonal_deficits"
    (summary,) = suggestion.evidence
    assert (summary.source, summary.ref) == ("inventory", None)
    assert summary.reason == (
        "2 people recorded, 0 of them a current close tie on the innermost ring "
        "(the rule looks for 1 or fewer)"
    )


def test_the_one_close_tie_is_named_in_the_evidence():
    (suggestion,) = suggest_problem_areas(Facts(onset=ONSET, inventory=(*ISOLATED, person("friend", 1))))
    assert [e.ref for e in suggestion.evidence] == [None, "friend"]
    assert suggestion.evidence[1].reason == "counted as a close tie (ring 1)"


def test_two_close_ties_are_not_few():
    assert areas(Facts(onset=ONSET, inventory=(*ISOLATED, person("friend", 1), person("brother", 1)))) == []


def test_people_who_died_or_relationships_that_ended_are_not_close_ties():
    gone = (
        person("ex", 1, "ended", relationship="partner"),
        person("father", 1, "deceased", relationship="parent"),
    )
    also_gone = (person("grandmother", 1, None, relationship="deceased"),)
    assert areas(Facts(onset=ONSET, inventory=(*gone, *also_gone, person("friend", 1)))) == [
        "interpersonal_deficits"
    ]


def test_a_close_person_with_no_recorded_status_counts_as_a_tie():
    assert areas(Facts(onset=ONSET, inventory=(person("a", 1, None), person("b", 1, None)))) == []


def test_an_empty_inventory_never_suggests_deficits():
    assert areas(Facts(onset=ONSET)) == []


@pytest.mark.parametrize(
    "other",
    [
        {"timeline": (death(date(2024, 2, 1)),)},
        {"timeline": (death(None),)},
        {
            "life_changes": (
                LifeChange(ref="retired", kind="retirement", label="Retired", start=date(2024, 1, 1)),
            )
        },
        {"life_changes": (LifeChange(ref="moved", kind="move_or_migration", label="Moved"),)},
    ],
    ids=["a death", "an undated death", "a life change", "an undated life change"],
)
def test_deficits_are_suggested_only_when_no_other_area_applies(other):
    found = areas(Facts(onset=ONSET, inventory=ISOLATED, **other))
    assert found and "interpersonal_deficits" not in found


def test_a_dispute_also_holds_back_deficits():
    inventory = (*ISOLATED[:1], person("partner", 2, "strained", "non_reciprocal", relationship="partner"))
    assert areas(Facts(onset=ONSET, inventory=inventory)) == ["role_dispute"]


# Suggestions point; they never choose


def test_several_suggestions_come_in_protocol_order_never_ranked():
    facts = Facts(
        onset=ONSET,
        life_changes=(
            LifeChange(ref="job", kind="job_start", label="New job", start=date(2024, 3, 1)),
            LifeChange(ref="baby", kind="becoming_a_parent", label="Baby born", start=date(2024, 2, 1)),
            LifeChange(ref="move", kind="move_or_migration", label="Moved", start=date(2024, 1, 1)),
        ),
        inventory=(person("partner", 1, "strained", "non_reciprocal", relationship="partner"),),
        timeline=(death(date(2024, 4, 1)),),
    )
    suggestions = suggest_problem_areas(facts)
    assert [s.problem_area for s in suggestions] == ["grief", "role_dispute", "role_transition"]
    assert len(suggestions[2].evidence) == 3  # more evidence does not move an area up


def test_a_suggestion_carries_no_choice_decision_or_ranking():
    forbidden = {
        "chosen", "choice", "selected", "decided", "decision", "primary", "secondary", "recommended",
        "accepted", "score", "rank", "priority", "confidence", "weight", "best",
    }  # fmt: skip
    for kind in (Suggestion, Evidence):
        names = {f.name for f in dataclasses.fields(kind)}
        assert names.isdisjoint(forbidden), (kind.__name__, names & forbidden)
    assert {f.name for f in dataclasses.fields(Suggestion)} == {
        "problem_area",
        "rules",
        "summary",
        "evidence",
    }


def test_suggestions_are_frozen():
    (suggestion,) = suggest_problem_areas(Facts(onset=ONSET, timeline=(death(date(2024, 3, 2)),)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        suggestion.problem_area = "role_dispute"


# Bad facts fail loudly; thresholds come from the data


def test_facts_outside_the_protocol_vocabulary_fail_loudly_listing_every_problem():
    facts = Facts(
        onset=ONSET,
        timeline=(TimelineEvent(ref="e1", kind="bereavement", label="x", start=date(2024, 1, 1)),),
        life_changes=(
            LifeChange(ref="l1", kind="job_loss", label="x", start=date(2024, 2, 1), end=date(2024, 1, 1)),
        ),
        inventory=(person("p1", 4), person("p2", 1, "estranged")),
    )
    with pytest.raises(InvalidFacts) as raised:
        suggest_problem_areas(facts)
    assert raised.value.problems == [
        "timeline 'e1': unknown event kind 'bereavement'",
        "life_changes 'l1': a period needs a start no later than its end",
        "inventory 'p1': closeness ring must be 1 to 3, got 4",
        "inventory 'p2': unknown current_status 'estranged'",
    ]


def test_the_grief_window_comes_from_the_data(data_copy):
    facts = Facts(onset=ONSET, timeline=(death(date(2022, 6, 1)),))
    assert areas(facts) == []
    changed = data_copy.change(
        "suggestion_rules", lambda d: d["rules"][0]["window"].update(months_before_onset=24)
    )
    assert areas(facts, protocol=changed.load()) == ["grief"]


def test_leaving_out_undated_events_is_a_data_switch(data_copy):
    changed = data_copy.change(
        "suggestion_rules", lambda d: d["rules"][0]["window"].update(include_undated=False)
    )
    assert areas(Facts(onset=ONSET, timeline=(death(None),)), protocol=changed.load()) == []


def test_what_counts_as_few_close_ties_comes_from_the_data(data_copy):
    facts = Facts(onset=ONSET, inventory=(person("a", 2), person("b", 2), person("c", 3)))
    assert areas(facts) == ["interpersonal_deficits"]
    changed = data_copy.change(
        "suggestion_rules", lambda d: d["rules"][3]["close_tie"].update(rings_at_most=2)
    )
    assert areas(facts, protocol=changed.load()) == []


# The walk-through: depression that began after a bereavement


def test_a_client_whose_depression_began_after_a_bereavement_is_pointed_at_grief_and_nothing_chosen():
    facts = Facts(
        onset=date(2025, 2, 1),
        timeline=(
            TimelineEvent(
                ref="t1", kind="death", label="Husband died", start=date(2024, 11, 20), people=("Tom",)
            ),
        ),
        inventory=(
            InventoryEntry(
                ref="i1",
                label="Tom",
                relationship_type="deceased",
                closeness_ring=1,
                current_status="deceased",
            ),
            InventoryEntry(
                ref="i2",
                label="Daughter",
                relationship_type="child",
                closeness_ring=1,
                current_status="ongoing",
                expectations_reciprocity="reciprocal",
            ),
        ),
    )
    (suggestion,) = suggest_problem_areas(facts)
    assert suggestion.problem_area == "grief"
    assert suggestion.evidence[0].reason.startswith(
        "A death (Tom), 2024-11-20, 2 months before the onset on 2025-02-01"
    )


# Role dispute from the whole record: a falling-out on the timeline, a strained relationship


def falling_out(when=date(2024, 4, 1), whose="client", ref="row"):
    return TimelineEvent(
        ref=ref, kind="conflict", label="Falling-out over money", start=when, people=("Sam",), whose=whose
    )


def test_a_falling_out_near_the_onset_suggests_a_role_dispute_explained_by_the_timeline_entry():
    (suggestion,) = suggest_problem_areas(Facts(onset=ONSET, timeline=(falling_out(),)))
    assert (suggestion.problem_area, suggestion.rules) == ("role_dispute", ("dispute_event_near_onset",))
    (evidence,) = suggestion.evidence
    assert (evidence.source, evidence.ref, evidence.label) == ("timeline", "row", "Falling-out over money")
    assert evidence.reason == (
        "A conflict or falling-out (Sam), 2024-04-01, 1 month before the onset on 2024-05-15 "
        "(window: 12 months before to 3 months after the onset)"
    )


def test_an_undated_falling_out_is_suggested_with_a_prompt_to_check_the_timing():
    (suggestion,) = suggest_problem_areas(Facts(timeline=(falling_out(when=None),)))
    assert suggestion.problem_area == "role_dispute"
    assert suggestion.evidence[0].check_timing


def test_a_falling_out_years_before_the_onset_suggests_no_dispute():
    assert areas(Facts(onset=ONSET, timeline=(falling_out(when=date(2019, 1, 1)),))) == []


def test_someone_elses_falling_out_is_not_the_clients_dispute():
    facts = Facts(onset=ONSET, timeline=(falling_out(whose="someone_else"),))
    found = review(facts)
    assert found.suggestions == ()
    (aside,) = found.set_aside
    assert (aside.problem_area, aside.rules) == ("role_dispute", ("dispute_event_near_onset",))
    assert [e.ref for e in aside.evidence] == ["row"]


def test_a_strained_relationship_suggests_a_role_dispute_explained_by_the_inventory_entry():
    facts = Facts(onset=ONSET, inventory=(person("partner", 2, "strained", relationship="partner"),))
    (suggestion,) = suggest_problem_areas(facts)
    assert (suggestion.problem_area, suggestion.rules) == ("role_dispute", ("strained_relationship",))
    assert (
        suggestion.summary == "A strained relationship with a significant other can point to a role dispute."
    )
    (evidence,) = suggestion.evidence
    assert (evidence.source, evidence.ref, evidence.label) == ("inventory", "partner", "Partner")
    assert evidence.reason == "relationship recorded as: Strained (partner, ring 2)"


@pytest.mark.parametrize("status", ["ongoing", "ended", "deceased", None])
def test_other_relationship_statuses_suggest_no_dispute(status):
    assert areas(Facts(onset=ONSET, inventory=(person("a", 2, status), person("b", 1), person("c", 1)))) == []


def test_each_dispute_rule_adds_its_entries_to_the_one_suggestion():
    facts = Facts(
        onset=ONSET,
        timeline=(falling_out(),),
        inventory=(person("partner", 1, "strained", "non_reciprocal", relationship="partner"),),
    )
    (suggestion,) = suggest_problem_areas(facts)
    assert suggestion.rules == (
        "non_reciprocal_expectations",
        "dispute_event_near_onset",
        "strained_relationship",
    )
    assert [(e.source, e.ref) for e in suggestion.evidence] == [
        ("inventory", "partner"),
        ("timeline", "row"),
        ("inventory", "partner"),
    ]


# The free-text expectations are never parsed: the page asks for the answer instead


def test_a_strained_relationship_without_an_answer_asks_whether_the_expectations_match():
    facts = Facts(inventory=(person("partner", 1, "strained", relationship="partner"),))
    (question,) = review(facts).questions
    assert (question.source, question.ref, question.label) == ("inventory", "partner", "Partner")
    assert question.text == (
        "Record whether the client's and Partner's expectations of each other match: "
        "the relationship is recorded as strained."
    )


@pytest.mark.parametrize("answer", [None, "unsure", "not_assessed"])
def test_written_expectations_without_an_answer_ask_whether_they_match(answer):
    entry = dataclasses.replace(person("mother", 2, expectations=answer), expectations_written=True)
    (question,) = review(Facts(inventory=(entry,))).questions
    assert question.text.endswith("expectations are written down, but not whether they match.")


def test_written_expectations_alone_are_never_evidence_of_a_dispute():
    entry = dataclasses.replace(person("mother", 2), expectations_written=True)
    assert areas(Facts(onset=ONSET, inventory=(entry, person("b", 1), person("c", 1)))) == []


@pytest.mark.parametrize("answer", ["reciprocal", "non_reciprocal"])
def test_a_recorded_answer_is_not_asked_again(answer):
    entry = dataclasses.replace(person("partner", 1, "strained", answer), expectations_written=True)
    assert review(Facts(inventory=(entry,))).questions == ()


def test_nothing_is_asked_about_a_calm_relationship_with_nothing_written():
    assert review(Facts(inventory=(person("friend", 1),))).questions == ()


# Role transition: only the client's own change


def diagnosis(whose, whose_label=None):
    return TimelineEvent(
        ref="dx",
        kind="new_diagnosis_or_disability",
        label="Partner diagnosed with MS",
        start=date(2024, 3, 1),
        whose=whose,
        whose_label=whose_label,
    )


def test_the_clients_own_diagnosis_suggests_a_role_transition():
    assert areas(Facts(onset=ONSET, timeline=(diagnosis("client"),))) == ["role_transition"]


def test_someone_elses_diagnosis_is_not_the_clients_role_transition_and_says_so():
    found = review(Facts(onset=ONSET, timeline=(diagnosis("someone_else", "Sam"),)))
    assert found.suggestions == ()
    (aside,) = found.set_aside
    assert (aside.problem_area, aside.rules) == ("role_transition", ("life_change_near_onset",))
    assert aside.reason == (
        "not suggested: Partner diagnosed with MS: recorded as someone else's event, and only the "
        "client's own count here"
    )
    (evidence,) = aside.evidence
    assert evidence.reason.startswith("A new diagnosis or disability, Sam's own event, 2024-03-01")


def test_a_new_caring_role_the_client_took_on_is_still_their_transition():
    caring = TimelineEvent(ref="care", kind="new_caring_role", label="Caring for Sam", start=date(2024, 4, 1))
    found = review(Facts(onset=ONSET, timeline=(diagnosis("someone_else"), caring)))
    assert [s.problem_area for s in found.suggestions] == ["role_transition"]
    assert [e.ref for e in found.suggestions[0].evidence] == ["care"]
    assert found.set_aside == ()  # the area is suggested: nothing to explain away


def test_someone_elses_death_still_points_at_grief():
    # A death is always someone else's: the grief rule does not ask whose event it is.
    mother = dataclasses.replace(death(date(2024, 3, 2)), whose="someone_else", whose_label="Mother")
    assert areas(Facts(onset=ONSET, timeline=(mother,))) == ["grief"]


def test_an_unknown_whose_fails_loudly():
    with pytest.raises(InvalidFacts, match="timeline 'dx': unknown whose 'partner'"):
        suggest_problem_areas(Facts(timeline=(diagnosis("partner"),)))


# Interpersonal deficits: never while a dispute is recorded, and saying why


def test_deficits_are_never_suggested_while_a_close_relationship_is_strained_and_say_why():
    # One close tie is "few"; without the exclusion the fallback would be suggested beside the dispute.
    facts = Facts(
        onset=ONSET, inventory=(*ISOLATED, person("partner", 1, "strained", relationship="partner"))
    )
    found = review(facts)
    assert [s.problem_area for s in found.suggestions] == ["role_dispute"]
    (aside,) = found.set_aside
    assert aside.problem_area == "interpersonal_deficits"
    assert aside.reason == (
        "not suggested: a close relationship is strained (Partner); "
        "it is the fallback, and another area has evidence"
    )
    assert [(e.ref, e.reason) for e in aside.evidence] == [
        ("partner", "a close tie (ring 1) recorded as: Strained")
    ]


def test_deficits_are_never_suggested_when_a_conflict_is_on_the_timeline_even_long_ago_or_someone_elses():
    for event in (falling_out(when=date(2015, 1, 1)), falling_out(whose="someone_else")):
        found = review(Facts(onset=ONSET, inventory=ISOLATED, timeline=(event,)))
        assert "interpersonal_deficits" not in [s.problem_area for s in found.suggestions]
        (aside,) = [a for a in found.set_aside if a.problem_area == "interpersonal_deficits"]
        assert aside.reason.startswith(
            "not suggested: the timeline records a conflict (Falling-out over money)"
        )


def test_the_exclusion_holds_even_when_the_dispute_rules_are_switched_off(data_copy):
    # The exclusion does not lean on the role-dispute rules: with them gone, deficits stay out.
    changed = data_copy.change(
        "suggestion_rules",
        lambda d: d.update(rules=[r for r in d["rules"] if r["problem_area"] != "role_dispute"]),
    )
    facts = Facts(
        onset=ONSET, inventory=(*ISOLATED, person("partner", 1, "strained", relationship="partner"))
    )
    found = review(facts, protocol=changed.load())
    assert found.suggestions == ()
    assert found.set_aside[0].reason == "not suggested: a close relationship is strained (Partner)"


def test_a_strained_relationship_off_the_inner_ring_does_not_rule_deficits_out_but_is_a_dispute():
    facts = Facts(
        onset=ONSET, inventory=(*ISOLATED, person("boss", 3, "strained", relationship="colleague_or_boss"))
    )
    found = review(facts)
    assert [s.problem_area for s in found.suggestions] == ["role_dispute"]
    (aside,) = found.set_aside
    assert aside.reason == "not suggested: it is the fallback, and another area has evidence"


def test_the_fallback_set_aside_for_another_area_says_so():
    found = review(Facts(onset=ONSET, inventory=ISOLATED, timeline=(death(date(2024, 2, 1)),)))
    (aside,) = found.set_aside
    assert aside.reason == "not suggested: it is the fallback, and another area has evidence"


def test_nothing_is_set_aside_when_the_fallback_has_no_evidence_of_its_own():
    facts = Facts(onset=ONSET, inventory=(person("a", 1), person("b", 1)), timeline=(falling_out(),))
    assert review(facts).set_aside == ()


def test_what_rules_deficits_out_comes_from_the_data(data_copy):
    changed = data_copy.change("suggestion_rules", lambda d: d["rules"][3].pop("never_when"))
    facts = Facts(onset=ONSET, inventory=ISOLATED, timeline=(falling_out(when=date(2015, 1, 1)),))
    assert areas(facts) == []
    assert areas(facts, protocol=changed.load()) == ["interpersonal_deficits"]


def test_set_asides_and_questions_carry_no_choice_decision_or_ranking():
    forbidden = {
        "chosen",
        "choice",
        "selected",
        "decided",
        "decision",
        "primary",
        "secondary",
        "recommended",
        "accepted",
        "score",
        "rank",
        "priority",
        "confidence",
        "weight",
        "best",
    }
    for kind in (SetAside, Question, Review):
        assert {f.name for f in dataclasses.fields(kind)}.isdisjoint(forbidden)


# The walk-through: a partner conflict recorded only as a strained inner-ring relationship
# and a falling-out on the timeline


def test_a_partner_conflict_in_the_inventory_and_timeline_points_at_a_dispute_and_never_deficits():
    facts = Facts(
        timeline=(falling_out(when=date(2025, 9, 10)),),
        inventory=(
            InventoryEntry(
                ref="i1",
                label="Sam",
                relationship_type="partner",
                closeness_ring=1,
                current_status="strained",
            ),
            InventoryEntry(
                ref="i2",
                label="Neighbour",
                relationship_type="other",
                closeness_ring=3,
                current_status="ongoing",
            ),
        ),
    )
    found = review(facts)
    (suggestion,) = found.suggestions
    assert suggestion.problem_area == "role_dispute"
    assert {(e.source, e.ref) for e in suggestion.evidence} == {("timeline", "row"), ("inventory", "i1")}
    (aside,) = found.set_aside
    assert aside.problem_area == "interpersonal_deficits"
    assert "a close relationship is strained (Sam)" in aside.reason
    assert "the timeline records a conflict (Falling-out over money)" in aside.reason
    (question,) = found.questions
    assert question.ref == "i1"
