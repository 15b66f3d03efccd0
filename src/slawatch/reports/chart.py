"""The chart of daily availability that the PDF and HTML reports show.

Drawn from the JSON report's ``daily`` list and ``target_percent`` only, its title,
axis, target line and legend in the report's language (the gettext catalogue, the
target's number written by Babel). It uses
matplotlib's object API on the Agg canvas: no pyplot, so no global figure state
and no GUI backend, whatever ``MPLBACKEND`` says (the agent may run headless).
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from slawatch.reports.locale import Lang

_MET, _MISSED, _EXCLUDED = "#2e7d32", "#c62828", "#1565c0"
_UNMEASURED, _NONE = "#9e9e9e", "#eeeeee"


@dataclass(frozen=True, slots=True)
class _Kind:
    """How a day is drawn, and its line in the legend."""

    label: str
    colour: str
    hatch: str = ""


MET = _Kind("target met", _MET)
MISSED = _Kind("below target", _MISSED)
PART_EXCLUDED = _Kind("some time excluded", _MET, "////")
EXCLUDED = _Kind("excluded all day", _EXCLUDED, "xxxx")
UNMEASURED = _Kind("not measured (all unknown)", _UNMEASURED, "\\\\")
NO_REFERENCE = _Kind("no reference time", _NONE)


def day_kind(day: Mapping[str, Any], target: float) -> _Kind:
    """What a day of the JSON's ``daily`` list shows: a day with nothing to count
    (no reference time, all of it excluded, none of it observed) is never drawn as
    a 100 % bar, and a day with some excluded time says so."""
    reference, excluded = day["reference_seconds"], day["excluded_seconds"]
    value = day["availability_percent"]
    if reference == 0:
        return NO_REFERENCE
    if excluded >= reference:
        return EXCLUDED
    if value is None or day["unknown_seconds"] >= reference - excluded:
        return UNMEASURED
    if value < target:
        return MISSED
    return PART_EXCLUDED if excluded else MET


def daily_chart_png(data: Mapping[str, Any], lang: Lang | None = None, *, dpi: int = 150) -> bytes:
    """A PNG bar chart: one bar per day, red below the target, the days with
    nothing to count shaded each in its own way; the target as a dashed line; its
    texts in ``lang`` (English by default)."""
    out = io.BytesIO()
    daily_chart(data, lang or Lang.of("en"), dpi=dpi).savefig(out, format="png")
    return out.getvalue()


def daily_chart(data: Mapping[str, Any], lang: Lang, *, dpi: int = 150) -> Figure:
    """The chart's figure (``daily_chart_png`` draws it)."""
    days: Sequence[Mapping[str, Any]] = data["daily"]
    target = float(data["target_percent"])
    kinds = [day_kind(day, target) for day in days]
    measured = [d["availability_percent"] for d, k in zip(days, kinds, strict=True) if k in _BARS]
    floor = _floor(measured, target)
    figure = Figure(figsize=(7.2, 2.6), dpi=dpi, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    top = 100.0 + (100.0 - floor) * 0.04
    _bars(axes, days, kinds, (floor, top), lang)
    axes.axhline(target, color="#37474f", linestyle="--", linewidth=1)
    line = lang(" target {percent}").format(percent=lang.percent(data["target_percent"]))
    axes.text(len(days) + 0.6, target, line, va="center", fontsize=7)
    axes.set_ylim(floor, top)
    axes.set_xlim(0.4, len(days) + 0.6)
    axes.set_ylabel(lang("availability (%)"), fontsize=8)
    title = lang("Daily availability, {period}").format(period=data["period"]["label"])
    axes.set_title(title, fontsize=9)
    _ticks(axes, days)
    return figure


_BARS = (MET, MISSED, PART_EXCLUDED)  # the days whose availability is drawn as a bar
_LEGEND = (MET, MISSED, PART_EXCLUDED, EXCLUDED, UNMEASURED, NO_REFERENCE)


def _bars(
    axes: Axes,
    days: Sequence[Mapping[str, Any]],
    kinds: Sequence[_Kind],
    span: tuple[float, float],
    lang: Lang,
) -> None:
    """A bar from the axis' ``span`` floor up to the day's availability for a
    measured day; a band the height of the axes, coloured and hatched by kind, for
    a day with nothing to count, so that none reads as 100 %. One bar call per kind
    (a year has 365 days). The legend, under the axes where it hides no bar, names
    the kinds this chart has."""
    floor, top = span
    numbered = list(enumerate(zip(days, kinds, strict=True), start=1))
    for kind in _LEGEND:
        drawn = [(i, day) for i, (day, k) in numbered if k is kind]
        if not drawn:
            continue
        heights = [
            (day["availability_percent"] if kind in _BARS else top) - floor for _, day in drawn
        ]
        axes.bar([i for i, _ in drawn], heights, bottom=floor, width=0.8, color=kind.colour,
                 hatch=kind.hatch or None, edgecolor="white" if kind.hatch else "none",
                 linewidth=0)  # fmt: skip

    shown = [kind for kind in _LEGEND if kind in kinds or kind in (MET, MISSED)]
    handles = [Patch(facecolor=k.colour, hatch=k.hatch, edgecolor="white") for k in shown]
    figure = axes.get_figure()
    assert figure is not None  # the axes were made by a figure
    figure.legend(handles, [lang(k.label) for k in shown], fontsize=6, loc="outside lower center",
                  ncols=len(shown) if len(shown) <= 4 else 3, frameon=False)  # fmt: skip


def _floor(values: Sequence[float], target: float) -> float:
    """A round lower bound below the worst day and the target, so small
    differences near 100 % stay visible."""
    lowest = min([*values, target])
    span = max(100.0 - lowest, 0.1)
    step = 10 ** math.floor(math.log10(span))
    return max(0.0, float(math.floor((lowest - span * 0.25) / step) * step))


def _ticks(axes: Axes, days: Sequence[Mapping[str, Any]]) -> None:
    """Day of the month for a month; the first of each month for a year."""
    dates = [d["date"] for d in days]
    if len(dates) <= 31:
        marks = [(i, date[8:10]) for i, date in enumerate(dates, start=1)]
    else:
        marks = [(i, date[:7]) for i, date in enumerate(dates, start=1) if date.endswith("-01")]
    axes.set_xticks([i for i, _ in marks], [label for _, label in marks], fontsize=6)
    axes.tick_params(axis="y", labelsize=7)
    axes.spines[["top", "right"]].set_visible(False)
