"""The registry, ``run_probe`` without a context, and the text of a result."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from slawatch.config.targets import KINDS
from slawatch.probes import PROBES, Outcome, ProbeResult, format_result, run_probe

from .helpers import target

pytestmark = pytest.mark.anyio


def test_every_kind_has_a_probe() -> None:
    assert sorted(PROBES) == sorted(KINDS)


async def test_run_probe_opens_a_context_when_given_none(echo_port: int) -> None:
    result = await run_probe(target("tcp", host="127.0.0.1", port=echo_port))
    assert result.outcome is Outcome.OK


async def test_a_heartbeat_probed_alone_has_no_pings() -> None:
    result = await run_probe(target("heartbeat", interval="1d"))
    assert (result.outcome, result.error_message) == (Outcome.CHECK_FAILED, "no ping received")


def test_a_result_is_frozen() -> None:
    result = ProbeResult(Outcome.OK, 0.1)
    with pytest.raises(AttributeError):
        result.outcome = Outcome.TIMEOUT  # type: ignore[misc]
    with pytest.raises(TypeError):
        result.phases["connect"] = 1.0  # type: ignore[index]


def test_format_result_of_a_full_result() -> None:
    result = ProbeResult(
        Outcome.CHECK_FAILED,
        0.1234567,
        status_code=200,
        error_class="cert_expiring",
        error_message="certificate expires 2026-10-01T00:00:00Z, in 9.4 days; must be valid for 14d",
        phases=MappingProxyType(
            {"connect": 0.001, "tls": 0.02, "processing": 0.1, "transfer": 0.0002}
        ),
        cert_expiry=1_790_812_800,
    )
    assert format_result(result) == (
        "outcome: check_failed\n"
        "duration: 0.123457 s\n"
        "status code: 200\n"
        "phases:\n"
        "  connect     0.001000 s\n"
        "  tls         0.020000 s\n"
        "  processing  0.100000 s\n"
        "  transfer    0.000200 s\n"
        "certificate expires: 2026-10-01T00:00:00Z\n"
        "error: cert_expiring: certificate expires 2026-10-01T00:00:00Z, in 9.4 days; must be valid for 14d"
    )


def test_format_result_leaves_out_what_is_not_there() -> None:
    assert format_result(ProbeResult(Outcome.OK, 0.5)) == "outcome: ok\nduration: 0.500000 s"
