"""TLS helpers shared by the http, tcp and tls probes (blackbox's ``prober/tls.go``).

The expiry is read from the certificate's DER bytes, not from
``getpeercert()``'s dict: Python leaves that dict empty when verification is
off, and a self-signed internal certificate (``verify_tls: false``) still
expires. Only the leaf certificate is read: Python 3.11 does not expose the
rest of the chain (``get_unverified_chain`` arrives in 3.13).
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from functools import lru_cache

from slawatch.notation import format_duration_ms
from slawatch.probes.failures import ProbeFailure
from slawatch.probes.result import utc_text

_DAY = 86_400


HTTP_ALPN = ("http/1.1",)  # what httpcore offers without HTTP/2
Trust = Callable[[ssl.SSLContext], None]
"""Makes a client context trust some authorities (e.g. a private CA:
``trustme.CA.configure_trust``) in place of the system's store."""


@lru_cache(maxsize=16)
def client_context(
    verify: bool, alpn: tuple[str, ...] = (), trust: Trust | None = None
) -> ssl.SSLContext:
    """A client context for one use, built once per process and shared by every
    probe of that use, so never changed after it is built: an ALPN offer set for
    HTTP once leaked into the tls and tcp probes, and a service that enforces ALPN
    refused them. Building one loads the whole trust store, which dominated a
    fresh HTTP client's cost; ``trust`` is only read when ``verify``."""
    if not verify:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif trust is None:
        context = ssl.create_default_context()
    else:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        trust(context)
    if alpn:
        context.set_alpn_protocols(list(alpn))
    return context


def peer_cert_expiry(tls: ssl.SSLObject | ssl.SSLSocket | None) -> float | None:
    """The peer certificate's ``notAfter`` in Unix seconds; None without TLS."""
    der = tls.getpeercert(binary_form=True) if tls is not None else None
    if not der:
        return None
    from cryptography import x509  # here: the agent's process starts without it (27 ms)

    return x509.load_der_x509_certificate(der).not_valid_after_utc.timestamp()


def check_validity(expiry: float | None, minimum_seconds: int | None, now: float) -> None:
    """Raise ``ProbeFailure`` when the certificate expires within ``minimum_seconds``."""
    if minimum_seconds is None:
        return
    if expiry is None:
        raise ProbeFailure("no_certificate", "no TLS certificate seen to check its expiry")
    left = expiry - now
    if left < minimum_seconds:
        wanted = format_duration_ms(minimum_seconds * 1_000)
        days = f"{left / _DAY:.1f} days"
        message = f"certificate expires {utc_text(expiry)}, in {days}; must be valid for {wanted}"
        raise ProbeFailure("cert_expiring", message)
