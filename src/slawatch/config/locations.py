"""Where targets are probed from (SPEC section 2, "Locations").

``agent.location`` names the place an agent probes from; every sample it stores
carries it. Left unset, the agent probes from the unnamed location ``""``: one
agent, as before locations existed, with the same stored keys and metrics.

A target's ``locations`` says how its locations' timelines combine: ``rule`` is
``majority`` (default: a strict majority of the locations counted), ``all`` (down
when any location sees it down), ``any`` (only when every one does) or
``{quorum: K}``; ``expected`` lists the locations that probe it. With ``expected``,
exactly those count (one that sent nothing is unknown, never down) and samples from
other locations are kept but not read; without it, the locations that sent it
samples in the window assessed count.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, PlainValidator, field_validator, model_validator

from slawatch.config.base import ConfigModel, error_at, raise_errors
from slawatch.config.fields import Name, parse_rule
from slawatch.sla.locations import LocationRule
from slawatch.sla.service import Rule


def _rule(value: object) -> Rule | None:
    """``majority`` (None: the default), or a service's rule."""
    return None if value == "majority" else parse_rule(value, "majority, all, any")


class Locations(ConfigModel):
    """A target's ``locations``: how its locations combine, and which probe it."""

    rule: Annotated[Rule | None, PlainValidator(_rule)] = Field(
        default=None, examples=["{quorum: 2}"]
    )
    expected: tuple[Name, ...] = Field(default=(), examples=["[paris, frankfurt, virginia]"])

    @field_validator("expected")
    @classmethod
    def _each_once(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        # Listed twice, a location would count twice towards a quorum.
        twice = [i for i, name in enumerate(names) if name in names[:i]]
        if twice:
            raise_errors([error_at((i,), "listed twice in expected") for i in twice])
        return names

    @model_validator(mode="after")
    def _quorum_fits(self) -> Self:
        count = len(self.expected)
        quorum = None if self.rule is None else self.rule.quorum
        if count and quorum is not None and quorum > count:
            message = f"must be between 1 and {count}, the number of expected locations"
            raise_errors([error_at(("rule", "quorum"), message, count)])
        return self

    def location_rule(self) -> LocationRule:
        """The core's rule for combining this target's locations."""
        return LocationRule(self.rule, self.expected)


NO_LOCATIONS = Locations.model_construct()
"""A target without ``locations``: one object that they all share (frozen, and
hashable, so pydantic does not copy it), not 50,000 validated one by one."""
