"""What every probe shares: HTTP clients, TLS contexts, clocks and heartbeat pings.

Built once per process by ``open_context`` (see ``shared/notes/probe-cost.md``):
a new ``httpx.AsyncClient`` per probe costs ~50x the CPU (each builds an SSL
context), and one client that keeps connections alive collapses under
concurrency while hiding connect failures a monitor exists to see. So: one
client per TLS setting, keep-alive off (a fresh connection per probe, as
blackbox_exporter does). SSL contexts come from ``certs.client_context``, one per
use: HTTP's offer ``http/1.1`` by ALPN, those of the tcp and tls probes offer
nothing (the service's protocol is not ours to name).
"""

from __future__ import annotations

import functools
import ssl
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from importlib.metadata import version

import httpx

from slawatch.probes.certs import HTTP_ALPN, Trust, client_context
from slawatch.probes.fresh import FreshTransport

USER_AGENT = f"slawatch/{version('slawatch')}"


@dataclass(frozen=True)
class ProbeContext:
    """Shared by all probes of a process; probes only read it.

    ``pings`` maps a heartbeat target's name to the Unix time of its last ping;
    the agent's ping endpoint writes it (any ``Mapping`` will do, e.g. one backed
    by the store). ``now`` is the wall clock, for certificate expiry and heartbeats.
    """

    http_verified: httpx.AsyncClient
    http_unverified: httpx.AsyncClient
    trust: Trust | None = None  # the authorities the verifying contexts trust
    now: Callable[[], float] = time.time
    pings: Mapping[str, float] = field(default_factory=dict)

    def http(self, verify: bool) -> httpx.AsyncClient:
        return self.http_verified if verify else self.http_unverified

    def tls(self, verify: bool) -> ssl.SSLContext:
        """The tcp and tls probes' context, built when first asked for."""
        return client_context(verify, trust=self.trust if verify else None)


@asynccontextmanager
async def open_context(
    *,
    trust: Trust | None = None,
    now: Callable[[], float] = time.time,
    pings: Mapping[str, float] | None = None,
) -> AsyncIterator[ProbeContext]:
    """A ``ProbeContext`` whose HTTP clients are closed on exit.

    ``trust`` makes the verifying contexts trust other authorities than the
    system's store, e.g. a private CA. The TLS contexts are built when a probe
    first needs one: a verifying one loads the whole trust store (25 ms and
    1.2 MB each), which a process whose probes use no TLS (the agent's own, with
    probe workers; a worker whose share is all http://) never needs.
    """
    verified = functools.partial(client_context, True, HTTP_ALPN, trust)
    unverified = functools.partial(client_context, False, HTTP_ALPN)
    async with AsyncExitStack() as stack:
        yield ProbeContext(
            http_verified=await stack.enter_async_context(_http_client(verified)),
            http_unverified=await stack.enter_async_context(_http_client(unverified)),
            trust=trust,
            now=now,
            pings={} if pings is None else pings,
        )


def _http_client(tls: Callable[[], ssl.SSLContext]) -> httpx.AsyncClient:
    """A client that behaves like a fresh one on every request: a new connection
    each time (``fresh.FreshTransport``, no pool), no cookies carried from one
    probe to the next (nor across one probe's redirects), and no proxy or other
    settings picked up from the environment."""
    return _FirstVisitClient(
        transport=FreshTransport(tls), trust_env=False, headers={"User-Agent": USER_AGENT}
    )


class _NoCookies(httpx.Cookies):
    """Cookies that are never kept: every probe is a first visit."""

    def extract_cookies(self, response: httpx.Response) -> None:
        """Keep none (httpx would parse each response's headers into a ``CookieJar``
        only for its policy to refuse them: ~7 % of a probe's own time)."""


class _FirstVisitClient(httpx.AsyncClient):
    """An ``AsyncClient`` whose cookie store keeps nothing."""

    _no_cookies = _NoCookies()

    @property
    def cookies(self) -> httpx.Cookies:
        return self._no_cookies

    @cookies.setter
    def cookies(self, cookies: object) -> None:
        raise AttributeError("probe clients keep no cookies")
