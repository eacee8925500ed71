"""Opening hours: checked and normalised, open or closed at a moment, described day by day."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from rapport.core import hours
from rapport.core.hours import DEFAULT, InvalidHours, default_hours, describe, is_open, validate

LONDON = "Europe/London"


def at(text, tz=UTC):
    return datetime.fromisoformat(text).replace(tzinfo=tz)


def test_the_default_is_nine_to_five_on_weekdays_and_closed_at_weekends():
    assert validate(DEFAULT) == DEFAULT
    assert DEFAULT["mon"] == [["09:00", "17:00"]]
    assert (DEFAULT["sat"], DEFAULT["sun"]) == ([], [])


def test_default_hours_are_a_fresh_copy_each_time():
    copy = default_hours()
    copy["mon"].append(["18:00", "19:00"])
    assert DEFAULT["mon"] == [["09:00", "17:00"]]
    assert default_hours()["mon"] == [["09:00", "17:00"]]


def test_validate_fills_missing_days_sorts_ranges_pads_times_and_reads_day_keys_in_any_case():
    checked = validate({"Tue ": [("13:30", "17:00"), ["9:00", "12:30"]]})
    assert list(checked) == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert checked["tue"] == [["09:00", "12:30"], ["13:30", "17:00"]]
    assert checked["mon"] == []


def test_ranges_that_only_touch_and_a_range_to_midnight_are_allowed():
    assert validate({"fri": [["12:00", "13:00"], ["13:00", "24:00"]]})["fri"] == [
        ["12:00", "13:00"],
        ["13:00", "24:00"],
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"monday": []}, "Unknown day 'monday'; use one of mon, tue, wed, thu, fri, sat, sun."),
        ({"mon": [], "MON": []}, "Monday is given twice."),
        ({"mon": [["9", "17:00"]]}, "Monday: '9' is not a time in HH:MM, from 00:00 to 24:00."),
        ({"mon": [["09:60", "17:00"]]}, "Monday: '09:60' is not a time in HH:MM"),
        ({"mon": [["09:00", "25:00"]]}, "Monday: '25:00' is not a time in HH:MM"),
        ({"mon": [["09:00", "24:30"]]}, "Monday: '24:30' is not a time in HH:MM"),
        ({"mon": [[900, "17:00"]]}, "Monday: 900 is not a time in HH:MM"),
        ({"wed": [["17:00", "09:00"]]}, "Wednesday: 17:00\u201309:00 must end after it starts."),
        ({"wed": [["09:00", "09:00"]]}, "Wednesday: 09:00\u201309:00 must end after it starts."),
        ({"sat": [["24:00", "24:00"]]}, "Saturday: a range cannot start at 24:00."),
        (
            {"thu": [["09:00", "13:00"], ["12:00", "17:00"]]},
            "Thursday: 09:00\u201313:00 overlaps 12:00\u201317:00.",
        ),
        (
            {"thu": [["09:00", "17:00"], ["10:00", "11:00"]]},
            "Thursday: 09:00\u201317:00 overlaps 10:00\u201311:00.",
        ),
        ({"fri": [["09:00"]]}, "Friday: each range must be a [start, end] pair"),
        ({"fri": None}, "Friday: expected a list of [start, end] ranges, got None."),
        (["mon"], "Opening hours must be a mapping of day to time ranges"),
    ],
)
def test_bad_hours_are_refused_with_a_plain_message(value, message):
    with pytest.raises(InvalidHours) as raised:
        validate(value)
    assert raised.value.message.startswith(message)


# is_open()


def test_the_start_is_inclusive_and_the_end_exclusive():
    monday = "2025-03-03"  # a Monday, London on GMT (UTC+0)
    assert is_open(DEFAULT, at(f"{monday}T08:59:59"), LONDON) is False
    assert is_open(DEFAULT, at(f"{monday}T09:00:00"), LONDON) is True
    assert is_open(DEFAULT, at(f"{monday}T16:59:59"), LONDON) is True
    assert is_open(DEFAULT, at(f"{monday}T17:00:00"), LONDON) is False


def test_the_time_is_read_in_the_organisations_zone_including_summer_time():
    # 8:30 UTC on Monday 7 July 2025 is 9:30 in London (BST) and 4:30 in New York.
    when = at("2025-07-07T08:30:00")
    assert is_open(DEFAULT, when, LONDON) is True
    assert is_open(DEFAULT, when, "America/New_York") is False


def test_the_day_is_the_local_day_not_the_utc_day():
    # 23:30 UTC on Sunday is 09:30 on Monday in Sydney.
    sunday_night = at("2025-03-09T23:30:00")
    assert is_open(DEFAULT, sunday_night, "Australia/Sydney") is True
    assert is_open(DEFAULT, sunday_night, LONDON) is False


def test_any_aware_datetime_works_whatever_its_own_zone():
    plus_two = timezone(timedelta(hours=2))
    assert is_open(DEFAULT, at("2025-03-03T11:00:00", plus_two), LONDON) is True  # 09:00 in London


def test_weekends_are_closed_by_default_and_overnight_hours_span_two_days():
    saturday_noon = at("2025-03-08T12:00:00")
    assert is_open(DEFAULT, saturday_noon, LONDON) is False
    overnight = {"fri": [["22:00", "24:00"]], "sat": [["00:00", "06:00"]]}
    assert is_open(overnight, at("2025-03-07T23:59:59"), LONDON) is True
    assert is_open(overnight, at("2025-03-08T00:00:00"), LONDON) is True
    assert is_open(overnight, at("2025-03-08T06:00:00"), LONDON) is False


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="aware"):
        is_open(DEFAULT, datetime(2025, 3, 3, 10, 0), LONDON)


def test_invalid_hours_are_refused_before_answering():
    with pytest.raises(InvalidHours):
        is_open({"mon": [["17:00", "09:00"]]}, at("2025-03-03T10:00:00"), LONDON)


# describe()


def test_describe_lists_every_day_from_monday():
    assert describe(DEFAULT) == [
        ("Monday", "09:00\u201317:00"),
        ("Tuesday", "09:00\u201317:00"),
        ("Wednesday", "09:00\u201317:00"),
        ("Thursday", "09:00\u201317:00"),
        ("Friday", "09:00\u201317:00"),
        ("Saturday", "closed"),
        ("Sunday", "closed"),
    ]


def test_describe_joins_several_ranges_in_order():
    described = dict(describe({"wed": [["13:30", "17:00"], ["09:00", "12:30"]]}))
    assert described["Wednesday"] == "09:00\u201312:30, 13:30\u201317:00"
    assert described["Monday"] == "closed"


def test_day_names_cover_every_day_key():
    assert list(hours.DAY_NAMES) == list(hours.DAYS)
