"""The reports as a customer sees them: pages rendered, then facts about where the
words and colours are. PDF pages read by ``pdftotext -bbox`` and drawn by
``pdftoppm`` (poppler-utils), the HTML page printed by headless Chromium, the
workbook computed by a spreadsheet engine (pycel).

The example history carries what made columns wrap inside a word: a long ticket
reference on a claim, an emergency maintenance (``emergency_maintenance``), a
whole day of it (the chart must not draw that day as a 100 % bar), and the year
report of SMILÉO, 365 days over several pages.
"""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import pytest
from click.testing import CliRunner
from fpdf import FPDF
from fpdf.enums import PageOrientation
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from PIL import Image

from slawatch.cli import main
from slawatch.reports import chart
from slawatch.reports.locale import Style
from slawatch.reports.pdf import Grid, grids, support_grids
from slawatch.reports.pdf_layout import MIN_FONT, PADDING, fit_table, keep_with_next, rows_height

from .rendered import MM, TIMEOUT, Page, cut_words, html_layout, pdf_pages, png_pages
from .sheets import Sheets
from .test_formats import HISTORY, SEED
from .test_support_formats import EVENTS

AS_OF = "2026-12-01T00:00:00+01:00"
TICKET = "INC-2026-10-000123456789"
# The customer view in French is what the seed contracts send; the internal view in
# English has the widest tables (the JSON fields, the SHA-256s, the what-ifs).
CUSTOMER, INTERNAL = Style(locale="fr", view="customer"), Style(locale="en", view="internal")
CASES = [
    ("report", "cegid-portal", "2026-10", CUSTOMER),
    ("report", "cegid-portal", "2026-10", INTERNAL),
    ("report", "ipfolio", "2026-10", CUSTOMER),
    ("report", "ipfolio", "2026-10", INTERNAL),
    ("report", "smileo-backup", "2026", CUSTOMER),
    ("support", "cegid-portal", "contract-year:2026", CUSTOMER),
    ("support", "cegid-portal", "contract-year:2026", INTERNAL),
]
IDS = [f"{kind}-{contract}-{period}-{style.locale}-{style.view}" for kind, contract, period, style in CASES]  # fmt: skip
FOOTER_ZONE = 14 * MM  # the bottom margin: the footer and nothing else


def run(*args: str) -> None:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output


class Made:
    """Each report of ``CASES``, made by the command once per format."""

    def __init__(self, db: str, out: Path) -> None:
        self.db, self.out = db, out
        self._paths: dict[tuple[str, ...], Path] = {}

    def path(
        self, kind: str, contract: str, period: str, fmt: str, style: Style = CUSTOMER
    ) -> Path:
        key = (kind, contract, period, fmt, style.locale, style.view)
        if key not in self._paths:
            name = f"{kind}-{contract}-{period.replace(':', '-')}-{style.locale}-{style.view}"
            target = self.out / f"{name}.{fmt}"
            command = ("support", "report") if kind == "support" else ("report",)
            run(*command, "-c", SEED, "--db", self.db, "--contract", contract, "--period", period,
                "--as-of", AS_OF, "--format", fmt, "-o", str(target), "--locale", style.locale,
                "--view", style.view)  # fmt: skip
            self._paths[key] = target
        return self._paths[key]

    def json(self, kind: str, contract: str, period: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.path(kind, contract, period, "json").read_text())
        return data


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Made]:
    base = tmp_path_factory.mktemp("layout")
    db = f"sqlite:///{base}/slawatch.db"
    (base / "events.csv").write_text(EVENTS, encoding="utf-8")
    common = ("-c", SEED, "--db", db)
    run("import", *common, "--results", HISTORY)
    run("ticket", "import", *common, "--events", str(base / "events.csv"))
    run("claim", "add", *common, "--contract", "ipfolio", "--at", "2026-10-05T11:00:00Z",
        "--ticket", TICKET, "--author", "alice")  # fmt: skip
    for start, end in (("2026-10-14T10:00", "2026-10-14T10:40"), ("2026-10-20T07:00", "2026-10-20T20:00")):  # fmt: skip
        run("maintenance", "add", *common, "--contract", "cegid-portal", "--kind", "emergency",
            "--start", start, "--end", end, "--note", "Remplacement du commutateur d\u2019agr\u00e9gation",
            "--author", "alice")  # fmt: skip
    yield Made(db, base)


def tables(kind: str, data: dict[str, Any], style: Style) -> list[Grid]:
    """Every table the PDF sets in ``style``."""
    written = replace(style, written=True)  # as the PDF writes its values
    return support_grids(data, written) if kind == "support" else grids(data, written)


def test_the_example_has_what_used_to_wrap(made: Made) -> None:
    ipfolio = made.json("report", "ipfolio", "2026-10")
    assert ipfolio["outages"][0]["ticket"] == TICKET
    cegid = made.json("report", "cegid-portal", "2026-10")
    assert "emergency_maintenance" in [e["reason"] for e in cegid["exclusions"]]
    day = next(d for d in cegid["daily"] if d["date"] == "2026-10-20")
    assert day["excluded_seconds"] == day["reference_seconds"] == 13 * 3600
    assert chart.day_kind(day, cegid["target_percent"]) is chart.EXCLUDED


@pytest.mark.parametrize(("kind", "contract", "period", "style"), CASES, ids=IDS)
def test_pdf_cuts_no_word_of_any_table(
    made: Made, kind: str, contract: str, period: str, style: Style
) -> None:
    pages = pdf_pages(made.path(kind, contract, period, "pdf", style))
    found = tables(kind, made.json(kind, contract, period), style)
    drawn = [grid.rows for grid in found if len(grid.rows) > 1]
    cells = [cell for rows in drawn for row in rows for cell in row]  # an empty table: "none"
    assert not cut_words(pages, cells)


@pytest.mark.parametrize(("kind", "contract", "period", "style"), CASES, ids=IDS)
def test_pdf_footer_on_every_page(
    made: Made, kind: str, contract: str, period: str, style: Style
) -> None:
    pages = pdf_pages(made.path(kind, contract, period, "pdf", style))
    assert len(pages) > 1
    word = "contrat" if style.locale == "fr" else "contract"
    for page in pages:
        footer = [w for w in page.words if w.y0 > page.height - FOOTER_ZONE]
        text = " ".join(w.text for w in sorted(footer, key=lambda w: w.x0))
        assert f"\u2013 {word} {contract} \u2013" in text, (page.number, text)
        assert text.endswith(f"page {page.number} / {len(pages)}"), (page.number, text)


def heading_lines(page: Page, title: str) -> list[float]:
    """The tops of the lines of ``page`` that hold ``title`` and nothing else."""
    return [y for y, words in page.lines().items() if " ".join(w.text for w in words) == title]


@pytest.mark.parametrize(("kind", "contract", "period", "style"), CASES, ids=IDS)
def test_pdf_heading_never_ends_a_page(
    made: Made, kind: str, contract: str, period: str, style: Style
) -> None:
    pages = pdf_pages(made.path(kind, contract, period, "pdf", style))
    for grid in tables(kind, made.json(kind, contract, period), style):
        found = [(page, y) for page in pages for y in heading_lines(page, grid.title)]
        assert len(found) == 1, grid.title
        page, top = found[0]
        under = [w for w in page.words if top < w.y0 < page.height - FOOTER_ZONE]
        # The table's heading row (or "none") follows on the same page.
        first = grid.rows[0][0].split()[0] if len(grid.rows) > 1 else grid.none
        assert first in {w.text for w in under}, (grid.title, page.number)


def test_keep_with_next_turns_the_page_for_a_heading_at_the_bottom() -> None:
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.add_page()
    pdf.set_y(pdf.page_break_trigger - 12)  # room for a heading, not for its table
    keep_with_next(pdf, 20)
    assert (pdf.page, pdf.y) == (2, pdf.t_margin)
    pdf.add_page(orientation="L")
    pdf.set_y(pdf.page_break_trigger - 12)
    keep_with_next(pdf, 20)
    assert (pdf.page, pdf.cur_orientation) == (4, PageOrientation.LANDSCAPE)  # as fitted


def test_keep_with_next_stays_when_there_is_room() -> None:
    pdf = FPDF(unit="mm", format="A4")
    pdf.add_page()
    keep_with_next(pdf, 20)
    assert (pdf.page, pdf.y) == (1, pdf.t_margin)


def test_rows_height_is_the_tallest_cell_of_each_row() -> None:
    pdf = FPDF(unit="mm", format="A4")
    pdf.add_page()
    pdf.set_font("helvetica", size=7)
    rows = [("Start", "Note"), ("2026-10-14", "a note long enough to take three lines here")]
    fit = fit_table(pdf, rows, 40)
    line = 2 * pdf.font_size
    assert rows_height(pdf, rows[:1], fit) == pytest.approx(line)
    assert rows_height(pdf, rows, fit) > 3 * line  # the note wraps: its row is taller


def test_fit_table_gives_each_column_its_longest_word() -> None:
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_font("helvetica", size=7)
    rows = [("Claimed", "Ticket", "Excluded because"), ("no", TICKET, "emergency_maintenance")]
    fit = fit_table(pdf, rows, 100)
    assert fit.size == 7
    assert sum(fit.widths) == pytest.approx(100)
    pdf.set_font("helvetica", "B", 7)
    assert fit.widths[0] >= pdf.get_string_width("Claimed") + 2 * PADDING
    pdf.set_font("helvetica", "", 7)
    assert fit.widths[1] >= pdf.get_string_width(TICKET) + 2 * PADDING
    assert fit.widths[2] >= pdf.get_string_width("emergency_maintenance") + 2 * PADDING


def test_fit_table_sets_a_table_smaller_before_it_cuts_a_word() -> None:
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_font("helvetica", size=8)
    rows = [("Ticket", "Ticket"), (TICKET, TICKET)]
    pdf.set_font("helvetica", size=6)
    needed = 2 * (pdf.get_string_width(TICKET) + 2 * PADDING + 0.3)
    pdf.set_font("helvetica", size=8)
    fit = fit_table(pdf, rows, needed)
    assert MIN_FONT <= fit.size <= 6
    assert fit_table(pdf, rows, 10).size == MIN_FONT  # the floor: smaller is not read


def test_a_sha256_may_wrap_anywhere() -> None:
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_font("helvetica", size=7)
    digest = "0123456789abcdef" * 4
    fit = fit_table(pdf, [("SHA-256", "SHA-256"), (digest, digest)], 60)
    assert fit.size == 7  # two 64-digit words do not fit 60 mm: they wrap, the font stays


def blue_pixels(png: Path) -> int:
    """Pixels of the chart's "excluded all day" colour (#1565c0, give or take)."""
    with Image.open(png) as image:
        counted = cast(
            list[tuple[int, tuple[int, int, int]]], image.convert("RGB").getcolors(1 << 24)
        )
    return sum(n for n, (r, g, b) in counted if abs(r - 0x15) < 24 and abs(g - 0x65) < 24 and abs(b - 0xC0) < 24)  # fmt: skip


def test_pdf_chart_marks_an_excluded_day_apart(made: Made, tmp_path: Path) -> None:
    cegid = png_pages(made.path("report", "cegid-portal", "2026-10", "pdf"), tmp_path)
    ipfolio = png_pages(made.path("report", "ipfolio", "2026-10", "pdf"), tmp_path)
    assert blue_pixels(cegid[0]) > 50  # the 20th, excluded all day, and its legend
    assert blue_pixels(ipfolio[0]) == 0  # no excluded day: no such bar, no such legend


def test_chart_kinds_of_days() -> None:
    def day(r: int, x: int, u: int, a: float | None) -> dict[str, Any]:
        return {"reference_seconds": r, "excluded_seconds": x, "unknown_seconds": u,
                "downtime_seconds": 0, "availability_percent": a}  # fmt: skip

    assert chart.day_kind(day(0, 0, 0, None), 99) is chart.NO_REFERENCE
    assert chart.day_kind(day(3600, 3600, 0, 100.0), 99) is chart.EXCLUDED
    assert chart.day_kind(day(3600, 0, 3600, None), 99) is chart.UNMEASURED
    assert chart.day_kind(day(3600, 600, 3000, 100.0), 99) is chart.UNMEASURED
    assert chart.day_kind(day(3600, 600, 0, 100.0), 99) is chart.PART_EXCLUDED
    assert chart.day_kind(day(3600, 0, 0, 98.0), 99) is chart.MISSED
    assert chart.day_kind(day(3600, 0, 600, 100.0), 99) is chart.MET
    kinds = {chart.MET, chart.MISSED, chart.PART_EXCLUDED, chart.EXCLUDED, chart.UNMEASURED,
             chart.NO_REFERENCE}  # fmt: skip
    assert len({(k.colour, k.hatch) for k in kinds}) == len(kinds)  # each drawn its own way
    assert len({k.label for k in kinds}) == len(kinds)


def test_chart_legend_names_the_kinds_it_shows() -> None:
    days = [
        {"date": f"2026-10-0{i}", "reference_seconds": 3600, "excluded_seconds": x,
         "unknown_seconds": u, "downtime_seconds": 0, "availability_percent": a}
        for i, (x, u, a) in enumerate([(0, 0, 100.0), (3600, 0, 100.0), (0, 3600, None)], start=1)
    ]  # fmt: skip
    data = {"daily": days, "target_percent": 99.0, "period": {"label": "2026-10"}}
    with Image.open(io.BytesIO(chart.daily_chart_png(data, dpi=60))) as image:
        counted = cast(
            list[tuple[int, tuple[int, int, int]]], image.convert("RGB").getcolors(1 << 16)
        )
    colours = {rgb for _, rgb in counted}
    assert (0x15, 0x65, 0xC0) in colours  # excluded all day
    assert (0x9E, 0x9E, 0x9E) in colours  # not measured
    assert (0xC6, 0x28, 0x28) in colours  # "below target" in the legend, even with no such day


@pytest.mark.parametrize("width", [1280, 900])
def test_html_cells_wrap_between_words_only(made: Made, tmp_path: Path, width: int) -> None:
    """Laid out by Chromium at a screen's width: no word of a table cell spans two
    lines (a SHA-256 may), and none of them runs out of its cell."""
    page = made.path("report", "ipfolio", "2026-10", "html")
    facts = html_layout(page, tmp_path, width)
    assert facts["cells"] > 100  # the tables were there to be measured
    assert TICKET in facts["words"]
    assert facts["cut"] == []
    assert facts["overflowing"] == []


def test_xlsx_formulas_give_the_report_numbers_and_follow_a_change(made: Made) -> None:
    data = made.json("report", "cegid-portal", "2026-10")
    sheets = Sheets(made.path("report", "cegid-portal", "2026-10", "xlsx", INTERNAL))
    summary = {row[2]: (row[1], number) for number, row in enumerate(sheets.rows("Summary"), 1)}
    cell = {key: f"B{number}" for key, (_, number) in summary.items()}
    assert summary["availability_percent"][0] == data["availability_percent"]
    formula = sheets.formula("Summary", cell["availability_percent"])
    assert cell["formula.numerator_seconds"] in formula
    assert sheets.formula("Summary", cell["formula.numerator_seconds"]) == (
        f"={cell['reference_seconds']}-{cell['unknown_seconds']}-{cell['downtime_seconds']}"
    )
    # A customer who halves D sees the availability follow: (R - U - D/2) / (R - U).
    r, u, d = (data[k] for k in ("reference_seconds", "unknown_seconds", "downtime_seconds"))
    changed = sheets.recompute("Summary", cell["downtime_seconds"], d // 2, cell["availability_percent"])  # fmt: skip
    assert changed == pytest.approx(100 * (r - u - d // 2) / (r - u), abs=1e-6)
    daily = sheets.rows("Daily")
    assert [row[-1] for row in daily[1:]] == [day["availability_percent"] for day in data["daily"]]
    assert sheets.formula("Daily", "F2").startswith("=IF(")


def test_xlsx_formulas_hold_the_report_numbers_as_their_results(made: Made) -> None:
    """What a viewer that does not compute shows (a mail preview, a reader of
    cached values): the formulas' results as written in the file."""
    data = made.json("report", "cegid-portal", "2026-10")
    cached = load_workbook(
        made.path("report", "cegid-portal", "2026-10", "xlsx", INTERNAL), data_only=True
    )
    summary = {row[2].value: row[1].value for row in cached["Summary"].iter_rows(min_row=2)}
    assert summary["availability_percent"] == data["availability_percent"]
    assert summary["formula.numerator_seconds"] == data["formula"]["numerator_seconds"]
    assert summary["formula.denominator_seconds"] == data["formula"]["denominator_seconds"]
    days = [row[5].value for row in cached["Daily"].iter_rows(min_row=2)]
    assert days == [day["availability_percent"] for day in data["daily"]]
    assert None in days  # a Sunday: no reference time, an empty result


def test_xlsx_typed_cells_chart_print_setup_and_creator(made: Made) -> None:
    sheets = Sheets(made.path("report", "cegid-portal", "2026-10", "xlsx", INTERNAL))
    book = sheets.book
    assert book.properties.creator == "slawatch"
    outages = book["Outages"]
    assert outages["A2"].is_date and outages["A2"].number_format.endswith('"+02:00"')
    assert book["Daily"]["A2"].is_date and book["Daily"]["A2"].number_format == "yyyy-mm-dd"
    assert outages["C2"].number_format == "#,##0"
    with zipfile.ZipFile(made.path("report", "cegid-portal", "2026-10", "xlsx", INTERNAL)) as parts:
        charts = [name for name in parts.namelist() if name.startswith("xl/charts/chart")]
        assert len(charts) == 1
        assert "'Daily'!$F$2:$F$32" in parts.read(charts[0]).decode()  # the 31 days
    for sheet in book.worksheets:
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0, sheet.title
        fit = sheet.sheet_properties.pageSetUpPr
        assert fit is not None and fit.fitToPage, sheet.title
        assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
        assert sheet.page_margins.left == 0.4
    assert book["Outages"].page_setup.orientation == "landscape"  # eleven columns
    clauses = book["Clauses"]
    assert isinstance(clauses, Worksheet) and clauses.print_title_rows == "$1:$1"


def test_rendering_a_pdf_logs_no_font_library_line(tmp_path: Path) -> None:
    """The agent logs at INFO; fontTools wrote some 50 lines per PDF there, and
    matplotlib hundreds per chart at DEBUG. Rendered in a fresh process, as the
    agent would, with the root logger at DEBUG."""
    golden = Path(__file__).resolve().parents[1] / "golden" / "cegid-portal-2026-10.json"
    script = (
        "import json, logging, sys\n"
        "logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)\n"
        "from slawatch.reports.formats import render\n"
        f"data = json.loads(open({str(golden)!r}, encoding='utf-8').read())\n"
        "assert render('pdf', data).startswith(b'%PDF-')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], check=False, capture_output=True, text=True, timeout=TIMEOUT
    )
    assert done.returncode == 0, done.stderr
    noise = [line for line in done.stderr.splitlines() if "fontTools" in line or "font_manager" in line]  # fmt: skip
    assert noise == []
    assert logging.getLogger("fontTools.subset").getEffectiveLevel() == logging.WARNING


def test_pdf_sets_a_table_too_narrow_in_portrait_on_landscape_pages(made: Made) -> None:
    pages = pdf_pages(made.path("support", "cegid-portal", "contract-year:2026", "pdf", INTERNAL))
    assert pages[0].height > 800  # A4 portrait: the verdict and the summary
    requests = next(page for page in pages if heading_lines(page, "Requests (6)"))
    assert requests.height < 600  # A4 landscape: the instants and the arithmetic
    assert all(page.height < 600 for page in pages[requests.number - 1 :])


@pytest.mark.parametrize("style", [CUSTOMER, INTERNAL], ids=["fr-customer", "en-internal"])
def test_xlsx_every_formula_computes_its_cached_result(made: Made, style: Style) -> None:
    """In either view and language (the sheets and columns differ): what a spreadsheet
    computes is what the file shows before it does."""
    path = made.path("report", "cegid-portal", "2026-10", "xlsx", style)
    formulas = Sheets(path).check_cached(path)
    assert formulas == 3 + 31  # the period's numerator, denominator and availability; each day's
