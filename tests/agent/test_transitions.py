"""The log's down and up lines: confirmed transitions only (rule 2, ``confirm_after``),
the first failed sample named, nothing for a blip or a target a reload removed."""

from __future__ import annotations

import logging

import pytest

from slawatch.agent.transitions import Transitions
from slawatch.probes.result import Outcome, ProbeResult
from slawatch.sla.timeline import TimelineRule

T0 = 1_791_190_800  # 2026-10-05T09:00:00Z


def lines(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    return [(r.levelname, r.getMessage()) for r in caplog.records if r.name.endswith("targets")]


def watching(confirm_after: int = 2, degraded_above_ms: float | None = None) -> Transitions:
    rule = TimelineRule(
        interval=60, confirm_after=confirm_after, degraded_above_ms=degraded_above_ms
    )
    return Transitions({"web": rule})


def sample(ok: bool, error: str | None = None, seconds: float = 0.1) -> ProbeResult:
    outcome = Outcome.OK if ok else Outcome.CHECK_FAILED
    return ProbeResult(outcome=outcome, duration_seconds=seconds, error_message=error)


def test_confirmed_outage_logs_down_then_up(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    seen = watching()
    seen.observe("web", T0, sample(True))
    seen.observe("web", T0 + 60, sample(False, "HTTP 503"))
    assert lines(caplog) == []  # one failure is not an outage yet
    seen.observe("web", T0 + 120, sample(False, "timeout"))
    seen.observe("web", T0 + 180, sample(False, "timeout"))
    seen.observe("web", T0 + 240.4, sample(True))
    assert lines(caplog) == [
        (
            "WARNING",
            "target web down since 2026-10-05T09:01:00Z "
            "(first failed sample: HTTP 503; 2 failed in a row)",
        ),
        ("INFO", "target web up at 2026-10-05T09:04:00Z (down since 2026-10-05T09:01:00Z)"),
    ]


def test_unconfirmed_blip_and_removed_target_log_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    seen = watching(confirm_after=3)
    seen.observe("web", T0, sample(False))
    seen.observe("web", T0 + 60, sample(False))
    seen.observe("web", T0 + 120, sample(True))  # 2 < 3 failures: never down, so never up
    seen.observe("web", T0 + 180, sample(False))
    seen.forget("web")
    seen.rules = {}
    seen.observe("web", T0 + 240, sample(False))
    seen.observe("web", T0 + 300, sample(False))
    seen.observe("web", T0 + 360, sample(False))
    assert lines(caplog) == []


def test_slow_answers_are_an_outage_where_the_target_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    seen = watching(degraded_above_ms=500)
    seen.observe("web", T0, sample(True, seconds=0.8))
    seen.observe("web", T0 + 60, sample(True, seconds=0.9))
    seen.observe("web", T0 + 120, sample(True, seconds=0.2))
    assert [message for _, message in lines(caplog)] == [
        "target web down since 2026-10-05T09:00:00Z "
        "(first failed sample: slower than 500 ms; 2 failed in a row)",
        "target web up at 2026-10-05T09:02:00Z (down since 2026-10-05T09:00:00Z)",
    ]
