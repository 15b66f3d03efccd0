"""Support requests' stored clocks: what a report reads instead of computing them.

The core computes a request's clocks (``sla.support_assess``); once every clock
that has started has stopped, no later instant changes them until the request
gets an event (``settled``). The app then stores them here, one row per clock
that has started (``_rows``), tagged with the hash of the request's events (kept
by every import in ``support_requests.events_hash``) and the fingerprint of the
contract's support terms. A report reads the rows whose tags still match and
whose request had no event after the report's instant; the other requests come
back with their events, to be computed (and stored again once settled).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import ColumnElement, Connection, Select, and_, exists, func, select

from slawatch.sla.support import Event, EventKind, Request, SupportTarget, SupportTerms
from slawatch.sla.support_assess import (
    Clocked,
    Outcome,
    RequestResult,
    Written,
    business_days,
    days_text,
)
from slawatch.store import schema as db
from slawatch.store.database import advisory_lock, bulk_insert, driver_rows
from slawatch.store.tickets import CHUNK, IMPORT_LOCK, Unclocked, read_keyed

_COLUMNS = (
    "request_id", "target", "terms_hash", "events_hash", "last_at", "started", "clock_start",
    "allowance_seconds", "deadline", "stopped_at", "outcome", "business_seconds",
    "used_seconds", "paused_seconds", "pauses", "business_days", "json",
)  # fmt: skip
_T = TypeVar("_T")
_OUTCOMES = {outcome.value: outcome for outcome in Outcome}
_OPENED = EventKind.OPENED
_new_clocked = _new_event = _new_written = tuple.__new__  # 100,000 of each a year


class Computed(NamedTuple):
    """A request's clocks as the core computed them from every event of ``of``."""

    of: Unclocked
    result: RequestResult


def clocked_requests(  # noqa: PLR0913 (which requests, as of when, under which terms)
    conn: Connection, contract: str, start: int, end: int, *, terms: SupportTerms, as_of: int
) -> tuple[list[RequestResult], list[Unclocked]]:
    """The contract's requests opened in ``[start, end)``: those whose stored clocks
    hold as of ``as_of``, read; and the others, with their events."""
    holding = _holding(terms.fingerprint(), as_of)

    def read(where: ColumnElement[bool]) -> list[RequestResult]:
        return _results(driver_rows(conn, _clocks_query(where, holding)), contract, terms)

    return _split(conn, contract, start, end, holding=holding, read=read)


def written_requests(  # noqa: PLR0913 (which requests, as of when, under which terms)
    conn: Connection, contract: str, start: int, end: int, *, terms: SupportTerms, as_of: int
) -> tuple[list[Written], list[Unclocked]]:
    """``clocked_requests`` for a report: the requests whose stored clocks hold and keep
    their JSON text come back as ``Written`` (the text, the order and the outcomes,
    without rebuilding the clocks), in opening order; the others with their events."""
    holding = and_(_holding(terms.fingerprint(), as_of), db.support_clocks.c.json.is_not(None))

    def read(where: ColumnElement[bool]) -> list[Written]:
        r, c = db.support_requests, db.support_clocks
        query = (
            select(r.c.opened_at, r.c.ticket, c.c.target, c.c.outcome, c.c.json)
            .select_from(r.join(c, holding))
            .where(where)
        )
        return _written(driver_rows(conn, query))

    return _split(conn, contract, start, end, holding=holding, read=read)


def _split(  # noqa: PLR0913 (which requests, and how to read those whose clocks hold)
    conn: Connection,
    contract: str,
    start: int,
    end: int,
    *,
    holding: ColumnElement[bool],
    read: Callable[[ColumnElement[bool]], list[_T]],
) -> tuple[list[_T], list[Unclocked]]:
    """The contract's requests opened in ``[start, end)`` that have a stored clock
    ``holding``, as ``read`` gives them; and the others, with their events."""
    r = db.support_requests
    opened = and_(r.c.contract == contract, r.c.opened_at >= start, r.c.opened_at < end)
    # By id, from the ids the index gives: the database then reads the requests and
    # their clocks in key order (joined on the range itself, SQLite read the clocks of
    # the requests in opening order, scattered: twice as long).
    ids = select(r.c.id).where(opened)
    stored = read(r.c.id.in_(ids))
    count = conn.execute(select(func.count()).select_from(ids.subquery())).scalar_one()
    if len(stored) == count:  # the usual case, once the clocks are stored
        return stored, []
    missing = ~exists().where(holding)
    return stored, [Unclocked(*row) for row in read_keyed(conn, and_(opened, missing))]


def _holding(fingerprint: str, as_of: int) -> ColumnElement[bool]:
    """A stored clock of the request at hand that holds as of ``as_of``."""
    r, c = db.support_requests, db.support_clocks
    return and_(
        c.c.request_id == r.c.id,
        c.c.terms_hash == fingerprint,
        c.c.events_hash == r.c.events_hash,
        c.c.last_at <= as_of,
    )


def _written(rows: Sequence[Any]) -> list[Written]:
    """A ``Written`` per request from its clocks' rows (opened_at, ticket, target,
    outcome, text), put in opening order here: sorting the texts took the database
    longer than sorting the rows takes Python, and a request's rows end up together
    (a ticket is the contract's own). A row of nulls says no clock has started."""
    rows = sorted(rows)
    found: list[Written] = []
    last = None
    for opened, ticket, target, outcome, text in rows:
        if ticket == last:  # another clock of the request just read
            head = found[-1]
            found[-1] = head._replace(outcomes=(*head.outcomes, (target, _OUTCOMES[outcome])))
            continue
        last = ticket
        outcomes = () if outcome is None else _ONE[target, outcome]
        found.append(_new_written(Written, (opened, ticket, outcomes, text)))
    return found


class _One(dict[tuple[str, str], tuple[tuple[str, Outcome]]]):
    """A clock's outcome as ``Written.outcomes`` holds it, made once per target and
    outcome (most requests have one clock)."""

    def __missing__(self, key: tuple[str, str]) -> tuple[tuple[str, Outcome]]:
        found = self[key] = ((key[0], _OUTCOMES[key[1]]),)
        return found


_ONE = _One()


def _clocks_query(where: ColumnElement[bool], holding: ColumnElement[bool]) -> Select[Any]:
    """The requests of ``where`` whose clocks hold, with the clocks' rows (see ``_rows``)."""
    r, c = db.support_requests, db.support_clocks
    return (
        select(
            r.c.id,
            r.c.ticket,
            r.c.priority,
            r.c.opened_at,
            c.c.target,
            c.c.started,
            c.c.clock_start,
            c.c.allowance_seconds,
            c.c.deadline,
            c.c.stopped_at,
            c.c.outcome,
            c.c.business_seconds,
            c.c.used_seconds,
            c.c.paused_seconds,
            c.c.pauses,
            c.c.business_days,
            c.c.json,
        )
        .select_from(r.join(c, holding))
        .where(where)
        # In the report's order: ``summarize`` then sorts a sorted list, a pass (on a
        # list in id order, its sort took longer than the database's); the id keeps each
        # request's rows together.
        .order_by(r.c.opened_at, r.c.ticket, r.c.id)
    )


def _results(rows: Sequence[Any], contract: str, terms: SupportTerms) -> list[RequestResult]:
    """A ``RequestResult`` per request from its clocks' rows (grouped by request). Its
    request carries its ``opened`` event only: a report shows no other."""
    groups: list[list[Any]] = []
    current = None
    for row in rows:
        if row[0] != current:
            current = row[0]
            groups.append([row])
        else:
            groups[-1].append(row)
    targets = {t.name: t for t in terms.targets}
    rank = {t.name: i for i, t in enumerate(terms.targets)}
    return [_result(contract, group, targets, rank) for group in groups]


def _result(
    contract: str, rows: list[Any], targets: Mapping[str, SupportTarget], rank: Mapping[str, int]
) -> RequestResult:
    """The request of ``rows`` (one row per started clock, or one saying none has)."""
    head = rows[0]
    clocks: tuple[Clocked, ...]
    if len(rows) == 1:  # most requests: one clock, or none started (a row of nulls)
        clocks = () if head[5] is None else (_clocked(targets[head[4]], head),)
    else:
        rows.sort(key=lambda row: rank[row[4]])  # the terms' order, as the core gives them
        clocks = tuple(_clocked(targets[row[4]], row) for row in rows)
    opening = (_new_event(Event, (_OPENED, head[3], None, "")),)
    request = Request(head[1], head[2], opening, contract)
    return RequestResult(request, clocks, head[16])


def _clocked(target: SupportTarget, row: Any) -> Clocked:
    return _new_clocked(
        Clocked,
        (target, *row[5:10], _OUTCOMES[row[10]], *row[11:14], _spans(row[14]), row[15]),
    )


def _spans(pauses: str) -> tuple[tuple[int, int], ...]:
    """The pauses of ``_rows``' text ("start-end start-end"); most clocks have one."""
    if not pauses:
        return ()
    if " " not in pauses:
        start, _, end = pauses.partition("-")
        return ((int(start), int(end)),)
    return tuple(zip(*[map(int, pauses.replace("-", " ").split())] * 2, strict=True))


def store_clocks(conn: Connection, terms: SupportTerms, computed: Sequence[Computed]) -> None:
    """Store (or replace) the clocks of ``computed``, each settled: see the module."""
    if not computed:
        return
    advisory_lock(conn, IMPORT_LOCK)  # one writer of a request's rows at a time
    fingerprint = terms.fingerprint()
    c = db.support_clocks
    ids = [item.of.id for item in computed]
    for start in range(0, len(ids), CHUNK):
        conn.execute(c.delete().where(c.c.request_id.in_(ids[start : start + CHUNK])))
    rows = [row for item in computed for row in _rows(item, fingerprint, terms)]
    bulk_insert(conn, c, _COLUMNS, rows)


def _rows(item: Computed, fingerprint: str, terms: SupportTerms) -> Iterator[tuple[Any, ...]]:
    """A row per clock that has started; a request none of whose clocks has started
    (none may ever start, or its priority has no target) has one row, of target ``""``
    and nulls, which says so (a report then reads one row or more per request)."""
    request_id, events_hash, request = item.of
    head = (request_id, fingerprint, events_hash, request.events[-1].at)
    if not item.result.targets:
        yield (head[0], "", *head[1:], *(None,) * 11, item.result.json)
    for clocked in item.result.targets:
        pauses = " ".join(f"{s}-{e}" for s, e in clocked.pauses)
        yield (
            head[0], clocked.target.name, *head[1:], clocked.started, clocked.clock_start,
            clocked.allowance_seconds, clocked.deadline, clocked.stopped_at,
            clocked.outcome.value, clocked.business_seconds, clocked.used_seconds,
            clocked.paused_seconds, pauses, days_text(business_days(terms, clocked)),
            item.result.json,
        )  # fmt: skip
