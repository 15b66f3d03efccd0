"""The shipped presets (SPEC sections 5 and 7) load into the terms the seeds state."""

import re
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sla.helpers import CEGID_OPEN_HOURS
from slawatch.config import Config, load_config, parse_config
from slawatch.config import models as config_models
from slawatch.sla.calendar import Calendar, Holidays, WeeklyWindow
from slawatch.sla.contract import Fee, Formula, UnknownPolicy
from slawatch.sla.credits import (
    AvailabilityTier,
    CreditBasis,
    DowntimeTier,
    TierTable,
    percent_of,
)
from slawatch.sla.exclusions import LateNotice, MaintenancePolicy
from slawatch.sla.periods import PeriodKind, PeriodRule, resolve_period
from slawatch.sla.renewals import LicenceKind, RenewalTerms
from slawatch.sla.service import ALL
from slawatch.sla.support import (
    Allowance,
    AllowanceKind,
    Event,
    EventKind,
    Objective,
    Request,
    SupportTarget,
    SupportTerms,
)
from slawatch.sla.support_assess import assess_request
from slawatch.sla.timeline import TimelineRule

SEED = Path(__file__).parents[2] / "config" / "seed-contracts.yaml"
F = Fraction
E = EventKind
BT, BD = AllowanceKind.BUSINESS_TIME, AllowanceKind.BUSINESS_DAYS
IPFOLIO_MINUTES = TierTable(
    CreditBasis.DOWNTIME_MINUTES,
    (
        DowntimeTier(F(216), F(0)),
        DowntimeTier(F(2160), F(25)),
        DowntimeTier(F(21600), F(50)),
        DowntimeTier(None, None),
    ),
)
IPFOLIO_PERCENT = TierTable(
    CreditBasis.AVAILABILITY_PERCENT,
    (
        AvailabilityTier(F("99.5"), F(100), F(0)),
        AvailabilityTier(F(95), F("99.5"), F(25)),
        AvailabilityTier(F(50), F(95), F(50)),
        AvailabilityTier(F(0), F(50), None),
    ),
)


@pytest.fixture(scope="module")
def seed() -> Config:
    return load_config(SEED)


def test_names_and_targets_are_the_ones_spec_section_7_names(seed: Config) -> None:
    assert [c.name for c in seed.contracts] == [
        "cegid-portal",
        "smileo-backup",
        "ipfolio",
        "acronis-cyber-protect",
    ]
    rules = {t.name: (t.kind, t.timeline_rule()) for t in seed.targets}
    assert rules == {
        "cegid-portal-web": ("http", TimelineRule(60, 2)),
        "smileo-gateway": ("http", TimelineRule(300, 2)),
        "smileo-s3": ("http", TimelineRule(300, 2)),
        "ipfolio-app": ("http", TimelineRule(60, 2)),
    }
    assert seed.database.url == f"sqlite:///{SEED.parent}/slawatch.db"  # read beside the file


def test_cegid_portal(seed: Config) -> None:
    terms = seed.contract("cegid-portal").terms()
    assert (terms.targets, terms.rule) == (("cegid-portal-web",), ALL)
    assert terms.zone == ZoneInfo("Europe/Paris")
    assert terms.period == PeriodRule(PeriodKind.MONTH)
    assert terms.reference == Calendar((WeeklyWindow.parse("mon-fri 07:00-20:00"),), Holidays("FR"))
    assert terms.recurring_maintenance == (
        WeeklyWindow.parse("daily 20:00-07:00"),
        WeeklyWindow.parse("sat,sun 00:00-24:00"),
    )
    assert terms.maintenance == MaintenancePolicy(
        172_800, emergency_qualifies=True, late_notice=LateNotice.COUNTS
    )
    assert terms.formula is Formula.AVAILABLE
    assert terms.target_percent == Fraction(99)
    assert (terms.credits, terms.fee, terms.claims_required) == (None, None, False)
    assert dict(terms.clauses)["target"] == "art. 6 : taux de disponibilité d'au moins 99 %"


@pytest.mark.parametrize(
    ("label", "hours"),
    [("2026-03", 22 * 13), ("2026-05", 17 * 13)],  # May: 1st, 8th, Ascension, Whit Monday
    ids=["march-no-holiday", "may-four-holidays"],
)
def test_cegid_reference_time_is_weekday_hours_minus_french_holidays(
    seed: Config, label: str, hours: int
) -> None:
    terms = seed.contract("cegid-portal").terms()
    period = resolve_period(label, terms.period, terms.zone)
    spans = terms.reference.spans(period.start, period.end, terms.zone)
    assert sum(end - start for start, end in spans) == hours * 3600


def test_smileo_backup(seed: Config) -> None:
    terms = seed.contract("smileo-backup").terms()
    assert (terms.targets, terms.rule) == (("smileo-gateway", "smileo-s3"), ALL)
    assert (terms.zone, terms.period) == (ZoneInfo("Europe/Paris"), PeriodRule(PeriodKind.YEAR))
    assert terms.reference == Calendar()  # 24x7
    assert terms.maintenance == MaintenancePolicy(0, emergency_qualifies=False)
    assert terms.target_percent == Fraction("99.7")  # exactly, not float 99.7


def test_ipfolio(seed: Config) -> None:
    terms = seed.contract("ipfolio").terms()
    assert (terms.targets, terms.zone) == (("ipfolio-app",), ZoneInfo("UTC"))
    assert (terms.period, terms.reference) == (PeriodRule(PeriodKind.MONTH), Calendar())
    assert terms.target_percent == Fraction("99.5")
    assert terms.credits == IPFOLIO_MINUTES
    assert terms.claims_required is True
    assert terms.fee == Fee(Decimal("1000"), "EUR")
    assert (terms.formula, terms.unknown_as, terms.min_coverage_percent) == (
        Formula.AVAILABLE,
        UnknownPolicy.EXCLUDED,
        Fraction(95),
    )


def test_ipfolio_percent_variant_is_one_line_away() -> None:
    text = SEED.read_text(encoding="utf-8")
    block = re.compile(r"^    credits:\n(?:      .*\n)+", re.MULTILINE)
    variant = "    # credits: {basis: availability_percent"
    assert len(block.findall(text)) == 1 and text.count(variant) == 1
    swapped = block.sub("", text).replace(variant, variant.replace("# ", "", 1))
    terms = parse_config(swapped, "swapped.yaml").contract("ipfolio").terms()
    assert terms.credits == IPFOLIO_PERCENT
    # The comment's example: 217 min down in a 31-day month.
    minutes = 31 * 24 * 60
    availability = percent_of(minutes - 217, minutes)
    assert IPFOLIO_PERCENT.select(availability, 217 * 60) == (0, Fraction(0))
    assert IPFOLIO_MINUTES.select(availability, 217 * 60) == (1, Fraction(25))


def test_acronis_cyber_protect_has_only_a_renewal_part(seed: Config) -> None:
    """SPEC section 7: a perpetual licence's maintenance contract expiring 2027-03-31,
    renewal price 1,200 EUR, Acronis's policy."""
    contract = seed.contract("acronis-cyber-protect")
    assert not contract.has_availability
    assert contract.renewal_terms() == RenewalTerms(
        date(2027, 3, 31),
        LicenceKind.PERPETUAL_MAINTENANCE,
        Decimal(1200),
        "EUR",
        date(2026, 4, 1),
    )
    renewal = contract.renewal
    assert renewal is not None and renewal.notices is not None
    assert (renewal.account, renewal.renewal_id, renewal.product, renewal.sku) == (
        "ACC-0000000",
        "RN-0000000",
        "Acronis Cyber Protect",
        "SKU-EXAMPLE",
    )
    assert renewal.notices.recipients == ("renewals@customer.example",)
    assert contract.timezone == ZoneInfo("Europe/Paris")
    assert "J-90" in dict(contract.clauses)["renewal"]
    assert [c.name for c in seed.availability_contracts()] == [
        "cegid-portal",
        "smileo-backup",
        "ipfolio",
    ]
    assert seed.agent.smtp is not None and seed.agent.smtp.starttls


def test_the_documented_format_is_a_valid_config() -> None:
    assert config_models.__doc__ is not None
    block = config_models.__doc__.split(".. code-block:: yaml\n")[1]
    text = "\n".join(line.removeprefix("    ") for line in block.splitlines())
    config = parse_config(text, "models.py")
    assert config.agent.control_targets == ("resolver",)
    assert [t.kind for t in config.targets] == ["http", "dns", "tcp", "heartbeat"]


def support_terms(config: Config, name: str) -> SupportTerms:
    contract = config.contract(name)
    assert contract.support is not None
    return contract.support.terms(contract.timezone)


def test_cegid_portal_carries_the_cegid_open_support_terms(seed: Config) -> None:
    terms = support_terms(seed, "cegid-portal")
    assert (terms.zone, terms.start_date) == (ZoneInfo("Europe/Paris"), date(2026, 1, 1))
    assert terms.calendar == CEGID_OPEN_HOURS
    assert terms.priorities == ("1", "2", "3")
    every = frozenset({"1", "2", "3"})
    assert terms.targets == (
        SupportTarget("take-in-charge", E.OPENED, E.RESPONDED, Allowance(BT, 8 * 3600), every),
        SupportTarget(
            "action-plan", E.QUALIFIED, E.RESOLVED, Allowance(BT, 12 * 3600), frozenset("1")
        ),
        SupportTarget("workaround", E.QUALIFIED, E.RESOLVED, Allowance(BD, 6), frozenset("2")),
    )
    year = PeriodRule(PeriodKind.CONTRACT_YEAR, date(2026, 1, 1))
    assert terms.objectives == (Objective("take-in-charge-share", "take-in-charge", F(75), year),)
    assert dict(terms.clauses)["take-in-charge"].startswith("art. 13.2")


def test_cegid_private_is_one_line_away() -> None:
    text = SEED.read_text(encoding="utf-8")
    block = re.compile(r"^    support:\n(?:      .*\n)+", re.MULTILINE)
    variant = '    # support: {start_date: 2026-01-01, calendar: {windows: ["mon-thu 09:00-18:00"'
    assert text.count(variant) == 1
    first = block.search(text)
    assert first is not None
    swapped = text[: first.start()] + text[first.end() :].replace(
        variant, variant.replace("# ", "", 1), 1
    )
    terms = support_terms(parse_config(swapped, "swapped.yaml"), "cegid-portal")
    assert terms.calendar == Calendar(
        (WeeklyWindow.parse("mon-thu 09:00-18:00"), WeeklyWindow.parse("fri 09:00-17:00")),
        Holidays("FR"),
    )
    assert terms.targets[0].allowance == Allowance(BT, 4 * 3600)
    assert [t.name for t in terms.targets] == ["take-in-charge", "action-plan", "workaround"]


def test_ipfolio_carries_its_response_targets(seed: Config) -> None:
    terms = support_terms(seed, "ipfolio")
    assert terms.zone == ZoneInfo("UTC")
    assert terms.calendar == Calendar((WeeklyWindow.parse("mon-fri 08:00-02:00"),))
    assert terms.priorities == ("critical", "high", "medium", "low")
    assert [(t.name, t.start, t.stop, t.allowance, t.priorities) for t in terms.targets] == [
        ("response-critical", E.OPENED, E.RESPONDED, Allowance(BT, 1800), frozenset({"critical"})),
        ("response-high", E.OPENED, E.RESPONDED, Allowance(BT, 3600), frozenset({"high"})),
        ("response-medium", E.OPENED, E.RESPONDED, Allowance(BD, 1), frozenset({"medium"})),
        ("response-low", E.OPENED, E.RESPONDED, Allowance(BD, 2), frozenset({"low"})),
    ]
    assert terms.objectives == ()


@pytest.mark.parametrize(
    ("contract", "priority", "opened", "due"),
    [
        ("cegid-portal", "3", "2026-10-02T16:50:00+02:00", "2026-10-06T10:20:00+02:00"),
        ("cegid-portal", "1", "2026-07-14T10:00:00+02:00", "2026-07-16T10:30:00+02:00"),
        ("ipfolio", "medium", "2026-10-02T20:00:00+00:00", "2026-10-05T20:00:00+00:00"),
    ],
    ids=["cegid-friday-1650", "cegid-14-july", "ipfolio-medium-friday-2000"],
)
def test_the_seeds_numbers_through_the_shipped_config(
    seed: Config, contract: str, priority: str, opened: str, due: str
) -> None:
    terms = support_terms(seed, contract)
    instant = int(datetime.fromisoformat(opened).timestamp())
    request = Request("T-1", priority, (Event(E.OPENED, instant),))
    (clocked, *_) = assess_request(terms, request, instant).targets
    assert clocked.deadline == int(datetime.fromisoformat(due).timestamp())
