"""Read what the core needs from the store and assess a contract.

This is the one place where stored flips, maintenance, exclusions and claims
meet the pure core; reports, metrics and the API all go through it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from slawatch.sla.assess import Assessment, assess
from slawatch.sla.contract import ContractTerms
from slawatch.sla.exclusions import Claim, Exclusion, MaintenanceWindow
from slawatch.sla.periods import Period, resolve_period
from slawatch.sla.service import combine, mask_probe_side, probe_side_failure
from slawatch.sla.timeline import Flip, Timeline, timeline_from_flips

# An outage that began before the period keeps its real start (and the claims
# made then) when it began at most this long before; older starts are cut here.
LOOKBACK = 7 * 86400


class SlaSource(Protocol):
    """The part of the store that assessments read."""

    def flips(self, targets: Sequence[str], start: int, end: int) -> dict[str, list[Flip]]: ...

    def maintenance_windows(
        self, contract: str, start: int, end: int
    ) -> list[MaintenanceWindow]: ...

    def exclusions(self, contract: str, start: int, end: int) -> list[Exclusion]: ...

    def claims(self, contract: str) -> list[Claim]: ...


def service_timeline(
    source: SlaSource, terms: ContractTerms, control: Sequence[str], start: int, end: int
) -> Timeline:
    """The contract's service over ``[start, end)``, probe-side failures masked."""
    controls = [name for name in control if name not in terms.targets]
    flips = source.flips([*terms.targets, *controls], start, end)
    failure = probe_side_failure([timeline_from_flips(flips[c], start, end) for c in controls])
    targets = [
        mask_probe_side(timeline_from_flips(flips[name], start, end), failure)
        for name in terms.targets
    ]
    return combine(targets, terms.rule, start, end)


def evaluate(
    source: SlaSource, terms: ContractTerms, control: Sequence[str], period: Period, now: int
) -> Assessment:
    """Assess ``terms`` over ``period`` as known at ``now``."""
    until = min(period.end, now)
    start = period.start - LOOKBACK
    timeline = service_timeline(source, terms, control, start, max(until, period.start))
    return assess(
        terms,
        period,
        timeline,
        now,
        maintenance=source.maintenance_windows(terms.name, period.start, period.end),
        exclusions=source.exclusions(terms.name, period.start, period.end),
        claims=source.claims(terms.name),
    )


def evaluate_label(
    source: SlaSource, terms: ContractTerms, control: Sequence[str], label: str, now: int
) -> Assessment:
    """Assess the period named ``label`` (``2026-10``, ``2026``)."""
    return evaluate(source, terms, control, resolve_period(label, terms.period, terms.zone), now)
