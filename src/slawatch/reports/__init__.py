"""Reports: the JSON document of a period, its view, its CSV, HTML, PDF and XLSX
renderings, and the versions (canonical text, SHA-256, changes) of a frozen report."""
