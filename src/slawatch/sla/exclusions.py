"""What a contract says does not count: maintenance windows and operator exclusions.

A planned window qualifies only when declared at least the contract's notice
before it opens; a late one follows the contract's ``late_notice`` policy
(default: it does not qualify, so the outage inside it counts). Emergency
windows qualify only where the contract says so. Recurring windows written in
the config are declared as long ahead as the config exists, so they qualify as
planned windows.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class MaintenanceKind(enum.StrEnum):
    PLANNED = "planned"
    EMERGENCY = "emergency"


class LateNotice(enum.StrEnum):
    """What a planned window declared with too little notice becomes."""

    COUNTS = "counts"  # it does not qualify: the outage counts (default)
    EXCLUDED = "excluded"  # it qualifies anyway
    AS_EMERGENCY = "as_emergency"  # it qualifies when emergency windows do


class ExclusionReason(enum.StrEnum):
    FORCE_MAJEURE = "force_majeure"
    CUSTOMER = "customer"
    THIRD_PARTY = "third_party"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class MaintenancePolicy:
    notice: int = 0  # seconds a planned window must be declared before it opens
    emergency_qualifies: bool = False  # whether emergency maintenance is excluded time
    late_notice: LateNotice = LateNotice.COUNTS


@dataclass(frozen=True, slots=True)
class MaintenanceWindow:
    id: int  # store id, shown in reports so the customer can refer to it
    start: int  # UTC seconds
    end: int  # UTC seconds, exclusive
    kind: MaintenanceKind
    declared_at: int  # UTC seconds at which the customer was told
    note: str = ""


@dataclass(frozen=True, slots=True)
class Exclusion:
    """An operator's decision that some time does not count, and why."""

    id: int
    start: int
    end: int
    reason: ExclusionReason
    note: str
    author: str
    created_at: int


@dataclass(frozen=True, slots=True)
class Claim:
    """A customer's report of an outage; it marks the outage covering ``at``."""

    id: int
    at: int
    ticket: str
    made_at: int | None = None  # when it was recorded, for the claim window; None: unknown


@dataclass(frozen=True, slots=True)
class ContractRecords:
    """What operators recorded against a contract, as one period's assessment reads it."""

    maintenance: tuple[MaintenanceWindow, ...] = ()  # standing windows overlapping the period
    exclusions: tuple[Exclusion, ...] = ()  # standing exclusions overlapping the period
    claims: tuple[Claim, ...] = ()  # every claim: an outage may start before the period


def maintenance_verdict(window: MaintenanceWindow, policy: MaintenancePolicy) -> str | None:
    """``None`` when the window qualifies as excluded time, else why it does not."""
    if window.kind is MaintenanceKind.EMERGENCY:
        return None if policy.emergency_qualifies else "emergency maintenance is not excluded"
    notice = window.start - window.declared_at
    if notice >= policy.notice:
        return None
    late = (
        f"declared {_hours(notice)} before it opened, "
        f"contract requires {_hours(policy.notice)} notice"
    )
    if policy.late_notice is LateNotice.EXCLUDED:
        return None
    if policy.late_notice is LateNotice.AS_EMERGENCY and policy.emergency_qualifies:
        return None
    return late


def _hours(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours} h" if rest == 0 else f"{seconds / 3600:.2f} h"
