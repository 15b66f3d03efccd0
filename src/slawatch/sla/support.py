"""Support-response terms and requests, as the pure core computes with them (SPEC 6).

A contract's support part names a calendar (business hours in its zone), the
priorities its requests carry in the contract's own words, targets (a start
event, a stop event, an allowance) and objectives (a share of requests that must
meet a target over a period). A request is a ticket and its timestamped events;
``sequence_problems`` says which events of a ticket cannot be (an event before
``opened``, a ``resumed`` without ``paused``), so an import can refuse them.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import NamedTuple
from zoneinfo import ZoneInfo

from slawatch.sla.business_time import FOREVER, BusinessClock, Spans
from slawatch.sla.calendar import Calendar
from slawatch.sla.intervals import Span
from slawatch.sla.periods import PeriodRule

# The clock arithmetic's version, in every terms' fingerprint: a release that changes how a
# clock is computed, or how the JSON report writes one (a stored clock keeps that text),
# raises it, so that clocks stored by an older one are computed again.
CLOCKS_VERSION = 2


class EventKind(enum.StrEnum):
    """What happened to a request, in the words of SPEC section 6."""

    OPENED = "opened"
    RESPONDED = "responded"  # taken in charge, first answer
    QUALIFIED = "qualified"
    RESOLVED = "resolved"  # fix, workaround or action plan delivered
    CLOSED = "closed"
    PAUSED = "paused"
    RESUMED = "resumed"
    REOPENED = "reopened"  # recorded; restarts no clock


class PauseReason(enum.StrEnum):
    """Why the clock stops (SMILÉO art. 7)."""

    WAITING_CLIENT = "waiting_client"
    CLIENT_UNAVAILABLE = "client_unavailable"
    POSTPONED_BY_CLIENT = "postponed_by_client"


class AllowanceKind(enum.StrEnum):
    BUSINESS_TIME = "business_time"  # seconds of business time
    BUSINESS_DAYS = "business_days"  # the same wall time N business days later
    WALL_CLOCK = "wall_clock"  # seconds of wall-clock time


@dataclass(frozen=True, slots=True)
class Allowance:
    kind: AllowanceKind
    amount: int  # seconds, or a number of business days

    def describe(self) -> str:
        """The allowance as a contract words it: ``8h of business time``."""
        if self.kind is AllowanceKind.BUSINESS_DAYS:
            return f"{self.amount} business day{'s' if self.amount > 1 else ''}"
        suffix = "of business time" if self.kind is AllowanceKind.BUSINESS_TIME else "wall clock"
        return f"{format_seconds(self.amount)} {suffix}"


@dataclass(frozen=True, slots=True)
class SupportTarget:
    """A promise about each request of some priorities."""

    name: str  # e.g. "take-in-charge"
    start: EventKind  # the clock starts at this event (or the next opening after it)
    stop: EventKind  # the first of these after the start stops it
    allowance: Allowance
    priorities: frozenset[str]  # the priorities it applies to


@dataclass(frozen=True, slots=True)
class Objective:
    """A share of requests that must meet a target over each period."""

    name: str
    target: str  # a SupportTarget's name
    threshold_percent: Fraction  # met when the share is at least this
    period: PeriodRule


@dataclass(frozen=True, slots=True)
class SupportTerms:
    zone: ZoneInfo
    calendar: Calendar  # business hours, minus holidays
    start_date: date  # when support began: contract years count from here
    priorities: tuple[str, ...]  # in the contract's words, e.g. ("1", "2", "3")
    targets: tuple[SupportTarget, ...]
    objectives: tuple[Objective, ...] = ()
    clauses: tuple[tuple[str, str], ...] = ()  # key -> the contract's article, for reports
    clock: BusinessClock = field(init=False, compare=False, repr=False)  # over the calendar
    _by_priority: dict[str, tuple[SupportTarget, ...]] = field(
        init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        # One clock per terms: it remembers the calendar's spans for every request.
        object.__setattr__(self, "clock", BusinessClock(self.calendar, self.zone))
        by_priority = {
            p: tuple(t for t in self.targets if p in t.priorities) for p in self.priorities
        }
        object.__setattr__(self, "_by_priority", by_priority)

    def targets_for(self, priority: str) -> tuple[SupportTarget, ...]:
        """The targets that apply to requests of ``priority`` (none for an unknown one)."""
        return self._by_priority.get(priority, ())

    def fingerprint(self) -> str:
        """A hash of everything a request's clocks depend on besides its events (zone,
        hours, holidays, targets) and of ``CLOCKS_VERSION``: clocks stored under another
        fingerprint are computed again. Sets are sorted: their order varies by process."""
        calendar = self.calendar
        text = repr(
            (
                CLOCKS_VERSION,
                self.zone.key,
                [(sorted(w.days), w.start, w.end) for w in calendar.windows],
                calendar.holidays,
                [
                    (t.name, t.start.value, t.stop.value, t.allowance.kind.value,
                     t.allowance.amount, sorted(t.priorities))
                    for t in self.targets
                ],
            )
        )  # fmt: skip
        return hashlib.sha256(text.encode()).hexdigest()[:32]


class Event(NamedTuple):
    """One thing that happened to a request (a tuple: a yearly report reads 400,000)."""

    kind: EventKind
    at: int  # UTC seconds
    reason: PauseReason | None = None  # paused and resumed only
    note: str = ""


@dataclass(frozen=True, slots=True)
class Request:
    """A ticket, its priority and its events in time order (``opened`` first)."""

    ticket: str
    priority: str
    events: tuple[Event, ...]
    contract: str = ""  # the contract's name, where requests of several are listed

    @property
    def opened(self) -> int:
        return self.events[0].at

    def until(self, as_of: int) -> Request:
        """The request as it stood at ``as_of``: later events are ignored."""
        if self.events[-1].at <= as_of:
            return self
        kept = tuple(e for e in self.events if e.at <= as_of)
        return Request(self.ticket, self.priority, kept, self.contract)

    def first(self, kind: EventKind, since: int) -> int | None:
        """The instant of the first ``kind`` event at or after ``since``."""
        for event in self.events:
            if event.kind is kind and event.at >= since:
                return event.at
        return None

    def pauses(self) -> Spans:
        """From each ``paused`` to the next ``resumed``; a pause not yet resumed lasts."""
        spans: list[Span] = []
        since = None
        for event in self.events:
            if event.kind is EventKind.PAUSED and since is None:
                since = event.at
            elif event.kind is EventKind.RESUMED and since is not None:
                spans.append((since, event.at))
                since = None
        if since is not None:
            spans.append((since, FOREVER))
        return tuple(spans)  # in time order, disjoint


def _order(event: Event) -> tuple[int, bool]:
    """By instant; at the same second ``opened`` comes first, the rest keep the order
    given (a ``paused`` then ``resumed`` in one second stays a pause)."""
    return event.at, event.kind is not EventKind.OPENED


def sequence_problems(events: Sequence[Event]) -> dict[int, str]:
    """What is wrong with a ticket's events, by their index in ``events`` (any order)."""
    order = sorted(range(len(events)), key=lambda i: _order(events[i]))
    opening = next((events[i].at for i in order if events[i].kind is EventKind.OPENED), None)
    problems: dict[int, str] = {}
    opened = paused = False
    for i in order:
        kind = events[i].kind
        if kind is EventKind.OPENED:
            if opened:
                problems[i] = "the ticket is already opened (use reopened)"
            opened = True
        elif not opened:
            problems[i] = (
                "the ticket has no opened event (it comes first, with the priority)"
                if opening is None
                else "comes before the ticket is opened"
            )
        elif kind is EventKind.RESUMED and not paused:
            problems[i] = "resumed without paused"
        paused = (paused or kind is EventKind.PAUSED) and kind is not EventKind.RESUMED
    return problems


def format_seconds(seconds: int) -> str:
    """``8h``, ``6h30m``, ``10m``, ``45s``: a duration as the reports write it (in
    hours, not days: a day of business time is not a business day)."""
    parts = []
    for unit, size in (("h", 3_600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"
