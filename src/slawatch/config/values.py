"""A config file's YAML values, read (not validated) in another process.

Reading a 50,000-target config's YAML takes about 0.6 s of CPU. The agent has it
read by a child process so that its own process spends that time on something else:
at start, a fork of it, while it imports its modules (cli/read_ahead.py); on a
reload, a new interpreter running this module, ``python -m slawatch.config.values
FILE`` (``read_in_child``: not a fork, since the agent then runs threads), while it
probes on. Either child writes the values pickled to a pipe, and the agent validates
them (``config.load.load_values``).

This module imports neither pydantic nor the config's models (the package's
``__init__`` loads them when first used), so the child starts in a tenth of the
time: it reads the file as a load does and never words a problem. Whatever goes
wrong in it (a missing file, bad YAML, a key given twice, a killed child, no Python
to start) leaves the caller without values, and the caller runs the ordinary load,
so that every message is the one ``check-config`` prints.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import stat
import subprocess
import sys
from typing import IO, Any

from slawatch.config.errors import ConfigError, Problem
from slawatch.config.json_values import read_json
from slawatch.config.yaml_lines import Document, read_yaml

MAX_BYTES = 64 * 2**20  # 64 MiB: ten times a 50,000-target config; more is a mistake
CHILD_TIMEOUT = 300.0  # seconds a reload's child may read (64 MiB takes about 15 s)
_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFSOCK: "a socket",
}


def read_values(path: str | os.PathLike[str]) -> object:
    """The YAML values of the file at ``path`` as a good load reads them (without
    lines). None, or a ``ConfigError``, where the file has a problem: the caller then
    runs ``load_config``, which words it."""
    source = os.fspath(path)
    document = read_document(read_text(source), source)
    return None if document.problems else document.data


def read_document(text: str, source: str) -> Document:
    """The values of ``text`` as a load first reads them, without lines (only a problem
    needs them: ``read_yaml``): by the ``json`` module where the text is JSON that YAML
    reads alike, nesting aside (config/json_values.py, seven times faster), else as
    YAML."""
    values = read_json(text)
    return read_yaml(text, source, lines=False) if values is None else Document(values)


def read_in_child(path: str | os.PathLike[str]) -> object:
    """``read_values(path)`` run by a new interpreter; None where it has no values
    (the file has a problem, or the child could not read it)."""
    command = [sys.executable, "-m", __name__, os.fspath(path)]
    try:
        done = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=CHILD_TIMEOUT,
            check=False,
        )
    except (OSError, ValueError, subprocess.SubprocessError):  # no interpreter, timed out
        return None
    return from_child(done.stdout, done.returncode)


def from_child(data: bytes, status: int) -> object:
    """The values a child sent as ``data`` and ended with ``status``; None unless it
    ended well and sent a whole pickle."""
    return unpickled(io.BytesIO(data)) if status == 0 else None


def unpickled(pipe: IO[bytes]) -> object:
    """The next pickle a child sent on ``pipe``; None if it sent none, or part of one
    (it failed, or was killed)."""
    try:
        return pickle.load(pipe)  # our own child's, through our own pipe
    except Exception:  # nothing, or a truncated pickle: read it here
        return None


def send_values(path: str | os.PathLike[str], pipe: int, *, keys: bool = False) -> int:
    """In a child: write the file's values pickled to ``pipe``, then, with ``keys``,
    their targets' keys (``target_keys``: computed once the values are sent, while
    the caller validates them); the child's exit status, 0 if all was sent. Never
    raises, never prints: the caller words every problem."""
    try:
        values = read_values(path)
        if values is None:
            return 1
        with open(pipe, "wb", closefd=False) as out:
            out.write(pickle.dumps(values, pickle.HIGHEST_PROTOCOL))
            if keys:
                out.flush()
                out.write(pickle.dumps(target_keys(values), pickle.HIGHEST_PROTOCOL))
    except BaseException:  # the caller loads it again, and words it
        return 1
    return 0


KEY_SIZE = 16  # bytes of a ``target_key``


def target_keys(values: object) -> list[bytes] | None:
    """The ``target_key`` of each item of the values' ``targets``; None where they
    are not a list of mappings (the validation will say why)."""
    targets = values.get("targets") if isinstance(values, dict) else None
    if not isinstance(targets, list) or not all(isinstance(item, dict) for item in targets):
        return None
    return [target_key(item) for item in targets]


def target_key(item: dict[Any, Any]) -> bytes:
    """A digest of a target item as written: its keys in their order, each value
    with its type (``repr``: YAML gives text, numbers, booleans, dates, lists and
    mappings of them). See ``config.targets.KnownTargets``."""
    text = repr(item).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=KEY_SIZE).digest()


def read_text(source: str) -> str:
    """The text of the file ``source``; ``ConfigError`` naming it if it cannot be read."""
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


if __name__ == "__main__":  # pragma: no cover (a reload's child: see read_in_child)
    os._exit(send_values(sys.argv[1], sys.stdout.fileno()))  # no clean-up of the values
