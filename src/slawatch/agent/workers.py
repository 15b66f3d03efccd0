"""Probing in worker processes: ``agent.workers: N`` shards the targets over N of them.

One asyncio process probes about 800 HTTP targets a second on one core; 50,000
targets at 60 s need 833. With N >= 2 the agent starts N probe workers (new
interpreters, started as ``multiprocessing``'s spawn would start them, so that
nothing of the agent's state is inherited, but by ``subprocess``: spawn starts a
resource tracker process besides, 12 MB resident, which nothing here needs) and
gives each the targets whose name hashes to it (stable: a target stays with its
worker across reloads and restarts). Each worker runs its own ``Schedule``,
probe context and share of the concurrency limit, and sends its results back in
batches (every ``BATCH_EVERY``) on a pipe of its own. The agent process keeps
everything that must exist once: the writer to the store, ``/metrics``, the
heartbeat targets (they read the agent's ping table, and cost nothing) and the
config (a reload sends each worker its new set of targets). Targets travel packed
as plain values (``probes.records``): a worker never imports the config package
nor pydantic, nor dnspython before its first dns target.

``WorkerPool`` is a ``Scheduling`` as ``Schedule`` is, so the agent drives either.
A worker that dies is started again after ``RESTART_DELAY`` with its targets,
and counted (``slawatch_probe_worker_restarts_total``); its probes under way are
lost, which the timeline reads as unknown time, never down. Workers ignore
SIGINT, SIGTERM and SIGHUP (a service manager may signal the whole group): the
agent tells them to stop, and they stop by themselves when the agent is gone.

Commands go to a worker from a thread, results come back on the event loop: a
worker blocked sending results while the agent sends it a large target set
cannot deadlock them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import os
import signal
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from slawatch.agent.heap import trim_heap
from slawatch.agent.scheduler import Run, Schedule, Scheduling
from slawatch.probes.context import ProbeContext, open_context
from slawatch.probes.records import Wire, pack, unpack
from slawatch.probes.registry import run_probe
from slawatch.probes.result import ProbeResult

if TYPE_CHECKING:  # a worker imports this module: not the metrics (prometheus_client)
    from slawatch.config import Config
    from slawatch.config.targets import AnyTarget
    from slawatch.exporters.agent_metrics import AgentMetrics

log = logging.getLogger(__name__)

BATCH_EVERY = 0.2  # seconds between two batches of results from a worker
RESTART_DELAY = 1.0  # seconds before a dead worker is started again
STOP_MARGIN = 5.0  # seconds a stopping worker gets beyond the grace of its probes
LOCAL_KINDS = frozenset({"heartbeat"})  # probed in the agent process itself
LOG_FORMAT = "%(asctime)s %(levelname)s slawatch-probe-{index} %(name)s %(message)s"

Record = Callable[[str, float, float, ProbeResult], None]
"""``record(name, started, lateness, result)``: what the agent does with a result."""
Finished = tuple[str, float, float, ProbeResult]  # name, started, lateness, result
Popen = subprocess.Popen[bytes]
Command = tuple[str, Any]  # ("targets", (target, ...)) or ("stop", grace seconds)
"""What the agent puts in a worker's outbox; the targets travel ``pack``ed."""


def shard(name: str, workers: int) -> int:
    """The worker that probes ``name``: stable across restarts and reloads, and
    independent of the target's phase (which hashes the bare name)."""
    return zlib.crc32(b"shard:" + name.encode()) % workers


class WorkerPool(Scheduling):
    """Scheduling over ``count`` probe worker processes."""

    def __init__(  # noqa: PLR0913 (independent collaborators, all but two by keyword)
        self,
        count: int,
        config: Callable[[], Config],
        *,
        run_local: Run,
        record: Record,
        metrics: AgentMetrics,
        max_concurrent: int,
    ) -> None:
        super().__init__()
        self._config = config  # the agent's current one (a reload swaps it)
        self._local = Schedule(run_local, on_skip=metrics.targets.skip)
        limit = math.ceil(max_concurrent / count)
        self._workers = [_Handle(i, limit, record, metrics) for i in range(count)]

    def apply(self, intervals: dict[str, int], now: float) -> None:
        """Heartbeats here, each other target on its worker, which gets its whole new set."""
        config = self._config()
        targets = {name: config.target(name) for name in intervals}
        local = {n: intervals[n] for n, target in targets.items() if target.kind in LOCAL_KINDS}
        self._local.apply(local, now)
        shards: list[list[AnyTarget]] = [[] for _ in self._workers]
        for name, target in targets.items():
            if name not in local:
                shards[shard(name, len(self._workers))].append(target)
        for worker, assigned in zip(self._workers, shards, strict=True):
            worker.assign(tuple(assigned))
        self._intervals = intervals  # handed over (Scheduling.apply): no copy of 50,000

    def start(self) -> None:
        self._local.start()
        for worker in self._workers:
            worker.start()

    async def drain(self, grace: float) -> None:
        """Stop every worker, each letting its probes under way finish (``grace``),
        and take their last results."""
        await asyncio.gather(self._local.drain(grace), *(w.stop(grace) for w in self._workers))


class _Handle:
    """The agent's side of one worker: its process, pipes and targets."""

    def __init__(self, index: int, limit: int, record: Record, metrics: AgentMetrics) -> None:
        self.index = index
        self._limit = limit
        self._record = record
        self._metrics = metrics
        self._targets: tuple[AnyTarget, ...] = ()  # not a dict: 25,000 of them for life
        self._process: Popen | None = None
        self._results: Connection | None = None
        self._outbox: asyncio.Queue[Command | None] = asyncio.Queue()
        self._sending: asyncio.Task[None] | None = None  # kept: the loop holds tasks weakly
        self._stopping = False
        self._gone = asyncio.Event()  # the running process has exited

    def assign(self, targets: tuple[AnyTarget, ...]) -> None:
        """The worker's new set of targets, sent only when it differs from the one it
        has: a reload that changes nothing of this worker's costs it nothing (its 25,000
        targets were packed, sent and unpacked for nothing)."""
        if targets == self._targets:
            return
        self._targets = targets
        if self._process is not None:
            self._outbox.put_nowait(("targets", targets))

    def start(self) -> None:
        commands, theirs = _pipe()  # (reading end, writing end)
        results, ours = _pipe()
        self._process = _launch(self.index, commands, ours, self._limit)
        commands.close()
        ours.close()
        self._results = results
        self._gone.clear()
        self._outbox = asyncio.Queue()
        self._outbox.put_nowait(("targets", self._targets))
        self._sending = asyncio.create_task(self._send(theirs, self._outbox))
        _watch(results.fileno(), self._receive)
        self._metrics.workers.inc()

    async def stop(self, grace: float) -> None:
        self._stopping = True
        if self._process is None:
            return
        self._outbox.put_nowait(("stop", grace))
        try:
            await asyncio.wait_for(self._gone.wait(), grace + STOP_MARGIN)
        except TimeoutError:
            log.error("probe worker %d did not stop in time: killed", self.index)
            self._process.kill()
            self._exited()

    @staticmethod
    async def _send(commands: Connection, outbox: asyncio.Queue[Command | None]) -> None:
        """Sends one process's outbox in order, from a thread (see the module's
        docstring), until ``None`` or the worker is gone (``_receive`` sees that too)."""
        with contextlib.suppress(OSError), commands:
            while (message := await outbox.get()) is not None:
                await asyncio.to_thread(_deliver, commands, message)

    def _receive(self) -> None:
        assert self._results is not None
        try:
            while self._results.poll():
                finished, skipped = self._results.recv()
                for name in skipped:
                    self._metrics.targets.skip(name)
                for name, started, late, result in finished:
                    self._record(name, started, late, result)
        except (EOFError, OSError):
            self._exited()

    def _exited(self) -> None:
        """The worker's process ended (or was killed): reap it, start it again unless
        the agent is stopping."""
        assert self._process is not None and self._results is not None
        asyncio.get_running_loop().remove_reader(self._results.fileno())
        self._results.close()
        self._outbox.put_nowait(None)  # never closed under a send under way
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=STOP_MARGIN)
        code = self._process.returncode
        self._metrics.workers.dec()
        self._gone.set()
        if self._stopping:
            return
        self._metrics.worker_restarts.inc()
        log.error(
            "probe worker %d died (exit code %s); starting it again in %g s",
            self.index,
            code,
            RESTART_DELAY,
        )
        asyncio.get_running_loop().call_later(RESTART_DELAY, self._restart)

    def _restart(self) -> None:
        if not self._stopping:
            self.start()


def _deliver(commands: Connection, command: Command) -> None:
    """Send ``command``, its targets packed (probes/records.py): a worker never loads
    the model classes, and the main process pickles a tuple per target, not a model."""
    kind, value = command
    if kind == "targets":
        command = kind, pack({target.name: target for target in value})
    commands.send(command)


def _watch(descriptor: int, reader: Callable[[], None]) -> None:
    """Call ``reader`` on the loop whenever ``descriptor`` has something to read.
    The readers take whole messages (``Connection.recv``), so the descriptor stays
    blocking: uvloop's ``add_reader`` makes it non-blocking, and a message read
    before the sender had written its tail then failed with ``BlockingIOError``,
    which reads as the other process gone."""
    asyncio.get_running_loop().add_reader(descriptor, reader)
    os.set_blocking(descriptor, True)


def _pipe() -> tuple[Connection, Connection]:
    """A one-way pipe (reading end, writing end), as ``multiprocessing.Pipe`` makes it."""
    reading, writing = os.pipe()
    return Connection(reading, writable=False), Connection(writing, readable=False)


def _launch(index: int, commands: Connection, results: Connection, limit: int) -> Popen:
    """A worker process: this interpreter, running ``serve`` with the two pipe ends it
    inherits (and no other descriptor), the agent's ``sys.path`` and log levels."""
    settings = {
        "index": index,
        "commands": commands.fileno(),
        "results": results.fileno(),
        "limit": limit,
        "levels": _log_levels(),
        "path": sys.path,
    }
    return subprocess.Popen(
        [sys.executable, "-c", WORKER_MAIN, json.dumps(settings)],
        pass_fds=(commands.fileno(), results.fileno()),
        stdin=subprocess.DEVNULL,
    )


def _log_levels() -> dict[str, int]:
    """The agent's log levels, for a worker to log as it does."""
    names = ("", "apscheduler", "httpx", "httpcore")
    return {name: logging.getLogger(name).getEffectiveLevel() for name in names}


# ---------------------------------------------------------------- in the worker

WORKER_MAIN = """\
import json, sys
settings = json.loads(sys.argv[1])
sys.path[:] = settings["path"]
from slawatch.agent.workers import serve
serve(settings)
"""
"""A worker's program: the agent's ``sys.path``, then ``serve``, which imports what
probing needs only."""


def serve(settings: dict[str, Any]) -> None:
    """A worker process's main: probe what the agent assigns until told to stop."""
    for ignored in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(ignored, signal.SIG_IGN)
    levels: dict[str, int] = settings["levels"]
    logging.basicConfig(level=levels.pop(""), format=LOG_FORMAT.format(index=settings["index"]))
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    commands = Connection(settings["commands"], writable=False)
    results = Connection(settings["results"], readable=False)
    # uvloop's loop: a probe takes 0.87 of the CPU it takes on asyncio's (docs/scaling.md,
    # "The event loop"). The agent process keeps asyncio's, which serves /metrics sooner,
    # and does not load uvloop (1.2 MB).
    import uvloop

    uvloop.run(_Worker(commands, results, settings["limit"]).run())


class _Worker:
    def __init__(self, commands: Connection, results: Connection, limit: int) -> None:
        self._commands = commands
        self._results = results
        self._limit = asyncio.Semaphore(limit)
        self._targets: dict[str, AnyTarget] = {}
        self._finished: list[Finished] = []
        self._skipped: list[str] = []  # targets whose run the scheduler skipped (overload)
        self._schedule = Schedule(self._probe, on_skip=self._skip)
        self._stop: asyncio.Future[float] | None = None  # the grace of the stop command
        self._context: ProbeContext | None = None

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        self._stop = loop.create_future()
        _watch(self._commands.fileno(), self._command)
        async with open_context() as context:
            self._context = context
            self._schedule.start()
            sending = asyncio.create_task(self._send_every(BATCH_EVERY))
            grace = await self._stop
            loop.remove_reader(self._commands.fileno())
            await self._schedule.drain(grace)
            sending.cancel()
            self._send()
        self._results.close()

    def _command(self) -> None:
        assert self._stop is not None
        try:
            while self._commands.poll():
                kind, value = self._commands.recv()
                if kind == "targets":
                    self._take(value)
                    del value  # the packed targets: freed, and their pages given back
                    trim_heap()
                elif not self._stop.done():  # "stop"
                    self._stop.set_result(value)
        except (EOFError, OSError):  # the agent is gone: nobody to send results to
            if not self._stop.done():
                self._stop.set_result(0.0)

    def _take(self, targets: Wire) -> None:
        """A new set of targets, kept as records (probes/records.py): a model would
        take twice the memory, for the worker's whole life, and need pydantic."""
        self._targets = unpack(targets)
        intervals = {name: target.interval for name, target in self._targets.items()}
        self._schedule.apply(intervals, time.time())

    async def _probe(self, name: str, late: float) -> None:
        target = self._targets.get(name)
        if target is None:
            return  # moved to another worker, or removed, after this run was scheduled
        assert self._context is not None
        started = time.time()
        async with self._limit:
            result = await run_probe(target, self._context)
        self._finished.append((name, started, late, result))

    def _skip(self, name: str) -> None:
        self._skipped.append(name)

    async def _send_every(self, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            self._send()

    def _send(self) -> None:
        if not (self._finished or self._skipped):
            return
        batch = (self._finished, self._skipped)
        self._finished, self._skipped = [], []
        with contextlib.suppress(OSError):  # the agent is gone
            self._results.send(batch)
