"""Support requests and their events: written once, audited, read back for reports.

An import reads what the store already holds for the tickets it names, lets the
caller check the merged sequences (an event before ``opened``...) inside the same
write transaction, then adds only the events not yet stored: re-importing the
same file adds nothing, and a rejected one changes nothing. Each contract whose
requests changed gets one audit row naming the source and the tickets.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    bindparam,
    exists,
    func,
    literal,
    select,
    true,
)

from slawatch.sla.support import Event, EventKind, PauseReason, Request
from slawatch.store import schema as db
from slawatch.store.database import advisory_lock, bulk_insert, driver_rows
from slawatch.store.operator_records import Entity, audit

TICKETS = Entity("ticket", db.support_requests)
CHUNK = 900  # keys per IN (...) list: under SQLite's 999 bound parameters
_KINDS = {kind.value: kind for kind in EventKind}
_REASONS = {reason.value: reason for reason in PauseReason}
_EVENT_COLUMNS = ("request_id", "at", "event", "seq", "reason", "note")
# PostgreSQL advisory lock key: one ticket import (or store of clocks) at a time.
IMPORT_LOCK = 0x736C6174
_new_event = tuple.__new__

Key = tuple[str, str]  # (contract, ticket)


class TicketEvent(NamedTuple):
    """An event as an import or the API hands it over."""

    contract: str
    ticket: str
    event: EventKind
    at: int  # UTC seconds
    priority: str | None = None  # required on opened
    reason: PauseReason | None = None
    note: str = ""


@dataclass(slots=True)
class StoredTicket:
    """What the store holds for a ticket."""

    id: int
    priority: str
    events: list[Event] = field(default_factory=list)  # in stored order (time, arrival)


@dataclass(frozen=True, slots=True)
class TicketImport:
    read: int  # events in the input, duplicates included
    added: int  # of those, events the store did not hold yet
    requests_added: int  # tickets the store did not know yet
    tickets: Mapping[str, tuple[str, ...]]  # contract -> the tickets that gained events


class Unclocked(NamedTuple):
    """A request without stored clocks that hold as of the report: its id and events
    hash (to store its clocks under), and the request with every event."""

    id: int
    events_hash: str
    request: Request


Check = Callable[[Mapping[Key, StoredTicket]], None]
Gained = Callable[[Connection, list[Unclocked]], None]


def import_events(  # noqa: PLR0913 (the rows and their check; who, when, from where by keyword)
    conn: Connection,
    rows: Sequence[TicketEvent],
    check: Check,
    *,
    actor: str,
    now: int,
    source: str,
    gained: Gained | None = None,
) -> TicketImport:
    """Add the events of ``rows`` not stored yet, after ``check`` accepted the
    tickets as stored (it raises to refuse the whole input). Audited per contract.
    ``gained`` then sees, in the same transaction, each request that gained events,
    with all of them (to store its clocks)."""
    advisory_lock(conn, IMPORT_LOCK)  # what is stored stays so until this transaction ends
    stored = _stored(conn, {(r.contract, r.ticket) for r in rows})
    check(stored)
    fresh = _fresh(rows, stored)
    opened = [
        r for r in fresh if r.event is EventKind.OPENED and (r.contract, r.ticket) not in stored
    ]
    merged = _merged(fresh, stored)
    hashes = {key: events_hash(priority, events) for key, (priority, events) in merged.items()}
    stored.update(_add_requests(conn, opened, hashes))
    _add_events(conn, fresh, stored)
    _update_hashes(conn, hashes, stored, {(o.contract, o.ticket) for o in opened})
    if gained is not None:
        gained(conn, _gained(merged, hashes, stored))
    changed: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in fresh:
        changed[row.contract][row.ticket] += 1
    for contract, tickets in changed.items():
        detail = {"source": source, "events": sum(tickets.values()), "tickets": sorted(tickets)}
        audit(conn, TICKETS, "import", 0, contract, actor=actor, at=now, detail=detail)
    return TicketImport(
        len(rows), len(fresh), len(opened), {c: tuple(sorted(t)) for c, t in changed.items()}
    )


def _fresh(rows: Sequence[TicketEvent], stored: Mapping[Key, StoredTicket]) -> list[TicketEvent]:
    """The rows not stored yet, each once."""
    seen = {
        (key, event.kind, event.at) for key, ticket in stored.items() for event in ticket.events
    }
    fresh = []
    for row in rows:
        mark = ((row.contract, row.ticket), row.event, row.at)
        if mark not in seen:
            seen.add(mark)
            fresh.append(row)
    return fresh


def _stored(conn: Connection, keys: Iterable[Key]) -> dict[Key, StoredTicket]:
    """What the store holds for ``keys``: a few queries per thousand tickets."""
    by_contract: dict[str, list[str]] = defaultdict(list)
    for contract, ticket in keys:
        by_contract[contract].append(ticket)
    r = db.support_requests
    found: dict[Key, StoredTicket] = {}
    for contract, tickets in by_contract.items():
        for chunk in _chunks(tickets):
            query = select(r.c.id, r.c.ticket, r.c.priority).where(
                r.c.contract == contract, r.c.ticket.in_(chunk)
            )
            for request_id, ticket, priority in driver_rows(conn, query):
                found[(contract, ticket)] = StoredTicket(request_id, priority)
    by_id = {ticket.id: ticket for ticket in found.values()}
    e = db.support_events
    for chunk in _chunks(list(by_id)):
        query = (
            select(e.c.request_id, e.c.event, e.c.at, e.c.reason, e.c.note)
            .where(e.c.request_id.in_(chunk))
            .order_by(e.c.request_id, e.c.at, e.c.seq)
        )
        for request_id, *event in driver_rows(conn, query):
            by_id[request_id].events.append(_event(*event))
    return found


def events_hash(priority: str, events: Iterable[Event]) -> str:
    """A hash of what a request's clocks are computed from: its priority and its
    events (kind, instant, reason) in time order (at the same second, in arrival
    order). Notes are left out: they move no clock."""
    text = priority + "".join(
        f"\n{kind.value} {at} {reason.value if reason else ''}" for kind, at, reason, _ in events
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _merged(
    fresh: Sequence[TicketEvent], stored: Mapping[Key, StoredTicket]
) -> dict[Key, tuple[str, list[Event]]]:
    """The priority and every event (in stored order, without notes) of each request
    that gains events."""
    gained: dict[Key, list[Event]] = defaultdict(list)
    priorities: dict[Key, str] = {}
    for row in fresh:
        key = (row.contract, row.ticket)
        gained[key].append(_new_event(Event, (row.event, row.at, row.reason, "")))
        if row.priority is not None and row.event is EventKind.OPENED:
            priorities[key] = row.priority
    merged = {}
    for key, added in gained.items():
        known = stored.get(key)
        before = [] if known is None else known.events
        priority = priorities[key] if known is None else known.priority
        # Stored events are in (instant, arrival) order and those added arrive after
        # them: a stable sort by instant puts the whole in that order.
        merged[key] = priority, sorted([*before, *added], key=itemgetter(1))
    return merged


def _gained(
    merged: Mapping[Key, tuple[str, list[Event]]],
    hashes: Mapping[Key, str],
    stored: Mapping[Key, StoredTicket],
) -> list[Unclocked]:
    return [
        Unclocked(stored[key].id, hashes[key], Request(key[1], priority, tuple(events), key[0]))
        for key, (priority, events) in merged.items()
    ]


def _update_hashes(
    conn: Connection, hashes: Mapping[Key, str], stored: Mapping[Key, StoredTicket], new: set[Key]
) -> None:
    """Store the new events hash of the requests known before that gained events."""
    rows = [(value, stored[key].id) for key, value in hashes.items() if key not in new]
    if rows:
        r = db.support_requests
        conn.execute(
            r.update().where(r.c.id == bindparam("request")).values(events_hash=bindparam("hash")),
            [{"hash": value, "request": request_id} for value, request_id in rows],
        )


def _add_requests(
    conn: Connection, opened: Sequence[TicketEvent], hashes: Mapping[Key, str]
) -> dict[Key, StoredTicket]:
    """Insert a request per ``opened`` row; their ids, read back in one query (the
    lock keeps every id above the largest one before them ours)."""
    r = db.support_requests
    before = conn.execute(select(func.max(r.c.id))).scalar() or 0
    rows = [
        (o.contract, o.ticket, o.priority, o.at, hashes[(o.contract, o.ticket)]) for o in opened
    ]
    bulk_insert(conn, r, ("contract", "ticket", "priority", "opened_at", "events_hash"), rows)
    query = select(r.c.id, r.c.contract, r.c.ticket, r.c.priority).where(r.c.id > before)
    return {(c, t): StoredTicket(i, p) for i, c, t, p in driver_rows(conn, query)}


def _add_events(
    conn: Connection, fresh: Sequence[TicketEvent], stored: Mapping[Key, StoredTicket]
) -> None:
    count = {key: len(ticket.events) for key, ticket in stored.items()}
    rows = []
    for contract, ticket, kind, at, _, reason, note in fresh:
        key = (contract, ticket)
        seq = count[key]
        count[key] = seq + 1
        rows.append((stored[key].id, at, kind.value, seq, reason and reason.value, note))
    bulk_insert(conn, db.support_events, _EVENT_COLUMNS, rows)


def requests_opened(conn: Connection, contract: str, start: int, end: int) -> list[Request]:
    """The contract's requests opened in ``[start, end)``, with their events."""
    r = db.support_requests
    return _read(conn, and_(r.c.contract == contract, r.c.opened_at >= start, r.c.opened_at < end))


def open_requests(conn: Connection, contract: str) -> list[Request]:
    """The contract's requests not closed: no ``closed`` event, or one ``reopened`` since."""
    r = db.support_requests
    closing, later = db.support_events.alias("closing"), db.support_events.alias("later")
    reopened = exists().where(
        later.c.request_id == closing.c.request_id,
        later.c.event == "reopened",
        later.c.at > closing.c.at,
    )
    closed = exists().where(closing.c.request_id == r.c.id, closing.c.event == "closed", ~reopened)
    return _read(conn, and_(r.c.contract == contract, ~closed))


def tickets(conn: Connection, contract: str | None, ticket: str | None = None) -> list[Request]:
    """The requests of one contract or all (one ticket, if named), by opening, with notes."""
    r = db.support_requests
    clauses = [] if contract is None else [r.c.contract == contract]
    if ticket is not None:
        clauses.append(r.c.ticket == ticket)
    found = _read(conn, and_(true(), *clauses), notes=True)
    return sorted(found, key=lambda request: (request.opened, request.contract, request.ticket))


def _read(conn: Connection, where: ColumnElement[bool], notes: bool = False) -> list[Request]:
    """The requests matching ``where`` (over ``support_requests``) with their events
    (and notes, on request), by request id."""
    return [request for _, _, request in read_keyed(conn, where, notes)]


def read_keyed(
    conn: Connection, where: ColumnElement[bool], notes: bool = False
) -> list[tuple[int, str, Request]]:
    """``_read``'s requests, each with its id and events hash. The events come in
    their key's order (request, instant), which the database keeps without sorting;
    the few that share a second are put back in the order they arrived."""
    r, e = db.support_requests, db.support_events
    heads = driver_rows(
        conn,
        select(r.c.id, r.c.events_hash, r.c.contract, r.c.ticket, r.c.priority).where(where),
    )
    note = e.c.note if notes else literal("")
    events = driver_rows(
        conn,
        select(e.c.request_id, e.c.seq, e.c.event, e.c.at, e.c.reason, note)
        .where(e.c.request_id.in_(select(r.c.id).where(where)))
        .order_by(e.c.request_id, e.c.at),
    )
    return list(_assemble({row[0]: row[1:] for row in heads}, events))


def _assemble(
    heads: Mapping[int, Any], events: Iterable[Any]
) -> Iterator[tuple[int, str, Request]]:
    """Requests from their rows (by id) and their events' rows, grouped by request
    (one pass, no ``groupby``: a yearly report reads 400,000 events)."""
    current: int | None = None
    rows: list[Any] = []
    tie, last = False, None
    for row in events:
        if row[0] != current:
            if current is not None:
                yield current, heads[current][0], _request(heads[current][1:], rows, tie)
            current, rows, tie, last = row[0], [], False, None
        tie = tie or row[3] == last
        last = row[3]
        rows.append(row)
    if current is not None:
        yield current, heads[current][0], _request(heads[current][1:], rows, tie)


def _request(head: Any, rows: list[Any], tie: bool) -> Request:
    """A request from its row and its events' rows; ``tie``: two events share a
    second, which the database does not order: they are put in the order they came."""
    if tie:
        rows.sort(key=itemgetter(3, 1))
    contract, ticket, priority = head
    found = tuple(
        _new_event(Event, (_KINDS[kind], at, reason and _REASONS[reason], note))
        for _, _, kind, at, reason, note in rows
    )  # tuple.__new__: a yearly report builds 400,000 of them
    return Request(ticket, priority, found, contract)


def _event(kind: str, at: int, reason: str | None, note: str) -> Event:
    # tuple.__new__: a yearly report builds 400,000 of them.
    return _new_event(Event, (_KINDS[kind], at, reason and _REASONS[reason], note))


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk
