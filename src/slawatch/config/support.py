"""A contract's support part (SPEC section 6): business hours, priorities, response
targets and objectives, validated into the core's ``SupportTerms``.

Business hours are written like reference time (``Reference``: weekly windows
minus holidays, or ``24x7``), but may not overlap: a minute in two windows would
belong to two business days. Each target has exactly one allowance key
(``business_time``, ``business_days`` or ``wall_clock``); its priorities and an
objective's target must be ones the part defines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Literal, Self
from zoneinfo import ZoneInfo

from pydantic import Field, PlainValidator, model_validator
from pydantic_core import InitErrorDetails

from slawatch.config.base import (
    ConfigModel,
    Loc,
    error_at,
    invalid,
    raise_errors,
    unknown_key_at,
)
from slawatch.config.calendars import Reference
from slawatch.config.errors import closest, listing
from slawatch.config.fields import Name, NonEmpty, Seconds, Zone
from slawatch.sla.calendar import first_overlap
from slawatch.sla.periods import PeriodKind, PeriodRule
from slawatch.sla.support import (
    Allowance,
    AllowanceKind,
    EventKind,
    Objective,
    SupportTarget,
    SupportTerms,
)

StartEvent = Literal["opened", "responded", "qualified"]
StopEvent = Literal["responded", "qualified", "resolved", "closed"]
ALLOWANCE_KEYS = tuple(kind.value for kind in AllowanceKind)
_PRIORITY_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _priority(value: object) -> str:
    # YAML reads Cegid's criticités 1, 2, 3 as numbers; the contract's word is the text.
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if isinstance(value, str) and _PRIORITY_RE.fullmatch(value):
        return value
    raise invalid("must be a word or number: letters, digits, '.', '_' or '-'", "critical")


Priority = Annotated[str, PlainValidator(_priority)]
"""A priority in the contract's own words: ``critical``, or Cegid's criticité ``1``."""


def _start_date(value: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise invalid("must be a date YYYY-MM-DD", "2026-01-01")


class SupportCalendar(Reference):
    """Business hours: weekly windows minus holidays, none overlapping another."""

    @model_validator(mode="after")
    def _no_overlap(self) -> Self:
        found = first_overlap(self.windows)
        if found is not None:
            first, second = found
            message = f"overlaps windows[{first}]; a minute may open only one business day"
            raise_errors([error_at(("windows", second), message)])
        return self


class Target(ConfigModel):
    """A response target: from a start event to a stop event within an allowance."""

    name: Name = Field(examples=["take-in-charge"])
    start: StartEvent = Field(default="opened", examples=["opened"])
    stop: StopEvent = Field(examples=["responded"])
    priorities: tuple[Priority, ...] | None = Field(default=None, examples=["[critical]"])
    business_time: Seconds | None = Field(default=None, examples=["8h"])
    business_days: int | None = Field(default=None, ge=1, le=366, strict=True, examples=[6])
    wall_clock: Seconds | None = Field(default=None, examples=["4h"])

    @model_validator(mode="after")
    def _one_allowance(self) -> Self:
        given = [key for key in ALLOWANCE_KEYS if getattr(self, key) is not None]
        if not given:
            raise invalid(
                "needs an allowance: business_time, business_days or wall_clock",
                "business_time: 8h",
            )
        if len(given) > 1:
            message = f"cannot be combined with {given[0]}: a target has one allowance"
            raise_errors([error_at((key,), message) for key in given[1:]])
        if self.start == self.stop:
            raise_errors([error_at(("stop",), "must differ from start", "responded")])
        return self

    def allowance(self) -> Allowance:
        kind = next(AllowanceKind(k) for k in ALLOWANCE_KEYS if getattr(self, k) is not None)
        amount = getattr(self, kind.value)
        assert isinstance(amount, int)
        return Allowance(kind, amount)


def _objective_period(value: object) -> PeriodKind:
    if value in ("month", "year", "contract_year"):
        return PeriodKind(str(value))
    raise invalid(
        "must be month, year or contract_year (12 months from the support start date)",
        "contract_year",
    )


class ObjectiveModel(ConfigModel):
    """A share of requests that must meet a target over each period."""

    name: Name = Field(examples=["take-in-charge-75"])
    target: str = Field(examples=["take-in-charge"])
    threshold: Decimal = Field(gt=0, le=100, examples=["75"])
    period: Annotated[PeriodKind, PlainValidator(_objective_period)] = Field(
        examples=["contract_year"]
    )


class Support(ConfigModel):
    """A contract's support part (SPEC section 6)."""

    start_date: Annotated[date, PlainValidator(_start_date)] = Field(examples=["2026-01-01"])
    timezone: Zone | None = Field(default=None, examples=["UTC"])
    calendar: SupportCalendar = Field(examples=['{windows: ["mon-fri 09:00-18:00"]}'])
    priorities: Annotated[tuple[Priority, ...], NonEmpty] = Field(examples=["[critical, high]"])
    targets: Annotated[tuple[Target, ...], NonEmpty]
    objectives: tuple[ObjectiveModel, ...] = ()
    clauses: dict[str, str] = Field(default_factory=dict, examples=['{calendar: "art. 13.2"}'])

    @classmethod
    def raw_errors(cls, data: object) -> list[InitErrorDetails]:
        """Names used twice and names that point nowhere, found in the raw input so
        that they are reported with every other problem of the part."""
        if not isinstance(data, dict):
            return []
        priorities = [_text(p) for p in _items(data.get("priorities"))]
        targets = _items(data.get("targets"))
        objectives = _items(data.get("objectives"))
        target_names = [_text(_get(t, "name")) for t in targets]
        objective_names = [_text(_get(o, "name")) for o in objectives]
        return [
            *_twice(("priorities",), priorities),
            *_twice(("targets",), target_names, "name"),
            *_twice(("objectives",), objective_names, "name"),
            *_dangling(
                [
                    (("targets", i, "priorities", j), _text(p))
                    for i, t in enumerate(targets)
                    for j, p in enumerate(_items(_get(t, "priorities")))
                ],
                priorities,
                "priorities",
            ),
            *_dangling(
                [
                    (("objectives", i, "target"), _text(_get(o, "target")))
                    for i, o in enumerate(objectives)
                ],
                target_names,
                "targets",
            ),
            *_unknown_clauses(data.get("clauses"), (*_OWN_KEYS, *target_names, *objective_names)),
        ]

    def terms(self, contract_zone: ZoneInfo) -> SupportTerms:
        """The part as the core computes with it, in its zone (the contract's by default)."""
        every = frozenset(self.priorities)
        return SupportTerms(
            zone=self.timezone or contract_zone,
            calendar=self.calendar.calendar(),
            start_date=self.start_date,
            priorities=self.priorities,
            targets=tuple(
                SupportTarget(
                    t.name,
                    EventKind(t.start),
                    EventKind(t.stop),
                    t.allowance(),
                    every if t.priorities is None else frozenset(t.priorities),
                )
                for t in self.targets
            ),
            objectives=tuple(self._objective(o) for o in self.objectives),
            clauses=tuple(self.clauses.items()),
        )

    def _objective(self, objective: ObjectiveModel) -> Objective:
        anchor = self.start_date if objective.period is PeriodKind.CONTRACT_YEAR else None
        rule = PeriodRule(objective.period, anchor)
        return Objective(objective.name, objective.target, Fraction(objective.threshold), rule)


_OWN_KEYS = tuple(key for key in Support.model_fields if key != "clauses")


def _items(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _get(item: object, key: str) -> object:
    return item.get(key) if isinstance(item, dict) else None


def _text(value: object) -> str | None:
    """A name as written; YAML's numbers (Cegid's criticité 1) compare as their text."""
    if isinstance(value, bool):
        return None
    return str(value) if isinstance(value, str | int) else None


def _twice(loc: Loc, names: Sequence[str | None], *key: str) -> list[InitErrorDetails]:
    """An error at ``loc[i]`` (``.key``) for each name already used before ``i``."""
    return [
        error_at((*loc, i, *key), "listed twice; each must be unique")
        for i, name in enumerate(names)
        if name is not None and name in names[:i]
    ]


def _dangling(
    found: list[tuple[Loc, str | None]], known: list[str | None], what: str
) -> list[InitErrorDetails]:
    """An error at each place whose name is not one of ``known``."""
    names = list(dict.fromkeys(name for name in known if name is not None))
    message = f"not one of this part's {what} ({listing(names)})"
    return [
        error_at(loc, message, closest(name, names))
        for loc, name in found
        if name is not None and name not in names
    ]


def _unknown_clauses(clauses: object, valid: tuple[str | None, ...]) -> list[InitErrorDetails]:
    keys = tuple(key for key in valid if key is not None)
    if not isinstance(clauses, dict):
        return []
    return [unknown_key_at(("clauses", key), keys) for key in clauses if key not in keys]
