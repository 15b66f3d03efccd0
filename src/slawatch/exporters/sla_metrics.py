"""The SLA series on ``/metrics``: each contract's current period, as of the scrape.

config/prometheus/README.md is their contract (names, units, and the rules the
alerts rely on). Computing a year of a contract costs about a millisecond, a
thousand contracts a second: far too much for every scrape. So each contract
keeps a *forecast*: its period sorted once (sla/ledger.py) with the service's
current state held until the period ends. Until something changes, the figures
at any instant are read from it by binary search, exactly as a report computed
then would find them. A forecast is rebuilt when:

- the agent's writer says one of the contract's targets changed its timeline
  (``take_news``; a live target's closing unknown flip moving on is no change), or
  that one the forecast continues unknown is known again (``TimelineNews.revived``:
  its samples came after that flip's instant);
- the audit log has a new row for the contract: maintenance, an exclusion or a
  claim added or retired, or a history import (``slawatch import`` audits the
  contracts it changes), whichever process made it;
- the period is over, or the config was reloaded.

Rebuilding happens in ``refresh``, for the stale contracts only, in one bulk read;
the agent calls it every second from a thread of its own. A scrape never reads
the database: it reads the forecasts at hand, so a database that hangs leaves
the figures as they were (they move on with the clock), never the scrape waiting.

The series show each period as of ``settle`` seconds before the scrape: by then every
sample of that instant has reached the forecasts (the slowest probe's timeout, then
the agent's ``lag``: its next write and, on PostgreSQL, the leader's next reading of
the other agents' notices). A forecast continues the last state it read; counted up to
the scrape itself, it would count a recovery not heard of yet as downtime, and an
agent leading next, which reads the recovery, would export less than the old leader
did: a counter reset. As of ``settle`` seconds ago, what one agent exported is what any
agent reading the store later finds.

The two counters never go back within a period: a correction downwards (an exclusion
added afterwards, samples later than ``settle``) holds them (``_hold``). The holds a
scrape makes are stored at the next refresh, and read back after each (re)load: an
agent taking the lead, or restarted, carries on from them.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction

from slawatch.app.evaluate import Probing, gather
from slawatch.config import Config
from slawatch.exporters.text_format import escape, number
from slawatch.sla.assess import sort_time
from slawatch.sla.case import Case
from slawatch.sla.contract import ContractTerms
from slawatch.sla.intervals import IntervalSet
from slawatch.sla.ledger import Cumulative, Meter, Tally
from slawatch.sla.limit_clock import LimitClock
from slawatch.sla.periods import Period, period_containing
from slawatch.sla.score import Score, score
from slawatch.sla.timeline import State
from slawatch.store.store import CounterHold, Store, TimelineNews


@dataclass(frozen=True, slots=True)
class Forecast:
    """A contract's current period, assuming the service stays as it is now."""

    terms: ContractTerms
    period: Period
    meter: Meter  # the period's figures before any instant
    period_reference: int  # R over the whole period, future included
    budget: float  # the downtime the whole period allows, seconds
    maintenance: Cumulative  # qualifying maintenance, declared or recurring
    exclusions: Cumulative  # the operator's exclusions
    clauses: LimitClock  # the outage clauses, judged at any instant
    ends_unknown: bool  # the service's state it continues is unknown

    @classmethod
    def of(cls, case: Case) -> Forecast:
        terms, period = case.terms, case.period
        # The future as the present continues it, up to the period's end.
        future = case.service.continued(case.until, period.end)
        time = sort_time(replace(case, service=future, until=period.end))

        def qualifying(maintenance: bool) -> Cumulative:
            spans = (
                e.spans for e in time.excluders if e.qualifies and e.maintenance is maintenance
            )
            return Cumulative(IntervalSet(span for s in spans for span in s))

        reference = time.ledger.reference.total()
        return cls(
            terms,
            period,
            Meter(time.ledger),
            reference,
            float((1 - terms.target_percent / 100) * reference),
            qualifying(maintenance=True),
            qualifying(maintenance=False),
            LimitClock.of(terms, time),
            case.service.last_state(case.until) is State.UNKNOWN,
        )


@dataclass(slots=True)
class _Held:
    """The highest counter values exported in a period: a counter never goes down."""

    period_start: int
    reference: int = 0
    downtime: int = 0


# (name, type, documentation), in the order ``_values`` gives them. Units and
# meanings: config/prometheus/README.md.
_SERIES = (
    ("slawatch_sla_reference_seconds", "counter", "Counted reference seconds of the period so far"),
    ("slawatch_sla_downtime_seconds", "counter", "Counted downtime seconds of the period so far"),
    ("slawatch_sla_availability_ratio", "gauge", "Availability of the current period so far"),
    ("slawatch_sla_target_ratio", "gauge", "The contract's availability target"),
    ("slawatch_sla_coverage_ratio", "gauge", "Observed share of the reference time so far"),
    ("slawatch_sla_min_coverage_ratio", "gauge", "Coverage a period needs to be billable"),
    ("slawatch_sla_credit_ratio", "gauge", "Credit owed if the period ended now, share of fee"),
    ("slawatch_sla_error_budget_seconds", "gauge", "Downtime the whole period allows"),
    ("slawatch_sla_error_budget_remaining_seconds", "gauge", "Error budget left (< 0: spent)"),
    ("slawatch_sla_period_reference_seconds", "gauge", "Reference seconds of the whole period"),
    ("slawatch_sla_period_start_timestamp_seconds", "gauge", "Start of the period, Unix seconds"),
    ("slawatch_sla_period_end_timestamp_seconds", "gauge", "End of the period, Unix seconds"),
    ("slawatch_sla_maintenance_active", "gauge", "Whether qualifying maintenance is in effect"),
    ("slawatch_sla_exclusion_active", "gauge", "Whether an operator exclusion is in effect"),
)


class SlaSeries:
    """Every contract's ``slawatch_sla_*`` series, computed at each scrape."""

    def __init__(
        self,
        store: Store,
        config: Config,
        clock: Callable[[], float] = time.time,
        *,
        lag: float = 0.0,
    ) -> None:
        """``lag``: the seconds a sample takes to reach the forecasts once its probe
        answered (the module says why the series wait for it)."""
        self._store = store
        self._clock = clock
        self._lag = lag
        self._settle = 0  # set from each config the refresh takes
        self._lock = threading.Lock()  # the forecasts and counters a scrape reads: never long
        self._refreshing = threading.Lock()  # one refresh at a time; a scrape never takes it
        self._forecasts: dict[str, Forecast] = {}
        self._held: dict[str, _Held] = {}
        self._stored_holds: dict[str, CounterHold] = {}  # as stored, or found stored
        self._new_holds: dict[str, CounterHold] = {}  # made by scrapes, not stored yet
        self._adopt_holds = True  # read the stored holds at the next refresh
        self._stale: set[str] = set()
        self._audit_seen: int | None = None  # rows up to here are in every forecast built
        # What the agent's loop reports waits here, behind a lock no rebuild holds:
        # the loop must never wait for a scrape.
        self._news = threading.Lock()
        # The contracts' terms and the per-target tables are built by the first refresh,
        # on the refresh's thread, as SupportSeries does: not on the agent's way to its
        # first probes (50,000 targets' location rules and readers).
        self._new_config: Config | None = config
        self._changed: set[str] = set()
        self._revived: set[str] = set()
        self._terms: dict[str, ContractTerms] = {}
        self._probing = Probing()
        self._readers: dict[str, tuple[str, ...]] = {}

    @property
    def settle(self) -> int:
        """How many seconds before a scrape the series show: ``settle_seconds``."""
        return self._settle

    def configure(self, config: Config) -> None:
        """Take a (re)loaded config: every forecast is rebuilt at the next scrape."""
        with self._news:
            self._new_config = config

    def take_news(self, news: TimelineNews) -> None:
        """What a write said: rebuild what reads the changed timelines, and what
        continues a revived one unknown."""
        with self._news:
            self._changed |= news.changed
            self._revived |= news.revived

    def _apply_news(self) -> None:
        with self._news:
            config, self._new_config = self._new_config, None
            changed, self._changed = self._changed, set()
            revived, self._revived = self._revived, set()
        if config is not None:
            self._adopt_holds = True
            self._settle = settle_seconds(config, self._lag)
            self._terms = {c.name: c.terms() for c in config.availability_contracts()}
            self._probing = Probing.of(config)
            self._readers = config.readers()
            self._stale = set(self._terms)
        for target in changed:
            self._stale.update(self._readers.get(target, ()))
        for target in revived:
            self._stale.update(n for n in self._readers.get(target, ()) if self._ends_unknown(n))

    def _ends_unknown(self, contract: str) -> bool:
        """Whether the contract's forecast continues its service unknown (or it has none)."""
        forecast = self._forecasts.get(contract)
        return forecast is None or forecast.ends_unknown

    def exposition(self) -> bytes:
        """Every contract's series as of ``settle`` seconds ago, in Prometheus' text
        format (0.0.4).

        Written here rather than through prometheus-client's ``generate_latest``,
        which spends ~3 µs a sample on generic escaping: 14,000 samples for 1,000
        contracts would take half the scrape budget. One label, escaped once.
        """
        at = int(self._clock()) - self._settle
        with self._lock:
            rows = [
                (_label(name), self._values(name, forecast, at))
                for name, forecast in self._forecasts.items()
            ]
        lines = []
        for i, (name, kind, doc) in enumerate(_SERIES):
            sample = f"{name}_total" if kind == "counter" else name
            lines.append(f"# HELP {sample} {doc}\n# TYPE {sample} {kind}\n")
            lines.extend(f"{sample}{label} {number(values[i])}\n" for label, values in rows)
        return "".join(lines).encode()

    def refresh(self) -> None:
        """Rebuild the stale forecasts from the store (which may take long, or hang:
        scrapes go on meanwhile with the forecasts they have).

        Raises ``StoreError`` when the store is unavailable; the forecasts at hand
        stay, and the stale ones are rebuilt by the next refresh that finds it.
        """
        with self._refreshing:
            second = int(self._clock())
            self._apply_news()
            at = second - self._settle
            rebuilt: dict[str, Forecast] = {}
            try:
                self._adopt_stored(at)
                self._read_audit()
                self._stale.update(n for n, f in self._forecasts.items() if f.period.end <= at)
                # Read through the current second: a flip stamped in the second it is read
                # (a recovery probed at 12:00:00.2, written at .7) sets the state continued.
                rebuilt = self._rebuild(sorted(self._stale & self._terms.keys()), at, second + 1)
                self._store_new_holds()
            finally:
                forecasts = {n: f for n, f in self._forecasts.items() if n in self._terms}
                with self._lock:
                    self._forecasts = forecasts | rebuilt

    def _adopt_stored(self, at: int) -> None:
        """After a (re)load (a start, a take-over): carry on from the holds stored for
        each contract's current period, by the agent that led before or by this one
        before a restart. A hold of another period is over, or not begun."""
        if not self._adopt_holds:
            return
        found = self._store.counter_holds()
        with self._lock:
            for name, hold in found.items():
                terms = self._terms.get(name)
                if terms is None:
                    continue
                if hold.period_start == period_containing(at, terms.period, terms.zone).start:
                    self._adopt(hold)
        self._adopt_holds = False

    def _adopt(self, hold: CounterHold) -> None:
        self._stored_holds[hold.contract] = hold
        held = self._held.get(hold.contract)
        if held is None or held.period_start != hold.period_start:
            held = self._held[hold.contract] = _Held(hold.period_start)
        held.reference = max(held.reference, hold.reference_seconds)
        held.downtime = max(held.downtime, hold.downtime_seconds)

    def _store_new_holds(self) -> None:
        """Store the holds the scrapes made since the last refresh (a failing store
        keeps them for the next)."""
        with self._lock:
            new = list(self._new_holds.values())
        if not new:
            return
        self._store.hold_counters(new)
        with self._lock:
            for hold in new:
                self._stored_holds[hold.contract] = hold
                if self._new_holds.get(hold.contract) == hold:
                    del self._new_holds[hold.contract]

    def _read_audit(self) -> None:
        """Mark stale the contracts whose records changed since the last refresh."""
        if self._audit_seen is None:  # the first refresh builds every forecast anyway
            self._audit_seen = self._store.audit_head()
        for row in self._store.audit_after(self._audit_seen):
            self._stale.add(row.contract)
            self._audit_seen = row.id

    def _rebuild(self, names: list[str], at: int, now: int) -> dict[str, Forecast]:
        """The forecasts of the periods the series show (``at``), from what the store
        has ``now``."""
        terms = [self._terms[n] for n in names]
        items = [(t, period_containing(at, t.period, t.zone)) for t in terms]
        rebuilt = {
            case.terms.name: Forecast.of(case)
            for case in gather(self._store, items, self._probing, now)
        }
        self._stale.clear()
        return rebuilt

    def _values(self, contract: str, forecast: Forecast, at: int) -> tuple[float, ...]:
        terms, period = forecast.terms, forecast.period
        tally = forecast.meter.tally(at)
        verdict = score(terms, period, tally, forecast.clauses.credit(at))
        held = self._hold(contract, period, tally, verdict)
        credit = verdict.credit.percent if verdict.credit is not None else 0
        return (
            held.reference,
            held.downtime,
            _ratio(verdict.availability, verdict.denominator_seconds),
            float(terms.target_percent / 100),
            _ratio(verdict.coverage, tally.reference),
            float(terms.min_coverage_percent / 100),
            float(credit / 100),
            forecast.budget,
            forecast.budget - verdict.counted_downtime,
            forecast.period_reference,
            period.start,
            period.end,
            float(forecast.maintenance.covers(at)),
            float(forecast.exclusions.covers(at)),
        )

    def _hold(self, name: str, period: Period, tally: Tally, verdict: Score) -> _Held:
        """The counters to export: never below what this period already showed (here,
        or on the agent that led before: ``_adopt_stored``), so that a correction
        downwards is not read as a counter reset. Both count what
        the contract counts: downtime with unknown time under ``unknown_time: down``,
        reference time less the unknown time the policy leaves out."""
        held = self._held.get(name)
        if held is None or held.period_start != period.start:
            held = self._held[name] = _Held(period.start)
        counted = tally.reference - tally.excluded - verdict.left_out_unknown
        held.reference = max(held.reference, counted)
        held.downtime = max(held.downtime, verdict.counted_downtime)
        # A counter that is not held is stored as 0 (the store keeps the higher value):
        # the other's hold is then written once, not at each scrape as this one grows.
        reference = held.reference if held.reference > counted else 0
        downtime = held.downtime if held.downtime > verdict.counted_downtime else 0
        if reference or downtime:
            hold = CounterHold(name, period.start, reference, downtime)
            if self._stored_holds.get(name) != hold:
                self._new_holds[name] = hold
        return held


def settle_seconds(config: Config, lag: float) -> int:
    """The seconds after which an instant's samples have all reached the forecasts:
    the slowest probe's timeout, then ``lag``."""
    slowest = max((t.answers_within_ms() for t in config.targets), default=0)
    return math.ceil(slowest / 1000 + lag)


def _label(contract: str) -> str:
    return f'{{contract="{escape(contract)}"}}'


def _ratio(percent: Fraction, whole: int) -> float:
    """A percentage as a ratio; NaN when there was nothing to measure."""
    return float(percent / 100) if whole else math.nan
