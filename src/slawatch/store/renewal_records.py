"""Renewals recorded and expiry notices, as rows (SPEC section 6).

A renewal is checked by the core (``slawatch.sla.renewals.quote``) against the
renewals already recorded, and inserted with its audit row, in one transaction.
A notice row moves ``due -> sending -> sent`` (or back to ``due`` after a failure
that delivered nothing, or to ``in_doubt`` when the hand-over was cut); every move
is one conditional UPDATE, so two agents on one database never both send it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Connection, Row, insert, select, update
from sqlalchemy.exc import IntegrityError

from slawatch.sla.renewals import (
    Delivery,
    Notice,
    Quote,
    Renewal,
    RenewalState,
    RenewalTerms,
    quote,
)
from slawatch.store import schema as db
from slawatch.store.database import StoreError, upsert
from slawatch.store.operator_records import Entity, audit

RENEWAL = Entity("renewal", db.renewals)


@dataclass(frozen=True, slots=True)
class RenewalRecord:
    id: int
    contract: str
    original_expiry: date  # the configured expiry it counts from
    seq: int  # 1, 2, ... in date order
    renewed_on: date  # local date it was made
    years: int
    state: RenewalState  # the item's state that day
    previous_expiry: date
    expires: date  # the new expiry
    price: Decimal  # for ``years`` years
    fee: Decimal  # the reinstatement fee
    currency: str
    author: str
    created_at: int  # UTC seconds

    def renewal(self) -> Renewal:
        """The renewal as the core counts it."""
        return Renewal(self.renewed_on, self.years)


@dataclass(frozen=True, slots=True)
class NoticeRecord:
    id: int
    contract: str
    expires: date  # the expiry it is about
    offset_days: int
    channel: str
    due: date
    status: Delivery
    attempts: int  # failed attempts so far
    retry_at: int  # UTC seconds
    last_error: str | None
    claimed_at: int | None
    sent_at: int | None
    late: bool | None  # set once sent
    created_at: int

    def notice(self) -> Notice:
        return Notice(self.offset_days, self.due)


def renewal_rows(conn: Connection, contract: str, original_expiry: date) -> list[RenewalRecord]:
    """An item's renewals, oldest first."""
    r = db.renewals
    query = (
        select(r)
        .where(r.c.contract == contract, r.c.original_expiry == original_expiry)
        .order_by(r.c.seq)
    )
    return [_renewal_record(row) for row in conn.execute(query)]


def add_renewal(  # noqa: PLR0913, PLR0917 (what a renewal needs, and who records it when)
    conn: Connection,
    contract: str,
    terms: RenewalTerms,
    on: date,
    years: int,
    actor: str,
    now: int,
) -> RenewalRecord:
    """Check a renewal against those recorded and insert it with its audit row.

    Raises ``RenewalRefused`` (a ``ValueError``) when the policy refuses it and
    ``StoreError`` when someone else recorded one for the item meanwhile.
    """
    before = renewal_rows(conn, contract, terms.expires)
    made = quote(terms, [r.renewal() for r in before], on, years)
    values = _renewal_values(contract, terms, made, len(before) + 1)
    try:
        result = conn.execute(insert(db.renewals).values(author=actor, created_at=now, **values))
    except IntegrityError:  # the unique (contract, original_expiry, seq) index: a race lost
        raise StoreError(
            f"{contract}: another renewal was recorded meanwhile; run the command again"
        ) from None
    new_id = int(cast("Row[Any]", result.inserted_primary_key)[0])
    detail = {key: str(value) for key, value in values.items()}
    audit(conn, RENEWAL, "add", new_id, contract, actor=actor, at=now, detail=detail)
    row = conn.execute(select(db.renewals).where(db.renewals.c.id == new_id)).one()
    return _renewal_record(row)


def _renewal_values(contract: str, terms: RenewalTerms, made: Quote, seq: int) -> dict[str, Any]:
    return {
        "contract": contract,
        "original_expiry": terms.expires,
        "seq": seq,
        "renewed_on": made.renewal.on,
        "years": made.renewal.years,
        "state": made.state.value,
        "previous_expiry": made.previous_expiry,
        "expires": made.expires,
        "price": str(made.price),
        "fee": str(made.fee),
        "currency": terms.currency,
    }


def _renewal_record(row: Row[Any]) -> RenewalRecord:
    values = row._asdict()
    values["state"] = RenewalState(row.state)
    values["price"], values["fee"] = Decimal(row.price), Decimal(row.fee)
    return RenewalRecord(**values)


# -- notices ---------------------------------------------------------------------------------


def notice_rows(
    conn: Connection, contract: str | None = None, expires: date | None = None
) -> list[NoticeRecord]:
    """Notice rows of one item's expiry, of one contract, or all; by due date."""
    n = db.renewal_notices
    query = select(n).order_by(n.c.contract, n.c.due, n.c.channel)
    if contract is not None:
        query = query.where(n.c.contract == contract)
    if expires is not None:
        query = query.where(n.c.expires == expires)
    return [_notice_record(row) for row in conn.execute(query)]


def add_due(
    conn: Connection,
    contract: str,
    expires: date,
    due: Iterable[tuple[Notice, str]],
    now: int,
) -> int:
    """Write a ``due`` row for each (notice, channel) that has none yet; how many were new.
    Rows already there are left as they are: ON CONFLICT DO NOTHING, so that two agents
    writing the same notices at once both succeed (a read first would race)."""
    fresh = [
        {
            "contract": contract,
            "expires": expires,
            "offset_days": notice.offset_days,
            "channel": channel,
            "due": notice.due,
            "status": Delivery.DUE.value,
            "attempts": 0,
            "retry_at": now,
            "created_at": now,
        }
        for notice, channel in due
    ]
    if not fresh:
        return 0
    statement = (
        upsert(conn, db.renewal_notices)
        .values(fresh)
        .on_conflict_do_nothing(index_elements=["contract", "expires", "offset_days", "channel"])
        .returning(db.renewal_notices.c.id)  # rowcount is not reliable for this on every driver
    )
    return len(conn.execute(statement).all())


def move(conn: Connection, notice_id: int, from_: Delivery, to: Delivery, **values: object) -> bool:
    """Move a row from ``from_`` to ``to`` with ``values``; false when it was not in
    ``from_`` (another agent moved it first)."""
    n = db.renewal_notices
    result = conn.execute(
        update(n)
        .where(n.c.id == notice_id, n.c.status == from_.value)
        .values(status=to.value, **values)
    )
    return result.rowcount == 1


def fail(conn: Connection, notice_id: int, error: str, retry_at: int) -> bool:
    """A failed attempt that delivered nothing: back to ``due`` (from ``due`` or
    ``sending``), one more attempt counted, not retried before ``retry_at``."""
    n = db.renewal_notices
    result = conn.execute(
        update(n)
        .where(n.c.id == notice_id, n.c.status.in_([Delivery.DUE.value, Delivery.SENDING.value]))
        .values(
            status=Delivery.DUE.value,
            attempts=n.c.attempts + 1,
            last_error=error,
            retry_at=retry_at,
            claimed_at=None,
        )
    )
    return result.rowcount == 1


def stuck(conn: Connection, claimed_before: int) -> list[NoticeRecord]:
    """Rows left ``sending`` since before ``claimed_before``: their sender stopped."""
    n = db.renewal_notices
    query = select(n).where(n.c.status == Delivery.SENDING.value, n.c.claimed_at < claimed_before)
    return [_notice_record(row) for row in conn.execute(query)]


def _notice_record(row: Row[Any]) -> NoticeRecord:
    values = row._asdict()
    values["status"] = Delivery(row.status)
    return NoticeRecord(**values)
