"""A malformed protocol file fails when it loads, naming the file and the field."""

import pytest

from rapport.core.datafiles import DefinitionError


def pop(key):
    return lambda d: d.pop(key)


MALFORMED = {
    # variants.yaml
    "a misspelt field": (
        "variants",
        lambda d: d["variants"][0].update(sesions={}),
        "variants.yaml: variants[0]: unknown field(s) sesions",
    ),
    "a range upside down": (
        "variants",
        lambda d: d["variants"][0]["sessions"].update(min=17),
        "variants.yaml: variants[0].sessions: min 17 is above max 16",
    ),
    "a default outside the range": (
        "variants",
        lambda d: d["variants"][0]["sessions"].update(default=20),
        "variants.yaml: variants[0].sessions.default: 20 is outside the range 12-16",
    ),
    "a number written as text": (
        "variants",
        lambda d: d["variants"][0]["sessions"].update(max="16"),
        "variants.yaml: variants[0].sessions.max: expected a whole number, got text '16'",
    ),
    "a default frequency that is not allowed": (
        "variants",
        lambda d: d["variants"][3]["frequency"].update(default="fortnightly"),
        "variants.yaml: variants[3].frequency.default: expected one of monthly, twice_monthly, weekly",
    ),
    "an unverified value without a source": (
        "variants",
        lambda d: d["variants"][1]["session_minutes"].pop("source"),
        "variants.yaml: variants[1].session_minutes: an unverified value needs a 'source'",
    ),
    "an unconfirmed value marked verified": (
        "variants",
        lambda d: d["variants"][4]["session_minutes"].update(verified=True),
        "variants.yaml: variants[4].session_minutes: verified is true but confidence is U",
    ),
    "a duplicate variant": (
        "variants",
        lambda d: d["variants"][1].update(id="ipt_individual"),
        "variants.yaml: variants[1].id: duplicate variant id 'ipt_individual'",
    ),
    "variant content that names no task": (
        "variants",
        lambda d: d["variants"][1]["specific_content"][1].update(provides=["task:initial.sick_rol"]),
        "variants.yaml: variants[1].specific_content[1].provides[0]: "
        "no such task or agenda 'task:initial.sick_rol'",
    ),
    "variant content that other variants are offered too": (
        "variants",
        lambda d: d["variants"][1]["specific_content"][1].update(provides=["task:initial.diagnosis"]),
        "variants.yaml: variants[1].specific_content[1].provides[0]: 'task:initial.diagnosis' is offered to "
        "every variant, not only 'ipt_a'",
    ),
    "IPT-A content that IPT-A does not claim": (
        "variants",
        lambda d: d["variants"][1]["specific_content"][1].update(provides=[]),
        "variants.yaml: variants: 'task:initial.limited_sick_role' is offered only to 'ipt_a'; list it",
    ),
    # phases.yaml
    "IPT-A content offered to an adult variant": (
        "phases",
        lambda d: d["phases"][0]["tasks"][6]["variants"].append("ipt_individual"),
        "variants.yaml: variants[1].specific_content[0].provides[0]: "
        "'task:initial.caregiver_session_start' is offered to ipt_a, ipt_individual, not only 'ipt_a'",
    ),
    "the limited sick role offered to an adult variant": (
        "phases",
        lambda d: d["phases"][0]["tasks"][5]["variants"].append("ipt_individual"),
        "phases.yaml: phases[0].tasks[5].replaces: ipt_individual would be offered both 'limited_sick_role' "
        "and 'sick_role'",
    ),
    "the adult sick role offered to IPT-A": (
        "phases",
        lambda d: d["phases"][0]["tasks"][4]["variants"].append("ipt_a"),
        "phases.yaml: phases[0].tasks[5].replaces: "
        "ipt_a would be offered both 'limited_sick_role' and 'sick_role'",
    ),
    "a task for an unknown variant": (
        "phases",
        lambda d: d["phases"][0]["tasks"][4]["variants"].append("ipt_g"),
        "phases.yaml: phases[0].tasks[4].variants[3]: expected one of ipt_individual, ipt_a, ipc, ipt_m, "
        "group_ipt_who, got 'ipt_g'",
    ),
    "a duplicate task": (
        "phases",
        lambda d: d["phases"][0]["tasks"][1].update(id="symptom_review"),
        "phases.yaml: phases[0].tasks[1].id: duplicate task id 'symptom_review'",
    ),
    "a schedule that leaves no middle session": (
        "phases",
        lambda d: d["schedules"][0]["termination"].update(sessions=9),
        "phases.yaml: schedules[0]: 3 initial and 9 termination sessions leave no middle session in the "
        "shortest contract (12 sessions)",
    ),
    "a reminder that misses termination sessions": (
        "phases",
        lambda d: d["schedules"][0]["termination_reminder"].update(sessions_before_end=2),
        "phases.yaml: schedules[0].termination_reminder.sessions_before_end: the reminder must cover every "
        "termination session (3), got 2",
    ),
    "a reminder that starts in the initial phase": (
        "phases",
        lambda d: d["schedules"][0]["termination_reminder"].update(sessions_before_end=10),
        "phases.yaml: schedules[0].termination_reminder.sessions_before_end: in a 12-session contract the "
        "reminder would start in the initial phase",
    ),
    "a variant without a schedule": (
        "phases",
        lambda d: d["schedules"].pop(2),
        "phases.yaml: schedules: no schedule for variant(s) ipc",
    ),
    "a negative number of sessions": (
        "phases",
        lambda d: d["schedules"][0]["initial"].update(sessions=-1),
        "phases.yaml: schedules[0].initial.sessions: must be zero or more, got -1",
    ),
    "a joint session whose task the variant is not offered": (
        "phases",
        lambda d: d["schedules"][1]["joint_sessions"]["sessions"][0].update(task="initial.sick_role"),
        "phases.yaml: schedules[1].joint_sessions.sessions[0].task: no such task offered to 'ipt_a'",
    ),
    "a joint session that falls outside its task's phase": (
        "phases",
        lambda d: d["schedules"][1]["joint_sessions"]["sessions"][0].update(at="last"),
        "phases.yaml: schedules[1].joint_sessions.sessions[0].at: in a 12-session contract this session "
        "is not in 'initial'",
    ),
    "an agenda step that records an unknown field": (
        "phases",
        lambda d: d["session_templates"][0]["steps"][0]["records"].append("phq9_total"),
        "phases.yaml: session_templates[0].steps[0].records[2]: expected one of session_number",
    ),
    "two agendas for the same sessions": (
        "phases",
        lambda d: d["session_templates"][3]["variants"].append("ipt_individual"),
        "phases.yaml: session_templates[3]: "
        "'middle_individual' is already the agenda for middle in ipt_individual",
    ),
    # inventory.yaml
    "a closeness circle of one ring": (
        "inventory",
        lambda d: d["closeness_circle"].update(rings=1),
        "inventory.yaml: closeness_circle.rings: a closeness circle needs at least 2 rings, got 1",
    ),
    "a choice field without choices": (
        "inventory",
        lambda d: d["relationship"]["fields"][4].pop("choices"),
        "inventory.yaml: relationship.fields[4]: missing required field 'choices'",
    ),
    "a field added by Rapport without its provenance": (
        "inventory",
        lambda d: [d["relationship"]["fields"][8].pop(k) for k in ("verified", "confidence", "source")],
        "inventory.yaml: relationship.fields[8]: a field added by Rapport needs its own verified, confidence",
    ),
    "an inventory without the field decision support reads": (
        "inventory",
        lambda d: d["relationship"]["fields"].pop(8),
        "inventory.yaml: relationship: needs the choice field 'expectations_reciprocity'",
    ),
    "an unknown field type": (
        "inventory",
        lambda d: d["relationship"]["fields"][0].update(type="string"),
        "inventory.yaml: relationship.fields[0].type: "
        "expected one of text, boolean, choice, ring, got 'string'",
    ),
    # timeline.yaml
    "a mood scale upside down": (
        "timeline",
        lambda d: d["mood_scale"].update(min=5, max=-5),
        "timeline.yaml: mood_scale: min 5 must be below max -5",
    ),
    # problem_areas.yaml
    "a problem area without its Group IPT name": (
        "problem_areas",
        lambda d: d["areas"][1]["names"].pop("who_group"),
        "problem_areas.yaml: areas[1].names: missing required field 'who_group'",
    ),
    "a duplicate cue": (
        "problem_areas",
        lambda d: d["areas"][0]["cues"]["items"][1].update(id="onset_after_death"),
        "problem_areas.yaml: areas[0].cues.items[1].id: duplicate statement id 'onset_after_death'",
    ),
    "a dispute stage without its direction": (
        "problem_areas",
        lambda d: d["areas"][1]["stages"]["items"][1].pop("direction"),
        "problem_areas.yaml: areas[1].stages.items[1]: missing required field 'direction'",
    ),
    "a focus of more than the maximum": (
        "problem_areas",
        lambda d: d["focus"].update(preferred=3),
        "problem_areas.yaml: focus: preferred 3 is above max 2",
    ),
    # techniques.yaml
    "a technique for an unknown problem area": (
        "techniques",
        lambda d: d["techniques"][2]["problem_areas"].append("bereavement"),
        "techniques.yaml: techniques[2].problem_areas[2]: expected one of grief, role_dispute",
    ),
    # relapse_prevention.yaml
    "a new contract in an unknown variant": (
        "relapse_prevention",
        lambda d: d["endings"][2].update(new_contract_variant="maintenance"),
        "relapse_prevention.yaml: endings[2].new_contract_variant: expected one of ipt_individual",
    ),
    # suggestion_rules.yaml
    "a rule on an unknown event kind": (
        "suggestion_rules",
        lambda d: d["rules"][0]["event_kinds"].append("bereavement"),
        "suggestion_rules.yaml: rules[0].event_kinds[1]: expected one of death,",
    ),
    "a window given as text": (
        "suggestion_rules",
        lambda d: d["rules"][0]["window"].update(months_before_onset="12"),
        "suggestion_rules.yaml: rules[0].window.months_before_onset: expected a whole number, got text '12'",
    ),
    "a window without its undated switch": (
        "suggestion_rules",
        lambda d: d["rules"][2]["window"].pop("include_undated"),
        "suggestion_rules.yaml: rules[2].window: missing required field 'include_undated'",
    ),
    "a rule on an unknown expectations value": (
        "suggestion_rules",
        lambda d: d["rules"][1].update(expectations_reciprocity=["conflicting"]),
        "suggestion_rules.yaml: rules[1].expectations_reciprocity[0]: expected one of reciprocal, "
        "non_reciprocal, unsure, not_assessed, got 'conflicting'",
    ),
    "a close tie beyond the circle": (
        "suggestion_rules",
        lambda d: d["rules"][3]["close_tie"].update(rings_at_most=4),
        "suggestion_rules.yaml: rules[3].close_tie.rings_at_most: the closeness circle has only 3 rings",
    ),
    "a close tie that excludes an unknown status": (
        "suggestion_rules",
        lambda d: d["rules"][3]["close_tie"]["excluded_statuses"].append("estranged"),
        "suggestion_rules.yaml: rules[3].close_tie.excluded_statuses[2]: expected one of ongoing",
    ),
    "a rule of an unknown kind": (
        "suggestion_rules",
        lambda d: d["rules"][0].update(kind="keywords"),
        "suggestion_rules.yaml: rules[0].kind: "
        "expected one of events_near_onset, expectations, relationship_status, few_close_ties",
    ),
    "few close ties pointing at an area that is not the fallback": (
        "suggestion_rules",
        lambda d: d["rules"][3].update(problem_area="grief"),
        "suggestion_rules.yaml: rules[3].problem_area: few close ties may only point at a fallback area",
    ),
    "a threshold missing": (
        "suggestion_rules",
        lambda d: d["rules"][3].pop("at_most"),
        "suggestion_rules.yaml: rules[3]: missing required field 'at_most'",
    ),
}


@pytest.mark.parametrize(("name", "change", "message"), MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_protocol_fails_loudly_naming_the_file_and_the_field(data_copy, name, change, message):
    data_copy.change(name, change)
    with pytest.raises(DefinitionError) as raised:
        data_copy.load()
    assert message in str(raised.value)


def test_a_file_that_is_not_yaml_fails_naming_the_file(data_copy):
    (data_copy.directory / "phases.yaml").write_text("phases: [unclosed\n")
    with pytest.raises(DefinitionError, match=r"^phases\.yaml: is not valid YAML"):
        data_copy.load()


def test_a_missing_file_fails_naming_the_file(data_copy):
    (data_copy.directory / "techniques.yaml").unlink()
    with pytest.raises(DefinitionError, match=r"^techniques\.yaml: cannot be read"):
        data_copy.load()


def test_the_unchanged_copy_loads(data_copy):
    assert data_copy.load().variants[0].id == "ipt_individual"
