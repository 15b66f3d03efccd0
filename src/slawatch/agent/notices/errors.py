"""How a delivery attempt can fail without doubt."""

from __future__ import annotations

from slawatch.errors import SlawatchError


class NotDelivered(SlawatchError):
    """Nothing reached anyone: the notice can be tried again later. Any other failure
    once the hand-over began leaves it in doubt."""
