"""The agent's start reads its config's YAML in a child process (cli/read_ahead.py):
the config it gets is the one ``load_config`` gives, every problem is worded by
``load_config`` itself, and no child is left behind."""

from __future__ import annotations

import os
import pickle
import shutil
import threading
from pathlib import Path

import pytest

from slawatch.cli.common import Session
from slawatch.cli.read_ahead import ReadAhead, read_ahead
from slawatch.config import ConfigError, load_config
from slawatch.config.targets import KnownTargets
from slawatch.config.values import read_values, target_keys

from .conftest import SEED


def ahead(path: Path) -> ReadAhead:
    """A read ahead of ``path``; this test process runs no other thread."""
    assert threading.active_count() == 1, "a thread runs: the start would not fork"
    started = read_ahead(Session(path, None))
    assert started is not None
    return started


def reaped(child: int) -> bool:
    """Whether ``child`` is gone, waited for (not a zombie)."""
    try:
        os.waitpid(child, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def problems(load: object) -> str:
    with pytest.raises(ConfigError) as caught:
        load()  # type: ignore[operator]
    return str(caught.value)


def test_the_child_reads_the_config_a_load_reads(tmp_path: Path) -> None:
    path = tmp_path / "seed.yaml"
    shutil.copy(SEED, path)
    started = ahead(path)
    assert started.config() == load_config(path)
    assert reaped(started.child)


@pytest.mark.parametrize(
    "text",
    [
        "targets: [\n",  # bad YAML: the child has no values
        "targets: []\ntargets: []\n",  # a key given twice: the child's values are refused
        "targets:\n  - {name: web, kind: http, url: 12}\n",  # validation, in the parent
    ],
)
def test_every_problem_is_worded_by_the_load(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    started = ahead(path)
    assert problems(started.config) == problems(lambda: load_config(path))
    assert reaped(started.child)


def test_a_missing_file_is_worded_by_the_load(tmp_path: Path) -> None:
    path = tmp_path / "missing.yaml"
    started = ahead(path)
    assert problems(started.config) == problems(lambda: load_config(path))
    assert reaped(started.child)


def test_no_fork_while_a_thread_runs(tmp_path: Path) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert read_ahead(Session(Path(SEED), None)) is None
    finally:
        stop.set()
        thread.join()


def test_the_start_leaves_its_targets_for_the_reloads(tmp_path: Path) -> None:
    path = tmp_path / "seed.yaml"
    shutil.copy(SEED, path)
    known = KnownTargets()
    config = ahead(path).config(known)
    keys = target_keys(read_values(path))
    assert keys is not None and len(keys) == len(config.targets)
    assert known.before == dict(zip(keys, config.targets, strict=True))


def test_a_child_cut_short_after_its_values_leaves_no_known_targets(tmp_path: Path) -> None:
    path = tmp_path / "seed.yaml"
    shutil.copy(SEED, path)
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (ends in os._exit)
        os.close(reading)
        os.write(writing, pickle.dumps(read_values(path)))
        os._exit(1)  # as if killed before its keys
    os.close(writing)
    known = KnownTargets()
    assert ReadAhead(path, child, reading).config(known) == load_config(path)
    assert known.before == {}
    assert reaped(child)


def test_a_refused_load_does_not_wait_for_keys_that_fill_the_pipe(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    items = [f"  - {{name: t{i}, kind: heartbeat, interval: 1h}}" for i in range(20_000)]
    path.write_text("targets:\n" + "\n".join(items) + "\n  - {name: bad, kind: http, url: 12}\n")
    started = ahead(path)  # its keys, 360 KB, do not fit in the pipe: it waits to write them
    assert problems(started.config) == problems(lambda: load_config(path))
    assert reaped(started.child)
