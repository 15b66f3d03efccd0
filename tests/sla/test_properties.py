"""Invariants of the calculation (STYLE.md): checked on random timelines."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from slawatch.sla.assess import assess
from slawatch.sla.calendar import Calendar, WeeklyWindow
from slawatch.sla.contract import ContractTerms, Formula, UnknownPolicy
from slawatch.sla.exclusions import Exclusion, ExclusionReason
from slawatch.sla.intervals import IntervalSet
from slawatch.sla.periods import Period, PeriodKind

from .helpers import DAY, Spans, case, service, terms

START = 1_790_000_000 - 1_790_000_000 % DAY
END = START + 7 * DAY
spans = st.lists(
    st.tuples(st.integers(START - DAY, END + DAY), st.integers(1, DAY)).map(
        lambda p: (p[0], p[0] + p[1])
    ),
    max_size=6,
)
contracts = st.sampled_from(
    [
        terms(),
        terms(formula=Formula.REMOVED),
        terms(reference=Calendar((WeeklyWindow.parse("mon-fri 07:00-20:00"),))),
        terms(unknown_as=UnknownPolicy.UP),
        terms(formula=Formula.REMOVED, unknown_as=UnknownPolicy.DOWN),
    ]
)


def period(start: int, end: int) -> Period:
    return Period("p", PeriodKind.MONTH, start, end, None, None)  # type: ignore[arg-type]


def exclusions(found: list[tuple[int, int]]) -> list[Exclusion]:
    return [Exclusion(i, s, e, ExclusionReason.OTHER, "", "t", 0) for i, (s, e) in enumerate(found)]


@settings(max_examples=150, deadline=None)
@given(contracts, spans, spans, spans)
def test_availability_is_a_percentage(
    contract: ContractTerms, down: Spans, unknown: Spans, excluded: Spans
) -> None:
    r = assess(
        case(
            contract,
            period(START, END),
            service(START - DAY, END + DAY, down, unknown),
            END,
            exclusions=exclusions(excluded),
        )
    )
    assert 0 <= r.score.availability <= 100
    assert 0 <= r.score.coverage <= 100
    assert r.tally.downtime + r.tally.unknown + r.tally.excluded <= r.tally.reference


@settings(max_examples=150, deadline=None)
@given(contracts, spans, spans, spans, spans)
def test_more_downtime_never_raises_availability(
    contract: ContractTerms, down: Spans, more: Spans, unknown: Spans, excluded: Spans
) -> None:
    p, x = period(START, END), exclusions(excluded)
    before = assess(
        case(contract, p, service(START - DAY, END + DAY, down, unknown), END, exclusions=x)
    )
    after = assess(
        case(contract, p, service(START - DAY, END + DAY, down + more, unknown), END, exclusions=x)
    )
    assert after.score.availability <= before.score.availability


@settings(max_examples=150, deadline=None)
@given(spans, spans, spans, spans)
def test_more_excluded_time_never_lowers_availability(
    down: Spans, unknown: Spans, excluded: Spans, more: Spans
) -> None:
    contract, p = terms(), period(START, END)
    timeline = service(START - DAY, END + DAY, down, unknown)
    before = assess(case(contract, p, timeline, END, exclusions=exclusions(excluded)))
    after = assess(case(contract, p, timeline, END, exclusions=exclusions(excluded + more)))
    assert after.score.availability >= before.score.availability


@settings(max_examples=150, deadline=None)
@given(spans, spans, spans, spans)
def test_removed_formula_never_lowers_availability_when_excluding_downtime(
    down: Spans, unknown: Spans, excluded: Spans, more: Spans
) -> None:
    # Under "removed", excluding *up* time shrinks the denominator and can lower
    # availability (documented); excluding downtime never does.
    contract, p = terms(formula=Formula.REMOVED), period(START, END)
    timeline = service(START - DAY, END + DAY, down, unknown)
    more_down = list(IntervalSet(more) & timeline.down)
    before = assess(case(contract, p, timeline, END, exclusions=exclusions(excluded)))
    after = assess(case(contract, p, timeline, END, exclusions=exclusions(excluded + more_down)))
    assert after.score.availability >= before.score.availability


@settings(max_examples=150, deadline=None)
@given(contracts, spans, spans, spans, st.integers(START, END))
def test_a_split_period_sums_to_the_whole(
    contract: ContractTerms, down: Spans, unknown: Spans, excluded: Spans, cut: int
) -> None:
    timeline = service(START - DAY, END + DAY, down, unknown)
    x = exclusions(excluded)
    whole = assess(case(contract, period(START, END), timeline, END, exclusions=x))
    parts = [
        assess(case(contract, period(a, b), timeline, END, exclusions=x))
        for a, b in ((START, cut), (cut, END))
    ]
    for field in ("downtime", "reference", "excluded", "unknown"):
        assert sum(getattr(part.tally, field) for part in parts) == getattr(whole.tally, field)
    assert Fraction(whole.score.numerator_seconds) == sum(
        part.score.numerator_seconds for part in parts
    )
