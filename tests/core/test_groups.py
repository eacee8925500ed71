"""Groups of a group variant in the pure core: the WHO group's phases and agendas come from the
protocol data by session number, and the size limits from groups.yaml (unconfirmed)."""

import pytest

from rapport.core import groups, protocol


def test_session_1_is_initial_2_to_7_middle_and_8_termination():
    phases = [groups.phase(n, "group_ipt_who") for n in range(1, 9)]
    assert phases == ["initial"] + ["middle"] * 6 + ["termination"]


def test_each_phase_has_its_agenda_and_the_pre_group_session_its_own():
    assert groups.agenda(1, "group_ipt_who").id == "group_initial"
    assert groups.agenda(4, "group_ipt_who").id == "group_middle"
    assert groups.agenda(8, "group_ipt_who").id == "group_termination"
    assert groups.pre_group_agenda("group_ipt_who").id == "group_pre_group"
    assert groups.sessions("group_ipt_who") == 8 and groups.pre_group_sessions("group_ipt_who") == 1


@pytest.mark.parametrize("number", [0, 9, -1, True, "3"])
def test_a_session_outside_the_group_is_refused(number):
    with pytest.raises(protocol.InvalidSession):
        groups.phase(number, "group_ipt_who")


def test_the_size_limits_are_data_and_marked_unconfirmed():
    found = groups.composition("group_ipt_who")
    assert 1 <= found.min_members <= found.max_members
    assert found.confidence == "U" and found.single_gender is False
    assert groups.group_variants() == ("group_ipt_who",)


def test_an_individual_variant_is_not_a_group():
    with pytest.raises(groups.UnknownGroupVariant):
        groups.composition("ipt_individual")
