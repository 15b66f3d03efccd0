"""A database URL's backend, read as SQLAlchemy's ``make_url`` reads it.

Every config load checks ``database.url``; only the store opens it. Importing
SQLAlchemy for the check took a tenth of a second of each ``slawatch`` command
that never touches the database, so the check reads the URL with SQLAlchemy's own
grammar here, and the store still parses it with ``make_url`` when it opens it
(tests/config/test_database_url.py holds the two to the same answers).
"""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qsl, quote, unquote

# The grammar of sqlalchemy.engine.url._parse_url (SQLAlchemy 2.x), unchanged: a
# scheme of word characters and '+', then optional user info, host, port, database
# and query. Only the scheme is required, so this matches whatever starts with one.
_URL = re.compile(
    r"""
        (?P<name>[\w\+]+)://
        (?:
            (?P<username>[^:/]*)
            (?::(?P<password>[^@]*))?
        @)?
        (?:
            (?:
                \[(?P<ipv6host>[^/\?]+)\] |
                (?P<ipv4host>[^/:\?]+)
            )?
            (?::(?P<port>[^/\?]*))?
        )?
        (?:/(?P<database>[^\?]*))?
        (?:\?(?P<query>.*))?
    """,
    re.X,
)


def backend_name(url: str) -> str:
    """The backend ``url`` names (``postgresql`` for ``postgresql+psycopg://...``);
    ``ValueError`` where ``make_url`` fails: no ``scheme://``, or a port that is no
    number (``make_url`` turns it into an int as here, ``int("")`` included)."""
    return _parsed(url)["name"].partition("+")[0]


def sqlite_beside(url: str, folder: str) -> str:
    """``url`` with a relative SQLite path read from ``folder``; other URLs, absolute
    paths, ``:memory:`` and ``file:`` or ``?uri=`` forms as written. Only the path
    changes, quoted as ``URL.render_as_string`` quotes it."""
    match = _parsed(url)
    path = unquote(match["database"] or "")
    if backend_name(url) != "sqlite" or _kept_as_written(path, match["query"]):
        return url
    where = os.path.normpath(os.path.join(os.path.abspath(folder), path))
    start, end = match.span("database")
    return url[:start] + quote(where, safe=" +/") + url[end:]


def _kept_as_written(path: str, query: str | None) -> bool:
    """An SQLite "path" that names no file relative to a folder."""
    uri = any(key == "uri" for key, _ in parse_qsl(query or ""))  # blank values dropped
    return path in ("", ":memory:") or path.startswith("file:") or uri or os.path.isabs(path)


def _parsed(url: str) -> re.Match[str]:
    match = _URL.match(url)
    if match is None:
        raise ValueError("not a database URL")
    if match["port"] is not None:
        int(match["port"])  # make_url's URL.create: even an empty port must be a number
    return match
