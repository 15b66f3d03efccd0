"""Reading a config file: text, then YAML, then validation, with every problem found.

``load_config`` never lets a traceback out for a bad file: a missing file, one that
is not a regular file (``/dev/zero``, a FIFO) or is bigger than ``MAX_BYTES``, bytes
that are not UTF-8, a YAML syntax error, a duplicate key and every validation
error all end up in one ``ConfigError``, sorted by line, so that ``check-config``
can print them all at once.
"""

from __future__ import annotations

import os

from pydantic import ValidationError

from slawatch.config.errors import ConfigError, Problem
from slawatch.config.messages import problems_from
from slawatch.config.models import Config
from slawatch.config.targets import KNOWN, KnownTargets
from slawatch.config.values import read_document, read_text
from slawatch.config.yaml_lines import read_yaml


def load_config(path: str | os.PathLike[str]) -> Config:
    """The config in the file at ``path``; raises ``ConfigError`` naming the file.

    A relative SQLite path in ``database.url`` is read from the file's folder."""
    source = os.fspath(path)
    return _placed(parse_config(read_text(source), source, os.path.dirname(source)), source)


def load_values(
    path: str | os.PathLike[str], values: object, known: KnownTargets | None = None
) -> Config:
    """``load_config(path)`` from the ``values`` that ``read_values(path)`` returned
    (config/values.py, in a child process): validated here, taking again the targets
    of ``known`` whose items did not change, and leaving this load's there. No values
    (None: the child had a problem) or a validation error run ``load_config``, so
    that every message is worded, with lines, as ever."""
    source = os.fspath(path)
    config = None
    try:
        if values is not None:
            config = _validated(values, os.path.dirname(source), known)
    except ValidationError:
        pass  # load_config words it
    finally:
        if known is not None:
            known.ended(None if config is None else config.targets)
    return load_config(path) if config is None else _placed(config, source)


def parse_config(text: str, source: str = "<config>", folder: str = "") -> Config:
    """The config in ``text``; ``source`` names it in messages, relative paths in it
    (a branding's logo) are read from ``folder`` (default: the current one). Raises
    ``ConfigError``."""
    # Read without the lines, which only word problems: a file that has one is read
    # again with them (a tenth of the YAML's time saved on every good load).
    document = read_document(text, source)
    if document.data is None:
        raise ConfigError([Problem(source, 1, "", "the file is empty (e.g. start with targets:)")])
    try:
        config = _validated(document.data, folder)
    except ValidationError as exc:
        marked = read_yaml(text, source)
        found = sorted([*marked.problems, *problems_from(exc, marked, source)], key=_line)
        raise ConfigError(found) from None
    if document.problems:
        raise ConfigError(read_yaml(text, source).problems)
    return config


def _validated(data: object, folder: str, known: KnownTargets | None = None) -> Config:
    context: dict[str, object] = {"folder": folder or "."}
    if known is not None:
        context[KNOWN] = known
    return Config.model_validate(data, context=context)


def _placed(config: Config, source: str) -> Config:
    """``config`` with a relative SQLite path in ``database.url`` read from the folder
    of ``source``, its file."""
    database = config.database.beside(os.path.dirname(source))
    return (
        config if database is config.database else config.model_copy(update={"database": database})
    )


def _line(problem: Problem) -> int:
    return problem.line or 0
