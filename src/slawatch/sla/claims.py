"""Which claim marks which outage, and whether it came in time (SPEC section 4, issue 12).

A claim names an instant; the outage covering it (``outages.outage_at``) is the
one claimed. A contract may give the customer a **claim window**: a claim must be
made within N days after the outage ends (the same local wall time N days later,
so a DST change moves nothing), or by the end of the month that follows the one
in which the outage ended (its last second). A claim made later is *late*: the
report lists it, and it credits nothing. A claim made while the outage is still
running is always in time.

When an outage has several claims, the first one made in time marks it; when
none was, the first late one is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from slawatch.sla.calendar import local_midnight
from slawatch.sla.exclusions import Claim
from slawatch.sla.intervals import Span
from slawatch.sla.outages import outage_at


@dataclass(frozen=True, slots=True)
class ClaimWindow:
    """How long after an outage the customer may claim it."""

    days: int | None = None  # within this many days of its end; None: by the end of next month

    def deadline(self, outage_end: int, zone: ZoneInfo) -> int:
        """The last instant (UTC seconds, inclusive) a claim of an outage that
        ended at ``outage_end`` (exclusive) may be made."""
        if self.days is not None:
            wall = datetime.fromtimestamp(outage_end, zone).replace(tzinfo=None)
            later = wall + timedelta(days=self.days)
            return int(later.replace(tzinfo=zone).timestamp())
        last = datetime.fromtimestamp(outage_end - 1, zone).date()
        after_next = date(last.year, last.month, 1) + relativedelta(months=2)
        return local_midnight(after_next, zone) - 1

    def describe(self) -> str:
        """The rule in words, for reports."""
        if self.days is not None:
            return f"within {self.days} day{'s' if self.days != 1 else ''} after the outage ends"
        return "by the end of the month after the one in which the outage ended"


@dataclass(frozen=True, slots=True)
class Marking:
    """The claim shown on one outage."""

    claim: Claim
    deadline: int | None  # the last instant it could be made, None without a window
    late: bool  # made after the deadline: listed, credits nothing


def mark(
    runs: Sequence[Span], claims: Sequence[Claim], window: ClaimWindow | None, zone: ZoneInfo
) -> list[Marking | None]:
    """Per outage of ``runs`` (``outages.outage_runs``), the claim that marks it:
    the first made in time, else the first late one, else ``None``."""
    found: list[Marking | None] = [None] * len(runs)
    for claim in claims:
        i = outage_at(runs, claim.at)
        if i is None:
            continue
        shown = found[i]
        if shown is not None and not shown.late:
            continue
        deadline = None if window is None else window.deadline(runs[i][1], zone)
        late = deadline is not None and claim.made_at is not None and claim.made_at > deadline
        if shown is None or not late:
            found[i] = Marking(claim, deadline, late)
    return found
