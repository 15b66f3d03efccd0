"""The JSON report's shape, as ``TypedDict``s, so mypy checks that ``to_dict`` writes
every field SPEC section 7 promises, with its type.

These describe the report as built now. A closed period's frozen report is read
back as stored, possibly by an older version that lacked some fields, so readers
of frozen reports keep ``Mapping[str, Any]``.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict


class PeriodJson(TypedDict):
    label: str
    kind: str
    start: str  # ISO 8601 with the contract zone's offset, as every instant here
    end: str
    time_zone: str
    billing_period: bool
    # When monitoring began inside the period (monitoring_since, or the first sample):
    # the time before it is not reference time. Absent otherwise.
    monitored_from: NotRequired[str]


class FormulaJson(TypedDict):
    exclusions_count_as: str
    unknown_time: str
    expression: str
    meaning: str
    unknown_meaning: str
    arithmetic: str
    numerator_seconds: int
    denominator_seconds: int
    text: str


class OutageJson(TypedDict):
    start: str
    end: str
    counted_seconds: int
    excluded_seconds: int
    unknown_seconds: int
    outside_reference_seconds: int
    length_seconds: int
    reason: str | None
    claimed: bool
    ticket: str | None
    claimed_at: str | None
    claim_late: bool
    locations: list[str]  # the named locations that saw it down (SPEC section 2)


class LateClaimJson(TypedDict):
    ticket: str
    at: str
    claimed_at: str | None
    deadline: str
    outage_start: str
    outage_end: str


class OutageLimitJson(TypedDict):
    clause: str
    longer_than_seconds: int
    at_most: int
    credit_if_broken_percent: float | None
    outages_longer: int
    claimed_outages_longer: int
    longest_seconds: int
    met: bool | None  # None outside a billing period
    credit_percent: float
    credit_percent_all_outages: float


class ExclusionJson(TypedDict):
    source: str
    reason: str
    note: str
    excluded_seconds: int
    qualifies: bool
    counted_seconds: int
    why_not: str | None


class DayJson(TypedDict):
    date: str
    reference_seconds: int
    excluded_seconds: int
    unknown_seconds: int
    downtime_seconds: int
    availability_percent: float | None


class CreditPartsJson(TypedDict):
    """How the credit adds up; each ``None`` where the contract has no such term."""

    tier_credit_percent: float | None
    tier_credit_percent_all_outages: float | None
    outage_limits_credit_percent: float | None
    outage_limits_credit_percent_all_outages: float | None
    credit_cap_percent: float | None
    credit_capped: bool | None


class CreditTierJson(TypedDict):
    """A row of the contract's credit table, as the spreadsheet looks it up: a
    ``downtime_minutes`` row has ``up_to_minutes`` (``None`` on the last row), an
    ``availability_percent`` row ``from_percent`` and ``to_percent``."""

    text: str
    up_to_minutes: NotRequired[float | None]
    from_percent: NotRequired[float]
    to_percent: NotRequired[float]
    credit_percent: float | None  # None: the formula ``100 - A``


class ReportJson(TypedDict):
    """The JSON report, fields in the order they are written."""

    contract: str
    description: str
    period: PeriodJson
    as_of: str
    complete: bool
    measured: bool
    reference_seconds: int
    excluded_seconds: int
    unknown_seconds: int
    downtime_seconds: int
    counted_downtime_seconds: int
    availability_percent: float
    availability_exact: str
    formula: FormulaJson
    coverage_percent: float
    min_coverage_percent: float
    billable: bool
    target_percent: float
    met: bool
    credit_basis: str | None
    claims_required: bool
    claimed_downtime_seconds: int
    claim_window: str | None
    tier: str | None
    tier_all_outages: str | None
    tier_credit_percent: float | None
    tier_credit_percent_all_outages: float | None
    outage_limits_credit_percent: float | None
    outage_limits_credit_percent_all_outages: float | None
    credit_cap_percent: float | None
    credit_capped: bool | None
    credit_percent: float
    credit_percent_all_outages: float
    credit_amount: float | None
    credit_amount_all_outages: float | None
    currency: str | None
    fee_amount: float | None  # the period's fee, null without one
    credit_tiers: list[CreditTierJson]  # the contract's table, empty without one
    outages: list[OutageJson]
    late_claims: list[LateClaimJson]
    outage_limits: list[OutageLimitJson]
    exclusions: list[ExclusionJson]
    clauses: dict[str, str]
    daily: list[DayJson]
