"""``database.url`` is checked without SQLAlchemy (config/database_url.py): the light
reading accepts and refuses exactly what ``make_url`` does, finds the same backend, and
a refused URL's password never reaches the message."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from slawatch.config import ConfigError, load_config
from slawatch.config.database_url import backend_name
from slawatch.config.models import Database

URLS = [
    "sqlite:///slawatch.db",
    "sqlite://",
    "sqlite:////var/lib/slawatch.db",
    "sqlite+pysqlite:///:memory:",
    "postgresql+psycopg://slawatch:hunter2@127.0.0.1:5432/slawatch_test",
    "postgresql+psycopg://bob:hunter2@db:port/sla",
    "postgresql+psycopg://bob@db:port/sla?password=hunter2",
    "postgresql://bob:hun@ter2@db/sla",
    "postgresql://bob:hunter2@[::1]:5432/sla",
    "postgresql://bob:hunter2@[::1]:x/sla",
    "postgresql://[::1/sla",
    "postgresql://db:/sla",
    "postgresql://db: 5432/sla",
    "postgresql://db:+5432/sla",
    "postgresql://db:5_432/sla",
    "postgresql://db:\u0665\u0664\u0663\u0662/sla",
    "postgresql://db:5432:5433/sla",
    "postgresql://db?host=/run/postgresql",
    "postgresql:///sla?host=/run/postgresql&password=hunter2",
    "postgresql+psycopg2://db/sla",
    "postgres://db/sla",
    "PostgreSQL://db/sla",
    "p\u00f6stgresql://db/sla",
    "mysql://bob:hunter2@db/sla",
    "mysql+pymysql://db/sla",
    "+://db",
    "postgresql+://db",
    "postgresql:/db/sla",
    "postgresql//db/sla",
    "postgresql-x://db/sla",
    " postgresql://db/sla",
    "postgresql://db/sla\n",
    "postgresql://\ndb/sla",
    "://db/sla",
    "",
    "not a url",
]
TARGET = {"name": "web", "kind": "http", "url": "https://portal.example/"}


def make_url_backend(url: str) -> str | None:
    """The backend ``make_url`` finds, or None where it refuses the URL."""
    try:
        return make_url(url).get_backend_name()
    except (ArgumentError, ValueError):
        return None


def light_backend(url: str) -> str | None:
    try:
        return backend_name(url)
    except ValueError:
        return None


@pytest.mark.parametrize("url", URLS)
def test_the_light_reading_agrees_with_make_url(url: str) -> None:
    assert light_backend(url) == make_url_backend(url)


# Scheme, separators and port pieces whose combinations the table cannot list.
PIECES = st.sampled_from(
    [
        "sqlite",
        "postgresql",
        "+psycopg",
        "_",
        "://",
        ":",
        "/",
        "@",
        "[",
        "]",
        "::1",
        "db",
        "5432",
        "x",
        "?",
        "&",
        "=",
        "%40",
        "-",
        ".",
        " ",
        "\n",
        "\u0665",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(PIECES, max_size=12).map("".join))
def test_any_url_reads_as_make_url_reads_it(url: str) -> None:
    assert light_backend(url) == make_url_backend(url)


@pytest.mark.parametrize("url", URLS)
def test_the_check_refuses_what_make_url_refuses_and_masks_the_password(
    tmp_path: Path, url: str
) -> None:
    path = tmp_path / "slawatch.yaml"
    path.write_text(json.dumps({"database": {"url": url}, "targets": [TARGET]}))
    backend = make_url_backend(url)
    if backend in ("sqlite", "postgresql"):
        assert load_config(path).database == Database(url=url).beside(str(tmp_path))
        return
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    wanted = "must be a database URL" if backend is None else "must be a sqlite or postgresql URL"
    (line,) = str(caught.value).splitlines()
    assert line.startswith(f"{path}:1: database.url: {wanted} (got ")
    assert "hunter2" not in line


def beside_with_make_url(text: str, folder: str) -> str:
    """What ``Database.beside`` did with SQLAlchemy: the reference the light one keeps."""
    url = make_url(text)
    path = url.database or ""
    kept = path in ("", ":memory:") or path.startswith("file:") or os.path.isabs(path)
    if url.get_backend_name() != "sqlite" or kept or url.query.get("uri"):
        return text
    where = os.path.normpath(os.path.join(os.path.abspath(folder), path))
    return url.set(database=where).render_as_string(hide_password=False)


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///slawatch.db",
        "sqlite:///data/../slawatch.db",
        "sqlite+pysqlite:///slawatch.db?timeout=5",
        "sqlite:///slawatch.db?uri=true",
        "sqlite:///slawatch.db?uri=",
        "sqlite:///file:slawatch.db?mode=ro&uri=true",
        "sqlite:///:memory:",
        "sqlite://",
        "sqlite:////var/lib/slawatch.db",
        "sqlite:///with%20space%3F.db",
        "sqlite:///a b+c.db",
        "postgresql+psycopg://slawatch:hunter2@db/slawatch",
    ],
)
@pytest.mark.parametrize("folder", ["", "conf", "/etc/slawatch", "/tmp/a b%"])
def test_a_relative_sqlite_path_is_read_beside_the_config_as_make_url_reads_it(
    url: str, folder: str
) -> None:
    light = Database(url=url).beside(folder).url
    assert make_url(light) == make_url(beside_with_make_url(url, folder))
