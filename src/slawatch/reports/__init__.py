"""Reports: the JSON document of a period, its view, its CSV, HTML, PDF and XLSX
renderings, and the versions (canonical text, SHA-256, changes) of a frozen report.

The font libraries under the PDF and the chart log per document: fontTools each
table of each font it subsets (some 50 lines at INFO, more at DEBUG, for every
PDF), matplotlib each font it scores (hundreds of lines at DEBUG, for every
chart). The agent logs at INFO and serves reports, so they are quieted here,
before any renderer imports them; their warnings and errors still show.
"""

import logging

logging.getLogger("fontTools").setLevel(logging.WARNING)
logging.getLogger("matplotlib.font_manager").setLevel(logging.INFO)
