"""The outage clauses' credit at any instant of a period, for the SLA metrics.

A report judges the clauses once (``limits.judge``); the metrics judge them at every
scrape, at a new instant each time. An outage's length only grows as time passes, so
each outage becomes longer than a clause's limit at one instant, found once: the
instant its counted down time (``ledger.Cumulative``) reaches the limit plus one
second. How many outages are longer than the limit at ``t`` is then a binary search,
and the credit is the one the report computed up to ``t`` would give.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from fractions import Fraction

from slawatch.sla.assess import SortedTime
from slawatch.sla.contract import ContractTerms, UnknownPolicy
from slawatch.sla.ledger import Cumulative
from slawatch.sla.limits import ClauseCredit, OutageLimit, broken_credit


@dataclass(frozen=True, slots=True)
class LimitClock:
    """A period's outage clauses, judged at any instant."""

    limits: tuple[OutageLimit, ...]
    longer_from: tuple[list[int], ...]  # per clause: when each outage becomes longer, sorted
    claimed_longer_from: tuple[list[int], ...]  # the same, outages claimed in time only
    claims_required: bool

    @classmethod
    def of(cls, terms: ContractTerms, time: SortedTime) -> LimitClock:
        """The clock of ``terms``' clauses over the period ``time`` sorted."""
        ledger = time.ledger
        counted = ledger.downtime
        if terms.unknown_as is UnknownPolicy.DOWN:
            counted = counted | ledger.unknown
        seconds = Cumulative(counted)
        outages = [
            (run, marking is not None and not marking.late)
            for run, marking in zip(time.runs, time.markings, strict=True)
            if run[0] < ledger.end and run[1] > ledger.start
        ]
        every: list[list[int]] = []
        claimed: list[list[int]] = []
        for limit in terms.outage_limits:
            crossings = [
                (_longer_from(seconds, run, limit.longer_than, ledger.start), was_claimed)
                for run, was_claimed in outages
            ]
            every.append(sorted(c for c, _ in crossings if c is not None))
            claimed.append(sorted(c for c, was in crossings if c is not None and was))
        return cls(terms.outage_limits, tuple(every), tuple(claimed), terms.claims_required)

    def credit(self, t: int) -> ClauseCredit:
        """The clauses' credit as a report computed up to ``t`` would give it."""
        owed = every = Fraction(0)
        for limit, longer, claimed in zip(
            self.limits, self.longer_from, self.claimed_longer_from, strict=True
        ):
            parts = broken_credit(
                limit, bisect_right(longer, t), bisect_right(claimed, t), self.claims_required
            )
            owed, every = owed + parts.owed, every + parts.every
        return ClauseCredit(owed, every)


def _longer_from(seconds: Cumulative, run: tuple[int, int], limit: int, start: int) -> int | None:
    """The first instant at which the outage ``run`` has counted more than ``limit``
    seconds since the later of its start and the period's ``start``; ``None`` if never."""
    crossing = seconds.reach(seconds.before(max(run[0], start)) + limit + 1)
    return crossing if crossing is not None and crossing <= run[1] else None
