"""The support part of a contract: one valid fixture, one mutation per rule."""

from datetime import date
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from slawatch.config import ConfigError, load_config, parse_config
from slawatch.sla.calendar import Calendar, WeeklyWindow
from slawatch.sla.periods import PeriodKind, PeriodRule
from slawatch.sla.support import Allowance, AllowanceKind, EventKind, Objective, SupportTarget

VALID = """\
targets:
  - name: web
    kind: http
    url: https://portal.example/
contracts:
  - name: portal
    service: {targets: [web]}
    timezone: Europe/Paris
    period: month
    target: 99
    support:
      start_date: 2026-03-15
      calendar:
        windows: ["mon-fri 08:00-02:00"]
      priorities: [1, 2, critical]
      targets:
        - name: response
          stop: responded
          business_time: 30m
        - name: fix
          start: qualified
          stop: resolved
          priorities: [2]
          business_days: 3
        - name: restore
          stop: closed
          priorities: [critical]
          wall_clock: 4h
      objectives:
        - {name: share, target: response, threshold: 90.5, period: contract_year}
"""

CASES = [
    (
        "no-allowance",
        "          wall_clock: 4h\n",
        "",
        "config.yaml:25: contracts[0].support.targets[2]: needs an allowance: business_time, business_days or wall_clock (e.g. business_time: 8h)",
    ),
    (
        "two-allowances",
        "          business_time: 30m\n",
        "          business_time: 30m\n          wall_clock: 1h\n",
        "config.yaml:20: contracts[0].support.targets[0].wall_clock: cannot be combined with business_time: a target has one allowance (got 1h)",
    ),
    (
        "overlapping-windows",
        '["mon-fri 08:00-02:00"]',
        '["mon-fri 08:00-02:00", "sat 01:00-03:00"]',
        "config.yaml:14: contracts[0].support.calendar.windows[1]: overlaps windows[0]; a minute may open only one business day (got sat 01:00-03:00)",
    ),
    (
        "unknown-priority",
        "priorities: [2]",
        "priorities: [3]",
        "config.yaml:23: contracts[0].support.targets[1].priorities[0]: not one of this part's priorities (1, 2, critical) (got 3)",
    ),
    (
        "unknown-objective-target",
        "target: response,",
        "target: responce,",
        "config.yaml:30: contracts[0].support.objectives[0].target: not one of this part's targets (fix, response, restore) (got responce; e.g. response)",
    ),
    (
        "bad-start-event",
        "start: qualified",
        "start: paused",
        "config.yaml:21: contracts[0].support.targets[1].start: must be 'opened', 'responded' or 'qualified' (got paused; e.g. opened)",
    ),
    (
        "business-days-not-whole",
        "business_days: 3",
        "business_days: 1.5",
        "config.yaml:24: contracts[0].support.targets[1].business_days: must be a valid integer (got 1.5; e.g. 6)",
    ),
    (
        "missing-start-date",
        "      start_date: 2026-03-15\n",
        "",
        "config.yaml:11: contracts[0].support.start_date: required key missing (e.g. 2026-01-01)",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_each_mutation_gives_its_message(old: str, new: str, expected: str) -> None:
    assert VALID.count(old) == 1, "the mutation must touch exactly one place"
    with pytest.raises(ConfigError) as caught:
        parse_config(VALID.replace(old, new), "config.yaml")
    assert str(caught.value) == expected


def test_the_valid_fixture_gives_the_terms() -> None:
    support = parse_config(VALID).contract("portal").support
    assert support is not None
    terms = support.terms(ZoneInfo("Europe/Paris"))
    assert terms.zone == ZoneInfo("Europe/Paris")
    assert terms.calendar == Calendar((WeeklyWindow.parse("mon-fri 08:00-02:00"),))
    assert terms.priorities == ("1", "2", "critical")  # YAML's numbers, as the contract's words
    assert terms.targets == (
        SupportTarget(
            "response",
            EventKind.OPENED,
            EventKind.RESPONDED,
            Allowance(AllowanceKind.BUSINESS_TIME, 1800),
            frozenset({"1", "2", "critical"}),
        ),
        SupportTarget(
            "fix",
            EventKind.QUALIFIED,
            EventKind.RESOLVED,
            Allowance(AllowanceKind.BUSINESS_DAYS, 3),
            frozenset({"2"}),
        ),
        SupportTarget(
            "restore",
            EventKind.OPENED,
            EventKind.CLOSED,
            Allowance(AllowanceKind.WALL_CLOCK, 4 * 3600),
            frozenset({"critical"}),
        ),
    )
    rule = PeriodRule(PeriodKind.CONTRACT_YEAR, date(2026, 3, 15))
    assert terms.objectives == (Objective("share", "response", Fraction("90.5"), rule),)


def test_support_hours_may_be_24x7_in_their_own_zone() -> None:
    text = VALID.replace(
        '      calendar:\n        windows: ["mon-fri 08:00-02:00"]\n',
        "      timezone: UTC\n      calendar: 24x7\n",
    )
    support = parse_config(text).contract("portal").support
    assert support is not None
    terms = support.terms(ZoneInfo("Europe/Paris"))
    assert (terms.zone, terms.calendar) == (ZoneInfo("UTC"), Calendar())


def test_bad_file_in_testdata_lists_every_support_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).parent / "testdata")
    with pytest.raises(ConfigError) as caught:
        load_config("invalid-support.yaml")
    assert len(caught.value.problems) == 13


def test_a_contract_with_only_a_support_part_is_valid() -> None:
    start = VALID.index("    service: {targets: [web]}")
    end = VALID.index("    support:")
    text = VALID[:start] + "    timezone: Europe/Paris\n" + VALID[end:]
    contract = parse_config(text).contract("portal")
    assert (contract.has_availability, contract.renewal) == (False, None)
    assert contract.support is not None
    assert contract.support.terms(contract.timezone).zone == ZoneInfo("Europe/Paris")
