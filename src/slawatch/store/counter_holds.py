"""The SLA counters held above the data, one row per contract (schema.sla_counter_holds).

The leading agent writes a contract's row when a correction downwards makes it hold its
counters (exporters/sla_metrics.py); the agent that leads next reads the rows and carries
on from them. A row of an older period than the one written is replaced; of the same
period, each counter keeps the higher value, as an exported counter does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import Connection, delete, insert, select

from slawatch.store import schema as db


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
    stored = read(conn, [hold.contract for hold in holds])
    merged = [_merge(stored.get(hold.contract), hold) for hold in holds]
    conn.execute(delete(table).where(table.c.contract.in_([hold.contract for hold in holds])))
    conn.execute(insert(table), [hold._asdict() for hold in merged])


def read(conn: Connection, contracts: Sequence[str] | None = None) -> dict[str, CounterHold]:
    """The rows of ``contracts`` (None: all), by contract."""
    table = db.sla_counter_holds
    query = select(table)
    if contracts is not None:
        query = query.where(table.c.contract.in_(contracts))
    return {row.contract: CounterHold(*row) for row in conn.execute(query)}


def _merge(stored: CounterHold | None, hold: CounterHold) -> CounterHold:
    if stored is None or stored.period_start < hold.period_start:
        return hold
    if stored.period_start > hold.period_start:
        return stored
    return hold._replace(
        reference_seconds=max(stored.reference_seconds, hold.reference_seconds),
        downtime_seconds=max(stored.downtime_seconds, hold.downtime_seconds),
    )
