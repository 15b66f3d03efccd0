"""Every exception a probe can meet, mapped onto an outcome and an error class."""

from __future__ import annotations

import socket
import ssl

import dns.exception
import dns.resolver
import httpx
import pytest

from slawatch.probes.failures import ProbeFailure, classify
from slawatch.probes.result import Outcome


def wrapped(outer: Exception, cause: BaseException) -> Exception:
    """``outer`` raised ``from cause``, as httpx wraps the OS errors."""
    try:
        raise outer from cause
    except Exception as exc:
        return exc


def during(outer: Exception, context: BaseException) -> Exception:
    """``outer`` raised while handling ``context`` (an implicit chain)."""
    outer.__context__ = context
    return outer


CASES = [
    (
        "refused-in-httpx",
        wrapped(
            httpx.ConnectError("All connection attempts failed"),
            ConnectionRefusedError(111, "Connection refused"),
        ),
        Outcome.CONNECTION_FAILED,
        "connection_refused",
        "[Errno 111] Connection refused",
    ),
    (
        "unresolvable",
        wrapped(httpx.ConnectError("x"), socket.gaierror(-2, "Name or service not known")),
        Outcome.CONNECTION_FAILED,
        "name_resolution",
        "[Errno -2] Name or service not known",
    ),
    (
        "untrusted",
        wrapped(
            httpx.ConnectError("x"), ssl.SSLCertVerificationError(1, "certificate verify failed")
        ),
        Outcome.TLS_FAILED,
        "cert_untrusted",
        "certificate verify failed",
    ),
    (
        "handshake",
        ssl.SSLError(1, "wrong version number"),
        Outcome.TLS_FAILED,
        "tls_handshake",
        "wrong version number",
    ),
    (
        "reset",
        ConnectionResetError(104, "Connection reset by peer"),
        Outcome.CONNECTION_FAILED,
        "connection_reset",
        "[Errno 104] Connection reset by peer",
    ),
    (
        "unreachable",
        OSError(113, "No route to host"),
        Outcome.CONNECTION_FAILED,
        "network",
        "[Errno 113] No route to host",
    ),
    (
        "os-timeout",
        TimeoutError(110, "Connection timed out"),
        Outcome.TIMEOUT,
        "timeout",
        "[Errno 110] Connection timed out",
    ),
    (
        "implicit-chain",
        during(RuntimeError("while closing"), ConnectionResetError(104, "reset")),
        Outcome.CONNECTION_FAILED,
        "connection_reset",
        "[Errno 104] reset",
    ),
    (
        "reset-during-a-handshake",
        during(
            ConnectionResetError(104, "Connection reset by peer"),
            ssl.SSLWantReadError(2, "The operation did not complete (read)"),
        ),
        Outcome.CONNECTION_FAILED,
        "connection_reset",
        "[Errno 104] Connection reset by peer",
    ),
    (
        "remote-protocol",
        httpx.RemoteProtocolError("Server disconnected"),
        Outcome.PROTOCOL_ERROR,
        "remote_protocol",
        "Server disconnected",
    ),
    (
        "redirect-loop",
        httpx.TooManyRedirects("Exceeded maximum allowed redirects."),
        Outcome.PROTOCOL_ERROR,
        "too_many_redirects",
        "Exceeded maximum allowed redirects.",
    ),
    (
        "bad-gzip",
        httpx.DecodingError("Error -3 while decompressing"),
        Outcome.PROTOCOL_ERROR,
        "decoding",
        "Error -3 while decompressing",
    ),
    (
        "network",
        httpx.ReadError("peer closed"),
        Outcome.CONNECTION_FAILED,
        "network",
        "peer closed",
    ),
    (
        "our-request",
        httpx.LocalProtocolError("Illegal header name"),
        Outcome.PROBE_ERROR,
        "local_protocol",
        "Illegal header name",
    ),
    (
        "other-http",
        httpx.UnsupportedProtocol("Request URL has an unsupported protocol"),
        Outcome.PROTOCOL_ERROR,
        "http",
        "Request URL has an unsupported protocol",
    ),
    (
        "dns-malformed",
        dns.exception.FormError("bad label"),  # type: ignore[no-untyped-call]  # dnspython: unannotated
        Outcome.PROTOCOL_ERROR,
        "dns_malformed",
        "bad label",
    ),
    (
        "no-resolver",
        dns.resolver.NoResolverConfiguration("no nameservers"),  # type: ignore[no-untyped-call]  # dnspython: unannotated
        Outcome.PROBE_ERROR,
        "no_resolver",
        "no nameservers",
    ),
    (
        "other-dns",
        dns.exception.SyntaxError("Text input is malformed."),  # type: ignore[no-untyped-call]  # dnspython: unannotated
        Outcome.PROTOCOL_ERROR,
        "dns",
        "Text input is malformed.",
    ),
    (
        "our-check",
        ProbeFailure("body_contains", "body does not contain 'x'"),
        Outcome.CHECK_FAILED,
        "body_contains",
        "body does not contain 'x'",
    ),
    (
        "our-side",
        ProbeFailure("env_var_missing", "TOKEN is not set", Outcome.PROBE_ERROR),
        Outcome.PROBE_ERROR,
        "env_var_missing",
        "TOKEN is not set",
    ),
    ("a-bug", KeyError("phase"), Outcome.PROBE_ERROR, "unexpected", "KeyError('phase')"),
    ("a-bug-without-text", ValueError(), Outcome.PROBE_ERROR, "unexpected", "ValueError()"),
]


@pytest.mark.parametrize(
    ("exc", "outcome", "error_class", "message"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_classify(exc: Exception, outcome: Outcome, error_class: str, message: str) -> None:
    assert classify(exc) == (outcome, error_class, message)
