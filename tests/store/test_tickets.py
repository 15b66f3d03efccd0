"""Support requests in the store, over SQLite and PostgreSQL: idempotent imports,
refusals that keep nothing, the audit trail, and the reads reports need."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pytest

from slawatch.sla.support import Event, EventKind, PauseReason, Request
from slawatch.store.store import Store, TicketEvent
from slawatch.store.tickets import StoredTicket

E = EventKind
T0 = 1_790_000_000
WAITING = PauseReason.WAITING_CLIENT


def accept(_: Mapping[tuple[str, str], StoredTicket]) -> None:
    """A check that lets everything in."""


def events(*found: tuple[str, EventKind, int], contract: str = "cegid") -> list[TicketEvent]:
    return [
        TicketEvent(
            contract,
            ticket,
            kind,
            at,
            "2" if kind is E.OPENED else None,
            WAITING if kind is E.PAUSED else None,
            f"{kind} note",
        )
        for ticket, kind, at in found
    ]


FIRST = events(
    ("T-1", E.OPENED, T0),
    ("T-1", E.PAUSED, T0 + 60),
    ("T-2", E.OPENED, T0 + 10),
    ("T-1", E.RESUMED, T0 + 120),
)


def test_import_stores_requests_and_events(store: Store) -> None:
    result = store.import_ticket_events(FIRST, accept, actor="ops", source="a.csv")
    assert (result.read, result.added, result.requests_added) == (4, 4, 2)
    assert result.tickets == {"cegid": ("T-1", "T-2")}
    assert store.list_requests("cegid") == [
        Request(
            "T-1",
            "2",
            (
                Event(E.OPENED, T0, None, "opened note"),
                Event(E.PAUSED, T0 + 60, WAITING, "paused note"),
                Event(E.RESUMED, T0 + 120, None, "resumed note"),
            ),
            "cegid",
        ),
        Request("T-2", "2", (Event(E.OPENED, T0 + 10, None, "opened note"),), "cegid"),
    ]
    # Reports read no notes.
    assert store.requests_opened("cegid", T0, T0 + 11) == [
        Request(r.ticket, r.priority, tuple(e._replace(note="") for e in r.events), "cegid")
        for r in store.list_requests("cegid")
    ]
    assert [r.ticket for r in store.requests_opened("cegid", T0 + 1, T0 + 11)] == ["T-2"]
    assert store.requests_opened("other", T0, T0 + 11) == []


def test_reimporting_adds_nothing_and_new_events_join_their_ticket(store: Store) -> None:
    store.import_ticket_events(FIRST, accept, actor="ops", source="a.csv")
    again = store.import_ticket_events(FIRST, accept, actor="ops", source="a.csv")
    assert (again.read, again.added, again.requests_added, again.tickets) == (4, 0, 0, {})
    more = events(("T-2", E.RESPONDED, T0 + 3600), ("T-2", E.RESPONDED, T0 + 3600))
    result = store.import_ticket_events(FIRST + more, accept, actor="ops", source="b.csv")
    assert (result.read, result.added) == (6, 1)
    (t2,) = store.list_requests("cegid", "T-2")
    assert [e.kind for e in t2.events] == [E.OPENED, E.RESPONDED]


def test_the_check_sees_stored_events_and_a_refusal_keeps_nothing(store: Store) -> None:
    store.import_ticket_events(FIRST, accept, actor="ops", source="a.csv")
    seen: dict[tuple[str, str], list[EventKind]] = {}

    def refuse(stored: Mapping[tuple[str, str], StoredTicket]) -> None:
        seen.update({key: [e.kind for e in t.events] for key, t in stored.items()})
        raise ValueError("b.csv:2: event: resumed without paused (ticket T-1)")

    late = events(("T-1", E.RESUMED, T0 + 900), ("T-3", E.OPENED, T0))
    with pytest.raises(ValueError, match="resumed without paused"):
        store.import_ticket_events(late, refuse, actor="ops", source="b.csv")
    assert seen == {("cegid", "T-1"): [E.OPENED, E.PAUSED, E.RESUMED]}
    assert [r.ticket for r in store.list_requests()] == ["T-1", "T-2"]
    assert len(store.audit_log("cegid")) == 1


def test_every_import_that_changes_something_is_audited(store: Store, now: int) -> None:
    store.import_ticket_events(FIRST, accept, actor="ops", source="a.csv")
    store.import_ticket_events(FIRST, accept, actor="ops", source="a.csv")  # adds nothing
    other = events(("X-1", E.OPENED, T0), contract="ipfolio")
    store.import_ticket_events(other, accept, actor="webhook", source="api")
    log = store.audit_log()
    assert [(a.action, a.entity, a.contract, a.actor, a.at) for a in log] == [
        ("ticket.import", "ticket", "cegid", "ops", now),
        ("ticket.import", "ticket", "ipfolio", "webhook", now),
    ]
    assert json.loads(log[0].detail) == {"source": "a.csv", "events": 4, "tickets": ["T-1", "T-2"]}


def test_events_at_the_same_second_keep_their_arrival_order(store: Store) -> None:
    rows = events(
        ("T-1", E.OPENED, T0),
        ("T-1", E.PAUSED, T0 + 60),
        ("T-1", E.RESUMED, T0 + 120),
        ("T-1", E.PAUSED, T0 + 120),  # paused again in the second it was resumed
    )
    store.import_ticket_events(rows, accept, actor="ops", source="a.csv")
    (request,) = store.list_requests("cegid")
    assert [e.kind for e in request.events] == [E.OPENED, E.PAUSED, E.RESUMED, E.PAUSED]


def test_open_requests_leave_out_closed_ones_unless_reopened(store: Store) -> None:
    rows = events(
        ("open", E.OPENED, T0),
        ("closed", E.OPENED, T0),
        ("closed", E.CLOSED, T0 + 60),
        ("reopened", E.OPENED, T0),
        ("reopened", E.CLOSED, T0 + 60),
        ("reopened", E.REOPENED, T0 + 120),
        ("closed-again", E.OPENED, T0),
        ("closed-again", E.CLOSED, T0 + 60),
        ("closed-again", E.REOPENED, T0 + 120),
        ("closed-again", E.CLOSED, T0 + 180),
    )
    store.import_ticket_events(rows, accept, actor="ops", source="a.csv")
    assert sorted(r.ticket for r in store.open_requests("cegid")) == ["open", "reopened"]


def test_a_large_import_reads_back_whole(store: Store) -> None:
    rows = [
        e
        for i in range(3_000)  # more tickets than one IN (...) list holds
        for e in events((f"T-{i}", E.OPENED, T0 + i), (f"T-{i}", E.RESPONDED, T0 + i + 60))
    ]
    result = store.import_ticket_events(rows, accept, actor="ops", source="big.csv")
    assert (result.added, result.requests_added) == (6_000, 3_000)
    again = store.import_ticket_events(rows, accept, actor="ops", source="big.csv")
    assert again.added == 0
    found = store.requests_opened("cegid", T0, T0 + 3_000)
    assert len(found) == 3_000 and all(len(r.events) == 2 for r in found)
