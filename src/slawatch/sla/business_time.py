"""Business time: how much of a support calendar lies between two instants, when a
clock that runs only inside it reaches an allowance, and business days (SPEC 6).

A support calendar is a ``Calendar`` (weekly local windows, possibly crossing
midnight, minus holidays), read in the contract's zone by the same code as
reference time, so DST days and holidays behave alike in both. Its UTC spans are
cut into fixed weeks of UTC seconds and cached per week with running totals: the
business time between two instants is two binary searches plus whole weeks'
totals, and a support report over 100,000 requests shares the weeks it reads.

Pauses (SMILÉO art. 7: waiting for the client...) stop a clock: ``run_until``
finds the instant at which an allowance of *unpaused* clock time has run, and
``counted`` measures unpaused clock time. Both work over any ``Clock``: business
time, or the wall clock for wall-clock allowances.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import Protocol
from zoneinfo import ZoneInfo

from slawatch.sla.calendar import Calendar, local_dates, local_instant
from slawatch.sla.intervals import IntervalSet, Span

WEEK = 7 * 86_400
FOREVER = 2**62  # the end of a pause that has not ended (no ``resumed`` yet)
SEARCH_SPAN = 5 * 366 * 86_400  # how far a clock looks ahead for business time
SEARCH_DAYS = 5 * 366


class Clock(Protocol):
    """Time that counts towards an allowance."""

    def elapsed(self, start: int, end: int) -> int:
        """Seconds of counting time in ``[start, end)``; 0 when ``end <= start``."""
        ...

    def advance(self, start: int, seconds: int) -> int:
        """The first instant at which ``seconds`` of counting time have run since ``start``."""
        ...


@dataclass(frozen=True, slots=True)
class WallClock:
    """Every second counts (wall-clock allowances)."""

    def elapsed(self, start: int, end: int) -> int:
        return max(0, end - start)

    def advance(self, start: int, seconds: int) -> int:
        return start + seconds


class BusinessClock:
    """Business time over one support calendar in one zone.

    It keeps the calendar's spans over the range it has been asked about, with
    the running total of business seconds at each span, so that every question is
    one or two binary searches; the range grows (doubling) when a question falls
    outside it. That memo is deterministic (the same calendar always gives the same
    spans), so one clock is built per calendar and shared by every request."""

    __slots__ = (
        "_before",
        "_days",
        "_ends",
        "_hi",
        "_lo",
        "_starts",
        "_through",
        "_window_starts",
        "_windows",
        "calendar",
        "zone",
    )

    def __init__(self, calendar: Calendar, zone: ZoneInfo) -> None:
        self.calendar = calendar
        self.zone = zone
        self._lo = self._hi = 0  # the range the spans below cover, whole UTC weeks
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._before: list[int] = []  # business seconds from ``_lo`` to each span's start
        self._through: list[int] = []  # ... to each span's end
        self._windows: list[tuple[int, int, date]] = []  # each window, its business day
        self._window_starts: list[int] = []
        self._days: dict[date, tuple[Span, ...]] = {}

    def __repr__(self) -> str:
        return f"BusinessClock({self.calendar!r}, {self.zone.key!r})"

    def elapsed(self, start: int, end: int) -> int:
        """Business seconds in ``[start, end)``: its overlap with the calendar."""
        if end <= start:
            return 0
        if not (self._lo <= start and end < self._hi):  # _cover's test, inlined: hot
            self._cover(start, end)
        return self._running(end) - self._running(start)

    def advance(self, start: int, seconds: int) -> int:
        """The first instant at which ``seconds`` of business time have run since
        ``start``: a window's close, not the next opening, when it runs out there."""
        if seconds <= 0:
            return start
        self._cover(start, start)
        need = self._running(start) + seconds
        while not self._through or need > self._through[-1]:
            self._grow(start)
        i = bisect_left(self._through, need)
        return self._starts[i] + need - self._before[i]

    def next_opening(self, instant: int) -> int:
        """``instant`` if the calendar is open then, else the next time it opens."""
        self._cover(instant, instant)
        i = bisect_right(self._starts, instant) - 1
        if i >= 0 and instant < self._ends[i]:
            return instant
        while i + 1 >= len(self._starts):
            self._grow(instant)
        return self._starts[i + 1]

    def _running(self, instant: int) -> int:
        """Business seconds from ``_lo`` to ``instant`` (inside the covered range)."""
        i = bisect_right(self._starts, instant) - 1
        if i < 0:
            return 0
        end = self._ends[i]
        return self._before[i] + (instant if instant < end else end) - self._starts[i]

    def _cover(self, start: int, end: int) -> None:
        if self._lo <= start and end < self._hi:
            return
        lo = start if self._hi == self._lo else min(start, self._lo)
        hi = max(end + 1, self._hi)
        lo -= lo % WEEK
        self._load(lo, hi + 4 * WEEK - hi % WEEK)

    def _grow(self, since: int) -> None:
        """Cover half as much again to the right; ``ValueError`` once five years
        after ``since`` are covered (a calendar that hardly ever opens)."""
        if self._hi - since > SEARCH_SPAN:
            raise ValueError("the support calendar leaves too little business time in five years")
        self._load(self._lo, self._hi + max(8 * WEEK, (self._hi - self._lo) // 2))

    def _load(self, lo: int, hi: int) -> None:
        opened = self.calendar.openings(local_dates(lo, hi, self.zone), self.zone)
        self._windows = sorted((s, e, day) for day, spans in opened for s, e in spans)
        self._window_starts = [s for s, _, _ in self._windows]
        spans = IntervalSet((s, e) for s, e, _ in self._windows).clip(lo, hi).spans
        self._lo, self._hi = lo, hi
        self._starts = [s for s, _ in spans]
        self._ends = [e for _, e in spans]
        self._before, self._through, total = [], [], 0
        for s, e in spans:
            self._before.append(total)
            total += e - s
            self._through.append(total)

    def by_business_day(self, start: int, end: int, pauses: Spans) -> list[tuple[date, int]]:
        """Unpaused business seconds in ``[start, end)`` per business day (the day each
        window opened), leaving out days that count none: the arithmetic of a deadline.
        Windows of a support calendar do not overlap, so each second has one day."""
        if end <= start:
            return []
        self._cover(start, end)
        windows = self._windows
        found: dict[date, int] = {}
        # Inlined (a yearly report asks this 200,000 times): each window clipped to
        # [start, end), minus the pauses inside it.
        first = bisect_right(self._window_starts, start) - 1
        for opens, closes, day in islice(windows, first if first > 0 else 0, None):
            if opens >= end:
                break
            s, e = (opens if opens > start else start), (closes if closes < end else end)
            if e <= s:
                continue
            seconds = e - s
            for a, b in pauses:
                if a < e and b > s:
                    seconds -= (b if b < e else e) - (a if a > s else s)
            if seconds:
                found[day] = found.get(day, 0) + seconds
        return list(found.items())

    def day_spans(self, day: date) -> tuple[Span, ...]:
        """The spans of the windows that open on ``day`` (empty: not a business day)."""
        spans = self._days.get(day)
        if spans is None:
            spans = self._days[day] = tuple(self.calendar.openings([day], self.zone)[0][1])
        return spans

    def business_day(self, instant: int) -> date | None:
        """The business day of an open ``instant``: the day its window opened (the day
        before for the small hours of a window crossing midnight); ``None`` if closed."""
        local = datetime.fromtimestamp(instant, self.zone).date()
        for day in (local - timedelta(days=1), local):
            if any(s <= instant < e for s, e in self.day_spans(day)):
                return day
        return None

    def add_business_days(self, start: int, days: int) -> int:
        """The same local wall time as ``start`` (an open instant) on the ``days``-th
        business day after its own, within that day's hours: a wall time past its
        last close gives that close, one before its first opening that opening."""
        first = self.business_day(start)
        if first is None:
            raise ValueError("business days count from an instant inside the calendar")
        local = datetime.fromtimestamp(start, self.zone).replace(tzinfo=None)
        wall = int((local - datetime.combine(first, time())).total_seconds())
        day = first
        for _ in range(days):
            day = self._next_business_day(day)
        spans = self.day_spans(day)
        due = local_instant(day, 0, self.zone, wall)
        return min(max(due, min(s for s, _ in spans)), max(e for _, e in spans))

    def _next_business_day(self, day: date) -> date:
        for n in range(1, SEARCH_DAYS + 1):
            if self.day_spans(day + timedelta(days=n)):
                return day + timedelta(days=n)
        raise ValueError("the support calendar has no business day for five years")


Spans = tuple[Span, ...]  # sorted, disjoint: a request's pauses


def clip(spans: Spans, start: int, end: int) -> Spans:
    """The parts of ``spans`` inside ``[start, end)``."""
    return tuple(
        (s if s > start else start, e if e < end else end)
        for s, e in spans
        if s < end and e > start
    )


def run_until(clock: Clock, start: int, seconds: int, pauses: Spans) -> int | None:
    """The first instant at which ``seconds`` of ``clock`` time outside ``pauses`` have
    run since ``start``; ``None`` when a pause that never ends comes first."""
    left, cursor = seconds, start
    for pause_start, pause_end in pauses:
        if pause_end <= cursor:
            continue
        if pause_start > cursor:
            available = clock.elapsed(cursor, pause_start)
            if available >= left:
                return clock.advance(cursor, left)
            left -= available
        if pause_end >= FOREVER:
            return None
        cursor = pause_end
    return clock.advance(cursor, left)


def paused(clock: Clock, start: int, end: int, pauses: Spans) -> int:
    """Seconds of ``clock`` time in ``[start, end)`` inside ``pauses``."""
    return sum(clock.elapsed(s, e) for s, e in clip(pauses, start, end)) if pauses else 0


def counted(clock: Clock, start: int, end: int, pauses: Spans) -> int:
    """Seconds of ``clock`` time in ``[start, end)`` outside ``pauses``."""
    return clock.elapsed(start, end) - paused(clock, start, end, pauses)
