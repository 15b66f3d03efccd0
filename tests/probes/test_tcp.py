"""The tcp probe against a line-echo server on 127.0.0.1, in plain TCP and over TLS."""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from slawatch.probes import Outcome, ProbeContext, open_context
from slawatch.probes.tcp import probe

from .helpers import CERT_NOT_AFTER, target
from .servers import closed_port

pytestmark = pytest.mark.anyio


class Case(NamedTuple):
    id: str
    port_fixture: str
    settings: dict[str, Any]
    outcome: Outcome
    error_class: str | None = None


CASES = [
    Case("connect", "echo_port", {}, Outcome.OK),
    Case("send-expect", "echo_port", {"send": "PING\n", "expect": "PING"}, Outcome.OK),
    Case(
        "expect-other",
        "echo_port",
        {"send": "PING\n", "expect": "PONG"},
        Outcome.CHECK_FAILED,
        "expect",
    ),
    Case(
        "peer-silent",
        "echo_port",
        {"expect": "220", "timeout": "300ms"},
        Outcome.TIMEOUT,
        "processing_timeout",
    ),
    Case("tls", "tls_echo_port", {"tls": True, "send": "PING\n", "expect": "PING"}, Outcome.OK),
    Case(
        "tls-cert-valid-long-enough",
        "tls_echo_port",
        {"tls": True, "min_cert_validity": "14d"},
        Outcome.OK,
    ),
    Case(
        "tls-cert-expiring",
        "tls_echo_port",
        {"tls": True, "min_cert_validity": "60d"},
        Outcome.CHECK_FAILED,
        "cert_expiring",
    ),
    Case(
        "tls-wrong-name", "misnamed_tls_port", {"tls": True}, Outcome.TLS_FAILED, "cert_untrusted"
    ),
    Case(
        "tls-wrong-name-unverified",
        "misnamed_tls_port",
        {"tls": True, "verify_tls": False},
        Outcome.OK,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
async def test_tcp_probe(request: pytest.FixtureRequest, context: ProbeContext, case: Case) -> None:
    port = request.getfixturevalue(case.port_fixture)
    result = await probe(target("tcp", host="127.0.0.1", port=port, **case.settings), context)
    assert (result.outcome, result.error_class) == (case.outcome, case.error_class)


async def test_expect_failure_shows_what_came_instead(
    context: ProbeContext, echo_port: int
) -> None:
    monitored = target("tcp", host="127.0.0.1", port=echo_port, send="PING\n", expect="PONG")
    result = await probe(monitored, context)
    assert result.error_message == "connection closed before b'PONG'; got b'PING\\n'"


async def test_tls_phases_and_expiry(context: ProbeContext, tls_echo_port: int) -> None:
    monitored = target(
        "tcp", host="127.0.0.1", port=tls_echo_port, tls=True, send="x\n", expect="x"
    )
    result = await probe(monitored, context)
    assert list(result.phases) == ["connect", "tls", "processing"]
    assert result.cert_expiry == CERT_NOT_AFTER.timestamp()


async def test_an_untrusted_certificate_fails(tls_echo_port: int) -> None:
    async with open_context() as system_trust_only:
        monitored = target("tcp", host="127.0.0.1", port=tls_echo_port, tls=True)
        result = await probe(monitored, system_trust_only)
    assert (result.outcome, result.error_class) == (Outcome.TLS_FAILED, "cert_untrusted")
    assert list(result.phases) == ["connect", "tls"]


async def test_connection_refused(context: ProbeContext) -> None:
    result = await probe(target("tcp", host="127.0.0.1", port=closed_port()), context)
    assert (result.outcome, result.error_class) == (Outcome.CONNECTION_FAILED, "connection_refused")
