"""The availability formula a contract applies, as the figures a reader can redo it from.

SPEC section 3: R, X, U and D are reported as measured under every policy (D and
U never overlap); ``exclusions_count_as`` and ``unknown_time`` only choose which
of them each side of the ratio subtracts from R:

=============  ==========  ==================================
exclusions     unknown     A
=============  ==========  ==================================
``available``  excluded    (R - U - D) / (R - U) x 100
``available``  ``up``      (R - D) / R x 100
``available``  ``down``    (R - U - D) / R x 100
``removed``    excluded    (R - X - U - D) / (R - X - U) x 100
``removed``    ``up``      (R - X - D) / (R - X) x 100
``removed``    ``down``    (R - X - U - D) / (R - X) x 100
=============  ==========  ==================================

The report shows the expression and the same expression with the period's
numbers in it, both written from one ``Ratio``, so they cannot disagree
with the figure computed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from slawatch.sla.contract import Formula, UnknownPolicy

Figures = Mapping[str, int]  # "R", "X", "U", "D" -> seconds


@dataclass(frozen=True, slots=True)
class Ratio:
    """``(R - top...) / (R - bottom...) x 100``: the letters each side subtracts."""

    top: tuple[str, ...]
    bottom: tuple[str, ...]

    @classmethod
    def of(cls, formula: Formula, unknown: UnknownPolicy) -> Ratio:
        """The ratio a contract's two policies give (the table above)."""
        x = ("X",) if formula is Formula.REMOVED else ()
        top_u = () if unknown is UnknownPolicy.UP else ("U",)
        bottom_u = ("U",) if unknown is UnknownPolicy.EXCLUDED else ()
        return cls((*x, *top_u, "D"), (*x, *bottom_u))

    def sides(self, figures: Figures) -> tuple[int, int]:
        """(numerator, denominator) in seconds."""
        return _side(self.top, figures), _side(self.bottom, figures)

    def expression(self) -> str:
        """``(R - U - D) / (R - U) x 100``."""
        return self._written(lambda letter: letter)

    def arithmetic(self, figures: Figures) -> str:
        """The expression with each letter replaced by its seconds."""
        return self._written(lambda letter: str(figures[letter]))

    def _written(self, name: Callable[[str], str]) -> str:
        return f"{_text(self.top, name)} / {_text(self.bottom, name)} x 100"


def _side(letters: tuple[str, ...], figures: Figures) -> int:
    return figures["R"] - sum(figures[letter] for letter in letters)


def _text(letters: tuple[str, ...], name: Callable[[str], str]) -> str:
    """``R`` less ``letters``, in brackets when there is something to subtract."""
    if not letters:
        return name("R")
    return "(" + " - ".join(name(letter) for letter in ("R", *letters)) + ")"
