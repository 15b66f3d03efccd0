"""The renewal lifecycle of a maintenance contract or a subscription (SPEC section 6).

Acronis's renewal policy (seed ``000_...``), on local dates in the contract's zone.
For an item whose expiry (its last covered day) is ``E``::

    active          ... E-91
    notice          E-90 ... E          notices at E-90, E-60, E-30, E-15 and E
    grace           E+1 ... E+30        notices at E+15 and E+29; renewal without fee
    reinstatement   E+31 ... E+12 months (calendar months, inclusive): 20 % fee
    lapsed          later: no renewal, a new licence must be bought

A subscription has no reinstatement: it lapses the day after its grace.

A renewal always runs from the original expiry, for whole years, early, on time or
late: ``N`` years are added to the configured expiry, never to a previous renewal's
result, so 29 February 2028 renewed once gives 28 February 2029 and renewed four
times 29 February 2032. The current expiry on a date counts the renewals made up
to that date.

Nothing here reads a clock: the date is always a parameter.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta

NOTICE_OFFSETS = (-90, -60, -30, -15, 0, 15, 29)  # days from the expiry, seed page 5
GRACE_DAYS = 30  # "une période de grâce de 30 jours", expiry day + 30 inclusive
REINSTATEMENT_MONTHS = 12  # "Plus de 12 mois : le renouvellement n'est pas disponible"
REINSTATEMENT_PERCENT = Decimal(20)  # "des frais de rétablissement de 20 %"
CENT = Decimal("0.01")


class LicenceKind(enum.StrEnum):
    """What is renewed: the maintenance of a perpetual licence, or a subscription."""

    PERPETUAL_MAINTENANCE = "perpetual-maintenance"
    SUBSCRIPTION = "subscription"


class RenewalState(enum.StrEnum):
    """Where an item stands on a date; the members are in calendar order."""

    ACTIVE = "active"
    NOTICE = "notice"
    GRACE = "grace"
    REINSTATEMENT = "reinstatement"
    LAPSED = "lapsed"


class Delivery(enum.StrEnum):
    """Where one notice stands on one channel (the store keeps it; the agent moves it)."""

    DUE = "due"  # to send; after a failure, not before its retry time
    SENDING = "sending"  # the message is being handed over: a crash now leaves it in doubt
    SENT = "sent"
    IN_DOUBT = "in_doubt"  # delivery was cut mid-hand-over: never sent again (at most once)


_FREE = (RenewalState.ACTIVE, RenewalState.NOTICE, RenewalState.GRACE)


class RenewalRefused(ValueError):
    """A renewal the policy does not allow: ``field`` (``years`` or ``on``) and why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True, slots=True)
class RenewalTerms:
    """A renewable item as the core needs it (built by ``slawatch.config``)."""

    expires: date  # the original expiry: the last covered day, as configured
    kind: LicenceKind
    price: Decimal  # the price of one year's renewal, in ``currency``
    currency: str  # ISO 4217
    starts: date  # the first covered day: nothing is renewed before it exists


@dataclass(frozen=True, slots=True)
class Renewal:
    """A renewal made (recorded in the store)."""

    on: date  # the local date it was made
    years: int  # whole years added to the original expiry, >= 1


@dataclass(frozen=True, slots=True)
class Notice:
    """One expiry notice of an expiry's schedule."""

    offset_days: int  # signed: -90 ... +29
    due: date  # the local date it is due on


@dataclass(frozen=True, slots=True)
class Standing:
    """An item on a date."""

    expires: date  # the current expiry, after the renewals made up to the date
    state: RenewalState
    renewable: bool  # false once lapsed: a new licence must be bought
    fee: Decimal | None  # reinstatement fee of a one-year renewal made that day; None if lapsed
    next_notice: Notice | None  # the first notice due on or after the date, if any


@dataclass(frozen=True, slots=True)
class Quote:
    """What a renewal made on a date costs and gives."""

    renewal: Renewal
    state: RenewalState  # the state the item was in when renewed
    previous_expiry: date
    expires: date  # the new expiry
    price: Decimal  # the renewal price for ``years`` years
    fee: Decimal  # the reinstatement fee, 0 unless renewed in reinstatement


def expiry_after(original: date, years: int) -> date:
    """``original`` plus whole ``years``; 29 February becomes 28 February in a common year."""
    return original + relativedelta(years=years)


def current_expiry(terms: RenewalTerms, renewals: Iterable[Renewal], on: date) -> date:
    """The expiry on ``on``: the original one plus every year renewed up to that date."""
    return expiry_after(terms.expires, sum(r.years for r in renewals if r.on <= on))


def last_renewable_day(expires: date, kind: LicenceKind) -> date:
    """The last date a renewal is still possible: the grace's end for a subscription,
    12 calendar months after the expiry for a perpetual licence's maintenance."""
    if kind is LicenceKind.SUBSCRIPTION:
        return expires + timedelta(days=GRACE_DAYS)
    return expires + relativedelta(months=REINSTATEMENT_MONTHS)


def state_on(expires: date, kind: LicenceKind, on: date) -> RenewalState:
    """The state on local date ``on`` of an item expiring on ``expires``."""
    if on < expires + timedelta(days=NOTICE_OFFSETS[0]):
        return RenewalState.ACTIVE
    if on <= expires:
        return RenewalState.NOTICE
    if on <= expires + timedelta(days=GRACE_DAYS):
        return RenewalState.GRACE
    if on <= last_renewable_day(expires, kind):
        return RenewalState.REINSTATEMENT
    return RenewalState.LAPSED


def fee_for(terms: RenewalTerms, state: RenewalState, years: int = 1) -> Decimal | None:
    """The reinstatement fee of a renewal of ``years`` made in ``state``: 0 up to the
    end of grace, 20 % of the renewal's price in reinstatement, None once lapsed."""
    if state in _FREE:
        return Decimal(0).quantize(CENT)
    if state is RenewalState.REINSTATEMENT:
        fee = terms.price * years * REINSTATEMENT_PERCENT / 100
        return fee.quantize(CENT, rounding=ROUND_HALF_UP)
    return None


def notice_schedule(expires: date) -> tuple[Notice, ...]:
    """The seven notices of an expiry, in date order."""
    return tuple(Notice(days, expires + timedelta(days=days)) for days in NOTICE_OFFSETS)


def next_notice(expires: date, on: date) -> Notice | None:
    """The first notice of ``expires`` due on or after ``on``."""
    return next((n for n in notice_schedule(expires) if n.due >= on), None)


def standing(terms: RenewalTerms, renewals: Sequence[Renewal], on: date) -> Standing:
    """Where the item stands on ``on``, counting the renewals made up to that date."""
    expires = current_expiry(terms, renewals, on)
    state = state_on(expires, terms.kind, on)
    fee = fee_for(terms, state)
    upcoming = None if state is RenewalState.LAPSED else next_notice(expires, on)
    return Standing(expires, state, fee is not None, fee, upcoming)


def quote(terms: RenewalTerms, renewals: Sequence[Renewal], on: date, years: int) -> Quote:
    """A renewal of ``years`` made on ``on``, after ``renewals`` (those already recorded).
    Raises ``RenewalRefused`` for years <= 0, a date before the item exists or before the
    last recorded renewal, and a lapsed item."""
    _check_renewal(terms, renewals, on, years)
    before = current_expiry(terms, renewals, on)
    state = state_on(before, terms.kind, on)
    fee = fee_for(terms, state, years)
    if fee is None:
        last = last_renewable_day(before, terms.kind)
        raise RenewalRefused(
            "on",
            f"not renewable on {on}: the item expired on {before} and lapsed after {last}; "
            "a new licence must be bought",
        )
    total = sum(r.years for r in renewals) + years
    after = expiry_after(terms.expires, total)
    return Quote(Renewal(on, years), state, before, after, terms.price * years, fee)


def _check_renewal(terms: RenewalTerms, renewals: Sequence[Renewal], on: date, years: int) -> None:
    if years <= 0:
        raise RenewalRefused("years", f"must be a whole number >= 1 (got {years})")
    if on < terms.starts:
        raise RenewalRefused("on", f"{on} is before the item exists (it starts on {terms.starts})")
    last = max((r.on for r in renewals), default=None)
    if last is not None and on < last:
        raise RenewalRefused(
            "on",
            f"{on} is before the last renewal recorded ({last}); renewals are recorded in "
            "date order",
        )


def due_notices(
    expires: date, kind: LicenceKind, today: date, sent: Iterable[int]
) -> list[tuple[Notice, bool]]:
    """The notices of ``expires`` to send on ``today`` with whether each is late: every
    notice due up to today and not yet ``sent`` (by offset), while the item can still be
    renewed (a notice about a lapsed item is no use to anyone)."""
    if today > last_renewable_day(expires, kind):
        return []
    done = set(sent)
    return [
        (n, n.due < today)
        for n in notice_schedule(expires)
        if n.due <= today and n.offset_days not in done
    ]
