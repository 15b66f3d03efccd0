"""What an expiry notice says, the same on every channel.

The seed lists what each notice names: the account number, the renewal ID, the
product and its SKU, the number of licences and the expiry dates. We add where
the item stands on the day it is sent and what a renewal would cost then, from
the core's rules, so that the reader knows what waiting costs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from slawatch.config.renewals import Renewal
from slawatch.sla.renewals import (
    GRACE_DAYS,
    REINSTATEMENT_PERCENT,
    LicenceKind,
    Notice,
    RenewalState,
    fee_for,
    last_renewable_day,
    state_on,
)

_WHAT = {
    LicenceKind.PERPETUAL_MAINTENANCE: "maintenance contract",
    LicenceKind.SUBSCRIPTION: "subscription",
}
_KIND = {
    LicenceKind.PERPETUAL_MAINTENANCE: "the maintenance contract of a perpetual licence",
    LicenceKind.SUBSCRIPTION: "a subscription licence",
}


@dataclass(frozen=True, slots=True)
class NoticeContent:
    """One notice, ready to send."""

    key: str  # unique per notice: the e-mail's Message-ID and the webhook's Idempotency-Key
    subject: str
    text: str  # the e-mail's body; the webhook's ``text``
    payload: dict[str, Any]  # the webhook's JSON body


@dataclass(frozen=True, slots=True)
class Subject:
    """The item a notice is about."""

    contract: str
    renewal: Renewal  # its config
    expires: date  # the expiry the notice is about (after any renewals)


def compose(subject: Subject, notice: Notice, today: date) -> NoticeContent:
    """The notice of ``subject``'s expiry at ``notice.offset_days``, sent on ``today``
    (late when that is after its due date)."""
    item, expires = subject.renewal, subject.expires
    terms = item.terms()
    state = state_on(expires, terms.kind, today)
    late = today > notice.due
    facts = _facts(subject, notice, today, state)
    title = f"{item.product}: {_WHAT[terms.kind]} {_when(expires, notice.offset_days)}"
    key = f"{subject.contract}.{expires.isoformat()}.{notice.offset_days:+d}"
    return NoticeContent(
        key=key,
        subject=f"[late, due {notice.due}] {title}" if late else title,
        text="\n".join([title, "", *_lines(subject, notice, today, state), ""]),
        payload={**facts, "late": late, "text": title},
    )


def _when(expires: date, offset: int) -> str:
    if offset < 0:
        return f"expires on {expires} (in {-offset} days)"
    if offset == 0:
        return f"expires today, {expires}"
    return f"expired on {expires} ({offset} days ago)"


def _facts(subject: Subject, notice: Notice, today: date, state: RenewalState) -> dict[str, Any]:
    item, expires = subject.renewal, subject.expires
    terms = item.terms()
    fee = fee_for(terms, state)
    return {
        "contract": subject.contract,
        "account": item.account,
        "renewal_id": item.renewal_id,
        "product": item.product,
        "sku": item.sku,
        "licences": item.licences,
        "licence": str(terms.kind),
        "expires": expires.isoformat(),
        "offset_days": notice.offset_days,
        "due": notice.due.isoformat(),
        "sent_on": today.isoformat(),
        "state": str(state),
        "renewal_price": str(terms.price),
        "fee": None if fee is None else str(fee),
        "currency": terms.currency,
        "grace_until": (expires + timedelta(days=GRACE_DAYS)).isoformat(),
        "renewable_until": last_renewable_day(expires, terms.kind).isoformat(),
    }


def _lines(subject: Subject, notice: Notice, today: date, state: RenewalState) -> list[str]:
    item, expires = subject.renewal, subject.expires
    terms = item.terms()
    grace = expires + timedelta(days=GRACE_DAYS)
    last = last_renewable_day(expires, terms.kind)
    when = f"due {notice.due}" + (f", sent late on {today}" if today > notice.due else "")
    lines = [
        f"Account number: {item.account}",
        f"Renewal ID: {item.renewal_id}",
        f"Product: {item.product}",
        f"SKU: {item.sku}",
        f"Licences: {item.licences}",
        f"Expiry date: {expires} ({_KIND[terms.kind]})",
        f"Notice: D{notice.offset_days:+d}, {when}",
        f"State on {today}: {state}",
        "",
        f"A renewal runs from {expires} for whole years, at {terms.price} {terms.currency} a year.",
        f"Renewed by {grace}: no reinstatement fee.",
    ]
    if terms.kind is LicenceKind.PERPETUAL_MAINTENANCE:
        fee = fee_for(terms, RenewalState.REINSTATEMENT)
        lines.append(
            f"Renewed from {grace + timedelta(days=1)} to {last}: a reinstatement fee of "
            f"{REINSTATEMENT_PERCENT} % ({fee} {terms.currency} a year) on top of the price."
        )
    lines += [
        f"After {last}: no renewal; a new licence must be bought.",
        "",
        f"slawatch, contract {subject.contract}",
    ]
    return lines
