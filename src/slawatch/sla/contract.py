"""The terms of a contract, as the pure core needs them (built by ``slawatch.config``)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from slawatch.sla.calendar import Calendar, RRuleWindow, WeeklyWindow
from slawatch.sla.credits import TierTable
from slawatch.sla.exclusions import MaintenancePolicy
from slawatch.sla.limits import OutageLimit
from slawatch.sla.periods import PeriodRule
from slawatch.sla.service import ALL, Rule

if TYPE_CHECKING:  # claims.py finds outages with outages.py, which reads UnknownPolicy here
    from slawatch.sla.claims import ClaimWindow


class Formula(enum.StrEnum):
    """Where excluded time goes in the availability ratio (``exclusions_count_as``)."""

    AVAILABLE = "available"  # A = (R - U - D) / (R - U): excluded time counts as up
    REMOVED = "removed"  # A = (R - X - U - D) / (R - X - U): excluded time is left out


class UnknownPolicy(enum.StrEnum):
    """How time without observations counts."""

    EXCLUDED = "excluded"  # left out of both sides of the ratio (default)
    UP = "up"
    DOWN = "down"


@dataclass(frozen=True, slots=True)
class Fee:
    amount: Decimal  # per billing period
    currency: str  # ISO 4217, e.g. "EUR"


@dataclass(frozen=True, slots=True)
class ContractTerms:
    name: str
    targets: tuple[str, ...]  # the targets that make up the covered service
    zone: ZoneInfo
    period: PeriodRule
    target_percent: Fraction  # met when availability >= this
    rule: Rule = ALL
    reference: Calendar = field(default_factory=Calendar)  # default 24x7
    recurring_maintenance: tuple[WeeklyWindow | RRuleWindow, ...] = ()
    maintenance: MaintenancePolicy = field(default_factory=MaintenancePolicy)
    formula: Formula = Formula.AVAILABLE
    unknown_as: UnknownPolicy = UnknownPolicy.EXCLUDED
    min_coverage_percent: Fraction = Fraction(95)
    credits: TierTable | None = None
    claims_required: bool = False
    claim_window: ClaimWindow | None = None  # None: a claim is never late
    credit_cap: Fraction | None = None  # percent of the fee a period's credit may reach
    outage_limits: tuple[OutageLimit, ...] = ()  # outage-count clauses
    fee: Fee | None = None
    clauses: tuple[tuple[str, str], ...] = ()  # rule name -> contract article, for reports
    # Unix seconds from which the service is monitored: time before it is not reference
    # time (a new install assesses what it watched, not the month before it). None: always.
    monitoring_since: int | None = None
