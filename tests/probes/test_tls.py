"""The tls probe: handshake and certificate expiry with any host:port."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from slawatch.probes import Outcome, ProbeContext, http, open_context, run_probe, tcp
from slawatch.probes.tls import probe

from .helpers import CERT_NOT_AFTER, target
from .peers import Misbehaviour, tcp_peer
from .servers import closed_port

pytestmark = pytest.mark.anyio


async def test_handshake_and_expiry(context: ProbeContext, tls_echo_port: int) -> None:
    result = await probe(target("tls", host="127.0.0.1", port=tls_echo_port), context)
    assert result.outcome is Outcome.OK
    assert result.cert_expiry == CERT_NOT_AFTER.timestamp()
    assert list(result.phases) == ["connect", "tls"]


@pytest.mark.parametrize(
    ("min_validity", "outcome"),
    [("29d", Outcome.OK), ("31d", Outcome.CHECK_FAILED)],
    ids=["expires-after-the-minimum", "expires-before-the-minimum"],
)
async def test_minimum_validity(
    context: ProbeContext, tls_echo_port: int, min_validity: str, outcome: Outcome
) -> None:
    monitored = target("tls", host="127.0.0.1", port=tls_echo_port, min_cert_validity=min_validity)
    result = await probe(monitored, context)
    assert result.outcome is outcome


async def test_a_certificate_for_another_name_fails(
    context: ProbeContext, misnamed_tls_port: int
) -> None:
    result = await probe(target("tls", host="127.0.0.1", port=misnamed_tls_port), context)
    assert (result.outcome, result.error_class) == (Outcome.TLS_FAILED, "cert_untrusted")
    assert result.error_message is not None
    assert "IP address mismatch" in result.error_message


async def test_an_untrusted_certificate_still_shows_its_expiry_unverified(
    tls_echo_port: int,
) -> None:
    async with open_context() as system_trust_only:
        monitored = target("tls", host="127.0.0.1", port=tls_echo_port, verify_tls=False)
        result = await probe(monitored, system_trust_only)
    assert (result.outcome, result.cert_expiry) == (Outcome.OK, CERT_NOT_AFTER.timestamp())


async def test_connection_refused(context: ProbeContext) -> None:
    result = await probe(target("tls", host="127.0.0.1", port=closed_port()), context)
    assert (result.outcome, result.error_class) == (Outcome.CONNECTION_FAILED, "connection_refused")


@pytest.mark.parametrize("verify", [True, False], ids=["verified", "unverified"])
async def test_an_https_probe_does_not_make_the_tls_probes_offer_its_alpn(
    context: ProbeContext, https_url: str, alpn_port: int, verify: bool
) -> None:
    """HTTPS offers ``http/1.1`` by ALPN; a TLS service that enforces ALPN refuses
    that offer, so the tls and tcp probes must not make it (issue 8, item 2)."""
    offered = await http.probe(target("http", url=f"https://127.0.0.1:{alpn_port}/"), context)
    assert (offered.outcome, offered.error_class) == (Outcome.TLS_FAILED, "tls_handshake")
    assert offered.error_message is not None
    assert "alert no application protocol" in offered.error_message  # the server enforces
    https = await http.probe(target("http", url=https_url + "/", verify_tls=verify), context)
    assert https.outcome is Outcome.OK
    tls = await probe(target("tls", host="127.0.0.1", port=alpn_port, verify_tls=verify), context)
    assert tls.outcome is Outcome.OK, tls
    settings = {"host": "127.0.0.1", "port": alpn_port, "tls": True, "verify_tls": verify}
    over_tcp = await tcp.probe(target("tcp", **settings), context)
    assert over_tcp.outcome is Outcome.OK, over_tcp


@pytest.mark.parametrize(
    "monitored",
    [
        lambda port: target("tls", host="127.0.0.1", port=port),
        lambda port: target("tcp", host="127.0.0.1", port=port, tls=True),
        lambda port: target("http", url=f"https://127.0.0.1:{port}/"),
    ],
    ids=["tls", "tcp-tls", "https"],
)
async def test_a_server_hanging_up_during_the_handshake_is_a_tls_failure(
    context: ProbeContext, monitored: Callable[[int], Any]
) -> None:
    async with tcp_peer(Misbehaviour.HANG_UP, "tls") as peer:
        result = await run_probe(monitored(peer.port), context)
    assert (result.outcome, result.error_class) == (Outcome.TLS_FAILED, "tls_handshake")
    assert result.error_message == "EOF occurred in violation of protocol during the TLS handshake"
