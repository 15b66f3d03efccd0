"""Renewals, for the ``slawatch renewal`` commands and the HTTP API alike.

``status`` is SPEC section 7's JSON: one item per contract with a renewal part,
where it stands on a local date (default: today in the contract's zone), the fee
of a renewal made that day, and its expiry's notices with when each was sent.
``record`` checks a renewal with the core and stores it, audited; a refused one
is one ``FieldError`` naming the option or key, and records nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from slawatch.app.context import Context, Spell
from slawatch.app.records import FieldError
from slawatch.config import Config, Contract
from slawatch.config.fields import parse_day
from slawatch.sla.renewals import Delivery, Notice, RenewalRefused, notice_schedule, standing
from slawatch.store.store import NoticeRecord, RenewalRecord, Store

Json = dict[str, Any]


def local_day(instant: int, zone: ZoneInfo) -> date:
    """The local date of ``instant`` in ``zone``: what "today" is for a contract."""
    return datetime.fromtimestamp(instant, zone).date()


def parse_date(text: str, field: str, spell: Spell) -> date:
    """A ``YYYY-MM-DD`` date given for ``field``; ``FieldError`` saying why not."""
    try:
        return parse_day(text)
    except ValueError as exc:
        raise FieldError(field, f"{spell(field)}: {exc.args[0]} (got {text})") from None


def status(context: Context, contract: str | None, on: str | None) -> list[Json]:
    """Every renewal item (or ``contract``'s) on ``on`` (default: each one's today)."""
    config = context.config
    models = config.renewal_contracts() if contract is None else (config.contract(contract),)
    day = None if on is None else parse_date(on, "on", context.spell)
    return [
        item_status(model, context.store, day or local_day(context.now, model.timezone))
        for model in models
    ]


def item_status(model: Contract, store: Store, on: date) -> Json:
    """One contract's renewal item on the local date ``on`` (SPEC section 7's fields)."""
    terms = model.renewal_terms()  # PartMissingError without a renewal part
    renewals = store.renewals(model.name, terms.expires)
    found = standing(terms, [r.renewal() for r in renewals], on)
    sent = store.notices(model.name, found.expires)
    upcoming = found.next_notice
    return {
        "contract": model.name,
        "on": on.isoformat(),
        "expires": found.expires.isoformat(),
        "original_expiry": terms.expires.isoformat(),
        "licence": str(terms.kind),
        "state": str(found.state),
        "next_notice": None if upcoming is None else upcoming.due.isoformat(),
        "renewable": found.renewable,
        "renewal_price": money(terms.price),
        "fee": None if found.fee is None else money(found.fee),
        "currency": terms.currency,
        "notices": [
            notice_status(n, sent, model.timezone, on) for n in notice_schedule(found.expires)
        ],
        "renewals": [renewal_json(r) for r in renewals],
    }


def notice_status(notice: Notice, rows: Sequence[NoticeRecord], zone: ZoneInfo, on: date) -> Json:
    """A notice: sent once every channel has it (``sent_at`` the last of them); late
    when a channel sent it after its day, or when its day is past and it is not sent."""
    mine = [r for r in rows if r.offset_days == notice.offset_days]
    done = bool(mine) and all(r.status is Delivery.SENT for r in mine)
    sent_at = max((r.sent_at for r in mine if r.sent_at is not None), default=None)
    late = any(r.late for r in mine) if done else notice.due < on
    return {
        "date": notice.due.isoformat(),
        "offset_days": notice.offset_days,
        "sent_at": _iso(sent_at, zone) if done else None,
        "late": late,
        "channels": [
            {
                "channel": r.channel,
                "status": str(r.status),
                "sent_at": _iso(r.sent_at, zone),
                "attempts": r.attempts,
                "last_error": r.last_error,
            }
            for r in mine
        ],
    }


def renewal_json(record: RenewalRecord) -> Json:
    return {
        "id": record.id,
        "renewed_on": record.renewed_on.isoformat(),
        "years": record.years,
        "state": str(record.state),
        "previous_expiry": record.previous_expiry.isoformat(),
        "expires": record.expires.isoformat(),
        "price": money(record.price),
        "fee": money(record.fee),
        "currency": record.currency,
        "author": record.author,
    }


def record(  # noqa: PLR0913, PLR0917 (the renewal's fields, who records it, and how options are spelt)
    config: Config, store: Store, contract: str, on: str, years: int, actor: str, spell: Spell
) -> RenewalRecord:
    """Record a renewal of ``contract`` made on the local date ``on`` for ``years``.
    Raises ``UnknownNameError``/``PartMissingError`` for the contract and ``FieldError``
    for a renewal the policy refuses; then nothing is recorded."""
    terms = config.contract(contract).renewal_terms()
    day = parse_date(on, "on", spell)
    try:
        return store.add_renewal(contract, terms, day, years, actor)
    except RenewalRefused as exc:
        raise FieldError(exc.field, f"{spell(exc.field)}: {exc.reason}") from None


def money(amount: Decimal) -> float:
    """An amount for JSON, as the reports give money (cents are exact in a double)."""
    return float(amount)


def _iso(instant: int | None, zone: ZoneInfo) -> str | None:
    return None if instant is None else datetime.fromtimestamp(instant, zone).isoformat()
