"""Every way a probe can fail, as an outcome, an error class and a message.

Probes raise freely (httpx, asyncio, ssl and dnspython each have their own
exception trees, and a failed condition raises ``ProbeFailure``); ``classify``
maps whatever arrives onto the small ``Outcome`` set. Library errors wrap their
cause (httpx's ``ConnectError`` wraps ``ConnectionRefusedError`` or an
``SSLCertVerificationError``), so the whole cause chain is searched, and the
table is ordered from the most telling class to the least.

The probe's deadline is not here: each probe has exactly one
(``recorder.guarded``) and the libraries' own timeouts are off, so that a 10 s
target is not cut short by httpx's 5 s default.
"""

from __future__ import annotations

import socket
import ssl
import sys
from functools import cache

import httpx

from slawatch.errors import SlawatchError
from slawatch.probes.result import Outcome


class ProbeFailure(SlawatchError):
    """A failure the probe itself detected: a condition not met, a missing secret."""

    def __init__(self, error_class: str, message: str, outcome: Outcome = Outcome.CHECK_FAILED):
        super().__init__(message)
        self.error_class = error_class
        self.outcome = outcome


Table = tuple[tuple[type[BaseException], Outcome, str], ...]
_FIRST: Table = (
    (TimeoutError, Outcome.TIMEOUT, "timeout"),  # the OS gave up (ETIMEDOUT)
    (ssl.SSLCertVerificationError, Outcome.TLS_FAILED, "cert_untrusted"),
    (ssl.SSLError, Outcome.TLS_FAILED, "tls_handshake"),
    (socket.gaierror, Outcome.CONNECTION_FAILED, "name_resolution"),
    (ConnectionRefusedError, Outcome.CONNECTION_FAILED, "connection_refused"),
    (ConnectionResetError, Outcome.CONNECTION_FAILED, "connection_reset"),
    (httpx.TooManyRedirects, Outcome.PROTOCOL_ERROR, "too_many_redirects"),
    (httpx.RemoteProtocolError, Outcome.PROTOCOL_ERROR, "remote_protocol"),
    (httpx.DecodingError, Outcome.PROTOCOL_ERROR, "decoding"),
)
_THEN: Table = (
    (OSError, Outcome.CONNECTION_FAILED, "network"),
    (httpx.NetworkError, Outcome.CONNECTION_FAILED, "network"),
    (httpx.LocalProtocolError, Outcome.PROBE_ERROR, "local_protocol"),
    (httpx.HTTPError, Outcome.PROTOCOL_ERROR, "http"),
)


@cache
def _table(with_dns: bool) -> Table:
    """The table, in order; with dnspython's rows once dnspython is loaded (before, none
    of its exceptions can have been raised, and a probe worker without dns targets
    never loads it)."""
    if not with_dns:
        return _FIRST + _THEN
    import dns.exception
    import dns.resolver

    return (
        *_FIRST,
        (dns.exception.FormError, Outcome.PROTOCOL_ERROR, "dns_malformed"),
        *_THEN,
        (dns.resolver.NoResolverConfiguration, Outcome.PROBE_ERROR, "no_resolver"),
        (dns.exception.DNSException, Outcome.PROTOCOL_ERROR, "dns"),
    )


def classify(exc: Exception) -> tuple[Outcome, str, str]:
    """``(outcome, error_class, message)`` for an exception a probe let out."""
    if isinstance(exc, ProbeFailure):
        return exc.outcome, exc.error_class, str(exc)
    chain = _chain(exc)
    for kind, outcome, error_class in _table("dns.exception" in sys.modules):
        for link in chain:
            if isinstance(link, kind):
                return outcome, error_class, _message(link)
    # Not a failure of the target we know of: most likely a bug on our side.
    return Outcome.PROBE_ERROR, "unexpected", repr(exc)


_NOT_A_CAUSE = (ssl.SSLWantReadError, ssl.SSLWantWriteError)
"""``ssl``'s "would block" signals: an error met while one is being handled (a reset
during a handshake) is chained to it, but it says nothing about the failure."""


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and its causes, outermost first (``raise ... from`` or implicit)."""
    links: list[BaseException] = []
    link: BaseException | None = exc
    while link is not None and link not in links:
        links.append(link)
        link = link.__cause__ or link.__context__
    return [link for link in links if not isinstance(link, _NOT_A_CAUSE)]


def _message(exc: BaseException) -> str:
    """The exception's own text, or its class name when it has none."""
    return str(exc) or type(exc).__name__
