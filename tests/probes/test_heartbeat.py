"""The heartbeat check: a pure function of the last ping and the clock."""

from __future__ import annotations

import dataclasses

import pytest

from slawatch.probes import Outcome, ProbeContext
from slawatch.probes.heartbeat import heartbeat_result, probe

from .helpers import target

pytestmark = pytest.mark.anyio

NOW = 1_790_000_000.0  # 2026-09-21T14:13:20Z
DAY = 86_400
NIGHTLY = target("heartbeat", interval="1d", grace="1h")

# (id, seconds since the last ping or None, outcome, message)
CASES = [
    ("just-pinged", 0, Outcome.OK, None),
    ("within-interval", DAY - 1, Outcome.OK, None),
    ("within-grace", DAY + 3_600, Outcome.OK, None),
    (
        "late",
        DAY + 3_601,
        Outcome.CHECK_FAILED,
        "last ping at 2026-09-20T13:13:19Z, 1s later than interval + grace allow",
    ),
    (
        "very-late",
        3 * DAY,
        Outcome.CHECK_FAILED,
        "last ping at 2026-09-18T14:13:20Z, 1d23h later than interval + grace allow",
    ),
    ("never", None, Outcome.CHECK_FAILED, "no ping received"),
]


@pytest.mark.parametrize(
    ("age", "outcome", "message"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_heartbeat(age: int | None, outcome: Outcome, message: str | None) -> None:
    result = heartbeat_result(NIGHTLY, None if age is None else NOW - age, NOW)
    assert (result.outcome, result.error_message) == (outcome, message)
    assert result.error_class == (None if result.ok else "heartbeat_missed")


def test_grace_defaults_to_zero() -> None:
    hourly = target("heartbeat", interval="1h")
    assert heartbeat_result(hourly, NOW - 3_601, NOW).outcome is Outcome.CHECK_FAILED


async def test_the_probe_reads_the_context_pings_and_clock(context: ProbeContext) -> None:
    pinged = dataclasses.replace(context, now=lambda: NOW, pings={"t": NOW - 60})
    assert (await probe(NIGHTLY, pinged)).ok
    assert not (await probe(NIGHTLY, context)).ok
