"""The two marks a sender makes in the store around the hand-over of one notice.

``claim`` marks the notice as being handed over, right before the message itself
leaves (false: another agent has it, and the sender gives up). ``accepted`` records
it as sent the moment the receiver has taken it, before any goodbye (SMTP's QUIT):
an agent stopped while a server is slow to close leaves a notice known sent, not one
in doubt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HandOver:
    claim: Callable[[], bool]
    accepted: Callable[[], None]
