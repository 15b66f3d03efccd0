"""The chart of daily availability that the PDF and HTML reports show.

Drawn from the JSON report's ``daily`` list and ``target_percent`` only. It uses
matplotlib's object API on the Agg canvas: no pyplot, so no global figure state
and no GUI backend, whatever ``MPLBACKEND`` says (the agent may run headless).
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

_MET, _MISSED, _NONE = "#2e7d32", "#c62828", "#e0e0e0"


def daily_chart_png(data: Mapping[str, Any], *, dpi: int = 150) -> bytes:
    """A PNG bar chart: one bar per day, red below the target, grey where the
    day has no reference time; the target as a dashed line."""
    days: Sequence[Mapping[str, Any]] = data["daily"]
    target = float(data["target_percent"])
    values = [d["availability_percent"] for d in days]
    floor = _floor([v for v in values if v is not None], target)
    figure = Figure(figsize=(7.2, 2.6), dpi=dpi, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    _bars(axes, values, target, floor)
    axes.axhline(target, color="#37474f", linestyle="--", linewidth=1)
    axes.text(len(days) + 0.6, target, f" target {target:g} %", va="center", fontsize=7)
    axes.set_ylim(floor, 100.0 + (100.0 - floor) * 0.04)
    axes.set_xlim(0.4, len(days) + 0.6)
    axes.set_ylabel("availability (%)", fontsize=8)
    axes.set_title(f"Daily availability, {data['period']['label']}", fontsize=9)
    _ticks(axes, days)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _bars(axes: Axes, values: Sequence[float | None], target: float, floor: float) -> None:
    """Green bars for days at or above the target, red below; a day with nothing
    to measure (a Sunday under a business-hours calendar, a day still to come)
    is shaded, not drawn as a full bar that would read as 100 %. The legend goes
    under the axes, where it hides no bar."""
    for position, value in enumerate(values, start=1):
        if value is None:
            axes.axvspan(position - 0.4, position + 0.4, color=_NONE, linewidth=0)
    measured = [(i, v) for i, v in enumerate(values, start=1) if v is not None]
    axes.bar(
        [i for i, _ in measured],
        [v - floor for _, v in measured],
        bottom=floor,
        color=[_MET if v >= target else _MISSED for _, v in measured],
        width=0.8,
    )
    handles = [Patch(color=c) for c in (_MET, _MISSED, _NONE)]
    labels = ["target met", "below target", "nothing to measure (no reference time, unobserved)"]
    figure = axes.get_figure()
    assert figure is not None  # the axes were made by a figure
    figure.legend(handles, labels, fontsize=6, loc="outside lower center", ncols=3, frameon=False)


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
