"""A period's time sorted into the sets that SPEC section 3's figures measure.

``assess`` reads each set once, up to the end of what it assesses. The SLA
metrics read the same sets at every scrape, at a new instant each time, so a
``Meter`` keeps each set as a cumulative count: "how many seconds of it before
``t``" is then a binary search, not a pass over a year of spans.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from slawatch.sla.intervals import IntervalSet


@dataclass(frozen=True, slots=True)
class Tally:
    """The additive figures of a period so far, in seconds, as measured: the
    unknown-time policy applies to them afterwards (``assess.score``)."""

    reference: int  # R
    excluded: int  # X
    unknown: int  # U
    downtime: int  # D
    claimed_downtime: int  # the part of D inside outages the customer claimed
    claimed_unknown: int  # the part of U inside them

    def figures(self) -> dict[str, int]:
        """R, X, U and D by their letters, as ``ratio.Ratio`` reads them."""
        return {"R": self.reference, "X": self.excluded, "U": self.unknown, "D": self.downtime}


@dataclass(frozen=True, slots=True)
class Ledger:
    """The sets behind each figure of a ``Tally``, over ``[start, end)``."""

    start: int
    end: int
    reference: IntervalSet  # R
    excluded: IntervalSet  # X, within R
    unknown: IntervalSet  # U: R - X while unobserved
    downtime: IntervalSet  # D: R - X while down
    claimed_downtime: IntervalSet  # D within claimed outages
    claimed_unknown: IntervalSet  # U within claimed outages

    def sets(self) -> tuple[IntervalSet, ...]:
        """The sets in ``Tally``'s field order."""
        return (
            self.reference,
            self.excluded,
            self.unknown,
            self.downtime,
            self.claimed_downtime,
            self.claimed_unknown,
        )

    def tally(self) -> Tally:
        return Tally(*(s.total() for s in self.sets()))


class Cumulative:
    """A set's seconds before any instant, in O(log n)."""

    __slots__ = ("_before", "_ends", "_starts")

    def __init__(self, spans: IntervalSet) -> None:
        self._starts = [start for start, _ in spans]
        self._ends = [end for _, end in spans]
        self._before = [0]  # seconds of the spans before each one
        for start, end in spans:
            self._before.append(self._before[-1] + end - start)

    def before(self, t: int) -> int:
        i = bisect_left(self._starts, t)  # spans opening before t
        if i == 0:
            return 0
        last_end = self._ends[i - 1]
        return self._before[i - 1] + (last_end if last_end < t else t) - self._starts[i - 1]

    def reach(self, count: int) -> int | None:
        """The first instant ``t`` with ``before(t) >= count`` (``count`` >= 1), or
        ``None`` when the set holds fewer seconds."""
        i = bisect_left(self._before, count)
        if i == len(self._before):
            return None
        return self._starts[i - 1] + count - self._before[i - 1]

    def covers(self, t: int) -> bool:
        """Whether second ``t`` is in the set."""
        return self.before(t + 1) > self.before(t)


class Meter:
    """A ledger read at any instant: the tally of ``[ledger.start, t)``."""

    __slots__ = ("_sets",)

    def __init__(self, ledger: Ledger) -> None:
        self._sets = tuple(Cumulative(s) for s in ledger.sets())

    def tally(self, t: int) -> Tally:
        return Tally(*(s.before(t) for s in self._sets))
