"""A contract's renewal part (SPEC section 6, Acronis): the item, its price and notices.

The item's dates are local dates in the contract's zone; its policy is the core's
(``slawatch.sla.renewals``). What a notice must name comes from the seed: "le numéro
de compte Acronis, le numéro de référence du renouvellement (ID de renouvellement),
le nom du produit, la référence SKU du produit, le nombre de licences, les dates
d'expiration".
"""

from __future__ import annotations

import enum
import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Self

from dateutil.relativedelta import relativedelta
from pydantic import AfterValidator, Field, field_validator, model_validator
from pydantic_core import InitErrorDetails

from slawatch.config.base import ConfigModel, error_at, invalid, raise_errors
from slawatch.config.fields import Currency, Day, NonEmpty
from slawatch.config.targets import HttpUrl
from slawatch.sla.renewals import LicenceKind, RenewalTerms

_ADDRESS_RE = re.compile(r"[^@\s<>,;]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")


def _address(value: str) -> str:
    if not _ADDRESS_RE.fullmatch(value):
        raise invalid("must be an e-mail address", "renewals@example.com")
    return value


Address = Annotated[str, AfterValidator(_address)]
"""A bare e-mail address, ``local@domain`` (no display name)."""


class Channel(enum.StrEnum):
    """How a notice is delivered."""

    SMTP = "smtp"  # an e-mail to every recipient, through agent.smtp
    WEBHOOK = "webhook"  # a JSON POST, for chat tools


class Price(ConfigModel):
    """The price of one year's renewal; the reinstatement fee is a percent of it."""

    amount: Decimal = Field(gt=0, examples=["1200"])
    currency: Currency = Field(examples=["EUR"])


class Notices(ConfigModel):
    """Where the expiry notices go: e-mail recipients and an optional webhook."""

    channels: Annotated[tuple[Channel, ...], NonEmpty] = Field(
        default=(Channel.SMTP,), examples=["[smtp, webhook]"]
    )
    recipients: tuple[Address, ...] = Field(default=(), examples=["[renewals@example.com]"])
    webhook: HttpUrl | None = Field(default=None, examples=["https://chat.example.com/hooks/x"])

    @field_validator("channels")
    @classmethod
    def _each_once(cls, channels: tuple[Channel, ...]) -> tuple[Channel, ...]:
        twice = [i for i, channel in enumerate(channels) if channel in channels[:i]]
        if twice:
            raise_errors([error_at((i,), "listed twice") for i in twice])
        return channels

    @model_validator(mode="after")
    def _each_channel_has_an_address(self) -> Self:
        errors = self._needed(Channel.SMTP, "recipients", bool(self.recipients))
        errors += self._needed(Channel.WEBHOOK, "webhook", self.webhook is not None)
        if errors:
            raise_errors(errors)
        return self

    def _needed(self, channel: Channel, key: str, given: bool) -> list[InitErrorDetails]:
        example = type(self).model_fields[key].examples
        if channel in self.channels and not given:
            return [error_at((key,), f"required with channel {channel}", example and example[0])]
        if channel not in self.channels and given:
            return [error_at((key,), f"only used with channel {channel} (add it to channels)")]
        return []


def one_year_term_start(expires: date) -> date:
    """The first day of a one-year term that ends on ``expires``."""
    return expires - relativedelta(years=1) + relativedelta(days=1)


class Renewal(ConfigModel):
    """A renewable item: a perpetual licence's maintenance contract or a subscription."""

    expires: Day = Field(examples=["2027-03-31"])
    starts: Day | None = Field(default=None, examples=["2026-04-01"])
    licence: LicenceKind = Field(examples=["perpetual-maintenance"])
    price: Price = Field(examples=["{amount: 1200, currency: EUR}"])
    account: str = Field(min_length=1, examples=["ACC-1234567"])
    renewal_id: str = Field(min_length=1, examples=["RN-7654321"])
    product: str = Field(min_length=1, examples=["Acronis Cyber Protect"])
    sku: str = Field(min_length=1, examples=["PCWBHILOS21"])
    licences: int = Field(default=1, ge=1, strict=True, examples=[1])
    notices: Notices | None = None

    @model_validator(mode="after")
    def _starts_before_it_expires(self) -> Self:
        if self.starts is not None and self.starts > self.expires:
            message = f"must be on or before expires ({self.expires})"
            raise_errors([error_at(("starts",), message, one_year_term_start(self.expires))])
        return self

    def first_day(self) -> date:
        """``starts``, or the day after the expiry a year before: a one-year term."""
        return one_year_term_start(self.expires) if self.starts is None else self.starts

    def terms(self) -> RenewalTerms:
        """The item as the core computes with it."""
        return RenewalTerms(
            self.expires, self.licence, self.price.amount, self.price.currency, self.first_day()
        )
