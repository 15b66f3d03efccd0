"""Sets of half-open integer-second intervals, the unit of every SLA computation.

Every duration slawatch reports is the ``total()`` of such a set, so set algebra
must be exact: instants are whole seconds since the Unix epoch (UTC), intervals
are ``[start, end)`` and a set is kept sorted, disjoint and non-adjacent (two
touching intervals are merged), which makes equality structural and every
operation a single linear merge.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence

Span = tuple[int, int]


class IntervalSet:
    """An immutable, normalised set of ``[start, end)`` spans of whole seconds."""

    __slots__ = ("_spans",)

    def __init__(self, spans: Iterable[Span] = ()) -> None:
        self._spans: tuple[Span, ...] = _normalise(spans)

    @classmethod
    def _trusted(cls, spans: list[Span]) -> IntervalSet:
        """Wrap spans already sorted, disjoint and non-adjacent (skips the sort)."""
        new = cls.__new__(cls)
        new._spans = tuple(spans)
        return new

    @classmethod
    def from_sorted(cls, spans: list[Span]) -> IntervalSet:
        """The set of ``spans`` already sorted by start: one linear merge, no sort."""
        return cls._trusted(_merge_sorted(spans))

    @classmethod
    def span(cls, start: int, end: int) -> IntervalSet:
        """The set holding ``[start, end)``, empty when ``end <= start``."""
        return cls._trusted([(start, end)] if end > start else [])

    @property
    def spans(self) -> tuple[Span, ...]:
        return self._spans

    def total(self) -> int:
        """Seconds covered by the set."""
        return sum(end - start for start, end in self._spans)

    def __iter__(self) -> Iterator[Span]:
        return iter(self._spans)

    def __len__(self) -> int:
        return len(self._spans)

    def __bool__(self) -> bool:
        return bool(self._spans)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IntervalSet) and self._spans == other._spans

    def __hash__(self) -> int:
        return hash(self._spans)

    def __repr__(self) -> str:
        return f"IntervalSet({list(self._spans)!r})"

    def __or__(self, other: IntervalSet) -> IntervalSet:
        return self.union(other)

    def __and__(self, other: IntervalSet) -> IntervalSet:
        return self.intersection(other)

    def __sub__(self, other: IntervalSet) -> IntervalSet:
        return self.difference(other)

    def union(self, other: IntervalSet) -> IntervalSet:
        if not other._spans:
            return self
        if not self._spans:
            return other
        return IntervalSet._trusted(_merge_sorted(_interleave(self._spans, other._spans)))

    def intersection(self, other: IntervalSet) -> IntervalSet:
        # The hottest loop of a report: plain comparisons, no min()/max() calls.
        a, b = self._spans, other._spans
        if not a or not b:
            return _EMPTY
        if len(b) == 1:  # e.g. a 24x7 reference time: two binary searches
            return self.clip(*b[0])
        if len(a) == 1:
            return other.clip(*a[0])
        out: list[Span] = []
        na, nb = len(a), len(b)
        i = j = 0
        while i < na and j < nb:
            a0, a1 = a[i]
            b0, b1 = b[j]
            start = a0 if a0 > b0 else b0
            end = a1 if a1 < b1 else b1
            if start < end:
                out.append((start, end))
            if a1 < b1:
                i += 1
            else:
                j += 1
        return IntervalSet._trusted(out)

    def difference(self, other: IntervalSet) -> IntervalSet:
        if not other._spans or not self._spans:
            return self
        if len(other._spans) == 1:  # what lies before it and after it
            (start, end), first, last = other._spans[0], self._spans[0][0], self._spans[-1][1]
            return IntervalSet._trusted([*self.clip(first, start), *self.clip(end, last)])
        out: list[Span] = []
        b = other._spans
        j = 0
        for start, end in self._spans:
            while j < len(b) and b[j][1] <= start:
                j += 1
            cursor = start
            k = j
            while k < len(b) and b[k][0] < end:
                if b[k][0] > cursor:
                    out.append((cursor, b[k][0]))
                cursor = max(cursor, b[k][1])
                k += 1
            if cursor < end:
                out.append((cursor, end))
        return IntervalSet._trusted(out)

    def totals_within(self, spans: Sequence[Span]) -> list[int]:
        """Seconds of the set inside each of ``spans`` (sorted and disjoint), in
        one linear pass."""
        mine = self._spans
        totals: list[int] = []
        count = len(mine)
        i = 0
        for start, end in spans:
            while i < count and mine[i][1] <= start:
                i += 1
            if i == count:  # the set ends before this span: nothing in the rest
                break
            total = 0
            j = i
            while j < count and mine[j][0] < end:
                s, e = mine[j]
                total += (e if e < end else end) - (s if s > start else start)
                j += 1
            totals.append(total)
        return totals + [0] * (len(spans) - len(totals))

    def widen(self, before: int, after: int) -> IntervalSet:
        """Every span started ``before`` seconds earlier and ended ``after`` later."""
        return IntervalSet((start - before, end + after) for start, end in self._spans)

    def clip(self, start: int, end: int) -> IntervalSet:
        """The part of the set inside ``[start, end)``: two binary searches and a slice."""
        spans = self._spans
        if end <= start or not spans:
            return _EMPTY
        first = bisect_right(spans, (start, _INFINITY)) - 1  # the last span opening <= start
        if first < 0 or spans[first][1] <= start:
            first += 1
        last = bisect_left(spans, (end, -_INFINITY))  # spans opening before end
        inside = list(spans[first:last])
        if not inside:
            return _EMPTY
        if inside[0][0] < start:
            inside[0] = (start, inside[0][1])
        if inside[-1][1] > end:
            inside[-1] = (inside[-1][0], end)
        return IntervalSet._trusted(inside)


_INFINITY = float("inf")


def _interleave(a: tuple[Span, ...], b: tuple[Span, ...]) -> list[Span]:
    """Merge two sorted span sequences into one list sorted by start."""
    out: list[Span] = []
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i][0] <= b[j][0]:
            out.append(a[i])
            i += 1
        else:
            out.append(b[j])
            j += 1
    out.extend(a[i:])
    out.extend(b[j:])
    return out


def _merge_sorted(spans: list[Span]) -> list[Span]:
    """Coalesce overlapping or touching spans of a list sorted by start."""
    out: list[Span] = []
    for start, end in spans:
        if end <= start:
            continue
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def _normalise(spans: Iterable[Span]) -> tuple[Span, ...]:
    return tuple(_merge_sorted(sorted(spans)))


_EMPTY = IntervalSet()
