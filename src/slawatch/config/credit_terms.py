"""Contract terms around the credit (issue 12): a claim window, a credit cap, and
outage-count clauses, as written in the config and validated into the core's types.

.. code-block:: yaml

    claims_required: true
    claim_window: {days: 30}          # or end_of_next_month
    credit_cap: 50                    # percent of the fee a period's credit may reach
    outage_limits:
      - {longer_than: 30m, at_most: 3}              # at most 3 outages longer than 30 min
      - {longer_than: 4h, credit: 10}               # no outage longer than 4 h, else 10 %
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from pydantic import Field

from slawatch.config.base import ConfigModel, error_at, invalid, raise_errors
from slawatch.config.fields import SecondsOrZero
from slawatch.sla.claims import ClaimWindow
from slawatch.sla.limits import OutageLimit

END_OF_NEXT_MONTH = "end_of_next_month"
_WINDOW_FORMS = f"must be {{days: N}} or {END_OF_NEXT_MONTH}"


def parse_claim_window(value: object) -> ClaimWindow | None:
    """``{days: N}`` (N >= 1) or ``end_of_next_month``; ``None`` stays unset."""
    if value is None:
        return None
    if value == END_OF_NEXT_MONTH:
        return ClaimWindow()
    if isinstance(value, dict) and list(value) == ["days"]:
        days = value["days"]
        if isinstance(days, int) and not isinstance(days, bool) and days >= 1:
            return ClaimWindow(days)
        raise_errors([error_at(("days",), "must be a whole number of days >= 1", 30)])
    raise invalid(_WINDOW_FORMS, "{days: 30}")


class OutageLimitRow(ConfigModel):
    """One outage-count clause: at most ``at_most`` outages longer than
    ``longer_than`` per period (0: not a single one), with an optional credit."""

    longer_than: SecondsOrZero = Field(examples=["4h"])
    at_most: int = Field(default=0, ge=0, strict=True, examples=[3])
    credit: Decimal | None = Field(default=None, ge=0, le=100, examples=["10"])

    def limit(self) -> OutageLimit:
        credit = None if self.credit is None else Fraction(self.credit)
        return OutageLimit(self.longer_than, self.at_most, credit)
