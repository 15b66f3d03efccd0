"""Support request events from a helpdesk (SPEC section 7): ``slawatch ticket import``
and the API's ticket events, one code path.

Columns ``ticket,contract,event,timestamp`` then optional ``priority,reason,note``;
a header row naming them is optional (and may reorder them); lines count from the
header as line 1. Each row is checked on its own (a known contract with a support
part, a known event, a timestamp with its offset, the contract's own priority on
``opened``, a pause reason where one belongs), then each ticket's events together
with those already stored (none before ``opened``, no ``resumed`` without
``paused``, one priority), inside the store's write transaction. The first
problem, by line, refuses the whole input with one line naming the file, the
line and the column; nothing is kept. Timestamps keep whole seconds.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from slawatch.app.context import Context, Spell
from slawatch.app.history import CsvError, header_cells, stamped
from slawatch.app.records import END_INSTANT, FIRST_INSTANT, FieldError, key
from slawatch.app.support import settled_clocks
from slawatch.config import Config
from slawatch.config.errors import listing
from slawatch.sla.support import (
    Event,
    EventKind,
    PauseReason,
    SupportTerms,
    sequence_problems,
)
from slawatch.store.store import Computed, Store, TicketEvent, TicketImport, Unclocked
from slawatch.store.tickets import StoredTicket

if TYPE_CHECKING:
    from _csv import Reader

COLUMNS = ("ticket", "contract", "event", "timestamp", "priority", "reason", "note")
REQUIRED = 4
_EVENTS = {kind.value: kind for kind in EventKind}
_REASONS = {reason.value: reason for reason in PauseReason}
_PAUSES = (EventKind.PAUSED, EventKind.RESUMED)
_new_event = tuple.__new__


class EventRefused(FieldError):
    """A well-formed event that the contract does not take: a priority it does not
    have, a pause reason where none belongs or missing where one does."""


class EventConflict(FieldError):
    """An event that does not fit the ticket's events (those stored and those given
    with it): before ``opened``, a ``resumed`` without ``paused``, another priority."""


@dataclass(frozen=True, slots=True)
class SupportContracts:
    """The contracts of a config that have a support part, as an import checks them."""

    terms: Mapping[str, SupportTerms]  # contract -> its support terms
    names: tuple[str, ...]  # every contract of the config

    @classmethod
    def of(cls, config: Config) -> SupportContracts:
        found = {
            c.name: c.support.terms(c.timezone) for c in config.contracts if c.support is not None
        }
        return cls(found, tuple(c.name for c in config.contracts))

    def priorities(self, contract: str) -> tuple[str, ...]:
        return self.terms[contract].priorities

    def settle(self, gained: Sequence[Unclocked]) -> list[tuple[SupportTerms, list[Computed]]]:
        """The settled clocks of the requests an import gave events, by contract: the
        import stores them with the events (``Store.import_ticket_events``)."""
        by_contract: dict[str, list[Unclocked]] = defaultdict(list)
        for item in gained:
            by_contract[item.request.contract].append(item)
        return [
            (self.terms[name], settled_clocks(self.terms[name], items))
            for name, items in by_contract.items()
        ]


def ticket_event(cells: Sequence[str], known: SupportContracts, spell: Spell) -> TicketEvent:
    """The event in ``cells`` (``COLUMNS`` order); ``FieldError`` names the bad one."""
    ticket, contract, event, timestamp, priority, reason, note = (c.strip() for c in cells)
    if not ticket:
        raise FieldError("ticket", f"{spell('ticket')}: required (the helpdesk's reference)")
    kind = _EVENTS.get(event)
    if kind is None:
        raise FieldError(
            "event", f"{spell('event')}: unknown event {event!r} (events: {', '.join(_EVENTS)})"
        )
    _check_contract(contract, known, spell)
    try:
        at = int(stamped(timestamp).timestamp())
    except ValueError as exc:
        raise FieldError("timestamp", f"{spell('timestamp')}: {exc}") from None
    if not FIRST_INSTANT <= at < END_INSTANT:
        message = f"{timestamp!r} is outside the years 1970..9998"
        raise FieldError("timestamp", f"{spell('timestamp')}: {message}")
    return _new_event(
        TicketEvent,
        (
            contract,
            ticket,
            kind,
            at,
            _priority(priority, kind, contract, known, spell),
            _reason(reason, kind, spell),
            note,
        ),
    )


def _check_contract(contract: str, known: SupportContracts, spell: Spell) -> None:
    if contract in known.terms:
        return
    if contract in known.names:
        message = (
            f"contract {contract!r} has no support part (those with one: {listing(known.terms)})"
        )
    else:
        message = f"unknown contract {contract!r} (known: {listing(known.names)})"
    raise FieldError("contract", f"{spell('contract')}: {message}")


def _priority(
    text: str, kind: EventKind, contract: str, known: SupportContracts, spell: Spell
) -> str | None:
    allowed = known.priorities(contract)
    if not text:
        if kind is EventKind.OPENED:
            message = f"required on opened ({contract}'s priorities: {', '.join(allowed)})"
            raise EventRefused("priority", f"{spell('priority')}: {message}")
        return None
    if text not in allowed:
        message = f"unknown priority {text!r} for {contract} (its priorities: {', '.join(allowed)})"
        raise EventRefused("priority", f"{spell('priority')}: {message}")
    return text


def _reason(text: str, kind: EventKind, spell: Spell) -> PauseReason | None:
    reasons = ", ".join(_REASONS)
    if not text:
        if kind is EventKind.PAUSED:
            raise EventRefused("reason", f"{spell('reason')}: required on paused ({reasons})")
        return None
    if kind not in _PAUSES:
        raise EventRefused("reason", f"{spell('reason')}: only paused and resumed take a reason")
    found = _REASONS.get(text)
    if found is None:
        raise FieldError("reason", f"{spell('reason')}: unknown reason {text!r} ({reasons})")
    return found


# -- the CSV file --------------------------------------------------------------------------


def read_ticket_events(path: Path, known: SupportContracts) -> tuple[list[TicketEvent], list[int]]:
    """Every event of the file and the line it starts on; ``CsvError`` at the first bad row."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise CsvError(f"{path}: cannot read ticket events: {exc.strerror}") from None
    with handle:
        reader = csv.reader(handle)
        events: list[TicketEvent] = []
        lines: list[int] = []
        line = 1
        try:
            for line, cells in _rows(reader, path):
                events.append(ticket_event(cells, known, key))
                lines.append(line)
        except FieldError as exc:
            raise CsvError(f"{path}:{line}: {exc}") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise CsvError(f"{path}:{reader.line_num}: unreadable CSV: {exc}") from None
    return events, lines


def _rows(reader: Reader, path: Path) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells in ``COLUMNS`` order) of each data row; blank lines skipped."""
    cells: list[int] | None = None  # where each column is, once the first row is read
    start = 1
    for row in reader:
        end = reader.line_num
        if cells is None:
            cells = list(range(len(COLUMNS)))
            if any(cell.strip().lower() in COLUMNS[:REQUIRED] for cell in row):
                cells = header_cells(row, path, COLUMNS, REQUIRED)
                start = end + 1
                continue
        if row:
            if len(row) < REQUIRED:
                wanted = ",".join(COLUMNS[:REQUIRED])
                raise CsvError(
                    f"{path}:{start}: expected at least {wanted} (got {len(row)} columns)"
                )
            padded = row + [""] * (max(cells) + 1 - len(row))
            yield start, [padded[i] for i in cells]
        start = end + 1


def import_ticket_events(store: Store, config: Config, path: Path, actor: str) -> TicketImport:
    """Store the file's events not stored yet; refused whole at its first bad line."""
    known = SupportContracts.of(config)
    events, lines = read_ticket_events(path, known)

    def check(stored: Mapping[tuple[str, str], StoredTicket]) -> None:
        for index, field, message in sequence_errors(events, stored):
            raise CsvError(f"{path}:{lines[index]}: {field}: {message}")

    return store.import_ticket_events(
        events, check, actor=actor, source=str(path), settle=known.settle
    )


def add_ticket_event(  # noqa: PLR0913 (the context, whose ticket; the event's fields by keyword)
    context: Context,
    contract: str,
    ticket: str,
    *,
    event: str,
    timestamp: str,
    priority: str | None = None,
    reason: str | None = None,
    note: str = "",
    actor: str,
) -> TicketImport:
    """Store one event of ``ticket`` (a helpdesk's webhook), checked like a file's row
    and with the ticket's stored events; re-sending it adds nothing. Audited."""
    spell = context.spell
    cells = (ticket, contract, event, timestamp, priority or "", reason or "", note)
    known = SupportContracts.of(context.config)
    row = ticket_event(cells, known, spell)

    def check(stored: Mapping[tuple[str, str], StoredTicket]) -> None:
        for _, field, message in sequence_errors([row], stored):
            raise EventConflict(field, f"{spell(field)}: {message}")

    return context.store.import_ticket_events(
        [row], check, actor=actor, source="api", settle=known.settle
    )


# -- a ticket's events together ------------------------------------------------------------


def sequence_errors(
    rows: Sequence[TicketEvent], stored: Mapping[tuple[str, str], StoredTicket]
) -> list[tuple[int, str, str]]:
    """(row index, column, message) of what is wrong with each ticket's events taken
    with those stored, by row index."""
    by_ticket: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_ticket[(row.contract, row.ticket)].append(i)
    found: list[tuple[int, str, str]] = []
    for ticket_key, indexes in by_ticket.items():
        found.extend(_ticket_errors(rows, indexes, stored.get(ticket_key)))
    return sorted(found)


def _ticket_errors(
    rows: Sequence[TicketEvent], indexes: list[int], stored: StoredTicket | None
) -> Iterator[tuple[int, str, str]]:
    base = [] if stored is None else stored.events
    seen = {(e.kind, e.at) for e in base}
    fresh = []
    for i in indexes:
        mark = (rows[i].event, rows[i].at)
        if mark not in seen:  # already stored, or twice in the input: not a new event
            seen.add(mark)
            fresh.append(i)
    ticket = rows[indexes[0]].ticket
    yield from _priority_errors(rows, fresh, stored, ticket)
    merged = [*base, *(Event(rows[i].event, rows[i].at) for i in fresh)]
    for position, problem in sequence_problems(merged).items():
        blamed = fresh[position - len(base)] if position >= len(base) else fresh[0]
        field = "timestamp" if problem.startswith("comes before") else "event"
        yield blamed, field, f"{problem} (ticket {ticket})"


def _priority_errors(
    rows: Sequence[TicketEvent], fresh: list[int], stored: StoredTicket | None, ticket: str
) -> Iterator[tuple[int, str, str]]:
    """A ticket keeps the priority it was opened with."""
    opened = (rows[i].priority for i in fresh if rows[i].event is EventKind.OPENED)
    expected = stored.priority if stored is not None else next(opened, None)
    for i in fresh:
        given = rows[i].priority
        if expected is not None and given is not None and given != expected:
            message = f"ticket {ticket} was opened with priority {expected} (got {given})"
            yield i, "priority", message
