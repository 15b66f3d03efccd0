"""Where the PDF's tables and headings sit: columns no narrower than their longest
word, headings kept with what follows them, a footer on every page.

fpdf2 breaks a word that is wider than its cell character by character, so a
fixed width per column turned "Claimed" into "Claim" / "ed" and a long ticket
reference into two halves a customer cannot search for. The widths are measured
instead, from the very text the table will hold, in the font it will be set in:
every column gets at least its longest word, the rest of the page goes to the
columns whose lines are longest. When even the words do not fit, the table is set
a size smaller, down to ``MIN_FONT``. A SHA-256 is the one text allowed to wrap
anywhere: it is read by a machine, and 64 digits fit no column.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import MethodReturnValue

PADDING = 1.0  # mm: fpdf2's cell margin, left and right of a cell's text
_SLACK = 0.3  # mm: rounding in fpdf2's line breaking
MIN_FONT = 5.0  # pt: smaller is not read on paper
_STEP = 0.5  # pt
_HASH_CHARS = 16  # how much of a SHA-256 a column must hold on one line
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class Fit:
    """How a table is set: its font size and its columns' widths (mm)."""

    size: float
    widths: tuple[float, ...]
    lines: int  # about how many lines the longest text of a cell takes


def fit_table(pdf: FPDF, rows: Sequence[Sequence[str]], width: float) -> Fit:
    """The largest size, from the current font's down to ``MIN_FONT``, at which no
    word of ``rows`` (the first one is the bold heading row) is cut, with the widths
    that fill ``width``."""
    font, current = pdf.font_family, pdf.font_size_pt
    while True:
        least, most = _extents(pdf, font, current, rows)
        if sum(least) <= width or current <= MIN_FONT:
            widths = _share(least, most, width)
            lines = max(math.ceil(m / w) for m, w in zip(most, widths, strict=True))
            return Fit(current, widths, lines)
        current = max(MIN_FONT, current - _STEP)


def _extents(
    pdf: FPDF, font: str, size: float, rows: Sequence[Sequence[str]]
) -> tuple[list[float], list[float]]:
    """Per column: the width of its longest word (a SHA-256 counting for
    ``_HASH_CHARS`` digits) and of its longest line, at ``size``."""
    hashed = pdf.get_string_width("0" * _HASH_CHARS)
    least = [0.0] * len(rows[0])
    most = [0.0] * len(rows[0])
    for number, row in enumerate(rows):
        pdf.set_font(font, "B" if number == 0 else "", size)
        for column, text in enumerate(row):
            words = text.split() or [""]
            longest = max(
                hashed if _SHA256.fullmatch(word) else pdf.get_string_width(word) for word in words
            )
            line = max(pdf.get_string_width(line) for line in text.splitlines() or [""])
            least[column] = max(least[column], longest)
            most[column] = max(most[column], line)
    margin = 2 * PADDING + _SLACK
    return [w + margin for w in least], [w + margin for w in most]


def _share(least: list[float], most: list[float], width: float) -> tuple[float, ...]:
    """Widths adding up to ``width``: the longest lines when they all fit, spread in
    proportion. Else every column gets its longest word; then, from the column that
    wants least more, each gets its longest line while that is no more than an even
    share of what is left (a short column on one line); the columns still wanting
    (the long texts) share the rest in proportion to what they want."""
    if sum(most) <= width:
        return tuple(m * width / sum(most) for m in most)
    if sum(least) >= width:
        return tuple(w * width / sum(least) for w in least)
    widths, spare = list(least), width - sum(least)
    wants = {column: most[column] - least[column] for column in range(len(least))}
    for column in sorted(wants, key=wants.__getitem__):
        if wants[column] > spare / len(wants):
            break
        widths[column], spare = most[column], spare - wants.pop(column)
    total = sum(wants.values())
    for column, want in wants.items():
        widths[column] += spare * want / total
    return tuple(widths)


def rows_height(pdf: FPDF, rows: Sequence[Sequence[str]], fit: Fit) -> float:
    """The height (mm) that ``rows`` take in a table set as ``fit`` (the first one
    is the bold heading row): each row as tall as its tallest cell, at fpdf2's
    table line height, twice the font size."""
    pdf.set_font(pdf.font_family, "", fit.size)
    line = 2 * pdf.font_size
    total = 0.0
    for number, row in enumerate(rows):
        pdf.set_font(pdf.font_family, "B" if number == 0 else "", fit.size)
        total += max(
            text_height(pdf, width, line, text) for width, text in zip(fit.widths, row, strict=True)
        )
    pdf.set_font(pdf.font_family, "", fit.size)
    return total


def text_height(pdf: FPDF, width: float, line: float, text: str) -> float:
    """The height (mm) of ``text`` set in the current font, ``width`` mm wide
    (0: to the right margin), ``line`` mm a line: fpdf2's dry run of a cell."""
    height = pdf.multi_cell(width, line, text, dry_run=True, output=MethodReturnValue.HEIGHT)
    assert isinstance(height, float | int)  # what output=HEIGHT returns
    return float(height)


def keep_with_next(pdf: FPDF, height: float) -> None:
    """A new page first when what must stay together (a heading, its table's
    heading row and first row: ``height`` mm) would not end on this page, so a
    heading is never the last line of a page."""
    if pdf.will_page_break(height):
        pdf.add_page(same=True)  # the same orientation: the table was fitted to it
