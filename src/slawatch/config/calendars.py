"""Calendars in the config: reference time and support hours are both weekly
local-time windows minus a holiday calendar, or ``24x7``.

Validation builds the core's ``WeeklyWindow`` and ``Holidays`` themselves, so
their own checks reach the user at the right line.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Self

from pydantic import Field, model_validator

from slawatch.config import defaults
from slawatch.config.base import ConfigModel, invalid
from slawatch.config.fields import NonEmpty, Weekly
from slawatch.sla.calendar import Calendar, Holidays

ALL_WEEK = "daily 00:00-24:00"  # what "reference: 24x7" means


class HolidayCalendar(ConfigModel):
    """Public holidays removed from reference time, from the ``holidays`` package."""

    country: str = Field(examples=["FR"])
    subdiv: str | None = Field(default=None, examples=["57"])

    @model_validator(mode="after")
    def _known(self) -> Self:
        self.holidays()  # the core's ValueError names the calendar it does not know
        return self

    def holidays(self) -> Holidays:
        return _holidays(self.country, self.subdiv)


@lru_cache(maxsize=256)
def _holidays(country: str, subdiv: str | None) -> Holidays:
    # Checked once per calendar: the holidays package takes half a millisecond to say
    # it knows one, and a thousand contracts name the same few.
    return Holidays(country, subdiv)


class Reference(ConfigModel):
    """Reference time: ``24x7``, or weekly local-time windows minus holidays."""

    windows: Annotated[tuple[Weekly, ...], NonEmpty] = Field(examples=['["mon-fri 07:00-20:00"]'])
    holidays: HolidayCalendar | None = Field(default=None, examples=["{country: FR}"])

    @model_validator(mode="before")
    @classmethod
    def _text_form(cls, data: object) -> object:
        if data == defaults.REFERENCE:
            return {"windows": [ALL_WEEK]}
        if isinstance(data, str):
            raise invalid(
                "must be 24x7 or {windows: [...], holidays: {country: CC}}",
                '{windows: ["mon-fri 07:00-20:00"], holidays: {country: FR}}',
            )
        return data

    def calendar(self) -> Calendar:
        holidays = None if self.holidays is None else self.holidays.holidays()
        return Calendar(self.windows, holidays)
