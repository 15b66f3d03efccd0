"""The agent's config loads: the collector paused during one, and what it freed in the
C heap given back to the system after it (cli/heap.py)."""

from __future__ import annotations

import gc
import platform
from pathlib import Path

import pytest

from slawatch.agent.heap import trim_heap
from slawatch.cli.heap import config_load

GLIBC = platform.libc_ver()[0] == "glibc"
BLOCKS = 50_000  # of 1 kB: past pymalloc's 512 bytes, each from the C heap


pytestmark = pytest.mark.usefixtures("collector_running")


def resident_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc/self/status")


@pytest.mark.skipif(not GLIBC, reason="malloc_trim is glibc's")
def test_what_a_load_freed_in_the_c_heap_goes_back_to_the_system() -> None:
    blocks = [bytes(1024) for _ in range(BLOCKS)]
    keeper = bytes(1024)  # above the freed blocks: the heap's top cannot shrink by itself
    del blocks
    before = resident_kb()
    with config_load():
        assert not gc.isenabled()
    assert gc.isenabled()
    assert before - resident_kb() > BLOCKS // 2  # kB: at least half of the 50 MB freed
    assert keeper


def test_trimming_says_whether_it_could() -> None:
    assert trim_heap() is GLIBC
