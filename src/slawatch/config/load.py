"""Reading a config file: text, then YAML, then validation, with every problem found.

``load_config`` never lets a traceback out for a bad file: a missing file, one that
is not a regular file (``/dev/zero``, a FIFO) or is bigger than ``MAX_BYTES``, bytes
that are not UTF-8, a YAML syntax error, a duplicate key and every validation
error all end up in one ``ConfigError``, sorted by line, so that ``check-config``
can print them all at once.
"""

from __future__ import annotations

import os
import stat

from pydantic import ValidationError

from slawatch.config.errors import ConfigError, Problem
from slawatch.config.messages import problems_from
from slawatch.config.models import Config
from slawatch.config.yaml_lines import read_yaml

MAX_BYTES = 64 * 2**20  # 64 MiB: ten times a 50,000-target config; more is a mistake
_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFSOCK: "a socket",
}


def load_config(path: str | os.PathLike[str]) -> Config:
    """The config in the file at ``path``; raises ``ConfigError`` naming the file.

    A relative SQLite path in ``database.url`` is read from the file's folder."""
    source = os.fspath(path)
    config = parse_config(_read(source), source, os.path.dirname(source))
    database = config.database.beside(os.path.dirname(source))
    return (
        config if database is config.database else config.model_copy(update={"database": database})
    )


def parse_config(text: str, source: str = "<config>", folder: str = "") -> Config:
    """The config in ``text``; ``source`` names it in messages, relative paths in it
    (a branding's logo) are read from ``folder`` (default: the current one). Raises
    ``ConfigError``."""
    # Read without the lines, which only word problems: a file that has one is read
    # again with them (a tenth of the YAML's time saved on every good load).
    document = read_yaml(text, source, lines=False)
    if document.data is None:
        raise ConfigError([Problem(source, 1, "", "the file is empty (e.g. start with targets:)")])
    try:
        config = Config.model_validate(document.data, context={"folder": folder or "."})
    except ValidationError as exc:
        marked = read_yaml(text, source)
        found = sorted([*marked.problems, *problems_from(exc, marked, source)], key=_line)
        raise ConfigError(found) from None
    if document.problems:
        raise ConfigError(read_yaml(text, source).problems)
    return config


def _line(problem: Problem) -> int:
    return problem.line or 0


def _read(source: str) -> str:
    try:
        data = _read_bytes(source)
    except OSError as exc:
        raise ConfigError([Problem(source, None, "", f"cannot read: {exc.strerror}")]) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError([Problem(source, line, "", "not UTF-8 text")]) from None


def _read_bytes(source: str) -> bytes:
    """The bytes of a regular file of at most ``MAX_BYTES``. Opened without blocking,
    so that a FIFO with no writer is refused instead of hanging the agent's reload."""
    descriptor = os.open(source, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            kind = _KINDS.get(stat.S_IFMT(info.st_mode), "a special file")
            raise ConfigError([Problem(source, None, "", f"not a regular file ({kind})")])
        file = os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise
    with file:
        data = file.read(MAX_BYTES + 1) if info.st_size <= MAX_BYTES else b""
    if info.st_size > MAX_BYTES or len(data) > MAX_BYTES:
        size = max(info.st_size, len(data))
        message = f"too big ({size:,} bytes): a config file may hold {MAX_BYTES >> 20} MiB"
        raise ConfigError([Problem(source, None, "", message)])
    return data
