"""Pausing the cyclic garbage collector: nested and concurrent pauses resume it once."""

import gc
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from slawatch.cli.gc_pause import gc_paused

pytestmark = pytest.mark.usefixtures("collector_running")


def test_a_pause_stops_the_collector_until_it_ends() -> None:
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_an_error_inside_still_resumes_it() -> None:
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_nested_pauses_resume_when_the_outer_one_ends() -> None:
    with gc_paused():
        with gc_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_overlapping_pauses_on_two_threads_resume_when_the_last_ends() -> None:
    first_in, second_out = threading.Event(), threading.Event()

    def other() -> None:
        with gc_paused():
            first_in.set()
            second_out.wait(5)

    thread = threading.Thread(target=other)
    thread.start()
    first_in.wait(5)
    with gc_paused():
        pass  # ends first
    assert not gc.isenabled()
    second_out.set()
    thread.join(5)
    assert gc.isenabled()


def test_a_collector_stopped_beforehand_stays_stopped() -> None:
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()


def test_a_pause_ends_without_a_collection_over_what_it_built() -> None:
    """What the pause kept goes to the oldest generation: resuming the collector must
    not make the next allocation collect everything the pause allocated."""
    seen: list[int] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(record)
    try:
        with gc_paused():
            kept = [[index] for index in range(50_000)]
        more = [[index] for index in range(100)]
    finally:
        gc.callbacks.remove(record)
    assert seen == []
    assert gc.get_count()[0] < gc.get_threshold()[0]
    assert len(kept) + len(more) == 50_100


# Runs a command, then reports how many objects were frozen once its exit handlers ran.
EXITING = """
import atexit, gc, sys
atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count()))
from slawatch.cli import main
main(sys.argv[1:])
"""


def test_a_command_leaves_nothing_for_the_last_collection_at_exit() -> None:
    """The interpreter's collection at exit would visit every object left, for nothing."""
    seed = str(Path(__file__).parents[2] / "config" / "seed-contracts.yaml")
    done = subprocess.run(
        [sys.executable, "-c", EXITING, "check-config", "-c", seed],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.startswith("ok: ")
    frozen = int(done.stdout.rpartition("frozen at exit:")[2])
    assert frozen > 10_000


def test_as_a_decorator() -> None:
    @gc_paused()
    def running() -> bool:
        return gc.isenabled()

    assert not running()
    assert not running()  # each call its own pause
    assert gc.isenabled()


@pytest.mark.parametrize(
    ("command", "module", "function"),
    [
        (["import", "--results", "x.csv"], "slawatch.app.history", "import_history"),
        (["ticket", "import", "--events", "x.csv"], "slawatch.app.tickets", "import_ticket_events"),
    ],
)
def test_the_bulk_imports_run_with_the_collector_paused(
    command: list[str], module: str, function: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Both imports build hundreds of thousands of objects that hold no cycle."""
    from click.testing import CliRunner

    from slawatch.cli import main

    seen: list[bool] = []

    def record(*_: object, **__: object) -> None:
        seen.append(gc.isenabled())
        raise SystemExit(0)

    monkeypatch.setattr(f"{module}.{function}", record)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.csv").write_text("")
    seed = str(Path(__file__).parents[2] / "config" / "seed-contracts.yaml")
    result = CliRunner().invoke(
        main, [*command[:-2], "-c", seed, "--db", "sqlite://", *command[-2:]]
    )
    assert seen == [False], result.output
    assert gc.isenabled()
