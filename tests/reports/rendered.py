"""A rendered page's words with their boxes: PDF pages read by ``pdftotext -bbox``
(Debian poppler-utils), the HTML report printed to PDF by headless Chromium first.
The layout tests assert facts about where the words are."""

from __future__ import annotations

import html
import json
import re
import subprocess
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from debian_tools import debian_tool

_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)
MM = 72 / 25.4  # points per millimetre
TIMEOUT = 120  # seconds: a tool that hangs fails its test instead of the suite


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True, slots=True)
class Page:
    number: int  # from 1
    height: float  # points
    words: tuple[Word, ...]

    def lines(self) -> dict[float, list[Word]]:
        """The words by the top of their line, left to right."""
        found: dict[float, list[Word]] = {}
        for word in self.words:
            found.setdefault(round(word.y0, 1), []).append(word)
        return {y: sorted(words, key=lambda w: w.x0) for y, words in sorted(found.items())}


_WHOLE = re.compile(r'<span class="w">(.*?)</span>')


def html_text(page: str) -> str:
    """The HTML ``page`` with its characters unescaped and without the spans that
    keep a hyphenated word on one line: the text as a reader searches it."""
    return html.unescape(_WHOLE.sub(r"\1", page))


def pdf_pages(pdf: Path) -> list[Page]:
    """Every page of ``pdf`` with its words and their boxes (points, y downwards)."""
    command = [debian_tool("pdftotext", "poppler-utils"), "-bbox", "-enc", "UTF-8", str(pdf), "-"]
    text = subprocess.run(command, capture_output=True, text=True, check=True, timeout=TIMEOUT)
    return [
        Page(
            number,
            float(height),
            tuple(
                Word(html.unescape(w[4]), float(w[0]), float(w[1]), float(w[2]), float(w[3]))
                for w in _WORD.findall(body)
            ),
        )
        for number, (_, height, body) in enumerate(_PAGE.findall(text.stdout), start=1)
    ]


def cut_words(pages: Iterable[Page], texts: Iterable[str]) -> Counter[str]:
    """The words of ``texts`` (table cells) that the pages do not hold whole, as
    many times as they are missing: a word wrapped inside a cell shows as two
    fragments and is missing once."""
    expected = Counter(word for text in texts for word in text.split())
    found = Counter(word.text for page in pages for word in page.words)
    return expected - found


# Run in the page by Chromium after layout: each word of each table cell is a
# range; a word whose range has two boxes was wrapped inside. Hashes may wrap
# anywhere; the contract's prose (td.clause, td.prose) after a hyphen, as typeset
# text does ("non-" / "responsabilité"), so there each part between hyphens counts.
_MEASURE = """<script>
window.addEventListener("load", () => {
  const facts = {cells: 0, words: [], cut: [], overflowing: []};
  for (const cell of document.querySelectorAll("td, th")) {
    facts.cells += 1;
    if (cell.scrollWidth > cell.clientWidth + 1) facts.overflowing.push(cell.textContent);
    if (cell.classList.contains("hash")) continue;
    const prose = cell.classList.contains("clause") || cell.classList.contains("prose");
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const words = prose ? /[^\\s-]+-?/g : /\\S+/g;
      for (const match of node.data.matchAll(words)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        facts.words.push(match[0]);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (lines.size > 1) facts.cut.push(match[0]);
      }
    }
  }
  const out = document.createElement("pre");
  out.id = "layout-facts";
  out.textContent = JSON.stringify(facts);
  document.body.append(out);
});
</script>"""
_FACTS = re.compile(r'<pre id="layout-facts">(.*?)</pre>', re.S)


def html_layout(page: Path, out: Path, width: int) -> dict[str, Any]:
    """Facts about the HTML ``page`` laid out by headless Chromium in a window
    ``width`` pixels wide: how many table cells, their words, the words cut across
    two lines and the cells whose text runs out of them."""
    chromium = debian_tool("chromium", "chromium")
    measured = out / f"{page.stem}.measured.html"
    text = page.read_text(encoding="utf-8")
    measured.write_text(text.replace("</body>", _MEASURE + "</body>"), encoding="utf-8")
    command = [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={out / 'profile'}", f"--window-size={width},2000",
        "--dump-dom", measured.as_uri(),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=True)
    found = _FACTS.search(done.stdout)
    assert found is not None, "the page's measuring script did not run"
    facts: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return facts


def png_pages(pdf: Path, out: Path, *, dpi: int = 60) -> list[Path]:
    """Each page of ``pdf`` as a PNG (pdftoppm), in page order."""
    pdftoppm = debian_tool("pdftoppm", "poppler-utils")
    prefix = out / pdf.stem
    subprocess.run(
        [pdftoppm, "-r", str(dpi), "-png", str(pdf), str(prefix)],
        capture_output=True,
        timeout=TIMEOUT,
        check=True,
    )
    return sorted(out.glob(f"{pdf.stem}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
