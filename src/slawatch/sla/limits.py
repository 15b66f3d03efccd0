"""Outage-count clauses: "at most N outages longer than D per period" and "no single
outage longer than D" (N = 0), as many SLAs and Checkmk's outage SLAs state them.

They are judged on the outages the report lists, on the same timeline after the
unknown-time policy and the exclusions: an outage's *length* is what the contract
counts as down in it within the period (its part of D, plus its part of U under
``unknown_time: down``), so excluded time and time outside the reference hours
shorten it, but do not split it. An outage is *longer than D* when its length
exceeds D.

A clause may carry its own credit, owed in a billing period where it is broken;
where claims are required, the credit owed counts only the outages claimed in
time (as the tier credit does). How it adds up with the tier credit:
``credits.total``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class OutageLimit:
    longer_than: int  # seconds: outages longer than this count against the clause
    at_most: int = 0  # how many such outages a period allows (0: not a single one)
    credit: Fraction | None = None  # credit percent of the fee when broken; None: no credit

    def describe(self) -> str:
        """The clause in words: ``at most 3 outages longer than 30 min``."""
        length = _length(self.longer_than)
        if self.at_most == 0:
            return f"no outage longer than {length}"
        noun = "outage" if self.at_most == 1 else "outages"
        return f"at most {self.at_most} {noun} longer than {length}"


@dataclass(frozen=True, slots=True)
class LimitVerdict:
    """One clause over one period."""

    limit: OutageLimit
    longer: int  # outages longer than the limit
    claimed_longer: int  # of them, claimed in time
    longest: int  # the longest outage's length, seconds (0 without an outage)
    met: bool | None  # no more long outages than allowed; None outside a billing period
    credit: Fraction  # owed: the clause's credit when broken (by claimed outages if required)
    credit_all_outages: Fraction  # owed if every outage were claimed


class ClauseCredit(NamedTuple):
    """The credit of a period's broken outage clauses, added up."""

    owed: Fraction = Fraction(0)  # by claimed outages only where claims are required
    every: Fraction = Fraction(0)  # if every outage were claimed


NO_CLAUSE_CREDIT = ClauseCredit()


def clause_credit(verdicts: Sequence[LimitVerdict]) -> ClauseCredit:
    return ClauseCredit(
        sum((v.credit for v in verdicts), Fraction(0)),
        sum((v.credit_all_outages for v in verdicts), Fraction(0)),
    )


def judge(
    limits: Sequence[OutageLimit],
    lengths: Sequence[int],
    claimed: Sequence[bool],
    *,
    claims_required: bool,
    billing: bool,
) -> tuple[LimitVerdict, ...]:
    """Each clause of ``limits`` over the outages of a period: their ``lengths`` and
    whether each was ``claimed`` in time. The clauses speak of the contract's own
    period: in another one (a month of a yearly contract) the counts are shown, but
    no verdict and no credit."""
    return tuple(_judge(limit, lengths, claimed, claims_required, billing) for limit in limits)


def _judge(
    limit: OutageLimit,
    lengths: Sequence[int],
    claimed: Sequence[bool],
    claims_required: bool,
    billing: bool,
) -> LimitVerdict:
    long = [length > limit.longer_than for length in lengths]
    longer = sum(long)
    claimed_longer = sum(1 for is_long, c in zip(long, claimed, strict=True) if is_long and c)
    owed, every = broken_credit(limit, longer, claimed_longer, claims_required)
    if not billing:
        owed = every = Fraction(0)
    return LimitVerdict(
        limit=limit,
        longer=longer,
        claimed_longer=claimed_longer,
        longest=max(lengths, default=0),
        met=longer <= limit.at_most if billing else None,
        credit=owed,
        credit_all_outages=every,
    )


def broken_credit(
    limit: OutageLimit, longer: int, claimed_longer: int, claims_required: bool
) -> ClauseCredit:
    """What ``limit`` credits with ``longer`` long outages in a billing period,
    ``claimed_longer`` of them claimed in time."""
    credit = limit.credit or Fraction(0)
    every = credit if longer > limit.at_most else Fraction(0)
    if not claims_required:
        return ClauseCredit(every, every)
    return ClauseCredit(credit if claimed_longer > limit.at_most else Fraction(0), every)


def _length(seconds: int) -> str:
    """``5400`` -> ``1 h 30 min``."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(hours, "h"), (minutes, "min"), (secs, "s")]
    return " ".join(f"{n} {unit}" for n, unit in parts if n) or "0 s"
