"""How a delivery attempt can fail without doubt."""

from __future__ import annotations


class NotDelivered(Exception):
    """Nothing reached anyone: the notice can be tried again later. Any other failure
    once the hand-over began leaves it in doubt."""
