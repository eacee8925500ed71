"""The protocol data files: what they hold, and that the loader serves each variant only its content."""

import dataclasses
import re

import pytest

from rapport.core import protocol
from rapport.core.datafiles import Provenance
from rapport.core.protocol.model import EventsNearOnset, ExpectationsRule, FewCloseTies

ADULT_VARIANTS = ("ipt_individual", "ipc", "ipt_m", "group_ipt_who")


@pytest.fixture(scope="module")
def p():
    return protocol.get()


def provenances(value, path="protocol"):
    """Every Provenance in the protocol, with where it sits, for reviewers and for these tests."""
    if isinstance(value, Provenance):
        yield path, value
    elif dataclasses.is_dataclass(value):
        for item in dataclasses.fields(value):
            if not item.name.endswith("_by_id"):
                yield from provenances(getattr(value, item.name), f"{path}.{item.name}")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from provenances(item, f"{path}[{key}]")
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            yield from provenances(item, f"{path}[{index}]")


def test_the_protocol_loads_every_file_once_and_is_cached(p):
    assert protocol.get() is p
    assert sorted(p.versions) == sorted(
        ["variants", "phases", "inventory", "timeline", "problem_areas", "techniques",
         "relapse_prevention", "suggestion_rules"]
    )  # fmt: skip


def test_every_value_carries_provenance_and_only_confirmed_values_are_verified(p):
    found = list(provenances(p))
    assert len(found) > 100
    for path, item in found:
        assert item.verified == (item.confidence == "C"), path
        assert item.verified or item.source, path


def test_values_the_spec_leaves_unconfirmed_are_marked_u(p):
    unconfirmed = {
        p.inventory.rings_provenance,  # ring count (spec 7.2)
        p.timeline.fields_provenance,  # timeline format (spec 7.2)
        p.schedules["group_ipt_who"].provenance["initial"],  # the 1 / 2-7 / 8 split (spec 7.1)
        p.variant("group_ipt_who").session_minutes.provenance,  # about 90 minutes (spec 7.1)
        p.variant("group_ipt_who").specific_content[2].provenance,  # facilitator roles (spec 7.1)
        *(rule.provenance for rule in p.suggestion_rules if not isinstance(rule, ExpectationsRule)),
    }
    assert {item.confidence for item in unconfirmed} == {"U"}


# Variants (spec 1.1, 1.11)


def test_the_five_variants_in_spec_order(p):
    assert [v.id for v in p.variants] == ["ipt_individual", "ipt_a", "ipc", "ipt_m", "group_ipt_who"]


def test_individual_ipt_runs_12_to_16_weekly_sessions_of_50_minutes_default_16(p):
    v = p.variant("ipt_individual")
    assert (v.sessions.min, v.sessions.max, v.sessions.default) == (12, 16, 16)
    assert (v.frequency.default, v.session_minutes.default, v.format) == ("weekly", 50, "individual")
    assert v.sessions.provenance.verified


def test_ipt_a_is_12_sessions_for_ages_12_to_18_with_its_exclusions(p):
    v = p.variant("ipt_a")
    assert (v.sessions.min, v.sessions.max, v.sessions.default, v.ages) == (12, 12, 12, (12, 18))
    assert [e.id for e in v.exclusions] == [
        "acute_suicidality", "psychosis", "bipolar_disorder", "active_substance_abuse",
    ]  # fmt: skip


def test_ipc_is_3_to_6_sessions_with_a_first_session_of_up_to_30_minutes(p):
    v = p.variant("ipc")
    assert (v.sessions.min, v.sessions.max, v.session_minutes.first_session) == (3, 6, 30)
    assert v.session_minutes.default is None  # later sessions are "shorter": the contract says how long


def test_maintenance_is_monthly_and_has_no_default_number_of_sessions(p):
    v = p.variant("ipt_m")
    assert v.frequency.default == "monthly"
    assert v.frequency.allowed == ("monthly", "twice_monthly", "weekly")
    assert v.sessions.default is None
    assert p.schedule("ipt_m").body == "maintenance"


def test_who_group_ipt_has_one_pre_group_session_then_eight_group_sessions(p):
    v = p.variant("group_ipt_who")
    assert (v.format, v.pre_group_sessions, v.sessions.min, v.sessions.max) == ("group", 1, 8, 8)
    assert v.session_minutes.provenance.confidence == "U"


def test_unknown_ids_fail_naming_what_is_known(p):
    with pytest.raises(protocol.UnknownProtocolItem, match="unknown variant 'ipt_g'; known: ipt_individual"):
        p.variant("ipt_g")
    with pytest.raises(protocol.UnknownProtocolItem, match="unknown phase 'ending'"):
        p.phase("ending")
    with pytest.raises(protocol.UnknownProtocolItem, match="unknown problem area 'loneliness'"):
        p.problem_area("loneliness")


# Phases and their checklists (spec 1.2, 1.3, 1.9)


def test_the_phases(p):
    assert [phase.id for phase in p.phases] == ["initial", "middle", "termination", "maintenance"]


def test_the_initial_checklist_of_individual_ipt_is_the_spec_list_in_order(p):
    assert [t.id for t in p.tasks("initial", "ipt_individual")] == [
        "symptom_review", "diagnosis", "risk_assessment", "medication_review", "sick_role",
        "interpersonal_inventory", "link_depression_to_context", "choose_problem_area", "formulation",
        "treatment_contract",
    ]  # fmt: skip


def test_ipt_a_gets_the_limited_sick_role_and_caregiver_sessions_never_the_adult_sick_role(p):
    initial = [t.id for t in p.tasks("initial", "ipt_a")]
    assert "limited_sick_role" in initial
    assert "caregiver_session_start" in initial
    assert "sick_role" not in initial
    assert "caregiver_session_mid" in [t.id for t in p.tasks("middle", "ipt_a")]
    assert "caregiver_session_end" in [t.id for t in p.tasks("termination", "ipt_a")]


@pytest.mark.parametrize("variant", ADULT_VARIANTS)
def test_no_adult_flow_is_offered_ipt_a_content(p, variant):
    # Spec 5: never reuse IPT-A content in adult flows without a variant switch.
    ipt_a_refs = {ref for content in p.variant("ipt_a").specific_content for ref in content.provides}
    assert ipt_a_refs
    offered = {t.ref for phase in p.phases for t in p.tasks(phase.id, variant)}
    offered |= {
        template.ref
        for phase in p.phases
        for pre_group in (False, True)
        if (template := p.agenda(phase.id, variant, pre_group=pre_group))
    }
    assert offered.isdisjoint(ipt_a_refs)


def test_content_specific_to_a_variant_is_offered_to_that_variant_alone(p):
    for variant in p.variants:
        for content in variant.specific_content:
            for ref in content.provides:
                kind, _, name = ref.partition(":")
                if kind == "task":
                    phase_id, task_id = name.split(".")
                    (task,) = [t for t in p.phase(phase_id).tasks if t.id == task_id]
                    assert task.variants == (variant.id,)
                else:
                    (template,) = [t for t in p.session_templates if t.id == name]
                    assert template.variants == (variant.id,)


def test_a_checklist_always_needs_a_variant(p):
    with pytest.raises(TypeError):
        p.tasks("initial")
    with pytest.raises(protocol.UnknownProtocolItem):
        p.tasks("initial", "adult")


def test_termination_tasks_include_the_not_improved_path_without_blame(p):
    tasks = {t.id: t for t in p.tasks("termination", "ipt_individual")}
    assert list(tasks) == [
        "raise_ending", "compare_with_baseline", "credit_gains", "feelings_about_ending",
        "relapse_prevention_plan", "remaining_work", "not_improved_other_treatment", "continuation_contract",
    ]  # fmt: skip
    not_improved = tasks["not_improved_other_treatment"]
    assert not_improved.when == "the client has not improved"
    assert "without blame" in not_improved.description
    assert not_improved.provenance.verified
    assert tasks["continuation_contract"].when == "the client is at high risk of recurrence"


def test_risk_assessment_is_on_the_checklist_of_every_variant(p):
    for variant in p.variants:
        first_phase = "maintenance" if variant.id == "ipt_m" else "initial"
        assert "risk_assessment" in [t.id for t in p.tasks(first_phase, variant.id)], variant.id


# Agendas (spec 1.8, 1.11)


def test_the_middle_phase_agenda_follows_the_spec_and_names_what_each_step_records(p):
    agenda = p.agenda("middle", "ipt_individual")
    assert [(s.id, s.records) for s in agenda.steps] == [
        ("symptom_check", ("measure_results", "risk_flags")),
        ("opening_question", ()),
        ("link_mood_and_events", ("mood_event_links",)),
        ("problem_area_work", ("techniques_used",)),
        ("summarise_and_plan", ("between_session_task", "problem_area_progress")),
        ("time_limit_reminder", ("sessions_remaining",)),
    ]
    assert p.agenda("middle", "ipt_a") is agenda
    assert p.agenda("maintenance", "ipt_m") is agenda


def test_group_ipt_has_its_own_agendas_and_a_pre_group_session(p):
    assert p.agenda("initial", "group_ipt_who", pre_group=True).id == "group_pre_group"
    assert p.agenda("initial", "group_ipt_who").id == "group_initial"
    assert p.agenda("middle", "group_ipt_who").id == "group_middle"
    assert p.agenda("termination", "group_ipt_who").id == "group_termination"
    assert p.agenda("initial", "ipt_individual", pre_group=True) is None


def test_individual_initial_and_termination_sessions_follow_the_checklist_not_an_agenda(p):
    assert p.agenda("initial", "ipt_individual") is None
    assert p.agenda("termination", "ipt_individual") is None


def test_progress_on_the_problem_area_is_rated_0_to_10(p):
    (progress,) = [f for f in p.session_record if f.id == "problem_area_progress"]
    assert (progress.type, progress.min, progress.max) == ("scale", 0, 10)


# Inventory and timeline (spec 1.4, 1.10)


def test_the_inventory_records_the_spec_fields_and_marks_rapports_own(p):
    fields = p.inventory.relationship_fields
    spec_fields = [f.id for f in fields if not f.added_by_rapport]
    assert spec_fields == [
        "person_label", "relationship_type", "closeness_ring", "contact_frequency", "current_status",
        "satisfying_aspects", "unsatisfying_aspects", "mutual_expectations", "confiding", "conflict_pattern",
        "feelings", "change_around_onset", "desired_change", "knows_about_depression",
    ]  # fmt: skip
    added = [f for f in fields if f.added_by_rapport]
    assert [f.id for f in added] == ["expectations_reciprocity", "confiding_limits"]
    assert {f.provenance.confidence for f in added} == {"U"}
    assert [f.id for f in p.inventory.whole_inventory_fields] == [
        "past_patterns", "social_support", "self_assertion", "expressing_anger", "social_risks",
    ]  # fmt: skip


def test_inventory_choices(p):
    assert p.inventory.field("current_status").choice_ids() == ("ongoing", "strained", "ended", "deceased")
    assert p.inventory.field("relationship_type").choice_ids() == (
        "partner", "parent", "child", "sibling", "other_family", "friend", "colleague_or_boss", "other",
        "deceased",
    )  # fmt: skip
    assert p.inventory.field("expectations_reciprocity").choice_ids() == (
        "reciprocal", "non_reciprocal", "unsure", "not_assessed",
    )  # fmt: skip
    assert p.inventory.field("person_label").required


def test_the_closeness_circle_has_three_rings_an_unconfirmed_choice(p):
    assert p.inventory.rings == 3
    assert p.inventory.rings_provenance.confidence == "U"


def test_the_timeline_mood_scale_and_event_kinds(p):
    assert (p.timeline.mood_min, p.timeline.mood_max) == (-5, 5)
    assert p.timeline.kind_ids()[:3] == ("death", "separation_or_divorce", "job_start")


# Problem areas (spec 1.6)


def test_the_four_problem_areas_in_spec_order_with_their_names(p):
    assert [a.id for a in p.problem_areas] == [
        "grief",
        "role_dispute",
        "role_transition",
        "interpersonal_deficits",
    ]
    assert [p.problem_area_name(a.id, "group_ipt_who") for a in p.problem_areas] == [
        "Grief", "Disputes", "Life changes", "Loneliness and social isolation",
    ]  # fmt: skip
    assert p.problem_area_name("role_dispute", "ipt_individual") == "Interpersonal role dispute"


def test_one_focus_is_preferred_and_two_is_the_most(p):
    assert (p.focus.preferred, p.focus.max) == (1, 2)


def test_role_disputes_have_three_stages_and_a_therapist_neutral_on_the_outcome(p):
    dispute = p.problem_area("role_dispute")
    assert [s.id for s in dispute.stages] == ["renegotiation", "impasse", "dissolution"]
    assert dispute.therapist_neutral_on_outcome is True
    assert dispute.goals.ids() == ("identify_dispute", "choose_plan", "change_expectations_or_communication")
    assert dispute.cues.provenance.verified
    assert all(not area.stages for area in p.problem_areas if area.id != "role_dispute")


def test_interpersonal_deficits_is_the_only_fallback_and_carries_its_caution(p):
    assert [a.id for a in p.problem_areas if a.fallback] == ["interpersonal_deficits"]
    deficits = p.problem_area("interpersonal_deficits")
    assert "another psychotherapy or adding medication" in deficits.caution.text
    assert deficits.caution.provenance.verified
    assert deficits.mid_course_prompt.provenance.confidence == "U"


def test_every_area_has_cues_goals_and_strategies(p):
    for area in p.problem_areas:
        assert area.cues.items and area.goals.items and area.strategies.items, area.id


# Techniques and termination (spec 1.7, 1.9)


def test_the_ten_techniques_and_work_at_home_is_optional(p):
    assert [t.id for t in p.techniques] == [
        "exploratory_nondirective", "exploratory_direct", "encouragement_of_affect", "clarification",
        "communication_analysis", "decision_analysis", "role_play", "therapeutic_relationship",
        "behaviour_change_directive", "work_at_home",
    ]  # fmt: skip
    assert [t.id for t in p.techniques if t.optional] == ["work_at_home"]


def test_techniques_typical_for_grief(p):
    ids = [t.id for t in p.techniques_for("grief")]
    assert "encouragement_of_affect" in ids
    assert "communication_analysis" not in ids
    assert "clarification" in ids  # used in every area


def test_the_relapse_prevention_plan_and_the_endings(p):
    relapse = p.relapse_prevention
    assert [s.id for s in relapse.sections] == [
        "warning_signs", "what_helped", "what_to_do", "who_to_contact", "work_to_continue",
    ]  # fmt: skip
    endings = {e.id: e for e in relapse.endings}
    assert [o.id for o in endings["not_improved"].offers] == ["medication", "other_psychotherapy", "referral"]
    assert "without blame" in endings["not_improved"].description
    assert endings["continuation"].new_contract_variant == "ipt_m"


# Decision-support thresholds live in the data


def test_every_suggestion_threshold_is_read_from_the_data(p):
    rules = {rule.id: rule for rule in p.suggestion_rules}
    grief = rules["death_near_onset"]
    assert isinstance(grief, EventsNearOnset)
    assert (grief.problem_area, grief.event_kinds, grief.months_before_onset, grief.months_after_onset) == (
        "grief", ("death",), 12, 3,
    )  # fmt: skip
    dispute = rules["non_reciprocal_expectations"]
    assert isinstance(dispute, ExpectationsRule) and dispute.values == ("non_reciprocal",)
    transition = rules["life_change_near_onset"]
    assert "death" not in transition.event_kinds and "job_loss" in transition.event_kinds
    deficits = rules["few_close_ties"]
    assert isinstance(deficits, FewCloseTies)
    assert (deficits.rings_at_most, deficits.at_most, deficits.min_inventory_entries) == (1, 1, 1)


# A file name, a spec section or a source tag in a text a therapist reads: provenance belongs in the
# `source` fields, and maintainers' remarks in `notes`, neither of which is shown.
REFERENCE = re.compile(r"\bspec\b|\bsections?\b|\.ya?ml\b|\.md\b|§|\[S\d*\]|\[[CSU]\]", re.IGNORECASE)


def display_texts(value, path="protocol"):
    if isinstance(value, Provenance):
        return
    if isinstance(value, str):
        yield path, value
    elif dataclasses.is_dataclass(value):
        for item in dataclasses.fields(value):
            if item.name not in ("provenance", "notes", "source") and not item.name.endswith("_by_id"):
                yield from display_texts(getattr(value, item.name), f"{path}.{item.name}")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from display_texts(item, f"{path}[{key}]")
    elif isinstance(value, tuple | list):
        for index, item in enumerate(value):
            yield from display_texts(item, f"{path}[{index}]")


def test_no_text_shown_to_a_therapist_names_a_file_or_a_spec_section(p):
    texts = list(display_texts(p))
    assert len(texts) > 300  # the walk reaches the checklists and agendas
    assert [(path, text) for path, text in texts if REFERENCE.search(text)] == []


def test_the_reference_check_catches_a_file_name_and_a_section(p):
    assert REFERENCE.search("Review the relationships (inventory.yaml).")
    assert REFERENCE.search("Assess suicide risk (safety practice, spec section 3).")
    assert REFERENCE.search("See § 1.6")
    assert not REFERENCE.search("Review the important past and current relationships.")
