"""Reading a config file: text, then YAML, then validation, with every problem found.

``load_config`` never lets a traceback out for a bad file: a missing file, bytes
that are not UTF-8, a YAML syntax error, a duplicate key and every validation
error all end up in one ``ConfigError``, sorted by line, so that ``check-config``
can print them all at once.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import ValidationError

from slawatch.config.errors import ConfigError, Problem
from slawatch.config.messages import problems_from
from slawatch.config.models import Config
from slawatch.config.yaml_lines import read_yaml


def load_config(path: str | os.PathLike[str]) -> Config:
    """The config in the file at ``path``; raises ``ConfigError`` naming the file."""
    source = os.fspath(path)
    return parse_config(_read(source), source)


def parse_config(text: str, source: str = "<config>") -> Config:
    """The config in ``text``; ``source`` names it in messages. Raises ``ConfigError``."""
    document = read_yaml(text, source)
    if document.data is None:
        raise ConfigError([Problem(source, 1, "", "the file is empty (e.g. start with targets:)")])
    try:
        config = Config.model_validate(document.data)
    except ValidationError as exc:
        found = sorted([*document.problems, *problems_from(exc, document, source)], key=_line)
        raise ConfigError(found) from None
    if document.problems:
        raise ConfigError(document.problems)
    return config


def _line(problem: Problem) -> int:
    return problem.line or 0


def _read(source: str) -> str:
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise ConfigError([Problem(source, None, "", f"cannot read: {exc.strerror}")]) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError([Problem(source, line, "", "not UTF-8 text")]) from None
