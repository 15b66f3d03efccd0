"""One assessment's input, as one value: what the core's functions all read.

``assess``, ``sort_time`` and ``daily`` read the same things (the terms, the
period, the service's timeline, the instant, the operators' three kinds of
records, and when each probing location saw the service down). The shell reads
them once and builds a ``Case``; each core function takes it whole, so no
parameter list is repeated and a day or a forecast is a ``Case`` with one field
replaced.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from slawatch.sla.contract import ContractTerms
from slawatch.sla.exclusions import ContractRecords
from slawatch.sla.intervals import IntervalSet
from slawatch.sla.periods import Period
from slawatch.sla.timeline import Timeline


@dataclass(frozen=True, slots=True)
class Case:
    """A contract's period, its service and its records, as known at ``until``.

    ``service`` must partition at least ``[period.start, min(period.end, until))``;
    it may reach further back, so that an outage that began before the period
    keeps its real start and can be matched by a claim made then.
    """

    terms: ContractTerms
    period: Period
    service: Timeline
    until: int  # instants from here on are not assessed yet (the future)
    records: ContractRecords = field(default_factory=ContractRecords)
    # Per probing location, when it saw one of the service's targets down (its own
    # probe-side failures masked): which locations saw each outage.
    sightings: Mapping[str, IntervalSet] = field(default_factory=dict)
