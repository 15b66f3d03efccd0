import pytest
from hypothesis import given
from hypothesis import strategies as st

from slawatch.config import DurationError, parse_duration, parse_duration_ms
from slawatch.config.durations import format_duration_ms


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30),
        ("5m", 300),
        ("1h", 3600),
        ("2d", 172_800),
        ("1h30m", 5400),
        ("90m", 5400),
        ("0s", 0),
        ("-5s", -5),
        (" 48h ", 172_800),
    ],
    ids=[
        "seconds",
        "minutes",
        "hours",
        "days",
        "combined",
        "unnormalised",
        "zero",
        "negative",
        "spaces-around",
    ],
)
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


def test_milliseconds_are_for_sub_second_settings() -> None:
    assert parse_duration_ms("1s500ms") == 1500
    assert parse_duration_ms("500ms") == 500


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("60", "a duration needs a unit: d, h, m, s or ms (got 60; e.g. 60s, 60m or 60h)"),
        (
            "1.5h",
            "must be whole numbers with units d, h, m, s, ms, largest first (got 1.5h; e.g. 1h30m)",
        ),
        (
            "30m1h",
            "must be whole numbers with units d, h, m, s, ms, largest first (got 30m1h; e.g. 1h30m)",
        ),
        (
            "5 minutes",
            "must be whole numbers with units d, h, m, s, ms, largest first (got 5 minutes; e.g. 1h30m)",
        ),
        ("", "must be whole numbers with units d, h, m, s, ms, largest first (got ; e.g. 1h30m)"),
        ("1500ms", "must be whole seconds (got 1500ms; e.g. 2s)"),
    ],
    ids=["bare-number", "fraction", "smallest-first", "words", "empty", "sub-second"],
)
def test_errors_name_the_rule_and_an_example(text: str, message: str) -> None:
    with pytest.raises(DurationError) as caught:
        parse_duration(text)
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_format_reads_back(milliseconds: int) -> None:
    assert parse_duration_ms(format_duration_ms(milliseconds)) == milliseconds
