"""How a rendered report speaks: its language, its audience and its CSV dialect.

A report is read by two people. The customer gets the *customer* view: labels in
their language from the gettext catalogue under ``locales/``, figures and dates
written by Babel from the CLDR data (``99,47 %``, ``250,00 €``, ``5 oct. 2026 12:00``
in the contract's zone), reasons in words. The operator who checks it against the
JSON gets the *internal* view: every figure as the JSON writes it, the JSON field
beside each row, enum names, the SHA-256s and the "if every outage were claimed"
figures. The JSON itself never changes with either: it is the machine's document.

The catalogues' source is ``locales/fr/LC_MESSAGES/slawatch.po``; the ``.mo`` beside
it is compiled from it and shipped in the package (README, "Report languages", says
how to update both). Babel is imported when a figure is first written: the CLI
reads this module's names at start, and Babel's CLDR tables cost 25 ms to import.
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from slawatch.sla.calendar import WeeklyWindow, day_runs, wall

DEFAULT_LOCALE = "en"  # without a ``report.locale`` in the config: the code's own language
DOMAIN = "slawatch"
CATALOGUES = Path(__file__).parent / "locales"
_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?([+-]\d\d:\d\d|Z)")
_DATE = re.compile(r"\d{4}-\d\d-\d\d")


@dataclass(frozen=True, slots=True)
class Branding:
    """Who sends the report to whom, under which contract: the header of HTML, PDF and
    XLSX. ``logo`` is an absolute path (the config resolves it against its folder)."""

    provider: str | None = None
    customer: str | None = None
    reference: str | None = None
    logo: Path | None = None

    def lines(self, lang: Lang) -> list[str]:
        """``Provider: ...``, ``Customer: ...``, ``Contract reference: ...``, those set."""
        parts = (
            ("Provider: {0}", self.provider),
            ("Customer: {0}", self.customer),
            ("Contract reference: {0}", self.reference),
        )
        return [lang(text).format(value) for text, value in parts if value]


@dataclass(frozen=True, slots=True)
class Style:
    """The choices a rendering makes that the JSON does not: language, audience,
    CSV dialect, branding, and whether the customer view shows what would be owed
    if every outage were claimed (``what_if``; the internal view always does)."""

    locale: str = DEFAULT_LOCALE
    view: str = "internal"
    csv_dialect: str = "plain"
    branding: Branding | None = None
    what_if: bool = False
    written: bool = False  # values written as text (HTML, PDF): percentages carry their sign
    lang: Lang = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lang", Lang.of(self.locale))

    @property
    def internal(self) -> bool:
        return self.view == "internal"

    @property
    def all_outages(self) -> bool:
        """Show the figures of "if every outage were claimed"."""
        return self.internal or self.what_if


class _Missing(gettext.NullTranslations):
    """The fallback of a catalogue: remembers each text it had no translation for,
    so a test can list what the ``.po`` lacks."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def gettext(self, message: str) -> str:
        self.seen.add(message)
        return message


_MISSING = _Missing()


def untranslated() -> set[str]:
    """The texts asked for in a language other than English that had no translation."""
    return set(_MISSING.seen)


@cache
def _catalogue(code: str) -> gettext.NullTranslations:
    if code == "en":  # the texts are written in English
        return gettext.NullTranslations()
    with (CATALOGUES / code / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as mo:
        found = gettext.GNUTranslations(mo)
    found.add_fallback(_MISSING)
    return found


class Lang:
    """A language's words (gettext) and its ways of writing figures (Babel)."""

    def __init__(self, code: str) -> None:
        self.code = code
        self._texts = _catalogue(code)

    @staticmethod
    @cache
    def of(code: str) -> Lang:
        return Lang(code)

    def __call__(self, text: str) -> str:
        """``text`` (an English message id) in this language."""
        return self._texts.gettext(text)

    def number(self, value: float, places: int | None = None) -> str:
        """``1029600`` -> ``1 029 600``; with ``places``, that many decimals."""
        from babel.numbers import format_decimal

        if places is None:
            return format_decimal(_exact(value), locale=self.code, decimal_quantization=False)
        pattern = "#,##0." + "0" * places
        return format_decimal(_exact(value), format=pattern, locale=self.code)

    def percent(self, value: float) -> str:
        """``99.47`` -> ``99,47 %``: every decimal the JSON has, none added."""
        from babel.numbers import format_percent

        return format_percent(_exact(value) / 100, locale=self.code, decimal_quantization=False)

    def money(self, value: float, currency: str | None) -> str:
        """``250.0, EUR`` -> ``250,00 €``; without a currency, the amount to the cent."""
        from babel.numbers import format_currency

        if currency is None:
            return self.number(value, 2)
        return format_currency(_exact(value), currency, locale=self.code)

    def instant(self, text: str) -> str:
        """An ISO instant of the JSON (written in the contract's zone) as that zone's
        wall time: ``5 oct. 2026 12:00``, seconds only when there are some."""
        from babel.dates import format_datetime

        moment = datetime.fromisoformat(text)
        pattern = "d MMM y HH:mm" + (":ss" if moment.second else "")
        return format_datetime(moment, pattern, tzinfo=moment.tzinfo, locale=self.code)

    def day(self, text: str, *, weekday: bool = False) -> str:
        """An ISO date: ``5 oct. 2026``, or ``lun. 5 oct. 2026``."""
        from babel.dates import format_date

        pattern = ("EEE " if weekday else "") + "d MMM y"
        return format_date(date.fromisoformat(text), pattern, locale=self.code)

    def text(self, value: str) -> str:
        """A JSON text value: an instant or a date written for a reader, else as is."""
        if _INSTANT.fullmatch(value):
            return self.instant(value)
        if _DATE.fullmatch(value):
            return self.day(value)
        return value

    def duration(self, seconds: int) -> str:
        """``14220`` -> ``3 h 57 min`` (``j`` for days in French)."""
        days, rest = divmod(seconds, 86400)
        hours, rest = divmod(rest, 3600)
        minutes, secs = divmod(rest, 60)
        units = ((days, "{n} d"), (hours, "{n} h"), (minutes, "{n} min"), (secs, "{n} s"))
        return " ".join(self(unit).format(n=n) for n, unit in units if n) or self("{n} s").format(
            n=0
        )

    def window(self, text: str) -> str:
        """A weekly window as a config writes it (``mon-thu 09:00-12:30``) in words:
        ``du lundi au jeudi, de 09:00 à 12:30``, the day names Babel's."""
        from babel.dates import get_day_names
        from babel.lists import format_list

        window = WeeklyWindow.parse(text)
        names = get_day_names("wide", locale=self.code)
        if len(window.days) == len(names):
            days = self("every day")
        else:
            days = format_list(
                [
                    part
                    for run in day_runs(window.days)
                    for part in (
                        [self("{first} to {last}").format(first=names[run[0]], last=names[run[-1]])]
                        if len(run) > 2
                        else [names[day] for day in run]
                    )
                ],
                locale=self.code,
            )
        hours = (
            "{days}, {start} to {end}"
            if window.end > window.start
            else "{days}, {start} to {end} the next day"
        )
        return self(hours).format(days=days, start=wall(window.start), end=wall(window.end))

    def yes_no(self, value: bool) -> str:
        return self("yes") if value else self("no")


def _exact(value: float) -> Decimal:
    """The decimal the JSON writes for ``value`` (its shortest repr), not the float's
    binary expansion."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
