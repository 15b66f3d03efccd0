"""Calendars: weekly local-time windows, iCalendar RRULE windows and holidays.

A calendar is evaluated in the contract's IANA zone, then turned into UTC
seconds, so a DST day has 23 or 25 hours of wall-clock time and a window
``07:00-20:00`` lasts 13 real hours on both. Choices that the spec leaves open:

- A window whose end is at or before its start crosses midnight and ends the
  next day (``08:00-02:00``). It *belongs to the day it starts on*: a holiday
  removes the windows that start on it, including their part after midnight,
  and keeps the part of the previous day's window that runs into it.
- A wall time that does not exist (the hour skipped in spring) is read with the
  offset in force before the jump, so ``02:30`` means ``03:30`` summer time; an
  ambiguous wall time (the hour repeated in autumn) is its first occurrence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from slawatch.sla.intervals import IntervalSet, Span

if TYPE_CHECKING:
    from holidays import HolidayBase

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WINDOW_RE = re.compile(
    r"^\s*(?P<days>[a-z,\-*]+)\s+(?P<start>\d{1,2}:\d{2})-(?P<end>\d{1,2}:\d{2})\s*$"
)
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY


def local_instant(day: date, minute: int, zone: ZoneInfo, second: int = 0) -> int:
    """UTC seconds of wall-clock ``minute`` (0..1440) plus ``second`` of ``day`` in
    ``zone``; past 24:00 the wall clock runs on into the next days."""
    wall = datetime.combine(day, time()) + timedelta(minutes=minute, seconds=second)
    return int(wall.replace(tzinfo=zone).timestamp())


def local_midnight(day: date, zone: ZoneInfo) -> int:
    return local_instant(day, 0, zone)


def local_dates(start: int, end: int, zone: ZoneInfo) -> list[date]:
    """Every local date that ``[start, end)`` touches, plus the day before (whose
    windows may cross midnight into the span)."""
    first = datetime.fromtimestamp(start, zone).date() - timedelta(days=1)
    last = datetime.fromtimestamp(max(start, end - 1), zone).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@dataclass(frozen=True, slots=True)
class WeeklyWindow:
    """A window repeated on some weekdays, in local wall-clock minutes."""

    days: frozenset[int]  # 0 = Monday ... 6 = Sunday
    start: int  # minute of the day the window opens, 0..1439
    end: int  # minute it closes, 1..1440; at or before ``start``: the next day

    @classmethod
    def parse(cls, text: str) -> WeeklyWindow:
        """Read ``"mon-fri 07:00-20:00"``, ``"sat,sun 00:00-24:00"``, ``"daily 20:00-07:00"``."""
        match = _WINDOW_RE.match(text.lower())
        if match is None:
            raise ValueError(
                "weekly window must be 'DAYS HH:MM-HH:MM' "
                f"(e.g. 'mon-fri 07:00-20:00'), got {text!r}"
            )
        start, end = _minute(match["start"], text), _minute(match["end"], text)
        if start == MINUTES_PER_DAY:
            raise ValueError(f"a window cannot open at 24:00 (got {text!r})")
        if start == end:
            raise ValueError(
                f"window {text!r} opens and closes at the same time; "
                "write 00:00-24:00 for a whole day"
            )
        return cls(_days(match["days"], text), start, end)

    def text(self) -> str:
        """The window as a config writes it: ``mon-fri 07:00-20:00``, ``daily 20:00-07:00``."""
        return f"{_day_list(self.days)} {wall(self.start)}-{wall(self.end)}"

    def week_minutes(self) -> list[Span]:
        """The minutes of the week it covers (0 is Monday 00:00); past Sunday it wraps."""
        length = self.end - self.start if self.end > self.start else self.end + 1440 - self.start
        ranges: list[Span] = []
        for day in sorted(self.days):
            start = day * MINUTES_PER_DAY + self.start
            end = start + length
            ranges.append((start, min(end, MINUTES_PER_WEEK)))
            if end > MINUTES_PER_WEEK:
                ranges.append((0, end - MINUTES_PER_WEEK))
        return ranges

    def spans(self, day: date, zone: ZoneInfo) -> Span | None:
        """The UTC span this window covers when it opens on ``day``, if it does."""
        if day.weekday() not in self.days:
            return None
        end_day = day if self.end > self.start else day + timedelta(days=1)
        return local_instant(day, self.start, zone), local_instant(end_day, self.end, zone)


def _minute(text: str, whole: str) -> int:
    hours, minutes = (int(part) for part in text.split(":"))
    if minutes >= 60 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(f"invalid time {text!r} in window {whole!r} (e.g. 07:00, 24:00)")
    return hours * 60 + minutes


def _day_list(days: frozenset[int]) -> str:
    """``mon-fri``, ``sat,sun``, ``daily``: runs of three days or more as ranges."""
    if len(days) == len(DAY_NAMES):
        return "daily"
    return ",".join(
        f"{DAY_NAMES[run[0]]}-{DAY_NAMES[run[-1]]}"
        if len(run) > 2
        else ",".join(DAY_NAMES[d] for d in run)
        for run in day_runs(days)
    )


def day_runs(days: frozenset[int]) -> list[list[int]]:
    """The days in runs of consecutive days, Monday first: ``[[0, 1, 2, 3], [5]]``."""
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def wall(minute: int) -> str:
    """A minute of the day as a wall clock shows it: ``09:30``, ``24:00``."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _days(text: str, whole: str) -> frozenset[int]:
    if text in ("daily", "*"):
        return frozenset(range(7))
    days: set[int] = set()
    for part in text.split(","):
        first, _, last = part.partition("-")
        try:
            lo = DAY_NAMES.index(first)
            hi = DAY_NAMES.index(last) if last else lo
        except ValueError:
            raise ValueError(
                f"unknown day {part!r} in window {whole!r} "
                "(use mon..sun, ranges like mon-fri, or daily)"
            ) from None
        if hi < lo:
            raise ValueError(f"day range {part!r} runs backwards in window {whole!r}")
        days.update(range(lo, hi + 1))
    return frozenset(days)


@dataclass(frozen=True, slots=True)
class RRuleWindow:
    """Windows opening at each occurrence of an iCalendar RRULE, for a duration."""

    rule: str  # e.g. "FREQ=MONTHLY;BYDAY=1SU"
    dtstart: datetime  # naive local wall time of the first occurrence
    duration: int  # seconds

    def __post_init__(self) -> None:
        try:
            rrulestr(self.rule, dtstart=self.dtstart)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"invalid RRULE {self.rule!r}: {exc}") from None
        if self.duration <= 0:
            raise ValueError("an RRULE window needs a duration > 0")

    def occurrences(self, start: int, end: int, zone: ZoneInfo) -> list[Span]:
        rule = rrulestr(self.rule, dtstart=self.dtstart)
        lo = datetime.fromtimestamp(start - self.duration, zone).replace(tzinfo=None)
        hi = datetime.fromtimestamp(end, zone).replace(tzinfo=None)
        spans = []
        for wall in rule.between(lo - timedelta(hours=1), hi + timedelta(hours=1), inc=True):
            opens = int(wall.replace(tzinfo=zone).timestamp())
            spans.append((opens, opens + self.duration))
        return spans


@dataclass(frozen=True, slots=True)
class Holidays:
    """Public holidays from the ``holidays`` package: a country and optional subdivision."""

    country: str  # ISO 3166-1 alpha-2, e.g. "FR"
    subdiv: str | None = None  # e.g. "57" for Moselle

    def __post_init__(self) -> None:
        if self.country not in _entity_names() or not self._subdivision_known():
            raise ValueError(
                f"unknown holiday calendar country={self.country!r} subdiv={self.subdiv!r}"
            )

    def _subdivision_known(self) -> bool:
        """Only the country's calendar knows its subdivisions: it refuses an unknown one
        with ``NotImplementedError``."""
        if self.subdiv is None:
            return True
        try:
            _country_holidays(self.country, self.subdiv, 2000)
        except NotImplementedError:
            return False
        return True

    def dates(self, years: range) -> frozenset[date]:
        return _holiday_dates(self.country, self.subdiv, years.start, years.stop)


@lru_cache(maxsize=256)
def _holiday_dates(country: str, subdiv: str | None, first: int, stop: int) -> frozenset[date]:
    return frozenset(_country_holidays(country, subdiv, range(first, stop)).keys())


@lru_cache(maxsize=1)
def _entity_names() -> frozenset[str]:
    """Every name ``holidays.country_holidays`` accepts (class, alpha-2, alpha-3 and
    aliases), read from the package's registry: building a calendar to check its name
    imports all ~250 countries (``holidays.countries`` imports them in its
    ``__init__``), a tenth of a second ``check-config`` paid for ``{country: FR}``."""
    from holidays.registry import COUNTRIES, FINANCIAL

    return frozenset(
        name for registry in (COUNTRIES, FINANCIAL) for names in registry.values() for name in names
    )


def _country_holidays(country: str, subdiv: str | None, years: int | range) -> HolidayBase:
    """The ``holidays`` package is imported here, by the first calendar that names a
    country: importing it and its first country takes a tenth of a second, which
    every command paid even for configs without holidays."""
    import holidays

    return holidays.country_holidays(country, subdiv=subdiv, years=years)


def first_overlap(windows: tuple[WeeklyWindow, ...]) -> tuple[int, int] | None:
    """The indexes of the first two windows that share a minute of the week, if any:
    overlapping support windows would make a business day ambiguous."""
    for j, later in enumerate(windows):
        mine = later.week_minutes()
        for i, earlier in enumerate(windows[:j]):
            if any(s < e2 and s2 < e for s, e in mine for s2, e2 in earlier.week_minutes()):
                return i, j
    return None


FULL_WEEK = (WeeklyWindow(frozenset(range(7)), 0, MINUTES_PER_DAY),)


@dataclass(frozen=True, slots=True)
class Calendar:
    """Weekly windows minus holidays: a reference calendar or support hours."""

    windows: tuple[WeeklyWindow, ...] = FULL_WEEK  # the default is 24x7
    holidays: Holidays | None = None

    def spans(self, start: int, end: int, zone: ZoneInfo) -> IntervalSet:
        """The calendar's time inside ``[start, end)``, in UTC seconds."""
        return _calendar_spans(self, start, end, zone.key)

    def openings(self, days: list[date], zone: ZoneInfo) -> list[tuple[date, list[Span]]]:
        """Per local day, the UTC spans of the windows that open on it, in window
        order; a holiday opens none. A day on which one opens is a business day."""
        skip: frozenset[date] = frozenset()
        if self.holidays is not None and days:
            skip = self.holidays.dates(range(days[0].year, days[-1].year + 1))
        return [
            (day, [] if day in skip else [s for w in self.windows if (s := w.spans(day, zone))])
            for day in days
        ]


@lru_cache(maxsize=4096)
def _calendar_spans(calendar: Calendar, start: int, end: int, zone_key: str) -> IntervalSet:
    # Cached: a thousand contracts on a handful of calendars share the work.
    zone = ZoneInfo(zone_key)
    days = local_dates(start, end, zone)
    spans = [span for _, opened in calendar.openings(days, zone) for span in opened]
    return IntervalSet(spans).clip(start, end)


def recurring_spans(
    windows: tuple[WeeklyWindow | RRuleWindow, ...], start: int, end: int, zone: ZoneInfo
) -> IntervalSet:
    """The time inside ``[start, end)`` covered by recurring maintenance windows."""
    weekly = tuple(w for w in windows if isinstance(w, WeeklyWindow))
    spans = list(Calendar(weekly).spans(start, end, zone)) if weekly else []
    for window in windows:
        if isinstance(window, RRuleWindow):
            spans.extend(window.occurrences(start, end, zone))
    return IntervalSet(spans).clip(start, end)
