"""What a period's figures mean under the contract: the availability, the verdict and
the credit (SPEC sections 3 and 4, issue 12).

The credit of a billing period is the tier's credit plus the credits of the outage
clauses it breaks (``limits.py``), capped by the contract's ``credit_cap`` and never
above the whole fee (``credits.total``). Where claims are required, what is owed
counts only the outages claimed in time; what every outage would give is shown
beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from slawatch.sla.contract import ContractTerms, UnknownPolicy
from slawatch.sla.credits import TierTable, credit_amount, percent_of, total
from slawatch.sla.ledger import Tally
from slawatch.sla.limits import NO_CLAUSE_CREDIT, ClauseCredit
from slawatch.sla.periods import Period
from slawatch.sla.ratio import Ratio


@dataclass(frozen=True, slots=True)
class Credit:
    """A period's credit and its parts. The words and the money are derived on
    demand: the SLA metrics select a tier at every scrape and need neither."""

    tier: int | None  # index into the contract's table; None without one
    tier_percent: Fraction  # the tier's credit percent (0 without a table)
    clauses_percent: Fraction  # the broken outage clauses' credits, added up
    percent: Fraction  # the credit: both added, then capped
    table: TierTable | None
    fee: Decimal | None  # the period's fee, when one is configured

    @property
    def tier_text(self) -> str | None:
        """The tier as the contract states it."""
        if self.table is None or self.tier is None:
            return None
        return self.table.tiers[self.tier].describe()

    @property
    def capped(self) -> bool:
        """Whether the cap (or the whole fee) cut the credit down."""
        return self.percent < self.tier_percent + self.clauses_percent

    @property
    def amount(self) -> Decimal | None:
        """The money owed, when a fee is configured."""
        return None if self.fee is None else credit_amount(self.percent, self.fee)


@dataclass(frozen=True, slots=True)
class Score:
    """What a tally means under the contract: the ratio, the verdict, the credit."""

    ratio: Ratio  # the formula applied
    counted_downtime: int  # what the policy counts as down: D, plus U under ``down``
    claimed_downtime: int  # the part of it in outages claimed in time
    left_out_unknown: int  # U where the policy leaves it out of the ratio, else 0
    numerator_seconds: int
    denominator_seconds: int
    availability: Fraction  # percent
    coverage: Fraction  # percent of R observed
    met: bool
    billable: bool  # coverage reaches the contract minimum
    credit: Credit | None  # what is owed (claimed outages only where claims are required)
    credit_all_outages: Credit | None  # what would be owed if every outage were claimed


def score(
    terms: ContractTerms, period: Period, tally: Tally, clauses: ClauseCredit = NO_CLAUSE_CREDIT
) -> Score:
    """The availability, verdict and credit of ``tally`` under ``terms``, with the
    credit of the outage clauses broken in the same period."""
    ratio = Ratio.of(terms.formula, terms.unknown_as)
    figures = tally.figures()
    numerator, denominator = ratio.sides(figures)
    availability = percent_of(numerator, denominator)
    down_unknown = terms.unknown_as is UnknownPolicy.DOWN
    counted = tally.downtime + (tally.unknown if down_unknown else 0)
    billing = period.kind is terms.period.kind
    credit_all = _credit(terms, availability, counted, clauses.every) if billing else None
    # As if only the claimed outages had been down: their downtime, and their unknown
    # time where the policy counts it as down (the rest of U is then up).
    claimed_figures = {**figures, "D": tally.claimed_downtime}
    if down_unknown:
        claimed_figures["U"] = tally.claimed_unknown
    claimed = claimed_figures["D"] + (claimed_figures["U"] if down_unknown else 0)
    owed = credit_all
    if terms.claims_required and credit_all is not None:
        claimed_availability = percent_of(*ratio.sides(claimed_figures))
        owed = _credit(terms, claimed_availability, claimed, clauses.owed)
    coverage = percent_of(tally.reference - tally.unknown, tally.reference)
    return Score(
        ratio=ratio,
        counted_downtime=counted,
        claimed_downtime=claimed,
        left_out_unknown=tally.unknown if terms.unknown_as is UnknownPolicy.EXCLUDED else 0,
        numerator_seconds=numerator,
        denominator_seconds=denominator,
        availability=availability,
        coverage=coverage,
        # Nothing measured proves nothing: neither met nor billable.
        met=denominator > 0 and availability >= terms.target_percent,
        billable=tally.reference > 0 and coverage >= terms.min_coverage_percent,
        credit=owed,
        credit_all_outages=credit_all,
    )


def _credit(
    terms: ContractTerms, availability: Fraction, downtime: int, clauses: Fraction
) -> Credit | None:
    """The credit of a billing period (tiers apply to it only: none for a month of a
    yearly contract); ``None`` when the contract states no credit at all."""
    table = terms.credits
    if table is None and not any(limit.credit for limit in terms.outage_limits):
        return None
    index, tier = table.select(availability, downtime) if table else (None, Fraction(0))
    percent = total(tier, clauses, terms.credit_cap)
    return Credit(index, tier, clauses, percent, table, terms.fee.amount if terms.fee else None)
