"""Stored clocks, over SQLite and PostgreSQL: a support report that reads them says
exactly what one computing every clock afresh says; a new event or a change of
terms makes them be computed again; migration 0006 up and down."""

from __future__ import annotations

import dataclasses
import io
import itertools
import json
import re
import zipfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import pytest
from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, inspect, text

from slawatch.app.context import Context
from slawatch.app.history import CsvError
from slawatch.app.records import key
from slawatch.app.support import assess_support_stored
from slawatch.app.tickets import add_ticket_event, import_ticket_events
from slawatch.config import load_config
from slawatch.reports.formats import render
from slawatch.reports.locale import Style
from slawatch.reports.support import SupportReport, request_dict, to_dict, to_json
from slawatch.sla.support import Allowance, AllowanceKind, EventKind, PauseReason, SupportTerms
from slawatch.sla.support_assess import (
    Assessed,
    Outcome,
    RequestResult,
    SupportAssessment,
    Written,
    assess_support,
    opened_before,
    resolve_support_period,
)
from slawatch.store import database
from slawatch.store.store import Store, TicketEvent
from slawatch.store.tickets import StoredTicket, events_hash

E = EventKind
MINUTE, HOUR, DAY = 60, 3600, 86400
CONFIG = load_config(Path(__file__).resolve().parents[2] / "config" / "seed-contracts.yaml")
TERMS = {
    name: model.support.terms(model.timezone)
    for name in ("cegid-portal", "ipfolio")
    if (model := CONFIG.contract(name)).support is not None
}
# Only the clocks that start at ``qualified``: a request never qualified has none.
TERMS["qualified-only"] = dataclasses.replace(
    TERMS["cegid-portal"], targets=TERMS["cegid-portal"].targets[1:], objectives=()
)
YEAR = resolve_support_period("2026", TERMS["cegid-portal"])
MONDAY = int(
    datetime.fromisoformat("2026-03-02T09:00:00+01:00").timestamp()
)  # a Cegid business day, 9:00
_contracts = itertools.count()


def accept(_: Mapping[tuple[str, str], StoredTicket]) -> None:
    """The events below are valid sequences: the store takes them as they are."""


def rows(
    contract: str, ticket: str, priority: str, *found: tuple[EventKind, int]
) -> list[TicketEvent]:
    return [
        TicketEvent(
            contract,
            ticket,
            kind,
            instant,
            priority if kind is E.OPENED else None,
            PauseReason.WAITING_CLIENT if kind in (E.PAUSED, E.RESUMED) else None,
        )
        for kind, instant in found
    ]


def report_text(terms: SupportTerms, assessment: SupportAssessment) -> str:
    return to_json(to_dict(SupportReport("c", "", terms, assessment)))


def fresh(store: Store, contract: str, terms: SupportTerms, as_of: int) -> SupportAssessment:
    """Every clock computed from the events, as before clocks were stored."""
    requests = store.requests_opened(contract, YEAR.start, YEAR.end)
    return assess_support(terms, requests, YEAR, as_of)


def clocks(terms: SupportTerms, assessment: SupportAssessment) -> list[object]:
    """What the assessment says of each request (its opening, its clocks' outcomes and
    the clocks as the report writes them; a request read back as ``Written`` says it
    with its stored text), and the objectives."""
    found: list[object] = [said(terms, r) for r in assessment.requests]
    return [*found, assessment.objectives]


def said(terms: SupportTerms, result: Assessed) -> tuple[object, ...]:
    if isinstance(result, Written):
        return (result.ticket, result.opened, sorted(result.outcomes), json.loads(result.json))
    request = result.request
    outcomes = sorted((c.target.name, c.outcome) for c in result.targets)
    return (request.ticket, request.opened, outcomes, request_dict(result, terms))


def outcomes(assessment: SupportAssessment) -> list[Outcome]:
    """Each clock's outcome, request after request, whether read or computed."""
    return [
        outcome
        for r in assessment.requests
        for _, outcome in (
            r.outcomes
            if isinstance(r, Written)
            else [(c.target.name, c.outcome) for c in r.targets]
        )
    ]


def full(result: RequestResult) -> tuple[object, ...]:
    """A request and its clocks as computed, the clocks' stored text left out."""
    request = result.request
    return (request.ticket, request.priority, request.opened, [c[:-1] for c in result.targets])


# -- a stored clock is the clock computed afresh -----------------------------------------------

# A request: its priority (by rank in the terms' own), its opening (through 2026, DST changes and holidays included),
# and steps after it: (kind, seconds later); a pause is one step, resumed or not.
STEPS = st.lists(
    st.tuples(
        st.sampled_from(["responded", "qualified", "resolved", "closed", "reopened", "pause"]),
        st.integers(1, 3 * DAY),
        st.one_of(st.none(), st.integers(1, 2 * DAY)),
    ),
    max_size=5,
)
REQUEST = st.tuples(st.integers(0, 3), st.integers(YEAR.start, YEAR.end - 20 * DAY), STEPS)


def request_events(
    opened: int, steps: list[tuple[str, int, int | None]]
) -> list[tuple[EventKind, int]]:
    found, instant = [(E.OPENED, opened)], opened
    for kind, after, pause in steps:
        instant += after
        if kind != "pause":
            found.append((E(kind), instant))
            continue
        found.append((E.PAUSED, instant))
        if pause is None:  # never resumed: the pause is the last step
            break
        instant += pause
        found.append((E.RESUMED, instant))
    return found


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.sampled_from(["cegid-portal", "ipfolio", "qualified-only"]),
    st.lists(REQUEST, min_size=1, max_size=6),
    st.lists(st.integers(YEAR.start, YEAR.end + 30 * DAY), min_size=2, max_size=3),
)
def test_a_report_from_stored_clocks_is_the_report_computed_afresh(
    store: Store,
    terms_name: str,
    requests: list[tuple[int, int, list[tuple[str, int, int | None]]]],
    moments: list[int],
) -> None:
    contract = f"c{next(_contracts)}"  # each example its own requests
    terms = TERMS[terms_name]
    imported = [
        row
        for i, (rank, opened, steps) in enumerate(requests)
        for row in rows(
            contract,
            f"T-{i}",
            terms.priorities[rank % len(terms.priorities)],
            *request_events(opened, steps),
        )
    ]
    store.import_ticket_events(imported, accept, actor="test", source="test")
    for as_of in [*moments, *moments]:  # once computing (and storing), once reading
        stored = assess_support_stored(store, contract, terms, YEAR, as_of)
        afresh = fresh(store, contract, terms, as_of)
        assert clocks(terms, stored) == clocks(terms, afresh)
        assert report_text(terms, stored) == report_text(terms, afresh)
        # The clocks themselves, as the metrics read them, are the ones computed afresh.
        start, end = opened_before(YEAR, as_of)
        read, _ = store.clocked_requests(contract, start, end, terms, as_of)
        computed = {r.request.ticket: r for r in afresh.requests if isinstance(r, RequestResult)}
        assert [full(r) for r in read] == [full(computed[r.request.ticket]) for r in read]


def test_settled_clocks_are_stored_and_read_pending_ones_computed(store: Store) -> None:
    terms = TERMS["cegid-portal"]
    settled = rows("cegid", "T-1", "3", (E.OPENED, MONDAY), (E.RESPONDED, MONDAY + HOUR))
    running = rows("cegid", "T-2", "3", (E.OPENED, MONDAY + MINUTE))
    store.import_ticket_events(settled + running, accept, actor="test", source="test")
    as_of = MONDAY + 2 * HOUR
    assess_support_stored(store, "cegid", terms, YEAR, as_of)
    stored, others = store.clocked_requests("cegid", YEAR.start, YEAR.end, terms, as_of)
    assert [r.request.ticket for r in stored] == ["T-1"]
    assert [o.request.ticket for o in others] == ["T-2"]
    # As of before the response, T-1's stored clock does not hold: computed, pending.
    early = assess_support_stored(store, "cegid", terms, YEAR, MONDAY + 30 * MINUTE)
    assert outcomes(early) == [Outcome.PENDING] * 2


def test_a_read_only_database_still_gives_the_report(tmp_path: Path) -> None:
    path = tmp_path / "slawatch.db"
    terms = TERMS["cegid-portal"]
    answered = rows("cegid", "T-1", "3", (E.OPENED, MONDAY), (E.RESPONDED, MONDAY + HOUR))
    with Store.open(f"sqlite:///{path}") as store:
        store.import_ticket_events(answered, accept, actor="test", source="test")
        expected = clocks(terms, fresh(store, "cegid", terms, MONDAY + DAY))
    with Store.open(f"sqlite:///file:{path}?mode=ro&uri=true") as read_only:
        found = assess_support_stored(read_only, "cegid", terms, YEAR, MONDAY + DAY)
        assert clocks(terms, found) == expected
        stored, _ = read_only.clocked_requests("cegid", YEAR.start, YEAR.end, terms, MONDAY + DAY)
        assert stored == []


# -- what makes a stored clock be computed again ------------------------------------------------


def test_a_late_event_recomputes_the_stored_clock(store: Store) -> None:
    """A response on Wednesday breaches 8 business hours; the helpdesk's earlier
    response, imported later, meets them: the stored clock must not hide it."""
    terms = TERMS["cegid-portal"]
    late = rows("cegid", "T-1", "3", (E.OPENED, MONDAY), (E.RESPONDED, MONDAY + 2 * DAY))
    store.import_ticket_events(late, accept, actor="test", source="test")
    as_of = MONDAY + 10 * DAY
    assert outcomes(assess_support_stored(store, "cegid", terms, YEAR, as_of)) == [Outcome.BREACHED]
    earlier = rows("cegid", "T-1", "3", (E.RESPONDED, MONDAY + HOUR))
    store.import_ticket_events(earlier, accept, actor="test", source="test")
    (after,) = assess_support_stored(store, "cegid", terms, YEAR, as_of).requests
    assert isinstance(after, RequestResult)  # computed again: the events changed
    assert (after.targets[0].stopped_at, after.targets[0].outcome) == (
        MONDAY + HOUR,
        Outcome.MET,
    )
    assert clocks(terms, assess_support_stored(store, "cegid", terms, YEAR, as_of)) == clocks(
        terms, fresh(store, "cegid", terms, as_of)
    )


def test_a_change_of_terms_recomputes_the_stored_clocks(store: Store) -> None:
    """Cegid Open allows 8 business hours; Private, 4: a response 5 hours in meets
    the one and breaches the other, whichever was stored first."""
    open_terms = TERMS["cegid-portal"]
    take, *others = open_terms.targets
    private = dataclasses.replace(
        open_terms,
        targets=(
            dataclasses.replace(take, allowance=Allowance(AllowanceKind.BUSINESS_TIME, 4 * HOUR)),
            *others,
        ),
    )
    answered = rows(
        "cegid", "T-1", "3", (E.OPENED, MONDAY), (E.RESPONDED, MONDAY + 5 * HOUR + 2 * HOUR)
    )
    store.import_ticket_events(answered, accept, actor="test", source="test")
    as_of = MONDAY + 10 * DAY
    found = [
        outcomes(assess_support_stored(store, "cegid", terms, YEAR, as_of))
        for terms in (open_terms, private, open_terms, open_terms)  # the last one reads
    ]
    assert found == [[Outcome.MET], [Outcome.BREACHED], [Outcome.MET], [Outcome.MET]]


def test_every_import_keeps_the_hash_of_the_events(store: Store, db_url: str) -> None:
    first = rows("cegid", "T-1", "2", (E.OPENED, MONDAY), (E.PAUSED, MONDAY + HOUR))
    store.import_ticket_events(first, accept, actor="test", source="test")
    then = rows("cegid", "T-1", "2", (E.RESUMED, MONDAY + 2 * HOUR), (E.RESPONDED, MONDAY + 30))
    store.import_ticket_events(then, accept, actor="test", source="test")
    (request,) = store.list_requests("cegid")
    assert stored_hashes(db_url) == [events_hash("2", request.events)]


def stored_hashes(db_url: str) -> list[str]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            found = conn.execute(text("SELECT events_hash FROM support_requests ORDER BY id"))
            return [value for (value,) in found]
    finally:
        engine.dispose()


# -- migration 0006 -----------------------------------------------------------------------------


def migrate(db_url: str, revision: str, down: bool = False) -> None:
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            config = database._alembic_config()
            config.attributes["connection"] = conn
            (command.downgrade if down else command.upgrade)(config, revision)
    finally:
        engine.dispose()


def test_migration_0006_hashes_stored_requests_and_goes_down_and_up(db_url: str) -> None:
    migrate(db_url, "0005")
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO support_requests (contract, ticket, priority, opened_at) "
                    f"VALUES ('cegid', 'T-1', '3', {MONDAY})"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO support_events (request_id, at, event, seq, reason, note) VALUES "
                    f"(1, {MONDAY}, 'opened', 0, NULL, ''), "
                    f"(1, {MONDAY + HOUR}, 'responded', 1, NULL, 'hi')"
                )
            )
    finally:
        engine.dispose()
    with Store.open(db_url) as store:  # migrates to 0006
        (request,) = store.list_requests("cegid")
        assert stored_hashes(db_url) == [events_hash("3", request.events)]
        terms = TERMS["cegid-portal"]
        assess_support_stored(store, "cegid", terms, YEAR, MONDAY + DAY)
        stored, others = store.clocked_requests("cegid", YEAR.start, YEAR.end, terms, MONDAY + DAY)
        assert (len(stored), others) == (1, [])
    migrate(db_url, "0005", down=True)
    assert not tables_with(db_url, "support_clocks")
    assert "events_hash" not in columns(db_url, "support_requests")
    migrate(db_url, "head")
    assert tables_with(db_url, "support_clocks")
    assert stored_hashes(db_url) == [events_hash("3", request.events)]


def tables_with(db_url: str, name: str) -> bool:
    engine = create_engine(db_url)
    try:
        return name in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def columns(db_url: str, table: str) -> list[str]:
    engine = create_engine(db_url)
    try:
        return [column["name"] for column in inspect(engine).get_columns(table)]
    finally:
        engine.dispose()


# -- an import stores the settled clocks with the events ---------------------------------------


def clock_rows(db_url: str) -> list[tuple[str, str]]:
    """(ticket, target) of every stored clock row."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text(
                    "SELECT r.ticket, c.target FROM support_clocks c "
                    "JOIN support_requests r ON r.id = c.request_id ORDER BY r.ticket, c.target"
                )
            )
            return [(ticket, target) for ticket, target in found]
    finally:
        engine.dispose()


def iso(instant: int) -> str:
    return datetime.fromtimestamp(instant, TERMS["cegid-portal"].zone).isoformat()


def test_an_import_stores_the_settled_clocks_the_first_report_reads(
    store: Store, db_url: str, tmp_path: Path
) -> None:
    """T-1 was answered (settled: stored), T-2 is still waiting (its clock runs)."""
    path = tmp_path / "events.csv"
    path.write_text(
        "ticket,contract,event,timestamp,priority\n"
        f"T-1,cegid-portal,opened,{iso(MONDAY)},3\n"
        f"T-1,cegid-portal,responded,{iso(MONDAY + HOUR)},\n"
        f"T-2,cegid-portal,opened,{iso(MONDAY + MINUTE)},1\n"
    )
    import_ticket_events(store, CONFIG, path, "test")
    assert clock_rows(db_url) == [("T-1", "take-in-charge")]
    terms, as_of = TERMS["cegid-portal"], MONDAY + DAY
    stored, others = store.clocked_requests("cegid-portal", YEAR.start, YEAR.end, terms, as_of)
    assert ([r.request.ticket for r in stored], [o.request.ticket for o in others]) == (
        ["T-1"],
        ["T-2"],
    )
    found = assess_support_stored(store, "cegid-portal", terms, YEAR, as_of)
    assert report_text(terms, found) == report_text(
        terms, fresh(store, "cegid-portal", terms, as_of)
    )


def test_an_api_event_stores_the_clock_it_settles(store: Store, db_url: str) -> None:
    context = Context(CONFIG, store, now=MONDAY + DAY, spell=key)
    for event, at in (("opened", MONDAY), ("responded", MONDAY + HOUR)):
        add_ticket_event(
            context, "ipfolio", "T-9", event=event, timestamp=iso(at), priority="high", actor="t"
        )
        settled_rows = [("T-9", "response-high")] if event == "responded" else []
        assert clock_rows(db_url) == settled_rows


def test_a_rejected_import_stores_no_clock(store: Store, db_url: str, tmp_path: Path) -> None:
    """The response would settle T-1's clock, but the file is refused whole."""
    path = tmp_path / "events.csv"
    path.write_text(f"T-1,cegid-portal,opened,{iso(MONDAY)},3\n")
    import_ticket_events(store, CONFIG, path, "test")
    path.write_text(
        f"T-1,cegid-portal,responded,{iso(MONDAY + HOUR)},\n"
        f"T-2,cegid-portal,responded,{iso(MONDAY)},\n"
    )
    with pytest.raises(CsvError, match=r"events.csv:2: event: .*no opened event"):
        import_ticket_events(store, CONFIG, path, "test")
    assert clock_rows(db_url) == []
    (request,) = store.list_requests("cegid-portal")
    assert [e.kind for e in request.events] == [E.OPENED]


def test_migration_0007_adds_the_text_and_goes_down_and_up(db_url: str) -> None:
    with Store.open(db_url) as store:
        answered = rows("cegid", "T-1", "3", (E.OPENED, MONDAY), (E.RESPONDED, MONDAY + HOUR))
        store.import_ticket_events(answered, accept, actor="test", source="test")
        assess_support_stored(store, "cegid", TERMS["cegid-portal"], YEAR, MONDAY + DAY)
    migrate(db_url, "0006", down=True)
    assert "json" not in columns(db_url, "support_clocks")
    migrate(db_url, "head")
    assert "json" in columns(db_url, "support_clocks")


# -- a report reads the stored text (``Written``) --------------------------------------------


def test_a_stored_clock_without_its_text_is_computed_again(store: Store, db_url: str) -> None:
    """A report joins the stored texts: a clock row without one (stored before texts
    were, or by hand) makes its request be computed, and stored again with its text."""
    terms = TERMS["cegid-portal"]
    answered = rows("cegid", "T-1", "3", (E.OPENED, MONDAY), (E.RESPONDED, MONDAY + HOUR))
    store.import_ticket_events(answered, accept, actor="test", source="test")
    as_of = MONDAY + DAY
    expected = report_text(terms, fresh(store, "cegid", terms, as_of))
    assess_support_stored(store, "cegid", terms, YEAR, as_of)  # stores the clock and text
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE support_clocks SET json = NULL"))
    finally:
        engine.dispose()
    for kind in (RequestResult, Written):  # computed and stored again, then read
        found = assess_support_stored(store, "cegid", terms, YEAR, as_of)
        assert [type(r) for r in found.requests] == [kind]
        assert report_text(terms, found) == expected


@pytest.mark.parametrize("fmt", ["csv", "html", "xlsx", "pdf"])
def test_every_format_from_stored_texts_is_the_format_computed_afresh(
    store: Store, tmp_path: Path, fmt: str
) -> None:
    """The first report after an import reads each settled request as its stored text:
    every format says byte for byte what it says from clocks computed afresh."""
    path = tmp_path / "events.csv"
    path.write_text(
        "ticket,contract,event,timestamp,priority,reason\n"
        f"T-1,cegid-portal,opened,{iso(MONDAY - 3 * DAY)},3,\n"  # a Friday, before hours
        f"T-1,cegid-portal,paused,{iso(MONDAY + HOUR)},,waiting_client\n"
        f"T-1,cegid-portal,resumed,{iso(MONDAY + 3 * HOUR)},,\n"
        f"T-1,cegid-portal,responded,{iso(MONDAY + DAY)},,\n"
        f"T-2,cegid-portal,opened,{iso(MONDAY + MINUTE)},1,\n"
        f"T-2,cegid-portal,qualified,{iso(MONDAY + 2 * HOUR)},,\n"
        f"T-2,cegid-portal,responded,{iso(MONDAY + 3 * HOUR)},,\n"
        f"T-2,cegid-portal,resolved,{iso(MONDAY + 2 * DAY)},,\n"
        f"T-3,cegid-portal,opened,{iso(MONDAY + 2 * MINUTE)},2,\n"  # still waiting
    )
    import_ticket_events(store, CONFIG, path, "test")
    terms = TERMS["cegid-portal"]
    as_of = MONDAY + 10 * DAY
    period = resolve_support_period("contract-year:2026", terms)
    found = assess_support_stored(store, "cegid-portal", terms, period, as_of)
    assert [type(r) for r in found.requests] == [Written, Written, RequestResult]
    requests = store.requests_opened("cegid-portal", period.start, period.end)
    afresh = assess_support(terms, requests, period, as_of)
    style = Style(locale="fr", view="customer")
    made = [
        undated(render(fmt, to_dict(SupportReport("c", "", terms, a)), "support", style))
        for a in (found, afresh, afresh)
    ]
    assert made[1] == made[2]  # the format itself writes the same bytes twice
    assert made[0] == made[1]


def undated(content: str | bytes) -> object:
    """``content`` without the time it was made (to the second): the PDF's creation
    time and the file identifier made from it; the XLSX's parts without its
    properties and the parts' times."""
    if isinstance(content, str):
        return content
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            names = [n for n in book.namelist() if n != "docProps/core.xml"]
            return {name: book.read(name) for name in names}
    return re.sub(rb"/CreationDate \(D:\d+Z\)|/ID \[<\w+><\w+>\]", b"", content)
