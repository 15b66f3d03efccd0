"""Reports in the customer's language and for the customer's eyes (issue 10).

Made by the command over the README's October 2026 history for the three seed
contracts, in French (the seeds' ``report.locale``) and in English, each figure
compared with what Babel writes for the JSON's value: the catalogue and the view
may change the words, never a figure.
"""

from __future__ import annotations

import html
import io
import json
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_percent
from click.testing import CliRunner
from openpyxl import load_workbook
from PIL import Image

from slawatch.cli import main
from slawatch.reports import chart
from slawatch.reports.formats import LOCALES
from slawatch.reports.locale import CATALOGUES, Lang, untranslated

from .rendered import html_text
from .test_formats import HISTORY, SEED, tool

CONTRACTS = ("cegid-portal", "smileo-backup", "ipfolio")
AS_OF = "2026-11-01T00:00:00Z"
TITLES = {"fr": "Rapport SLA : {}, 2026-10", "en": "SLA report: {}, 2026-10"}
INTERNALS = ("JSON field", "Champ JSON", "<code>", "downtime_minutes", "availability_exact")


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes.decode("utf-8")  # as written: CRLF stays CRLF


class Made:
    """Reports of the example history, made by the command."""

    def __init__(self, db: str, out: Path) -> None:
        self.db, self.out = db, out
        self._files = 0

    def report(self, contract: str, *options: str, config: str = SEED) -> str:
        base = ("report", "-c", config, "--db", self.db, "--contract", contract)
        return run(*base, "--period", "2026-10", "--as-of", AS_OF, *options)

    def file(self, contract: str, fmt: str, *options: str, config: str = SEED) -> Path:
        self._files += 1
        path = self.out / f"{contract}-{self._files}.{fmt}"
        self.report(contract, "--format", fmt, "-o", str(path), *options, config=config)
        return path

    def data(self, contract: str) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(self.report(contract, "--format", "json"))
        return found


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Made]:
    base = tmp_path_factory.mktemp("locale")
    db = f"sqlite:///{base}/slawatch.db"
    run("import", "-c", SEED, "--db", db, "--results", HISTORY)
    yield Made(db, base)


def babel_percent(value: float, locale: str) -> str:
    return format_percent(Decimal(repr(value)) / 100, locale=locale, decimal_quantization=False)


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("contract", CONTRACTS)
def test_html_speaks_the_language_with_babel_figures(
    made: Made, contract: str, locale: str
) -> None:
    data = made.data(contract)
    options = ("--format", "html") + (("--locale", "en") if locale == "en" else ())
    page = html.unescape(made.report(contract, *options))  # fr: the seeds' report.locale
    assert f"<title>{TITLES[locale].format(contract)}</title>" in page
    assert f'<html lang="{locale}">' in page
    assert babel_percent(data["availability_percent"], locale) in page
    assert babel_percent(data["target_percent"], locale) in page
    zone = ZoneInfo(data["period"]["time_zone"])
    for outage in data["outages"]:
        start = datetime.fromisoformat(outage["start"])
        assert format_datetime(start, "d MMM y HH:mm", zone, locale=locale) in page
    month = "oct." if locale == "fr" else "Oct"
    assert f"1 {month} 2026 00:00" in page  # the period's start, in the contract's zone
    assert data["period"]["start"] not in page  # no ISO instant left for a customer
    for internal in INTERNALS:
        assert internal not in page


def test_french_numbers_money_and_words(made: Made) -> None:
    page = html.unescape(made.report("ipfolio", "--format", "html", "--if-all-claimed"))
    assert (
        "Disponibilité de 99,468383\u00a0% pour un objectif de 99,5\u00a0% : non atteint." in page
    )
    assert "25\u00a0% = 250,00\u00a0€ si chaque interruption était réclamée" in page
    assert "2\u202f678\u202f400 s (31 j)" in page  # R, grouped the French way, days in French
    assert "jusqu'à 216 min d'indisponibilité : 0\u00a0%" in page  # the tier, in words
    assert format_currency(250, "EUR", locale="fr") == "250,00\u00a0€"  # what Babel writes
    cegid = html.unescape(made.report("cegid-portal", "--format", "html"))
    assert "<td>maintenance récurrente</td><td>maintenance</td><td>prévue au contrat</td>" in cegid
    english = html.unescape(made.report("ipfolio", "--format", "html", "--locale", "en"))
    assert "Availability 99.468383% against a target of 99.5%: not met." in english
    assert "Credit owed: 0% = €0.00 (claimed outages only)." in english


def test_dates_follow_the_contract_zone_across_dst(made: Made) -> None:
    """Cegid's outage of 26 October 06:30 (UTC+1, the day after the change) stays 06:30."""
    data = made.data("cegid-portal")
    last = data["outages"][-1]["start"]
    assert last == "2026-10-26T06:30:00+01:00"
    page = html.unescape(made.report("cegid-portal", "--format", "html"))
    zone = ZoneInfo("Europe/Paris")
    moment = format_datetime(datetime.fromisoformat(last), "d MMM y HH:mm", zone, locale="fr")
    assert moment == "26 oct. 2026 06:30"
    assert moment in page


def test_customer_view_hides_what_if_unless_asked(made: Made) -> None:
    customer = html.unescape(made.report("ipfolio", "--format", "html"))
    assert "si chaque interruption" not in customer
    internal = html.unescape(made.report("ipfolio", "--format", "html", "--view", "internal"))
    assert "si chaque interruption" in internal
    for shown in ("Champ JSON", "<code>credit_basis</code>", "downtime_minutes"):
        assert shown in internal


def test_closed_period_customer_view_has_no_sha256(made: Made, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/closed.db"
    shutil.copyfile(made.db.removeprefix("sqlite:///"), tmp_path / "closed.db")
    run("period", "close", "-c", SEED, "--db", db, "--contract", "ipfolio", "--period", "2026-10")
    base = ("report", "-c", SEED, "--db", db, "--contract", "ipfolio", "--period", "2026-10")
    customer = run(*base, "--format", "html")
    internal = run(*base, "--format", "html", "--view", "internal")
    sha = json.loads(run(*base, "--format", "json"))["closed"]["sha256"]
    assert sha in internal
    assert sha not in customer
    assert "SHA-256" not in customer
    pdf, xlsx = tmp_path / "closed.pdf", tmp_path / "closed.xlsx"
    run(*base, "--format", "pdf", "-o", str(pdf))
    run(*base, "--format", "xlsx", "-o", str(xlsx))
    pdftotext = tool("pdftotext", "poppler-utils")
    text = subprocess.run([pdftotext, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "Avenants (0)" in text
    assert sha not in " ".join(text.split()).replace(" ", "")
    cells = [c for sheet in load_workbook(xlsx).worksheets for row in sheet.iter_rows(values_only=True) for c in row]  # fmt: skip
    assert sha not in cells


def test_amendments_in_words_in_the_customer_view(made: Made, tmp_path: Path) -> None:
    """An exclusion granted after the close: the amendment's lines name the figures,
    the outage and the day as the report does, not by their JSON paths."""
    db = f"sqlite:///{tmp_path}/amended.db"
    shutil.copyfile(made.db.removeprefix("sqlite:///"), tmp_path / "amended.db")
    common = ("-c", SEED, "--db", db, "--contract", "ipfolio")
    run("period", "close", *common, "--period", "2026-10")
    run("exclude", "add", *common, "--start", "2026-10-05T10:00:00Z", "--end",
        "2026-10-05T10:30:00Z", "--reason", "customer", "--note", "poste client")  # fmt: skip
    run("period", "amend", *common, "--period", "2026-10", "--reason", "exclusion reçue")
    customer = run("report", *common, "--period", "2026-10", "--format", "csv")
    customer = customer.replace("\u202f", " ").replace("\xa0", " ")  # Babel's spaces
    for line in (
        "Interruption du 5 oct. 2026 10:00, Exclue (s) : 0 s -> 1 800 s (30 min) ; ",
        "Exclusion : du fait du client (n° 1) : ajouté ; ",
        "Journée du 5 oct. 2026, X (s) : 0 s -> 1 800 s (30 min)",
    ):
        assert line in customer
    assert "fraction exacte" not in customer  # an internal field's change stays internal
    internal = run(
        "report", *common, "--period", "2026-10", "--format", "csv", "--view", "internal"
    )
    assert "outages[2026-10-05T10:00:00+00:00].excluded_seconds: 0 -> 1800; " in internal


def test_a_period_monitored_from_inside_says_so_in_every_format(made: Made) -> None:
    """SMILÉO's year 2026 is monitored from the history's first sample (30 September):
    HTML, PDF and the XLSX summary say so in the report's language; October, monitored
    from before it began, says nothing."""
    year = ("--period", "2026")
    french = "Surveillé à partir du 30 sept. 2026 02:00 : le temps qui précède n'est pas du temps de référence."  # fmt: skip
    english = "Monitored from 30 Sep 2026 02:00: the time before it is not reference time."
    page = html_text(made.report("smileo-backup", *year, "--format", "html"))
    assert french in " ".join(page.replace("\xa0", " ").split())
    assert english in html_text(made.report("smileo-backup", *year, "--format", "html", "--locale", "en"))  # fmt: skip
    pdf = made.file("smileo-backup", "pdf", *year)
    pdftotext = tool("pdftotext", "poppler-utils")
    text = subprocess.run([pdftotext, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert french in " ".join(text.replace("\xa0", " ").split())
    book = load_workbook(made.file("smileo-backup", "xlsx", *year))
    assert french in [str(c).replace("\xa0", " ") for (c,) in book.worksheets[0].iter_rows(max_col=1, max_row=6, values_only=True)]  # fmt: skip
    october = html_text(made.report("smileo-backup", "--format", "html"))
    assert "Surveillé à partir" not in october


def test_json_is_the_same_in_every_language_and_view(made: Made) -> None:
    plain = made.report("ipfolio", "--format", "json")
    for options in (("--locale", "en"), ("--view", "internal"), ("--csv-dialect", "excel-fr")):
        assert made.report("ipfolio", "--format", "json", *options) == plain
    assert '"availability_percent": 99.468383' in plain


def test_csv_dialects(made: Made) -> None:
    plain = made.report("ipfolio", "--format", "csv", "--view", "internal")
    assert plain.startswith("field,value\ncontract,ipfolio\n")  # the machine's CSV, no BOM
    excel = made.report("ipfolio", "--format", "csv", "--csv-dialect", "excel")
    assert excel.startswith("\ufeffÉlément,Valeur\r\nContrat,ipfolio\r\n")
    french = made.report("ipfolio", "--format", "csv", "--csv-dialect", "excel-fr")
    assert french.startswith("\ufeffÉlément;Valeur\r\n")
    assert "\r\nDisponibilité (%);99,468383\r\n" in french
    assert "\r\nR : temps de référence;2678400\r\n" in french  # numbers stay numbers
    assert "\r\nObjectif atteint;non\r\n" in french
    assert "\r\n5 oct. 2026 10:00;5 oct. 2026 13:37;13020;" in french


def test_support_report_in_french(tmp_path: Path) -> None:
    from .test_support_formats import AS_OF as SUPPORT_AS_OF
    from .test_support_formats import EVENTS

    db = f"sqlite:///{tmp_path}/support.db"
    (tmp_path / "events.csv").write_text(EVENTS, encoding="utf-8")
    run("ticket", "import", "-c", SEED, "--db", db, "--events", str(tmp_path / "events.csv"))
    base = ("support", "report", "-c", SEED, "--db", db, "--contract", "cegid-portal")
    args = (*base, "--period", "contract-year:2026", "--as-of", SUPPORT_AS_OF)
    page = html_text(run(*args, "--format", "html"))
    assert "take-in-charge-share : 2 demandes tranchées sur 3 ont respecté take-in-charge" in page
    assert "= 66,666666\u00a0% pour un seuil de 75\u00a0% : non atteint." in page
    assert "qualification -> résolution en 6 jours ouvrés (priorités 2)" in page
    assert "échéance le ven. 17 juil. 2026 17:00" in page
    hours = "du lundi au jeudi, de 09:00 à 12:30 ; du lundi au jeudi, de 14:30 à 17:30 ; "
    assert hours + "vendredi, de 09:00 à 12:30 ; vendredi, de 14:30 à 17:00" in page
    english = html_text(run(*args, "--format", "html", "--locale", "en", "--view", "internal"))
    assert "due Fri 2026-07-17 17:00" in english
    assert "mon-thu 09:00-12:30, mon-thu 14:30-17:30" in english  # the config's words


@pytest.mark.parametrize(
    ("window", "french", "english"),
    [
        ("mon-fri 08:00-02:00", "du lundi au vendredi, de 08:00 à 02:00 le lendemain",
         "Monday to Friday, 08:00 to 02:00 the next day"),
        ("sat,sun 00:00-24:00", "samedi et dimanche, de 00:00 à 24:00",
         "Saturday and Sunday, 00:00 to 24:00"),
        ("daily 20:00-07:00", "tous les jours, de 20:00 à 07:00 le lendemain",
         "every day, 20:00 to 07:00 the next day"),
        ("mon-wed,fri 09:00-10:00", "du lundi au mercredi et vendredi, de 09:00 à 10:00",
         "Monday to Wednesday and Friday, 09:00 to 10:00"),
    ],
)  # fmt: skip
def test_a_weekly_window_in_words(window: str, french: str, english: str) -> None:
    assert Lang.of("fr").window(window) == french
    assert Lang.of("en").window(window) == english


def write_config(tmp_path: Path, report_part: str, contract_part: str = "") -> Path:
    """The seed config with another global ``report:`` part (and a contract's own)."""
    text = Path(SEED).read_text(encoding="utf-8")
    text = text.replace("report:\n  locale: fr\n", report_part, 1)
    if contract_part:
        text = text.replace("  - name: ipfolio\n", f"  - name: ipfolio\n{contract_part}", 1)
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


BRANDING = """report:
  locale: fr
  branding:
    provider: Hébergeur SAS
    customer: Client SA
    reference: CTR-2026-042
    logo: img/logo.png
"""


def test_branding_in_html_pdf_and_xlsx(made: Made, tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    Image.new("RGB", (120, 40), (30, 90, 160)).save(tmp_path / "img" / "logo.png")
    config = str(write_config(tmp_path, BRANDING))
    lines = ("Prestataire : Hébergeur SAS", "Client : Client SA", "Référence du contrat : CTR-2026-042")  # fmt: skip
    page = made.report("ipfolio", "--format", "html", config=config)
    assert '<img class="logo" src="data:image/png;base64,iVBORw0KGgo' in page
    for line in lines:
        assert f"<p>{line}</p>" in page
    pdftotext = tool("pdftotext", "poppler-utils")
    pdf = made.file("ipfolio", "pdf", config=config)
    text = subprocess.run([pdftotext, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True).stdout  # fmt: skip
    head = text.split("Rapport SLA : ipfolio")[0]
    assert [line.strip() for line in head.splitlines() if line.strip()] == list(lines)
    workbook = made.file("ipfolio", "xlsx", config=config)
    book = load_workbook(workbook)
    summary = book["Synthèse"]
    assert [summary.cell(row=r, column=1).value for r in (1, 2, 3, 4, 5)] == [
        *lines,
        None,
        "Rapport SLA : ipfolio, 2026-10",
    ]
    with zipfile.ZipFile(workbook) as parts:  # the logo, as an image of the sheet
        assert parts.read("xl/media/image1.png") == (tmp_path / "img" / "logo.png").read_bytes()


def test_a_contract_locale_wins_over_the_global_one(made: Made, tmp_path: Path) -> None:
    config = str(write_config(tmp_path, "report:\n  locale: fr\n", "    report: {locale: en}\n"))
    assert "<title>SLA report: ipfolio, 2026-10</title>" in made.report("ipfolio", "--format", "html", config=config)  # fmt: skip
    assert "<title>Rapport SLA : cegid-portal, 2026-10</title>" in made.report("cegid-portal", "--format", "html", config=config)  # fmt: skip
    assert "<title>SLA report: cegid-portal, 2026-10</title>" in made.report("cegid-portal", "--format", "html", "--locale", "en", config=config)  # fmt: skip


def branding_errors(tmp_path: Path, part: str) -> str:
    config = write_config(tmp_path, part)
    result = CliRunner().invoke(main, ["check-config", "-c", str(config)])
    assert result.exit_code == 1
    return result.output


def test_branding_errors_name_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not an image", encoding="utf-8")
    line = Path(SEED).read_text(encoding="utf-8").splitlines().index("report:") + 1
    config = tmp_path / "config.yaml"
    missing = branding_errors(tmp_path, "report:\n  branding:\n    logo: logo.png\n")
    assert missing == (
        f"error: {config}:{line + 2}: report.branding.logo: cannot read {tmp_path}/logo.png: "
        "No such file or directory (got logo.png; e.g. logo.png)\n"
    )
    text = branding_errors(tmp_path, "report:\n  branding:\n    logo: notes.txt\n")
    assert f"error: {config}:{line + 2}: report.branding.logo: {tmp_path}/notes.txt is not a PNG or JPEG image" in text  # fmt: skip
    locale = branding_errors(tmp_path, "report:\n  locale: de\n")
    assert f"error: {config}:{line + 1}: report.locale:" in locale
    unknown = branding_errors(tmp_path, "report:\n  branding:\n    provder: X\n")
    assert f"error: {config}:{line + 2}: report.branding.provder: unknown key" in unknown


def test_the_mo_is_compiled_from_the_po() -> None:
    """The shipped .mo is what ``pybabel compile`` makes of the .po (README says how)."""
    folder = CATALOGUES / "fr" / "LC_MESSAGES"
    with (folder / "slawatch.po").open("rb") as po:
        catalogue = read_po(po, locale="fr")
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    assert compiled.getvalue() == (folder / "slawatch.mo").read_bytes()


def test_every_text_the_french_reports_ask_for_is_translated(made: Made) -> None:
    for contract in CONTRACTS:
        for view in ("customer", "internal"):
            for fmt in ("html", "csv", "xlsx", "pdf"):
                made.file(contract, fmt, "--view", view, "--if-all-claimed")
    assert untranslated() == set()


def test_the_config_accepts_the_locales_the_command_offers(tmp_path: Path) -> None:
    """config/ may not import reports/: the two lists are kept equal here."""
    for locale in LOCALES:
        config = write_config(tmp_path, f"report:\n  locale: {locale}\n")
        result = CliRunner().invoke(main, ["check-config", "-c", str(config)])
        assert result.exit_code == 0, result.output


def chart_texts(locale: str) -> list[str]:
    """Every text the daily chart of the README's Cegid month draws, in ``locale``."""
    golden = Path(__file__).resolve().parents[1] / "golden" / "cegid-portal-2026-10.json"
    data = json.loads(golden.read_text(encoding="utf-8"))
    figure = chart.daily_chart(data, Lang.of(locale), dpi=40)
    axes = figure.axes[0]
    legend = [text.get_text() for found in figure.legends for text in found.get_texts()]
    return [axes.get_title(), axes.get_ylabel(), *(t.get_text() for t in axes.texts), *legend]


def test_the_daily_chart_speaks_the_report_language() -> None:
    assert chart_texts("fr") == [
        "Disponibilité quotidienne, 2026-10",
        "disponibilité (%)",
        " objectif 99\u00a0%",
        "objectif atteint",
        "sous l'objectif",
        "pas de temps de référence",
    ]
    assert chart_texts("en")[:3] == [
        "Daily availability, 2026-10",
        "availability (%)",
        " target 99%",
    ]
