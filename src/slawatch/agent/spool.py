"""A durable local spool: probe samples on disk until the database has them.

Every second the agent appends what its probes found to the spool and fsyncs it;
from then on a sample is *acknowledged*: a kill -9, or a restart while the
database is away, cannot lose it. The writer takes the segments into the
database oldest first and deletes each once its transaction has committed; a
restarted agent finds what an earlier run left and writes that first. Writing a
segment twice (killed between the commit and the delete) is harmless: the store
skips the samples it already holds.

On disk, a directory holding a ``lock`` file (one agent at a time), a
``database`` file naming the database its samples are for, and segment files
``0000000000000001.seg``, ... Each segment is ``MAGIC`` and then frames, one per
append::

    payload length (4 bytes) | samples (4) | CRC-32 of samples and payload (4) | payload

big-endian, the payload a JSON list of samples. A frame cut short (the agent was
killed while writing it, so its append never returned: it was not acknowledged)
or whose checksum fails ends what can be read of its segment: the rest is
skipped with a warning, never an exception.

The spool holds at most ``max_bytes``: an append that would pass it is refused
(``append`` returns False) and the caller counts those samples as dropped.
What is already on disk is kept: the oldest samples are the ones the database
is about to receive.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import struct
import threading
import zlib
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import make_url

from slawatch.config import defaults
from slawatch.config.models import Agent as AgentSettings
from slawatch.errors import SlawatchError
from slawatch.store.store import SampleRow

log = logging.getLogger(__name__)

MAGIC = b"SLWSPL01"
SEGMENT_BYTES = 4 << 20  # a segment is written to the database in one transaction
_HEADER = struct.Struct(">III")
_SUFFIX = ".seg"


class SpoolError(SlawatchError):
    """The spool cannot be used; the message names its directory and why."""


def open_spool(settings: AgentSettings, url: str) -> Spool:
    """The agent's spool for the database at ``url``: ``agent.spool_dir``, else next
    to an SQLite database file (``slawatch.db.spool``), else ``./slawatch-spool``."""
    parsed = make_url(url)
    directory = settings.spool_dir
    if directory is None:
        database = parsed.database or ""
        on_file = parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:")
        directory = Path(f"{database}.spool" if on_file else defaults.SPOOL_DIR)
    name = parsed.render_as_string(hide_password=True)
    return Spool.open(directory, name, settings.spool_max_bytes)


@dataclass(slots=True)
class Segment:
    """One segment file and what it holds."""

    path: Path
    samples: int = 0
    size: int = 0  # bytes on disk, MAGIC included


@dataclass(frozen=True, slots=True)
class _Scan:
    """What can be read of a segment file."""

    samples: int  # in its readable frames
    size: int  # bytes up to the end of its last readable frame
    problem: str | None  # why the rest cannot be read, if there is a rest


class Spool:
    """Samples on disk, appended and fsynced, taken out a segment at a time.

    ``append`` may run in one thread while another takes segments out.
    """

    def __init__(self, directory: Path, max_bytes: int, lock: int, found: list[Segment]) -> None:
        """Use ``Spool.open``."""
        self.directory = directory
        self._max_bytes = max_bytes
        self._lock_fd = lock
        self._lock = threading.Lock()
        self._sealed: deque[Segment] = deque(found)
        self._next = 1 + max((_number(s.path) for s in found), default=0)
        self._active: Segment | None = None
        self._fd = -1  # the active segment's, open for appending
        self._samples = sum(s.samples for s in found)  # in every segment
        self._size = sum(s.size for s in found)

    @classmethod
    def open(cls, directory: Path, database: str, max_bytes: int) -> Spool:
        """Open (creating it if need be) the spool in ``directory`` for ``database``
        (a name without password). Segments left by an earlier run are kept, to be
        written first; a torn frame at their end is cut off with a warning.

        Raises ``SpoolError`` when the directory cannot be used, another agent holds
        it, or it holds samples for another database.
        """
        try:
            directory.mkdir(parents=True, exist_ok=True)
            lock = _lock(directory)
        except OSError as exc:
            raise SpoolError(f"spool {directory}: {exc.strerror or exc}") from None
        try:
            found = [s for s in map(_recover, sorted(directory.glob(f"*{_SUFFIX}"))) if s]
            _claim(directory, database, found)
        except OSError as exc:
            os.close(lock)
            raise SpoolError(f"spool {directory}: {exc.strerror or exc}") from None
        except SpoolError:
            os.close(lock)
            raise
        return cls(directory, max_bytes, lock, found)

    @property
    def samples(self) -> int:
        """Samples held, the segment being written to the database included (read
        without waiting for an append under way: a scrape must not wait for a disk)."""
        return self._samples

    @property
    def size(self) -> int:
        """Bytes held on disk (read without waiting, as ``samples``)."""
        return self._size

    def append(self, rows: Sequence[SampleRow]) -> bool:
        """Add ``rows`` durably (written and fsynced when this returns True).

        Returns False, writing nothing, when they would take the spool past its
        size. Raises ``OSError`` when the disk fails; nothing of them is kept then.
        """
        frame = _frame(rows)
        with self._lock:
            extra = len(frame) + (len(MAGIC) if self._active is None else 0)
            if self._size + extra > self._max_bytes:
                return False
            active = self._active or self._start()
            try:
                _write(self._fd, frame)
                os.fsync(self._fd)
            except OSError:
                self._abandon(active)
                raise
            active.samples += len(rows)
            active.size += len(frame)
            self._count(len(rows), len(frame))
            if active.size >= SEGMENT_BYTES:
                self._seal()
        return True

    def oldest(self) -> Segment | None:
        """The oldest segment, to be written to the database (the one being
        appended to is closed first if it is the only one); None when empty."""
        with self._lock:
            if not self._sealed and self._active is not None:
                self._seal()
            return self._sealed[0] if self._sealed else None

    def read(self, segment: Segment) -> list[SampleRow]:
        """The samples of a segment ``oldest`` gave, in the order they were appended."""
        data = segment.path.read_bytes()
        return [SampleRow(*item) for payload in _payloads(data, segment.path) for item in payload]

    def remove(self, segment: Segment) -> None:
        """Delete a segment: the database has its samples."""
        with self._lock:
            self._sealed.remove(segment)
            segment.path.unlink(missing_ok=True)
            self._count(-segment.samples, -segment.size)

    def close(self) -> None:
        """Close the files; what the spool holds stays for the next run."""
        with self._lock:
            if self._active is not None:
                self._seal()
            os.close(self._lock_fd)

    # -- internals (under the lock) ----------------------------------------------------------

    def _count(self, samples: int, size: int) -> None:
        self._samples += samples
        self._size += size

    def _start(self) -> Segment:
        """A new, empty segment to append to: created, MAGIC written, and its directory
        entry synced, so that what is fsynced into it is found after a crash."""
        path = self.directory / f"{self._next:016d}{_SUFFIX}"
        self._next += 1
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        try:
            _write(fd, MAGIC)
            os.fsync(fd)
            _sync_directory(self.directory)
        except OSError:
            os.close(fd)
            path.unlink(missing_ok=True)
            raise
        self._fd, self._active = fd, Segment(path, 0, len(MAGIC))
        self._count(0, len(MAGIC))
        return self._active

    def _seal(self) -> None:
        """Stop appending to the active segment; it queues for the database."""
        assert self._active is not None
        os.close(self._fd)
        self._sealed.append(self._active)
        self._fd, self._active = -1, None

    def _abandon(self, active: Segment) -> None:
        """After a failed append: cut what it may have written and close the segment,
        so that no later frame lands behind a torn one."""
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, active.size)
        self._seal()
        if active.samples == 0:
            self._sealed.remove(active)
            active.path.unlink(missing_ok=True)
            self._count(0, -active.size)


# -- frames ----------------------------------------------------------------------------------


def _frame(rows: Sequence[SampleRow]) -> bytes:
    payload = json.dumps(rows, separators=(",", ":")).encode()
    count = struct.pack(">I", len(rows))
    return _HEADER.pack(len(payload), len(rows), zlib.crc32(payload, zlib.crc32(count))) + payload


def _frames(data: bytes) -> Iterator[tuple[int, int, bytes]]:
    """``(end offset, samples, payload)`` of each sound frame after MAGIC, up to the
    first one that is cut short or fails its checksum."""
    offset = len(MAGIC)
    while offset + _HEADER.size <= len(data):
        length, count, crc = _HEADER.unpack_from(data, offset)
        start, end = offset + _HEADER.size, offset + _HEADER.size + length
        payload = data[start:end]
        if end > len(data) or zlib.crc32(payload, zlib.crc32(struct.pack(">I", count))) != crc:
            return
        yield end, count, payload
        offset = end


def _scan(data: bytes) -> _Scan:
    if not data.startswith(MAGIC):
        return _Scan(0, 0, "not a spool segment" if len(data) > len(MAGIC) else None)
    samples, size = 0, len(MAGIC)
    for end, count, _ in _frames(data):
        samples, size = samples + count, end
    problem = None if size == len(data) else f"a torn or corrupt record at byte {size}"
    return _Scan(samples, size, problem)


def _payloads(data: bytes, path: Path) -> Iterator[list[Any]]:
    """The decoded payloads of a segment; a frame that cannot be read ends it, with
    a warning (``open`` cut torn ends already: this is for damage done since)."""
    scan = _scan(data)
    if scan.problem is not None:
        log.warning("spool %s: %s; what follows it is skipped", path, scan.problem)
    for _, _, payload in _frames(data[: scan.size]):
        yield json.loads(payload)


# -- files -----------------------------------------------------------------------------------


def _recover(path: Path) -> Segment | None:
    """A segment an earlier run left, its torn end cut off (with a warning); None
    when nothing in it can be read (it is deleted, or set aside if it is no segment)."""
    scan = _scan(path.read_bytes())
    if scan.problem is not None:
        log.warning("spool %s: %s (an agent stopped mid-write?): skipped", path, scan.problem)
        if scan.size == 0:
            path.rename(path.with_suffix(".unreadable"))
            return None
        os.truncate(path, scan.size)
    if scan.samples == 0:
        path.unlink()
        return None
    return Segment(path, scan.samples, scan.size)


def _claim(directory: Path, database: str, found: list[Segment]) -> None:
    """Mark the spool as ``database``'s, unless it holds samples for another one."""
    marker = directory / "database"
    owner = marker.read_text().strip() if marker.exists() else database
    if found and owner != database:
        samples = sum(s.samples for s in found)
        raise SpoolError(
            f"spool {directory}: holds {samples} samples for database {owner}, not {database}; "
            "start the agent on that database to write them, or move the directory away"
        )
    if owner != database or not marker.exists():
        temporary = marker.with_suffix(".new")
        temporary.write_text(database + "\n")
        os.replace(temporary, marker)


def _lock(directory: Path) -> int:
    """The spool's lock, held until the process ends; ``SpoolError`` if another holds it."""
    fd = os.open(directory / "lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
        os.close(fd)
        raise SpoolError(f"spool {directory}: in use by another agent (pid {holder})") from None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


def _number(path: Path) -> int:
    return int(path.stem) if path.stem.isdigit() else 0


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _sync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
