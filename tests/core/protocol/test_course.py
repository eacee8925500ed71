"""Where a session sits in a course: the phase, session N of M, and when to raise the ending."""

import pytest

from rapport.core import protocol
from rapport.core.protocol import InvalidSession, phase_for, position, termination_due

# Spec 1.2: initial 1-3, termination the last 3, the middle between.
SIXTEEN = ["initial"] * 3 + ["middle"] * 10 + ["termination"] * 3
TWELVE = ["initial"] * 3 + ["middle"] * 6 + ["termination"] * 3


@pytest.mark.parametrize(("session", "phase"), list(enumerate(SIXTEEN, start=1)))
def test_phase_of_every_session_of_a_16_session_contract(session, phase):
    assert phase_for(session, 16, "ipt_individual") == phase


@pytest.mark.parametrize(("session", "phase"), list(enumerate(TWELVE, start=1)))
def test_phase_of_every_session_of_a_12_session_contract(session, phase):
    assert phase_for(session, 12, "ipt_individual") == phase


def test_ipt_a_follows_the_same_phases_over_its_12_sessions():
    assert [phase_for(n, 12, "ipt_a") for n in range(1, 13)] == TWELVE


def test_who_group_ipt_is_session_1_initial_2_to_7_middle_8_termination():
    assert [phase_for(n, 8, "group_ipt_who") for n in range(1, 9)] == (
        ["initial"] + ["middle"] * 6 + ["termination"]
    )


def test_ipc_keeps_a_middle_session_even_in_its_shortest_contract():
    assert [phase_for(n, 3, "ipc") for n in range(1, 4)] == ["initial", "middle", "termination"]
    assert [phase_for(n, 6, "ipc") for n in range(1, 7)] == ["initial"] + ["middle"] * 4 + ["termination"]


def test_every_maintenance_session_is_in_the_maintenance_phase():
    assert {phase_for(n, 12, "ipt_m") for n in range(1, 13)} == {"maintenance"}


@pytest.mark.parametrize(("planned", "first_due"), [(16, 13), (15, 12), (14, 11), (13, 10), (12, 9)])
def test_the_termination_reminder_starts_one_session_before_the_termination_phase(planned, first_due):
    due = [termination_due(n, planned, "ipt_individual") for n in range(1, planned + 1)]
    assert due == [n >= first_due for n in range(1, planned + 1)]
    assert phase_for(first_due, planned, "ipt_individual") == "middle"
    assert phase_for(first_due + 1, planned, "ipt_individual") == "termination"


@pytest.mark.parametrize(
    ("variant", "planned", "first_due"),
    [("ipt_a", 12, 9), ("ipc", 6, 5), ("ipc", 3, 2), ("group_ipt_who", 8, 7)],
)
def test_the_termination_reminder_in_other_variants(variant, planned, first_due):
    assert [termination_due(n, planned, variant) for n in range(1, planned + 1)] == [
        n >= first_due for n in range(1, planned + 1)
    ]


def test_the_reminder_covers_every_termination_session_of_every_variant_and_contract():
    p = protocol.get()
    for variant in p.variants:
        for planned in range(variant.sessions.min, variant.sessions.max + 1):
            for session in range(1, planned + 1):
                if phase_for(session, planned, variant.id) == "termination":
                    assert termination_due(session, planned, variant.id), (variant.id, planned, session)
                if phase_for(session, planned, variant.id) == "initial":
                    assert not termination_due(session, planned, variant.id), (variant.id, planned, session)


def test_a_session_past_the_contract_stays_in_termination_with_the_reminder_due():
    after = position(17, 16, "ipt_individual")
    assert (after.phase, after.termination_due, after.beyond_contract, after.sessions_remaining) == (
        "termination", True, True, 0,
    )  # fmt: skip
    assert phase_for(14, 12, "ipt_m") == "maintenance"


def test_position_gives_session_n_of_m_and_the_sessions_remaining():
    assert position(5, 16, "ipt_individual") == protocol.Position(
        session_number=5,
        planned_sessions=16,
        phase="middle",
        sessions_remaining=11,
        beyond_contract=False,
        termination_due=False,
    )
    assert position(16, 16, "ipt_individual").sessions_remaining == 0


@pytest.mark.parametrize(
    ("session", "planned", "variant", "message"),
    [
        (0, 16, "ipt_individual", "session number must be a whole number from 1, got 0"),
        (True, 16, "ipt_individual", "session number must be a whole number from 1, got True"),
        (3, 20, "ipt_individual", "ipt_individual plans 12 to 16 sessions, got 20"),
        (3, 16, "ipt_a", "ipt_a plans 12 sessions, got 16"),
        (1, 2, "ipc", "ipc plans 3 to 6 sessions, got 2"),
        (1, "16", "ipt_individual", "planned sessions must be a whole number from 1, got '16'"),
    ],
)
def test_a_contract_the_variant_does_not_allow_fails_loudly(session, planned, variant, message):
    with pytest.raises(InvalidSession, match=message):
        phase_for(session, planned, variant)


def test_an_unknown_variant_fails_loudly():
    with pytest.raises(protocol.UnknownProtocolItem, match="unknown variant 'ipt'"):
        termination_due(1, 16, "ipt")


def test_phases_and_the_reminder_come_from_the_data(data_copy):
    def shorter_initial_and_earlier_reminder(data):
        schedule = data["schedules"][0]
        schedule["initial"]["sessions"] = 2
        schedule["termination_reminder"]["sessions_before_end"] = 6

    changed = data_copy.change("phases", shorter_initial_and_earlier_reminder).load()
    assert phase_for(3, 16, "ipt_individual", protocol=changed) == "middle"
    assert termination_due(11, 16, "ipt_individual", protocol=changed)
    assert not termination_due(10, 16, "ipt_individual", protocol=changed)


def test_ipt_a_marks_the_caregiver_sessions_at_the_start_the_middle_and_the_end():
    joint = protocol.joint_sessions(12, "ipt_a")
    assert {number: task.id for number, task in joint.items()} == {
        1: "caregiver_session_start",
        6: "caregiver_session_mid",
        12: "caregiver_session_end",
    }
    # Each falls in the phase whose checklist carries its task.
    assert [phase_for(number, 12, "ipt_a") for number in joint] == ["initial", "middle", "termination"]
    assert joint[6].when == "the problem involves the parent or caregiver"


def test_an_adult_variant_has_no_caregiver_sessions():
    for variant in ("ipt_individual", "ipc", "group_ipt_who"):
        planned = protocol.get().variant(variant).sessions.default
        assert protocol.joint_sessions(planned, variant) == {}


def test_the_caregiver_schedule_is_marked_unconfirmed_with_its_source():
    provenance = protocol.get().schedule("ipt_a").provenance["joint_sessions"]
    assert (provenance.verified, provenance.confidence) == (False, "U")
    assert "our choice" in provenance.source
