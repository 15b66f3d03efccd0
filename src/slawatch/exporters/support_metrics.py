"""The support series on ``/metrics``: open requests, time left before the nearest
deadlines, and each objective's share in its current period (SPEC section 6).

config/prometheus/README.md is their contract. Each contract with a support part
keeps its requests of interest (those opened in an objective's current period,
and those not closed) assessed, reading the stored clocks that hold (store/clocks.py);
a scrape re-assesses only the requests that had a pending target (their deadline may
have passed since), so a decided outcome is read once, and never reads the store.
What changes a request is a new event, and every event that reaches the store is
audited (``ticket.import``, naming its tickets): ``refresh`` reads again the tickets
the audit log names, from whichever process wrote them. The whole contract is read
again on a config reload, when an objective's period rolls over, and after an import
of many tickets.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from slawatch.config import Config
from slawatch.exporters.text_format import escape, number
from slawatch.sla.periods import Period, period_containing
from slawatch.sla.support import EventKind, Request, SupportTerms
from slawatch.sla.support_assess import Clocked, Outcome, RequestResult, assess_request
from slawatch.store.store import AuditRecord, Store

AT_RISK = Fraction(1, 4)  # a pending request with less of its allowance left is at risk
MANY_TICKETS = 500  # an import naming more tickets: the contract is read again whole

# (name, documentation); every series is a gauge. Meanings: config/prometheus/README.md.
_SERIES = (
    ("slawatch_support_open_requests", "Support requests not closed"),
    ("slawatch_support_deadline_remaining_seconds", "Seconds to the nearest pending deadline"),
    (
        "slawatch_support_allowance_remaining_ratio",
        "Least share of its allowance a request has left",
    ),
    ("slawatch_support_objective_share_ratio", "Share of decided requests that met the target"),
    ("slawatch_support_objective_at_risk_share_ratio", "The share if requests at risk breached"),
    ("slawatch_support_objective_threshold_ratio", "The objective's threshold"),
    ("slawatch_support_objective_requests", "Requests of the objective's period, by outcome"),
)


@dataclass(slots=True)
class _Watched:
    """One contract's requests of interest, assessed."""

    name: str
    terms: SupportTerms
    periods: dict[str, Period]  # objective -> its current period
    results: dict[str, RequestResult] = field(default_factory=dict)  # by ticket
    open: set[str] = field(default_factory=set)  # tickets not closed

    def take(self, request: Request, now: int) -> None:
        self.results[request.ticket] = assess_request(self.terms, request, now)
        if _is_open(request):
            self.open.add(request.ticket)
        else:
            self.open.discard(request.ticket)

    def refresh(self, now: int) -> None:
        """Re-assess the requests that had a pending target: a deadline may have passed."""
        for ticket, result in self.results.items():
            if any(c.outcome is Outcome.PENDING for c in result.targets):
                self.results[ticket] = assess_request(self.terms, result.request, now)


def _is_open(request: Request) -> bool:
    state = True
    for event in request.events:
        if event.kind is EventKind.CLOSED:
            state = False
        elif event.kind is EventKind.REOPENED:
            state = True
    return state


class SupportSeries:
    """Every support contract's ``slawatch_support_*`` series, as of each scrape.

    ``refresh`` reads the store (the agent calls it every second from a thread of
    its own); a scrape never does: it re-assesses the requests at hand at its
    instant, so a database that hangs leaves the requests as they were, their
    clocks moving on."""

    def __init__(
        self, store: Store, config: Config, clock: Callable[[], float] = time.time
    ) -> None:
        self._store = store
        self._clock = clock
        self._lock = threading.Lock()  # the requests a scrape reads: never held long
        self._refreshing = threading.Lock()  # one refresh at a time; a scrape never takes it
        self._terms: dict[str, SupportTerms] = {}
        self._watched: dict[str, _Watched] = {}
        self._audit_seen: int | None = None
        self._new_config: Config | None = config

    def configure(self, config: Config) -> None:
        """Take a (re)loaded config: every contract is read again at the next refresh."""
        with self._lock:
            self._new_config = config

    def exposition(self) -> bytes:
        """The series as of now, in Prometheus' text format (0.0.4)."""
        now = int(self._clock())
        with self._lock:
            samples: list[tuple[str, str, float]] = []
            for watched in self._watched.values():
                watched.refresh(now)
                samples.extend(_samples(watched, now))
        lines = []
        for name, doc in _SERIES:
            lines.append(f"# HELP {name} {doc}\n# TYPE {name} gauge\n")
            lines.extend(
                f"{name}{labels} {number(value)}\n" for n, labels, value in samples if n == name
            )
        return "".join(lines).encode()

    def refresh(self) -> None:
        """Read what changed in the store since the last refresh: the tickets the audit
        log names, and whole contracts that are new, reconfigured or whose objective
        period rolled over. Raises ``StoreError``; what was read before stays."""
        with self._refreshing:
            now = int(self._clock())
            with self._lock:
                if self._new_config is not None:
                    config, self._new_config = self._new_config, None
                    self._terms = {
                        c.name: c.support.terms(c.timezone)
                        for c in config.contracts
                        if c.support is not None
                    }
                    self._watched = {}
            self._read_news(now)
            for name, terms in self._terms.items():
                watched = self._watched.get(name)
                if watched is None or any(p.end <= now for p in watched.periods.values()):
                    fresh = self._read(name, terms, now)
                    with self._lock:
                        self._watched[name] = fresh

    def _read_news(self, now: int) -> None:
        """Read again the tickets that the audit log says changed since the last refresh."""
        if self._audit_seen is None:  # the first refresh reads every contract anyway
            self._audit_seen = self._store.audit_head()
            return
        for row in self._store.audit_after(self._audit_seen):
            self._apply(row, now)
            self._audit_seen = row.id

    def _apply(self, row: AuditRecord, now: int) -> None:
        watched = self._watched.get(row.contract)
        if watched is None or row.entity != "ticket":
            return
        tickets = _tickets(row)
        if len(tickets) > MANY_TICKETS:
            with self._lock:
                del self._watched[row.contract]  # read whole below
            return
        requests = [
            r for ticket in tickets for r in self._store.list_requests(row.contract, ticket)
        ]
        with self._lock:
            for request in requests:
                watched.take(request, now)

    def _read(self, name: str, terms: SupportTerms, now: int) -> _Watched:
        """The requests of the objectives' periods, their stored clocks read where they
        hold (settled: never pending again, so never re-assessed), and the open ones."""
        periods = {o.name: period_containing(now, o.period, terms.zone) for o in terms.objectives}
        watched = _Watched(name, terms, periods)
        if periods:
            first = min(p.start for p in periods.values())
            stored, others = self._store.clocked_requests(name, first, now + 1, terms, now)
            for result in stored:  # read without events: open or not is said below
                watched.results[result.request.ticket] = result
            for other in others:
                watched.take(other.request, now)
        for request in self._store.open_requests(name):
            watched.take(request, now)
        return watched


def _tickets(row: AuditRecord) -> list[str]:
    detail = json.loads(row.detail)
    return [str(t) for t in detail.get("tickets", [])]


def _samples(watched: _Watched, now: int) -> Iterable[tuple[str, str, float]]:
    """(series, labels, value) of one contract."""
    contract = escape(watched.name)
    open_by_priority = Counter(watched.results[t].request.priority for t in watched.open)
    for priority in watched.terms.priorities:
        labels = f'{{contract="{contract}",priority="{escape(priority)}"}}'
        yield "slawatch_support_open_requests", labels, open_by_priority[priority]
    yield from _deadlines(watched, contract, now)
    yield from _objectives(watched, contract)


def _deadlines(watched: _Watched, contract: str, now: int) -> Iterable[tuple[str, str, float]]:
    """Per priority and target, over the open requests whose clock runs towards a
    deadline: the wall-clock seconds to the nearest one, and the least share of its
    allowance a request has left (on the target's own clock)."""
    nearest: dict[tuple[str, str], tuple[int, Fraction]] = {}
    for ticket in watched.open:
        result = watched.results[ticket]
        for clocked in result.targets:
            if clocked.outcome is not Outcome.PENDING or clocked.deadline is None:
                continue
            key = (result.request.priority, clocked.target.name)
            found = (clocked.deadline - now, _left(clocked))
            known = nearest.get(key)
            nearest[key] = (
                found if known is None else (min(known[0], found[0]), min(known[1], found[1]))
            )
    for (priority, target), (seconds, share) in sorted(nearest.items()):
        labels = (
            f'{{contract="{contract}",priority="{escape(priority)}",target="{escape(target)}"}}'
        )
        yield "slawatch_support_deadline_remaining_seconds", labels, seconds
        yield "slawatch_support_allowance_remaining_ratio", labels, float(share)


def _left(clocked: Clocked) -> Fraction:
    return Fraction(clocked.left_seconds, clocked.allowance_seconds)


def _objectives(watched: _Watched, contract: str) -> Iterable[tuple[str, str, float]]:
    """Per objective, over the requests opened in its current period so far."""
    for objective in watched.terms.objectives:
        period = watched.periods[objective.name]
        counts: Counter[Outcome] = Counter()
        at_risk = 0
        for result in watched.results.values():
            clocked = result.clocked(objective.target)
            if clocked is None or not period.start <= result.request.opened < period.end:
                continue
            counts[clocked.outcome] += 1
            pending = clocked.outcome is Outcome.PENDING and clocked.deadline is not None
            at_risk += pending and _left(clocked) < AT_RISK
        met, breached = counts[Outcome.MET], counts[Outcome.BREACHED]
        labels = f'contract="{contract}",objective="{escape(objective.name)}"'
        yield "slawatch_support_objective_share_ratio", f"{{{labels}}}", _share(met, breached)
        share = _share(met, breached + at_risk)
        yield "slawatch_support_objective_at_risk_share_ratio", f"{{{labels}}}", share
        threshold = float(objective.threshold_percent / 100)
        yield "slawatch_support_objective_threshold_ratio", f"{{{labels}}}", threshold
        for outcome in Outcome:
            outcome_labels = f'{{{labels},outcome="{outcome}"}}'
            yield "slawatch_support_objective_requests", outcome_labels, counts[outcome]


def _share(met: int, missed: int) -> float:
    """met / (met + missed); NaN when nothing is decided (it compares false)."""
    return met / (met + missed) if met + missed else math.nan
