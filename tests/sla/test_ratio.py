"""The formula applied under each pair of policies, and the figures it reads: R, X,
U and D as measured, the same whatever the policy (SPEC section 3)."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slawatch.sla.assess import assess
from slawatch.sla.contract import Formula, UnknownPolicy
from slawatch.sla.ratio import Ratio

from .helpers import DAY, Spans, case, service, terms
from .test_properties import END, START, exclusions, period, spans

FIGURES = {"R": 1000, "X": 100, "U": 50, "D": 7}


@pytest.mark.parametrize(
    ("formula", "policy", "expression", "arithmetic", "sides"),
    [
        (Formula.AVAILABLE, UnknownPolicy.EXCLUDED, "(R - U - D) / (R - U) x 100", "(1000 - 50 - 7) / (1000 - 50) x 100", (943, 950)),
        (Formula.AVAILABLE, UnknownPolicy.UP, "(R - D) / R x 100", "(1000 - 7) / 1000 x 100", (993, 1000)),
        (Formula.AVAILABLE, UnknownPolicy.DOWN, "(R - U - D) / R x 100", "(1000 - 50 - 7) / 1000 x 100", (943, 1000)),
        (Formula.REMOVED, UnknownPolicy.EXCLUDED, "(R - X - U - D) / (R - X - U) x 100", "(1000 - 100 - 50 - 7) / (1000 - 100 - 50) x 100", (843, 850)),
        (Formula.REMOVED, UnknownPolicy.UP, "(R - X - D) / (R - X) x 100", "(1000 - 100 - 7) / (1000 - 100) x 100", (893, 900)),
        (Formula.REMOVED, UnknownPolicy.DOWN, "(R - X - U - D) / (R - X) x 100", "(1000 - 100 - 50 - 7) / (1000 - 100) x 100", (843, 900)),
    ],
    ids=lambda v: str(v) if isinstance(v, str) and len(v) < 10 else None,
)  # fmt: skip
def test_each_pair_of_policies_has_its_formula(
    formula: Formula,
    policy: UnknownPolicy,
    expression: str,
    arithmetic: str,
    sides: tuple[int, int],
) -> None:
    ratio = Ratio.of(formula, policy)
    assert ratio.expression() == expression
    assert ratio.arithmetic(FIGURES) == arithmetic
    assert ratio.sides(FIGURES) == sides


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(list(Formula)), spans, spans, spans)
def test_the_figures_are_measured_and_the_formula_redoes_a(
    formula: Formula, down: Spans, unknown: Spans, excluded: Spans
) -> None:
    timeline = service(START - DAY, END + DAY, down, unknown)
    found = {
        policy: assess(
            case(
                terms(formula=formula, unknown_as=policy),
                period(START, END),
                timeline,
                END,
                exclusions=exclusions(excluded),
            )
        )
        for policy in UnknownPolicy
    }
    measured = {
        (a.tally.reference, a.tally.excluded, a.tally.unknown, a.tally.downtime)
        for a in found.values()
    }
    assert len(measured) == 1  # the policy changes no figure, only the formula
    for a in found.values():
        figures = {
            "R": a.tally.reference,
            "X": a.tally.excluded,
            "U": a.tally.unknown,
            "D": a.tally.downtime,
        }
        numerator, denominator = a.score.ratio.sides(figures)
        assert (numerator, denominator) == (a.score.numerator_seconds, a.score.denominator_seconds)
        if denominator:
            assert a.score.availability == Fraction(numerator * 100, denominator)
