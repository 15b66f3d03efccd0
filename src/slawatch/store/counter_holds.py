"""The SLA counters held above the data, one row per contract (schema.sla_counter_holds).

The leading agent writes a contract's row when a correction downwards makes it hold a
counter (exporters/sla_metrics.py; a counter not held is written as 0); the agent that
leads next reads the rows and carries on from them. A row of an earlier period than the
one written is replaced; of the same period, each counter keeps its higher value, as an
exported counter does; of a later one, it stays. One statement does it, so two agents
that both believe they lead (for the seconds a lost lock takes to notice) write in turn.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, case, select

from slawatch.store import schema as db
from slawatch.store.database import greatest, upsert


class CounterHold(NamedTuple):
    """A contract's counters as exported, for the period starting at ``period_start``."""

    contract: str
    period_start: int  # UTC seconds
    reference_seconds: int
    downtime_seconds: int


def write(conn: Connection, holds: Sequence[CounterHold]) -> None:
    """Store ``holds``, each merged with the contract's row (see the module)."""
    if not holds:
        return
    table = db.sla_counter_holds
    statement = upsert(conn, table)
    new, old = statement.excluded, table.c
    later, same = new.period_start > old.period_start, new.period_start == old.period_start

    def merged(column: str) -> Any:
        return case(
            (later, new[column]),
            (same, greatest(conn, old[column], new[column])),
            else_=old[column],
        )

    statement = statement.on_conflict_do_update(
        index_elements=["contract"],
        set_={
            column: merged(column)
            for column in ("period_start", "reference_seconds", "downtime_seconds")
        },
    )
    conn.execute(statement, [hold._asdict() for hold in holds])


def read(conn: Connection) -> dict[str, CounterHold]:
    """Every contract's row, by contract."""
    return {row.contract: CounterHold(*row) for row in conn.execute(select(db.sla_counter_holds))}
