"""When a scheduled check-in is due."""

from datetime import date, timedelta

import pytest

from rapport.core.cadence import is_due

TODAY = date(2026, 3, 12)  # a Thursday


@pytest.mark.parametrize(
    ("cadence", "days_ago", "due"),
    [
        ("weekly", None, True),
        ("weekly", 6, False),
        ("weekly", 7, True),
        ("fortnightly", 13, False),
        ("fortnightly", 14, True),
    ],
)
def test_every_week_or_fortnight_counts_from_the_last_answer(cadence, days_ago, due):
    last = None if days_ago is None else TODAY - timedelta(days=days_ago)
    assert is_due(cadence, TODAY, last) is due


def test_before_session_opens_three_days_before_the_next_session():
    last_session = TODAY - timedelta(days=7)
    assert not is_due("before_session", TODAY, last_session, TODAY + timedelta(days=4), last_session)
    assert is_due("before_session", TODAY, last_session, TODAY + timedelta(days=3), last_session)


def test_before_session_is_not_due_once_answered_since_the_last_session():
    last_session = TODAY - timedelta(days=6)
    answered = TODAY - timedelta(days=1)
    assert not is_due("before_session", TODAY, answered, TODAY + timedelta(days=1), last_session)


def test_an_answer_given_at_the_last_session_does_not_count_for_the_next():
    last_session = TODAY - timedelta(days=6)
    assert is_due("before_session", TODAY, last_session, TODAY + timedelta(days=1), last_session)


def test_before_the_first_session_only_an_answer_in_the_window_counts():
    nxt = TODAY + timedelta(days=2)
    assert is_due("before_session", TODAY, None, nxt)
    assert is_due("before_session", TODAY, TODAY - timedelta(days=10), nxt)
    assert not is_due("before_session", TODAY, TODAY, nxt)


def test_without_a_next_session_it_falls_back_to_weekly():
    assert is_due("before_session", TODAY, TODAY - timedelta(days=8), None)
    assert not is_due("before_session", TODAY, TODAY - timedelta(days=2), None)


def test_an_unknown_cadence_is_refused():
    with pytest.raises(ValueError, match="unknown cadence"):
        is_due("hourly", TODAY, None)
